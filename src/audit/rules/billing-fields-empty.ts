import type { ImageSubject, RuleHit } from '../types.js';
import { isFinal } from './helpers.js';

/** Flags an available image whose PlatformDetails or UsageOperation is empty. */
export function billingFieldsEmpty({ image }: ImageSubject): RuleHit | undefined {
  if (!isFinal(image)) return undefined;
  const empty = (['PlatformDetails', 'UsageOperation'] as const).filter((f) => !image[f]?.trim());
  if (empty.length === 0) return undefined;
  return {
    message: `${empty.join(' and ')} ${empty.length > 1 ? 'are' : 'is'} empty: AWS derived no billing for this image; discard it and create it from an instance`,
  };
}
