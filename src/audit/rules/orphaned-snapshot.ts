import type { RuleHit, SnapshotSubject } from '../types.js';

/**
 * Flags a snapshot that was made for an image which no longer exists and that
 * no existing image uses: deregistering an AMI leaves its snapshots, which
 * are still billed (domain-facts §10.1, §10.4).
 */
export function orphanedSnapshot(s: SnapshotSubject): RuleHit | undefined {
  if (s.usedByImage || s.createdForImageId === undefined || s.createdForImageExists !== false) return undefined;
  const size = s.snapshot.VolumeSize;
  return {
    message: `snapshot was created for ${s.createdForImageId}, which is deregistered; it is still billed${size === undefined ? '' : ` (${size} GiB)`}`,
    evidence: { createdForImageId: s.createdForImageId, volumeSizeGiB: size ?? null },
  };
}
