/**
 * The bake, as a list of steps: `plan()` (src/plan/plan.ts) says which steps
 * a config's bake runs, in which order, with which deadline; this module puts
 * the step objects on that list.
 */
import type { ResolvedConfig } from '../config/types.js';
import { checkCredentials } from './steps/check-credentials.js';
import { resolveSource } from './steps/resolve-source.js';
import { renderBundle } from './steps/render-bundle.js';
import { preflight } from './steps/preflight.js';
import { putSecrets } from './steps/put-secrets.js';
import { launchBuilder } from './steps/launch-builder.js';
import { waitForSsm } from './steps/wait-for-ssm.js';
import { deliverFiles } from './steps/deliver-files.js';
import { resolveSecrets } from './steps/resolve-secrets.js';
import { customize, cleanUpPreseal } from './steps/customize.js';
import { checkReadyToSeal } from './steps/check-ready-to-seal.js';
import { preSnapshot } from './steps/pre-snapshot.js';
import { runSysprep, waitForStopped } from './steps/sysprep.js';
import { createImage } from './steps/create-image.js';
import { verifyBilling } from './steps/verify-billing.js';
import { terminateBuilder } from './steps/terminate-builder.js';
import { smokeTest } from './steps/smoke-test.js';
import { copyToRegions } from './steps/copy-to-regions.js';
import { setLaunchPermissions, deprecateImage } from './steps/share-image.js';
import { checkSqlReady } from './steps/check-sql-ready.js';
import { publishParameter } from './steps/publish-parameter.js';
import { collectInventory } from './steps/collect-inventory.js';
import { plan, type BakeStepName, type PlanOptions } from '../plan/plan.js';
import { enableFastLaunch } from './steps/enable-fast-launch.js';
import type { BakeStep } from './steps/types.js';

/** The step object for each step name of the plan. */
const STEP_OBJECTS = (config: ResolvedConfig): Record<BakeStepName, BakeStep> => ({
  checkCredentials,
  resolveSource,
  renderBundle,
  preflight: preflight(config),
  putSecrets,
  launchBuilder,
  waitForSsm,
  deliverFiles,
  resolveSecrets,
  customize,
  cleanUpPreseal,
  checkReadyToSeal,
  checkSqlReady,
  collectInventory,
  preSnapshot,
  runSysprep,
  waitForStopped,
  createImage,
  verifyBilling,
  terminateBuilder,
  smokeTest,
  copyToRegions,
  enableFastLaunch,
  setLaunchPermissions,
  deprecateImage,
  publishParameter,
});

/** The steps for a config, in the order `plan()` gives, each with its deadline and needs. */
export function buildPipeline(config: ResolvedConfig, o: PlanOptions): BakeStep[] {
  const objects = STEP_OBJECTS(config);
  return plan(config, o).map((p) => ({ ...objects[p.name], needs: p.needs, ...(p.deadlineMs !== undefined ? { deadlineMs: p.deadlineMs } : {}) }));
}
