import type { InstanceSubject, RuleContext, RuleHit } from '../types.js';

/**
 * Flags an instance launched from an image outside the approved list (by id,
 * image tag or image owner). AWS's advice is to scan running instances and
 * terminate any not based on approved images; this finds them. Silent when
 * no approved list is configured.
 */
export function unapprovedImage({ instance, image }: InstanceSubject, ctx: RuleContext): RuleHit | undefined {
  const approved = ctx.approved;
  if (!approved) return undefined;
  const imageId = instance.ImageId;
  if (imageId && approved.imageIds?.includes(imageId)) return undefined;
  if (image?.OwnerId && approved.owners?.includes(image.OwnerId)) return undefined;
  const tags = Array.isArray(image?.Tags) ? image.Tags : [];
  if (approved.tags?.some((a) => tags.some((t) => t?.Key === a.key && (a.value === undefined || t.Value === a.value)))) return undefined;
  return {
    message: `launched from ${imageId ?? '(unknown image)'}${image ? ` owned by ${image.OwnerId ?? '?'}` : ' (no longer visible)'}, which is not an approved image`,
    evidence: { launchImageId: imageId ?? null, launchImageOwner: image?.OwnerId ?? null, state: instance.State?.Name ?? null },
  };
}
