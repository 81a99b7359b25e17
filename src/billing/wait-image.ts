/**
 * Wait for an image to leave `pending`, through the port. The acceptors are
 * those of the SDK's `waitUntilImageAvailable` (domain-facts §9.1: success when
 * `available`, failure on `failed`), plus the states the model lists that can
 * never become available; NotFound right after a create call is retried
 * (eventual consistency). Library code only holds ports, so this uses
 * `pollUntil` rather than the SDK waiter, with the same 15 s / 120 s delays.
 */
import type { Image } from '@aws-sdk/client-ec2';
import type { Ec2Port } from '../aws/ports.js';
import { pollUntil, type PollOptions } from '../aws/poll-until.js';
import { AwsError } from '../errors.js';

/** How long and how often to poll. Defaults follow the SDK image waiter: 15 s, growing to 120 s. */
export interface ImageWaitOptions {
  timeoutMs: number;
  minDelayMs?: number;
  maxDelayMs?: number;
  abortSignal?: AbortSignal;
  clock?: PollOptions<unknown>['clock'];
  onObservation?: (observed: string, attempt: number) => void;
}

const NEVER_AVAILABLE = new Set(['failed', 'invalid', 'error', 'deregistered', 'disabled']);

/** Describe one image; throws an `AwsError` with code `InvalidAMIID.NotFound` when it does not exist. */
export async function describeImage(ec2: Ec2Port, imageId: string, abortSignal?: AbortSignal): Promise<Image> {
  const out = await ec2.describeImages({ ImageIds: [imageId], IncludeDeprecated: true }, abortSignal ? { abortSignal } : undefined);
  const image = out.Images?.find((i) => i.ImageId === imageId);
  if (!image) {
    throw new AwsError('DescribeImages', `image ${imageId} does not exist (or is not visible to this account in this region)`, {
      awsCode: 'InvalidAMIID.NotFound',
      resource: imageId,
      hint: 'Check the image id and --region; images shared from another account are only visible if shared with this one.',
    });
  }
  return image;
}

/** Poll until the image is `available`; throws `PollFailureError` if it fails, `PollTimeoutError` at the deadline. */
export function waitForImageAvailable(ec2: Ec2Port, imageId: string, o: ImageWaitOptions): Promise<Image> {
  return pollUntil<Image>({
    what: `image ${imageId} to be available`,
    probe: (signal) => describeImage(ec2, imageId, signal),
    acceptor: (image) => {
      const state = image.State ?? 'unknown';
      if (state === 'available') return { state: 'success', value: image };
      if (NEVER_AVAILABLE.has(state)) return { state: 'failure', reason: `its state is ${state}${image.StateReason?.Message ? ` (${image.StateReason.Message})` : ''}` };
      return { state: 'retry', observed: `state ${state}` };
    },
    timeoutMs: o.timeoutMs,
    minDelayMs: o.minDelayMs ?? 15_000,
    maxDelayMs: o.maxDelayMs ?? 120_000,
    ...(o.abortSignal ? { abortSignal: o.abortSignal } : {}),
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.onObservation ? { onObservation: o.onObservation } : {}),
  });
}
