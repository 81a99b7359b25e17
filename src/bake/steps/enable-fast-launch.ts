/**
 * Enable EC2 Fast Launch on the image and on each copy, in its own region,
 * once billing is verified, the smoke test passed and the copies exist; wait
 * for `enabled`; report what the pre-provisioned snapshots are estimated to
 * cost (src/knowledge/fast-launch.ts gives the basis). A failure fails the
 * bake; cleanup then disables Fast Launch before it deregisters the images
 * (aws-helpers' discardImage).
 */
import { StepError } from '../../errors.js';
import { enableFastLaunch as enableOn } from '../../image/fast-launch.js';
import { FAST_LAUNCH_PRICING_BASIS, fastLaunchMonthlyUsd } from '../../knowledge/fast-launch.js';
import { reportTo } from '../../reporter.js';
import { delays, scaled } from '../context.js';
import type { MadeImage } from '../state.js';
import type { BakeStep } from './types.js';

import type { FastLaunchCost } from '../../events.js';

export type { FastLaunchCost };

export const enableFastLaunch: BakeStep = {
  name: 'enableFastLaunch',
  title: 'Enable Fast Launch',
  actions: ['ec2:EnableFastLaunch', 'ec2:DescribeFastLaunchImages', 'ec2:DescribeImages'],
  failureActions: ['ec2:DisableFastLaunch'],
  async run(state, ctx) {
    const fl = state.config.image.fastLaunch!;
    const images: MadeImage[] = [state.image!, ...state.copies];
    const results = await Promise.allSettled(
      images.map(async (img) => {
        const ec2 = ctx.session.ec2(img.region);
        const item = await enableOn(
          ec2,
          img.imageId,
          fl,
          { timeoutMs: scaled(ctx, state.config.deadlines.copy), ...delays(ctx, 'image'), abortSignal: ctx.signal, clock: ctx.clock },
          ctx.reporter,
        );
        const described = await ec2.describeImages({ ImageIds: [img.imageId] }, { abortSignal: ctx.signal });
        const root = described.Images?.[0];
        const rootVolumeGiB = root?.BlockDeviceMappings?.find((m) => m.DeviceName === root.RootDeviceName)?.Ebs?.VolumeSize ?? 30;
        const cost: FastLaunchCost = {
          region: img.region,
          imageId: img.imageId,
          state: item.State ?? 'enabled',
          targetResourceCount: item.SnapshotConfiguration?.TargetResourceCount ?? fl.targetResourceCount,
          maxParallelLaunches: item.MaxParallelLaunches ?? fl.maxParallelLaunches,
          rootVolumeGiB,
          estimatedMonthlyUsd: fastLaunchMonthlyUsd(item.SnapshotConfiguration?.TargetResourceCount ?? fl.targetResourceCount, rootVolumeGiB),
        };
        return cost;
      }),
    );
    const failed = results.flatMap((r, i) =>
      r.status === 'rejected' ? [{ region: images[i]!.region, imageId: images[i]!.imageId, error: r.reason as Error }] : [],
    );
    if (failed.length > 0) {
      if (ctx.signal.aborted) throw failed[0]!.error;
      throw new StepError(
        'enableFastLaunch',
        `enabling Fast Launch failed for ${failed.map((f) => `${f.imageId} in ${f.region}: ${f.error.message}`).join('; ')}`,
        {
          cause: failed[0]!.error,
          hint: 'Check the launch template (it must exist in each region), the default VPC where there is no template, and the quota "Max parallel launches" (40 per region by default). The images were discarded; Fast Launch was disabled on them first.',
        },
      );
    }
    state.fastLaunch = results.map((r) => (r as PromiseFulfilledResult<FastLaunchCost>).value);
    const total = Math.round(state.fastLaunch.reduce((s, c) => s + c.estimatedMonthlyUsd, 0) * 100) / 100;
    reportTo(ctx.reporter).info(
      'bake.fastLaunch',
      `Fast Launch is enabled on ${state.fastLaunch.map((c) => `${c.imageId} (${c.region})`).join(', ')}; the pre-provisioned snapshots cost at most about USD ${total.toFixed(2)} a month (${FAST_LAUNCH_PRICING_BASIS})`,
      { images: state.fastLaunch, estimatedMonthlyUsd: total, pricingBasis: FAST_LAUNCH_PRICING_BASIS },
    );
  },
};
