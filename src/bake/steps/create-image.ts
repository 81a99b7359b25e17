/**
 * CreateImage from the stopped builder. CreateImage has no ClientToken
 * (domain-facts §10.1), so the name carries the build id, and a duplicate-name
 * answer is resolved by looking the name up: an image of it tagged with this
 * build was made by an earlier attempt of the same request. The id is
 * recorded before the wait; cleanup after any failure deregisters the image
 * and deletes its snapshots; after success the image is an output.
 */
import { inventoryTags } from '../inventory.js';
import { StepError } from '../../errors.js';
import type { Image } from '@aws-sdk/client-ec2';
import type { Ec2Port } from '../../aws/ports.js';
import { PollFailureError, pollUntil } from '../../aws/poll-until.js';
import { awsErrorCode } from '../../aws/errors.js';
import { describeImage, imageAvailability } from '../../image/lifecycle.js';
import { reportTo } from '../../reporter.js';
import { BUILD_ID_TAG, CONFIG_TAG, buildTags, keepOrDiscardImage, tagSpecs } from '../aws-helpers.js';
import { creating, delays, EXPECTED_MS, graceMs, scaled, track, type StepCtx } from '../context.js';
import { lookWithinGrace } from '../../aws/consistency.js';
import type { BakeStep } from './types.js';
import { need } from '../state.js';

/** The least progress (0–100) of some snapshots, or undefined when it cannot be read. */
async function snapshotProgress(ec2: Ec2Port, ids: string[], signal: AbortSignal): Promise<number | undefined> {
  try {
    const out = await ec2.describeSnapshots({ SnapshotIds: ids }, { abortSignal: signal });
    const all = (out.Snapshots ?? []).map((s) => Number.parseInt(s.Progress ?? '', 10));
    return all.length && all.every(Number.isFinite) ? Math.min(...all) : undefined;
  } catch {
    return undefined; // Progress only times the next check; without it the wait still works.
  }
}

/**
 * Wait for the new image to be available (acceptors of the SDK's
 * `waitUntilImageAvailable`, domain-facts §9.1). DescribeImages shows no
 * progress, but the image's snapshots do: while it is pending, their progress
 * estimates the time left, so the next check lands near the end instead of a
 * back-off step after it.
 */
async function waitForNewImage(ctx: StepCtx, ec2: Ec2Port, imageId: string, timeoutMs: number): Promise<Image> {
  const d = delays(ctx, 'image');
  const started = ctx.clock.now();
  return pollUntil<{ image: Image; progress: number | undefined }>({
    what: `image ${imageId} to be available`,
    probe: async (signal) => {
      const image = await describeImage(ec2, imageId, signal);
      const snaps = (image.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : []));
      const progress = image.State === 'pending' && snaps.length ? await snapshotProgress(ec2, snaps, signal) : undefined;
      return { image, progress };
    },
    acceptor: (o) => {
      const v = imageAvailability(o.image);
      if (v.state !== 'retry') return v.state === 'success' ? { state: 'success', value: o } : v;
      const elapsed = ctx.clock.now() - started;
      const eta = o.progress && o.progress < 100 ? (elapsed * (100 - o.progress)) / o.progress : undefined;
      return {
        state: 'retry',
        observed: `${v.observed}${o.progress === undefined ? '' : `, snapshots ${o.progress}%`}`,
        ...(eta === undefined ? {} : { etaMs: eta }),
      };
    },
    timeoutMs,
    ...d,
    initialDelayMs: d.minDelayMs,
    expectedMs: scaled(ctx, EXPECTED_MS.image),
    abortSignal: ctx.signal,
    clock: ctx.clock,
    onObservation: (o) => reportTo(ctx.reporter).debug('bake.wait', `image ${imageId}: ${o}`, { step: 'createImage' }),
  }).then((r) => r.image);
}

/**
 * After `InvalidAMIName.Duplicate`: CreateImage has no ClientToken (domain-facts
 * §10.1), so when the SDK retried a request whose answer was lost, the first
 * attempt made the image. Adopt it if it carries this build's tag; otherwise
 * the name belongs to someone else. An image made moments ago may not be
 * listed yet (EC2's eventual consistency): the name is looked up again, with
 * back-off, until the consistency grace has passed.
 */
async function imageOfThisBuild(ctx: StepCtx, ec2: Ec2Port, name: string, buildId: string): Promise<string> {
  const lookup = async () => {
    const out = await ec2.describeImages({ Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }] }, { abortSignal: ctx.signal });
    return out.Images?.length ? out.Images : undefined;
  };
  const graceS = Math.round(graceMs(ctx) / 1000);
  const existing = await lookWithinGrace(lookup, { until: ctx.clock.now() + graceMs(ctx), signal: ctx.signal, clock: ctx.clock });
  if (!existing)
    throw new StepError('createImage', `CreateImage answered that the name "${name}" is taken, but no image of that name was listed within ${graceS} s`, {
      hint: `EC2 may take longer than that to list a new image. Look for it with: aws ec2 describe-images --owners self --filters Name=name,Values=${name}; then remove what the build left with winami cleanup --build-id ${buildId}.`,
    });
  const mine = existing.find((i) => i.Tags?.some((t) => t.Key === BUILD_ID_TAG && t.Value === buildId));
  if (mine?.ImageId) return mine.ImageId;
  const other = existing[0];
  throw new StepError('createImage', `an image named "${name}" already exists${other?.ImageId ? ` (${other.ImageId})` : ''} and is not from this build`, {
    hint: 'Use {{timestamp}} or {{buildId}} in image.name so each build has its own name.',
  });
}

export const createImage: BakeStep = {
  name: 'createImage',
  title: 'Create the image',
  actions: ['ec2:DescribeImages', 'ec2:CreateImage', 'ec2:CreateTags', 'ec2:DescribeSnapshots'],
  failureActions: ['ec2:DeregisterImage', 'ec2:DeleteSnapshot'],
  async run(state, ctx) {
    const ec2 = ctx.session.ec2(state.region);
    const c = state.config;
    let imageId: string;
    try {
      const out = await creating(state, ctx, { kind: 'image', region: state.region, role: 'image' }, () =>
        ec2.createImage(
          {
            InstanceId: need(state, 'builder', ctx.step).instanceId,
            Name: state.imageName,
            Description: c.image.description ?? `${c.name} built by winami (build ${state.buildId})`,
            TagSpecifications: [
              ...tagSpecs(
                ['image'],
                buildTags(state.buildId, state.imageName, 'image', { ...c.image.tags, ...inventoryTags(state.inventory), [CONFIG_TAG]: c.name }),
              ),
              ...tagSpecs(['snapshot'], buildTags(state.buildId, state.imageName, 'image', c.image.snapshotTags)),
            ],
          },
          { abortSignal: ctx.signal },
        ),
      );
      imageId = out.ImageId!;
    } catch (err) {
      if (awsErrorCode(err) !== 'InvalidAMIName.Duplicate') throw err;
      imageId = await imageOfThisBuild(ctx, ec2, state.imageName, state.buildId);
    }
    state.image = { region: state.region, imageId, name: state.imageName, snapshotIds: [] };
    track(state, ctx, { kind: 'image', id: imageId, region: state.region, role: 'image' });
    let image: Image;
    try {
      image = await waitForNewImage(ctx, ec2, imageId, scaled(ctx, c.deadlines.createImage));
    } catch (err) {
      if (err instanceof PollFailureError)
        throw new StepError('createImage', `CreateImage failed for ${imageId}: ${err.message}`, {
          cause: err,
          hint: 'The half-made image and its snapshots are removed. Check the StateReason above; retrying usually works for transient internal errors.',
        });
      throw err;
    }
    state.image.snapshotIds = (image.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : []));
    for (const s of state.image.snapshotIds) track(state, ctx, { kind: 'snapshot', id: s, region: state.region, role: 'image-snapshot' });
    reportTo(ctx.reporter).info('bake.image', `image ${imageId} (${state.imageName}) is available`, {
      imageId,
      name: state.imageName,
      snapshots: state.image.snapshotIds,
    });
  },
  async cleanup(state, ctx) {
    const img = state.image;
    if (!img) return;
    const deleted = await keepOrDiscardImage(state, ctx, img, 'image');
    if (ctx.outcome !== 'ok')
      reportTo(ctx.reporter).info('bake.image.discarded', `discarded image ${img.imageId} and ${deleted.length} snapshot(s)`, {
        imageId: img.imageId,
        snapshots: deleted,
      });
  },
};
