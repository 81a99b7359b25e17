/**
 * CreateImage from the stopped builder. CreateImage has no ClientToken
 * (domain-facts §10.1), so the name carries the build id and, before creating,
 * an image of that name tagged with this build is looked up: a request that
 * was retried after a dropped connection may already have made it. The id is
 * recorded before the wait; cleanup after any failure deregisters the image
 * and deletes its snapshots; after success the image is an output.
 */
import { StepError } from '../../errors.js';
import { PollFailureError } from '../../aws/poll-until.js';
import { waitForImageAvailable } from '../../billing/wait-image.js';
import { reportTo } from '../../reporter.js';
import { BUILD_ID_TAG, buildTags, discardImage, tagSpecs } from '../aws-helpers.js';
import { delays, markKept, markRemoved, scaled, track } from '../context.js';
import type { BakeStep } from './types.js';

export const createImage: BakeStep = {
  name: 'createImage',
  title: 'Create the image',
  actions: ['ec2:DescribeImages', 'ec2:CreateImage', 'ec2:CreateTags'],
  failureActions: ['ec2:DeregisterImage', 'ec2:DescribeSnapshots', 'ec2:DeleteSnapshot'],
  async run(state, ctx) {
    const ec2 = ctx.session.ec2(state.region);
    const c = state.config;
    const existing = await ec2.describeImages({ Owners: ['self'], Filters: [{ Name: 'name', Values: [state.imageName] }] }, { abortSignal: ctx.signal });
    const mine = existing.Images?.find((i) => i.Tags?.some((t) => t.Key === BUILD_ID_TAG && t.Value === state.buildId));
    const other = existing.Images?.find((i) => i !== mine);
    if (!mine && other) {
      throw new StepError('createImage', `an image named "${state.imageName}" already exists (${other.ImageId}) and is not from this build`, { hint: 'Use {{timestamp}} or {{buildId}} in image.name so each build has its own name.' });
    }
    let imageId = mine?.ImageId;
    if (!imageId) {
      const out = await ec2.createImage(
        {
          InstanceId: state.builder!.instanceId,
          Name: state.imageName,
          Description: c.image.description ?? `${c.name} built by winami (build ${state.buildId})`,
          TagSpecifications: [
            ...tagSpecs(['image'], buildTags(state.buildId, state.imageName, 'image', c.image.tags)),
            ...tagSpecs(['snapshot'], buildTags(state.buildId, state.imageName, 'image', c.image.snapshotTags)),
          ],
        },
        { abortSignal: ctx.signal },
      );
      imageId = out.ImageId!;
    }
    state.image = { region: state.region, imageId, name: state.imageName, snapshotIds: [] };
    track(state, ctx, { kind: 'image', id: imageId, region: state.region, role: 'image' });
    let image;
    try {
      image = await waitForImageAvailable(ec2, imageId, {
        timeoutMs: scaled(ctx, c.deadlines.createImage),
        ...delays(ctx, 'image'),
        abortSignal: ctx.signal,
        clock: ctx.clock,
        onObservation: (o) => reportTo(ctx.reporter).debug('bake.wait', `image ${imageId}: ${o}`, { step: 'createImage' }),
      });
    } catch (err) {
      if (err instanceof PollFailureError) throw new StepError('createImage', `CreateImage failed for ${imageId}: ${err.message}`, { cause: err, hint: 'The half-made image and its snapshots are removed. Check the StateReason above; retrying usually works for transient internal errors.' });
      throw err;
    }
    state.image.snapshotIds = (image.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : []));
    for (const s of state.image.snapshotIds) track(state, ctx, { kind: 'snapshot', id: s, region: state.region, role: 'image-snapshot' });
    reportTo(ctx.reporter).info('bake.image', `image ${imageId} (${state.imageName}) is available`, { imageId, name: state.imageName, snapshots: state.image.snapshotIds });
  },
  async cleanup(state, ctx) {
    const img = state.image;
    if (!img) return;
    const mine = state.resources.filter((r) => r.region === img.region && (r.id === img.imageId || (r.role === 'image-snapshot' && img.snapshotIds.includes(r.id))));
    if (ctx.outcome === 'ok') {
      for (const r of mine) markKept(state, ctx, r, 'output');
      return;
    }
    const deleted = await discardImage(ctx.session.ec2(state.region), img.imageId, { signal: ctx.signal, buildId: state.buildId, role: 'image' });
    markRemoved(state, ctx, img.imageId, img.region);
    for (const s of deleted) {
      if (!state.resources.some((r) => r.id === s)) track(state, ctx, { kind: 'snapshot', id: s, region: img.region, role: 'image-snapshot' });
      markRemoved(state, ctx, s, img.region);
    }
    reportTo(ctx.reporter).info('bake.image.discarded', `discarded image ${img.imageId} and ${deleted.length} snapshot(s)`, { imageId: img.imageId, snapshots: deleted });
  },
};
