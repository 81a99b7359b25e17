import type { ImageSubject, RuleHit } from '../types.js';

/** Flags each EBS snapshot of an image that is not encrypted. */
export function unencryptedSnapshot({ image }: ImageSubject): RuleHit[] {
  const mappings = Array.isArray(image.BlockDeviceMappings) ? image.BlockDeviceMappings : [];
  return mappings
    .filter((m) => m?.Ebs && m.Ebs.Encrypted !== true)
    .map((m) => ({
      message: `snapshot ${m.Ebs?.SnapshotId ?? '(no id)'} at ${m.DeviceName ?? '(no device)'} is not encrypted`,
      evidence: { snapshotId: m.Ebs?.SnapshotId ?? null, deviceName: m.DeviceName ?? null, volumeSizeGiB: m.Ebs?.VolumeSize ?? null },
    }));
}
