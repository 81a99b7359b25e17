/**
 * The parts of the rendered bundle the bake reads. These mirror the types of
 * `src/render/bundle.ts` structurally, so the bake depends only on what it
 * uses: each file's bytes, hash, Windows destination and role, and the plan's
 * customize steps and secret slots.
 */

/** One file of the bundle. */
export interface BundleFileLike {
  /** Path inside the bundle, e.g. `scripts/customize/01-iis.ps1`. */
  path: string;
  content: Buffer;
  sha256: string;
  /** Where it goes on the builder (a Windows path); absent for files not delivered. */
  destination?: string | undefined;
  role: 'unattend' | 'agent-settings' | 'script' | 'customize' | 'file' | 'user-data' | string;
}

/** A customize step as the plan lists it. */
export interface PlanCustomizeStep {
  name?: string | undefined;
  /** Bundle path of the step's script (absent for a plain reboot or file copy). */
  script?: string | undefined;
  timeoutSeconds: number;
  validExitCodes: number[];
  /** `reboot` steps ask for a restart between steps. */
  kind?: string | undefined;
}

/** A secret slot as the plan lists it. */
export interface PlanSecretSlot {
  slot: string;
  /** The reference as text (`ssm:/path` or `env:NAME`), never the value. */
  ref: string;
  files: string[];
  encoding: string;
}

/** The bundle, as far as the bake needs it. */
export interface Bundle {
  files: BundleFileLike[];
  plan: { customize?: PlanCustomizeStep[]; secrets?: PlanSecretSlot[]; [key: string]: unknown };
  warnings: unknown[];
}
