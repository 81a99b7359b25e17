/**
 * EC2 Fast Launch on a Windows image: enable it and wait for `enabled`, and
 * disable it (with Force) before an image is deregistered, so that EC2 removes
 * the pre-provisioned snapshots it made (DisableFastLaunch "clean[s] up
 * existing pre-provisioned snapshots"; the docs do not say deregistering alone
 * does).
 */
import type { DescribeFastLaunchImagesSuccessItem, EnableFastLaunchCommandInput } from '@aws-sdk/client-ec2';
import type { Ec2Port } from '../aws/ports.js';
import { pollUntil, type PollOptions } from '../aws/poll-until.js';
import { reportTo, silentReporter, type Reporter } from '../reporter.js';

/** How a Fast Launch wait polls. */
export type FastLaunchWait = Pick<PollOptions<unknown>, 'timeoutMs' | 'minDelayMs' | 'maxDelayMs' | 'clock'> & { abortSignal?: AbortSignal };

/** The image's Fast Launch entry, or undefined when Fast Launch is not configured (or fully disabled). */
export async function describeFastLaunch(ec2: Ec2Port, imageId: string, abortSignal?: AbortSignal): Promise<DescribeFastLaunchImagesSuccessItem | undefined> {
  const out = await ec2.describeFastLaunchImages({ ImageIds: [imageId] }, abortSignal ? { abortSignal } : undefined);
  return out.FastLaunchImages?.find((i) => i.ImageId === imageId);
}

/** The settings winami passes to EnableFastLaunch. */
export interface FastLaunchSettings {
  targetResourceCount: number;
  maxParallelLaunches: number;
  launchTemplate?: { id?: string | undefined; name?: string | undefined; version: string } | undefined;
}

/** Enable Fast Launch and wait until it is `enabled`; `enabling-failed` (or `enabled-failed`) is a failure naming AWS's reason. */
export async function enableFastLaunch(
  ec2: Ec2Port,
  imageId: string,
  s: FastLaunchSettings,
  wait: FastLaunchWait,
  reporter: Reporter = silentReporter,
): Promise<DescribeFastLaunchImagesSuccessItem> {
  const input: EnableFastLaunchCommandInput = {
    ImageId: imageId,
    ResourceType: 'snapshot',
    SnapshotConfiguration: { TargetResourceCount: s.targetResourceCount },
    MaxParallelLaunches: s.maxParallelLaunches,
    ...(s.launchTemplate
      ? {
          LaunchTemplate: {
            ...(s.launchTemplate.id ? { LaunchTemplateId: s.launchTemplate.id } : { LaunchTemplateName: s.launchTemplate.name! }),
            Version: s.launchTemplate.version,
          },
        }
      : {}),
  };
  await ec2.enableFastLaunch(input, wait.abortSignal ? { abortSignal: wait.abortSignal } : undefined);
  return pollUntil<DescribeFastLaunchImagesSuccessItem | undefined>({
    what: `Fast Launch on ${imageId} to be enabled`,
    probe: (signal) => describeFastLaunch(ec2, imageId, signal),
    acceptor: (item) => {
      const state = item?.State;
      if (state === 'enabled') return { state: 'success', value: item };
      if (state === 'enabling-failed' || state === 'enabled-failed')
        return { state: 'failure', reason: `Fast Launch on ${imageId} is ${state}: ${item?.StateTransitionReason ?? 'no reason given'}` };
      if (!item) return { state: 'retry', observed: 'not listed yet' };
      return { state: 'retry', observed: `state ${state ?? 'unknown'}` };
    },
    ...wait,
    onObservation: (observed) => reportTo(reporter).debug('fast-launch.wait', `${imageId}: ${observed}`, { imageId }),
  }) as Promise<DescribeFastLaunchImagesSuccessItem>;
}

/**
 * Disable Fast Launch (Force: clean-up errors do not block it) and wait until
 * the image is no longer listed, when it is configured; true when it was.
 */
export async function disableFastLaunch(ec2: Ec2Port, imageId: string, wait: FastLaunchWait, reporter: Reporter = silentReporter): Promise<boolean> {
  const item = await describeFastLaunch(ec2, imageId, wait.abortSignal);
  if (!item) return false;
  if (item.State !== 'disabling')
    await ec2.disableFastLaunch({ ImageId: imageId, Force: true }, wait.abortSignal ? { abortSignal: wait.abortSignal } : undefined);
  reportTo(reporter).info('fast-launch.disable', `disabling Fast Launch on ${imageId} (state was ${item.State ?? 'unknown'}) before it is deregistered`, {
    imageId,
    state: item.State,
  });
  await pollUntil<DescribeFastLaunchImagesSuccessItem | undefined>({
    what: `Fast Launch on ${imageId} to be disabled`,
    probe: (signal) => describeFastLaunch(ec2, imageId, signal),
    acceptor: (i) => {
      if (!i) return { state: 'success', value: i };
      if (i.State === 'disabling-failed')
        return { state: 'failure', reason: `disabling Fast Launch on ${imageId} failed: ${i.StateTransitionReason ?? 'no reason given'}` };
      return { state: 'retry', observed: `state ${i.State ?? 'unknown'}` };
    },
    ...wait,
  });
  return true;
}
