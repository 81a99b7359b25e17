import { expectationFromAmiName } from '../../billing/expectations.js';
import type { ImageSubject, RuleHit } from '../types.js';
import { isFinal } from './helpers.js';

/** Flags a Windows image whose name spells a SQL Server edition (`SQL_2022_Standard`) that its billing code does not. */
export function sqlEditionMismatch({ image }: ImageSubject): RuleHit | undefined {
  if (!image.Name || !isFinal(image)) return undefined;
  const expected = expectationFromAmiName(image.Name);
  if (!expected) return undefined;
  if (image.UsageOperation === expected.usageOperation && image.PlatformDetails === expected.platformDetails) return undefined;
  return {
    message: `the name says ${expected.derivedFrom.replace('name pattern ', '')}, billed as "${expected.platformDetails}" / ${expected.usageOperation}, but the image is billed as "${image.PlatformDetails ?? ''}" / ${image.UsageOperation ?? ''}`,
    evidence: { expectedPlatformDetails: expected.platformDetails, expectedUsageOperation: expected.usageOperation },
  };
}
