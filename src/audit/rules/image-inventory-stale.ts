import type { ImageSubject, RuleContext, RuleHit } from '../types.js';

/** Defaults of the inventory rule: an image inventoried more than 45 days ago has missed a Patch Tuesday. */
export const INVENTORY_MAX_AGE_DAYS = 45;

/**
 * Flags an image winami inventoried (tag `winami:inventory-at`) whose
 * inventory is older than the maximum age, or whose installed updates (tag
 * `winami:updates`) lack a required KB. Images without an inventory are not
 * judged. The updates tag holds the newest KBs that fit in a tag value; a
 * required KB older than those is reported missing, which errs on the side
 * of a rebuild. The age and the KBs come from `ctx.inventory` (the audit's
 * settings: the `audit:` section of a file and the command line).
 */
export function imageInventoryStale({ image }: ImageSubject, ctx: RuleContext): RuleHit[] | undefined {
  const tags = Array.isArray(image.Tags) ? image.Tags : [];
  const tag = (k: string) => tags.find((t) => t?.Key === k)?.Value;
  const at = tag('winami:inventory-at');
  if (!at) return undefined;
  const t = Date.parse(at);
  if (Number.isNaN(t)) throw new Error(`winami:inventory-at "${at}" of ${image.ImageId} is not a date`);
  const maxAge = ctx.inventory?.maxAgeDays ?? INVENTORY_MAX_AGE_DAYS;
  const ageDays = Math.floor((ctx.now.getTime() - t) / 86_400_000);
  const hits: RuleHit[] = [];
  const osBuild = tag('winami:os-build') ?? null;
  if (ageDays > maxAge) {
    hits.push({
      message: `${image.ImageId} was inventoried ${ageDays} days ago (at most ${maxAge}); rebuild it with this month's updates`,
      evidence: { inventoryAt: at, ageDays, maxAgeDays: maxAge, osBuild },
    });
  }
  const installed = new Set(
    (tag('winami:updates') ?? '')
      .split(',')
      .map((k) => k.trim().toUpperCase())
      .filter(Boolean),
  );
  const missing = (ctx.inventory?.requiredKbs ?? []).map((k) => k.toUpperCase()).filter((k) => !installed.has(k));
  if (missing.length) {
    hits.push({
      message: `${image.ImageId} lacks required update${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
      evidence: { missing: missing.join(','), inventoryAt: at, osBuild },
    });
  }
  return hits.length ? hits : undefined;
}
