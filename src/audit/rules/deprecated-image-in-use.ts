import type { InstanceSubject, RuleContext, RuleHit } from '../types.js';

/** Flags an instance launched from an image whose deprecation time has passed. */
export function deprecatedImageInUse({ instance, image }: InstanceSubject, ctx: RuleContext): RuleHit | undefined {
  const at = image?.DeprecationTime;
  if (!at) return undefined;
  const t = Date.parse(at);
  if (Number.isNaN(t)) throw new Error(`DeprecationTime "${at}" of ${image?.ImageId} is not a date`);
  if (t > ctx.now.getTime()) return undefined;
  return {
    message: `launched from ${image?.ImageId}, deprecated since ${at}`,
    evidence: { launchImageId: image?.ImageId ?? null, deprecationTime: at, state: instance.State?.Name ?? null },
  };
}
