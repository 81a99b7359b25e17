import { EXPECT_TAG, resolveExpectation } from '../../billing/expectations.js';
import type { ImageSubject, RuleHit } from '../types.js';
import { isFinal, tagValue } from './helpers.js';

/** Flags an image whose `winami:expect` tag declares other billing than it has (or declares something unknown). */
export function declaredExpectationMismatch({ image }: ImageSubject): RuleHit | undefined {
  const declared = tagValue(image.Tags, EXPECT_TAG);
  if (declared === undefined || !isFinal(image)) return undefined;
  const expected = resolveExpectation({ tag: declared }); // an unknown value throws and becomes a finding
  if (image.PlatformDetails === expected.platformDetails && image.UsageOperation === expected.usageOperation) return undefined;
  return {
    message: `tag ${EXPECT_TAG}=${declared} expects "${expected.platformDetails}" / ${expected.usageOperation}, but the image is billed as "${image.PlatformDetails ?? ''}" / ${image.UsageOperation ?? ''}`,
    evidence: { expectedPlatformDetails: expected.platformDetails, expectedUsageOperation: expected.usageOperation },
  };
}
