/**
 * EBS encryption where winami uses it: which KMS key each volume of a
 * RunInstances and each snapshot of a CopyImage gets, and how EC2 fails when
 * EBS cannot use that key. EC2 checks keys asynchronously (CopyImage API
 * reference: "if you specify an identifier that is not valid, the action can
 * appear to complete, but eventually fails"), so neither call is refused: the
 * instance goes pending → terminated, the copy goes `failed`.
 */
import type { KeyCheck } from './kms.js';
import { qBool, qObj, qStr, type QueryObject } from './wire.js';
import { ApiError, type Image, type World } from './world.js';

/** Instance StateReason when EBS cannot use the key (hashicorp/packer#12683 shows AWS's text). */
export const KEY_INVALID_STATE = {
  code: 'Client.InternalError',
  message: 'Client.InternalError: Client.InvalidKMSKey.InvalidState: The KMS key provided is in an incorrect state',
};
/** Instance StateReason when the key cannot be found or used at all (AWS re:Post "kms-iam-ec2-permission"). */
export const KEY_UNUSABLE = { code: 'Client.InternalError', message: 'Client.InternalError: Client error on launch' };
/** Image StateReason of a copy whose key EBS cannot use (the text hashicorp/packer#6737 and #6599 quote; the code is the emulator's choice). */
export const COPY_KEY_FAILED = { code: 'Client.InternalError', message: 'Copy image failed with an internal error' };

function failureOf(check: Extract<KeyCheck, { ok: false }>): { code: string; message: string } {
  return check.reason === 'invalid-state' ? KEY_INVALID_STATE : KEY_UNUSABLE;
}

/**
 * The key of every encrypted volume a RunInstances creates: a mapping with
 * `Encrypted` gets its `KmsKeyId` or the account's `alias/aws/ebs`; a volume
 * from an encrypted snapshot keeps the snapshot's key. Refuses `KmsKeyId`
 * without `Encrypted` as EC2 does.
 */
export function launchKeys(
  world: World,
  account: string,
  region: string,
  image: Image,
  mappings: QueryObject[],
): { volumeKeys: Map<string, string>; failure?: { code: string; message: string } } {
  const asked = new Map<string, { encrypted: boolean; kmsKeyId?: string }>();
  for (const m of mappings) {
    const ebs = qObj(m, 'Ebs');
    if (!ebs) continue;
    const kmsKeyId = qStr(ebs, 'KmsKeyId');
    const encrypted = qBool(ebs, 'Encrypted') ?? false;
    if (kmsKeyId !== undefined && !encrypted)
      throw new ApiError('InvalidParameterDependency', 'The parameter KmsKeyId requires the parameter Encrypted to be set.');
    asked.set(qStr(m, 'DeviceName') ?? '', { encrypted, ...(kmsKeyId !== undefined ? { kmsKeyId } : {}) });
  }
  const volumeKeys = new Map<string, string>();
  let failure: { code: string; message: string } | undefined;
  for (const b of image.bdms) {
    const a = asked.get(b.deviceName);
    let check: KeyCheck | undefined;
    if (a?.encrypted) check = world.kms.forEbs(account, region, a.kmsKeyId);
    else if (b.encrypted) check = world.kms.forEbs(account, region, b.kmsKeyId);
    if (!check) continue;
    if (check.ok) volumeKeys.set(b.deviceName, check.key.arn);
    else failure ??= failureOf(check);
  }
  return failure ? { volumeKeys, failure } : { volumeKeys };
}

/**
 * The key of a CopyImage's snapshots: `KmsKeyId`, else the destination's
 * `alias/aws/ebs` when the copy is encrypted (asked, or an encrypted source:
 * a copy is never decrypted). `failed` when EBS cannot use the key.
 */
export function copyKey(
  world: World,
  account: string,
  region: string,
  encrypted: boolean,
  kmsKeyId: string | undefined,
  src: Image,
): { keyArn?: string; failed?: { code: string; message: string } } {
  if (!encrypted && !src.bdms.some((b) => b.encrypted)) return {};
  const check = world.kms.forEbs(account, region, kmsKeyId);
  return check.ok ? { keyArn: check.key.arn } : { failed: COPY_KEY_FAILED };
}
