import { checkBilling } from '../../billing/verify.js';
import type { ImageSubject, RuleHit } from '../types.js';
import { isFinal } from './helpers.js';

/** Flags an image whose PlatformDetails and UsageOperation contradict each other per AWS's billing table. */
export function billingPairInconsistent({ image }: ImageSubject): RuleHit | undefined {
  if (!isFinal(image)) return undefined;
  const problem = checkBilling({ PlatformDetails: image.PlatformDetails, UsageOperation: image.UsageOperation }).problems.find(
    (p) => p.code === 'inconsistent',
  );
  return problem ? { message: problem.message } : undefined;
}
