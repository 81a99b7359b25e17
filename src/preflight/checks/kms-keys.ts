/**
 * Each KMS key the bake encrypts with (image.kmsKeyId, regions[].kmsKeyId,
 * and alias/aws/ebs where `encrypted` names no key) exists in its region, is
 * Enabled, and is a symmetric encryption key (EBS uses no other kind).
 */
import type { Finding, PreflightCheck } from '../types.js';
import { couldNotCheck, problem } from './helpers.js';

const ID = 'kms-keys';

export const kmsKeysCheck: PreflightCheck = {
  id: ID,
  title: 'Each KMS key exists, is enabled and is a symmetric encryption key in its region',
  run(f) {
    const out: Finding[] = [];
    for (const k of f.kmsKeys) {
      const at = { region: k.region, path: k.path };
      // Keys are regional: an ARN names its region, and EBS in another region cannot use it.
      const arnRegion = /^arn:[^:]+:kms:([^:]*):/.exec(k.keyId)?.[1];
      if (arnRegion !== undefined && arnRegion !== k.region) {
        out.push(problem(ID, `KMS key ${k.keyId} is in ${arnRegion}, but it encrypts in ${k.region}`, `Set ${k.path} to a key of ${k.region}.`, at));
        continue;
      }
      if (!k.key.ok) {
        out.push(couldNotCheck(ID, `KMS key ${k.keyId} in ${k.region}`, k.key, k.region));
        continue;
      }
      const meta = k.key.value;
      if (!meta) {
        // EC2 creates the AWS managed EBS key the first time it encrypts a volume with it.
        if (!k.awsManaged)
          out.push(
            problem(
              ID,
              `KMS key ${k.keyId} does not exist in ${k.region}`,
              `Set ${k.path} to a key of ${k.region} (keys are regional: a copy needs a key in its own region).`,
              at,
            ),
          );
        continue;
      }
      if (meta.KeyState !== 'Enabled') {
        out.push(
          problem(
            ID,
            `KMS key ${k.keyId} in ${k.region} is ${meta.KeyState ?? 'not enabled'}`,
            meta.KeyState === 'Disabled'
              ? `Enable it (aws kms enable-key --key-id ${meta.KeyId} --region ${k.region}) or use another key.`
              : 'Use an enabled key.',
            at,
          ),
        );
        continue;
      }
      if ((meta.KeyUsage && meta.KeyUsage !== 'ENCRYPT_DECRYPT') || (meta.KeySpec && meta.KeySpec !== 'SYMMETRIC_DEFAULT')) {
        out.push(
          problem(
            ID,
            `KMS key ${k.keyId} in ${k.region} is ${meta.KeySpec ?? ''} ${meta.KeyUsage ?? ''}, but EBS encrypts only with symmetric encryption keys`,
            'Use a symmetric encryption key (KeySpec SYMMETRIC_DEFAULT).',
            at,
          ),
        );
      }
    }
    return out;
  },
};
