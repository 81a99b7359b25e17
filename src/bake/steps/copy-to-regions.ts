/**
 * Copy the image to the target regions in parallel with the one image copy
 * (`image/copy.ts`), each with its KMS key, CopyImageTags and a ClientToken
 * from the build id (a retried request finds the same copy). Each copy's id is
 * recorded before its wait; each copy's billing is verified. A failed or
 * wrongly billed copy fails the bake, and cleanup then discards every copy and
 * the image: an image exists in all the configured regions or in none.
 */
import { StepError, VerificationError } from '../../errors.js';
import { verifyImageBilling } from '../../billing/verify.js';
import { copyClientToken, copyImage } from '../../image/copy.js';
import { reportTo } from '../../reporter.js';
import { buildTags, keepOrDiscardImage, tagSpecs } from '../aws-helpers.js';
import { creating, delays, scaled, track, type StepCtx } from '../context.js';
import type { BakeState, MadeImage } from '../state.js';
import type { BakeStep } from './types.js';
import { need } from '../state.js';

async function copyOne(state: BakeState, ctx: StepCtx, target: { region: string; kmsKeyId?: string | undefined }): Promise<MadeImage> {
  const ec2 = ctx.session.ec2(target.region);
  const src = need(state, 'image', ctx.step);
  let copy: MadeImage | undefined;
  const verdict = await copyImage(
    ec2,
    {
      sourceImageId: src.imageId,
      sourceRegion: state.region,
      region: target.region,
      name: src.name,
      clientToken: copyClientToken(`winami-${state.buildId}`, target.region),
      encrypted: state.config.image.encrypted,
      kmsKeyId: target.kmsKeyId,
      copySourceTags: true,
      tagSpecifications: tagSpecs(['snapshot'], buildTags(state.buildId, src.name, 'copy', state.config.image.snapshotTags)),
    },
    {
      aroundCreate: (call) => creating(state, ctx, { kind: 'image', region: target.region, role: 'copy' }, call),
      onCreated: (imageId) => {
        copy = { region: target.region, imageId, name: src.name, snapshotIds: [] };
        state.copies.push(copy);
        track(state, ctx, { kind: 'image', id: imageId, region: target.region, role: 'copy' });
      },
      verify: (imageId) =>
        verifyImageBilling(ec2, imageId, state.expectation, {
          wait: { timeoutMs: scaled(ctx, state.config.deadlines.copy), ...delays(ctx, 'image'), abortSignal: ctx.signal, clock: ctx.clock },
          reporter: ctx.reporter,
          abortSignal: ctx.signal,
        }),
      // No discard here: a failed bake's cleanup discards every copy with the image.
      reporter: ctx.reporter,
      abortSignal: ctx.signal,
    },
  );
  if (verdict.status === 'copy-failed') throw verdict.error;
  const made = copy!;
  const result = verdict.verify;
  made.platformDetails = result.fields.PlatformDetails;
  made.usageOperation = result.fields.UsageOperation;
  made.snapshotIds = (result.image.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : []));
  for (const s of made.snapshotIds) track(state, ctx, { kind: 'snapshot', id: s, region: target.region, role: 'copy-snapshot' });
  if (verdict.status === 'bad-billing')
    throw new VerificationError(`the copy ${made.imageId} in ${target.region} is billed wrongly: ${result.check.problems.map((p) => p.message).join('; ')}`);
  reportTo(ctx.reporter).info('bake.copy', `copy ${made.imageId} in ${target.region} is available and billed right`, {
    region: target.region,
    imageId: made.imageId,
  });
  return made;
}

export const copyToRegions: BakeStep = {
  name: 'copyToRegions',
  title: 'Copy to regions',
  actions: ['ec2:CopyImage', 'ec2:DescribeImages', 'ec2:CreateTags'],
  failureActions: ['ec2:DeregisterImage', 'ec2:DescribeSnapshots', 'ec2:DeleteSnapshot'],
  async run(state, ctx) {
    const targets = state.config.image.regions.filter((r) => r.region !== state.region);
    const results = await Promise.allSettled(targets.map((t) => copyOne(state, ctx, t)));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ region: targets[i]!.region, error: r.reason as Error }] : []));
    if (failed.length === 0) return;
    const first = failed[0]!.error;
    const message = failed.map((f) => `${f.region}: ${f.error.message}`).join('\n');
    if (first instanceof VerificationError) throw new VerificationError(`copies failed billing verification:\n${message}`, { cause: first });
    if (ctx.signal.aborted) throw first;
    throw new StepError('copyToRegions', `copying the image failed in ${failed.map((f) => f.region).join(', ')}:\n${message}`, {
      cause: first,
      hint: 'Check the KMS key in that region and the account limits; the image and all copies were removed.',
    });
  },
  async cleanup(state, ctx) {
    for (const copy of state.copies) await keepOrDiscardImage(state, ctx, copy, 'copy');
  },
};
