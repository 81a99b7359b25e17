import type { ImageSubject, RuleHit } from '../types.js';
import { isFinal } from './helpers.js';

/** Flags an image with `Platform=windows` whose billing is not a Windows code (e.g. Linux/UNIX, `RunInstances`). */
export function windowsBilledAsLinux({ image }: ImageSubject): RuleHit | undefined {
  if (!isFinal(image) || image.Platform?.toLowerCase() !== 'windows') return undefined;
  const pd = image.PlatformDetails?.trim();
  const uo = image.UsageOperation?.trim();
  if (!pd || /^windows/i.test(pd)) return undefined; // an empty field is billing-fields-empty's finding
  return { message: `Platform is windows but the image is billed as "${pd ?? ''}" / ${uo ?? ''}: instances launched from it are not billed for Windows` };
}
