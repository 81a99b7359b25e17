/** Small pure helpers shared by rules. */
import type { Image, Tag } from '@aws-sdk/client-ec2';

/** Billing fields are settled once an image has left `pending`; a missing state is treated as settled (malformed data is audited, not skipped). */
export function isFinal(image: Image): boolean {
  return image.State !== 'pending' && image.State !== 'transient';
}

/** A tag's value by key (tags may be malformed: missing keys or values). */
export function tagValue(tags: Tag[] | undefined, key: string): string | undefined {
  if (!Array.isArray(tags)) return undefined;
  return tags.find((t) => t?.Key === key)?.Value;
}
