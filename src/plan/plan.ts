/**
 * The bake's plan: which steps a config's bake runs, in order, which config
 * deadline bounds each, and which state each needs from an earlier step. It
 * is pure data over the config (no AWS SDK, no step objects), so the bake's
 * pipeline, plan.json, the dry run and the docs all read this one list.
 */
import type { Deadlines, ResolvedConfig } from '../config/types.js';

/** The bake steps, by name. */
export type BakeStepName =
  | 'checkCredentials'
  | 'resolveSource'
  | 'renderBundle'
  | 'preflight'
  | 'putSecrets'
  | 'launchBuilder'
  | 'waitForSsm'
  | 'deliverFiles'
  | 'resolveSecrets'
  | 'customize'
  | 'cleanUpPreseal'
  | 'checkReadyToSeal'
  | 'checkSqlReady'
  | 'collectInventory'
  | 'preSnapshot'
  | 'runSysprep'
  | 'waitForStopped'
  | 'createImage'
  | 'verifyBilling'
  | 'terminateBuilder'
  | 'smokeTest'
  | 'copyToRegions'
  | 'setLaunchPermissions'
  | 'enableFastLaunch'
  | 'deprecateImage'
  | 'publishParameter';

/** State a step sets for later steps (the optional fields of the bake's state). */
export type StateKey = 'source' | 'bundle' | 'builder' | 'image';

/** The step that sets each state key. */
export const SET_BY: Readonly<Record<StateKey, BakeStepName>> = {
  source: 'resolveSource',
  bundle: 'renderBundle',
  builder: 'launchBuilder',
  image: 'createImage',
};

/** What each step is bound by and what it needs; steps without a deadline are bounded by their own calls' timeouts. */
export const STEPS: Readonly<Record<BakeStepName, { deadline?: keyof Deadlines; needs: readonly StateKey[]; dryRun?: true }>> = {
  checkCredentials: { needs: [], dryRun: true },
  resolveSource: { needs: [], dryRun: true },
  renderBundle: { needs: [], dryRun: true },
  preflight: { needs: [], dryRun: true },
  putSecrets: { needs: [] },
  launchBuilder: { deadline: 'launch', needs: ['source'] },
  waitForSsm: { deadline: 'ssmOnline', needs: ['builder'] },
  deliverFiles: { deadline: 'deliver', needs: ['bundle', 'builder'] },
  resolveSecrets: { deadline: 'deliver', needs: ['bundle', 'builder'] },
  customize: { deadline: 'customize', needs: ['bundle', 'builder'] },
  cleanUpPreseal: { deadline: 'customize', needs: ['bundle', 'builder'] },
  checkReadyToSeal: { deadline: 'readyToSeal', needs: ['bundle', 'builder'] },
  checkSqlReady: { deadline: 'readyToSeal', needs: ['bundle', 'builder'] },
  collectInventory: { deadline: 'readyToSeal', needs: ['bundle', 'builder'] },
  preSnapshot: { deadline: 'createImage', needs: ['builder'] },
  runSysprep: { needs: ['bundle', 'builder'] },
  waitForStopped: { deadline: 'sysprep', needs: ['builder'] },
  createImage: { deadline: 'createImage', needs: ['builder'] },
  verifyBilling: { needs: ['image'] },
  terminateBuilder: { needs: ['builder'] },
  smokeTest: { deadline: 'smokeTest', needs: ['bundle', 'image'] },
  copyToRegions: { deadline: 'copy', needs: ['image'] },
  enableFastLaunch: { deadline: 'copy', needs: ['image'] },
  setLaunchPermissions: { needs: ['image'] },
  deprecateImage: { needs: ['image'] },
  publishParameter: { needs: ['image'] },
};

/** One step of the plan. */
export interface PlannedStep {
  name: BakeStepName;
  /** The config deadline that bounds the step, if any. */
  deadline: keyof Deadlines | undefined;
  /** That deadline's value in ms (unscaled), if any. */
  deadlineMs: number | undefined;
  /** State keys an earlier step must have set. */
  needs: readonly StateKey[];
  /** Part of `bake --dry-run` (read-only: nothing before it creates anything). */
  dryRun: boolean;
}

export interface PlanOptions {
  /** Run the smoke test (the config's `smokeTest`, overridden by `--no-smoke-test`). */
  smokeTest: boolean;
}

/** SQL Server's `byol-prepare` mode adds PrepareImage to the customize list. */
export function sqlAddsCustomize(config: Pick<ResolvedConfig, 'sql'>): boolean {
  return config.sql?.mode === 'byol-prepare';
}

/** The steps a bake of this config runs, in order. Optional steps are left out here, never skipped inside. */
export function plan(config: ResolvedConfig, o: PlanOptions): PlannedStep[] {
  const when = (cond: boolean, ...names: BakeStepName[]) => (cond ? names : []);
  const names: BakeStepName[] = [
    'checkCredentials',
    'resolveSource',
    'renderBundle',
    // Read-only, before the first step that creates anything.
    'preflight',
    ...when(
      config.secrets.some((s) => s.ref.kind !== 'ssm'),
      'putSecrets',
    ),
    'launchBuilder',
    'waitForSsm',
    'deliverFiles',
    ...when(config.secrets.length > 0, 'resolveSecrets'),
    // The rendered plan's customize list: the user's steps, then SQL Server's PrepareImage.
    ...when(config.customize.length > 0 || sqlAddsCustomize(config), 'customize'),
    ...when(config.cleanup.preSeal, 'cleanUpPreseal'),
    'checkReadyToSeal',
    ...when(config.sql !== undefined, 'checkSqlReady'),
    ...when(config.inventory, 'collectInventory'),
    ...when(config.preSnapshot, 'preSnapshot'),
    'runSysprep',
    'waitForStopped',
    'createImage',
    'verifyBilling',
    'terminateBuilder',
    // Before copies and sharing: only a proven image is copied and shared.
    ...when(o.smokeTest, 'smokeTest'),
    ...when(
      config.image.regions.some((r) => r.region !== config.region),
      'copyToRegions',
    ),
    // After the copies: the image and every copy, each in its region, once proven.
    ...when(config.image.fastLaunch !== undefined, 'enableFastLaunch'),
    ...when(config.image.launchPermissions !== undefined, 'setLaunchPermissions'),
    ...when(config.image.deprecateAfter !== undefined, 'deprecateImage'),
    // Last: only a verified, smoke-tested, copied image is handed to launch templates.
    ...when(config.image.publishParameter !== undefined, 'publishParameter'),
  ];
  return names.map((name) => {
    const s = STEPS[name];
    return { name, deadline: s.deadline, deadlineMs: s.deadline ? config.deadlines[s.deadline] : undefined, needs: s.needs, dryRun: s.dryRun === true };
  });
}
