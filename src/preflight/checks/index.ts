/** The preflight's checks, in the order their findings are listed. */
import type { Finding, PreflightCheck, PreflightFacts } from '../types.js';
import { imageNameCheck } from './image-name.js';
import { instanceProfileCheck } from './instance-profile.js';
import { instanceTypeCheck } from './instance-type.js';
import { kmsKeysCheck } from './kms-keys.js';
import { networkCheck } from './network.js';
import { publishParameterCheck } from './publish-parameter.js';
import { regionsCheck } from './regions.js';
import { secretsCheck } from './secrets.js';
import { sourceImageCheck } from './source-image.js';
import { warning } from './helpers.js';

export const PREFLIGHT_CHECKS: readonly PreflightCheck[] = [
  regionsCheck,
  sourceImageCheck,
  instanceTypeCheck,
  instanceProfileCheck,
  networkCheck,
  kmsKeysCheck,
  imageNameCheck,
  publishParameterCheck,
  secretsCheck,
];

/** Run every check; a check that throws becomes a warning, not a crash. */
export function runChecks(facts: PreflightFacts, checks: readonly PreflightCheck[] = PREFLIGHT_CHECKS): Finding[] {
  return checks.flatMap((c) => {
    try {
      return c.run(facts);
    } catch (err) {
      return [
        warning(
          c.id,
          `the ${c.id} check failed: ${err instanceof Error ? err.message : String(err)}`,
          'This is a bug in winami; please report it. The bake goes on without this check.',
        ),
      ];
    }
  });
}
