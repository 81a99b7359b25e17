/**
 * The bake, as a list of steps. Optional steps are left out here, when the
 * list is built, never skipped by flags inside them; reading this function
 * reads the bake.
 */
import type { ResolvedConfig } from '../config/types.js';
import type { Deadlines } from '../config/types.js';
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
import { enableFastLaunch } from './steps/enable-fast-launch.js';
import { sqlAddsCustomize } from '../sql/bundle.js';
import type { BakeStep } from './steps/types.js';

export interface PipelineOptions {
  /** Run the smoke test (the config's `smokeTest`, overridden by `--no-smoke-test`). */
  smokeTest: boolean;
}

/** The steps `bake --dry-run` runs: everything up to and including the preflight, none of which creates anything. */
export const DRY_RUN_STEPS: readonly string[] = ['checkCredentials', 'resolveSource', 'renderBundle', 'preflight'];

/** The steps for a config, in order. */
export function buildPipeline(config: ResolvedConfig, o: PipelineOptions): BakeStep[] {
  const when = (cond: boolean, ...steps: BakeStep[]) => (cond ? steps : []);
  return [
    checkCredentials,
    resolveSource,
    renderBundle,
    // Read-only, before the first step that creates anything.
    preflight(config),
    ...when(config.secrets.some((s) => s.ref.kind !== 'ssm'), putSecrets),
    launchBuilder,
    waitForSsm,
    deliverFiles,
    ...when(config.secrets.length > 0, resolveSecrets),
    // The rendered plan's customize list: the user's steps, then SQL Server's PrepareImage.
    ...when(config.customize.length > 0 || sqlAddsCustomize(config), customize),
    ...when(config.cleanup.preSeal, cleanUpPreseal),
    checkReadyToSeal,
    ...when(config.sql !== undefined, checkSqlReady),
    ...when(config.inventory, collectInventory),
    ...when(config.preSnapshot, preSnapshot),
    runSysprep,
    waitForStopped,
    createImage,
    verifyBilling,
    terminateBuilder,
    // Before copies and sharing: only a proven image is copied and shared.
    ...when(o.smokeTest, smokeTest),
    ...when(config.image.regions.some((r) => r.region !== config.region), copyToRegions),
    // After the copies: the image and every copy, each in its region, once proven.
    ...when(config.image.fastLaunch !== undefined, enableFastLaunch),
    ...when(config.image.launchPermissions !== undefined, setLaunchPermissions),
    ...when(config.image.deprecateAfter !== undefined, deprecateImage),
    // Last: only a verified, smoke-tested, copied image is handed to launch templates.
    ...when(config.image.publishParameter !== undefined, publishParameter),
  ];
}

/** Which config deadline bounds each step (for the plan printed up front). */
export const STEP_DEADLINE: Readonly<Record<string, keyof Deadlines>> = {
  launchBuilder: 'launch',
  waitForSsm: 'ssmOnline',
  deliverFiles: 'deliver',
  resolveSecrets: 'deliver',
  customize: 'customize',
  cleanUpPreseal: 'customize',
  checkReadyToSeal: 'readyToSeal',
  checkSqlReady: 'readyToSeal',
  collectInventory: 'readyToSeal',
  preSnapshot: 'createImage',
  waitForStopped: 'sysprep',
  createImage: 'createImage',
  smokeTest: 'smokeTest',
  copyToRegions: 'copy',
  enableFastLaunch: 'copy',
};
