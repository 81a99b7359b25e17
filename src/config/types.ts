/**
 * The resolved config: schema defaults applied, cross-field rules checked,
 * and everything derived that the renderer and the bake need (launch agent,
 * source, billing expectation, secrets, deadlines in milliseconds).
 */
import type { LaunchAgent } from '../knowledge/releases.js';
import type { ExpectationName } from '../knowledge/billing.js';
import type { ParsedConfig } from './schema.js';
import type { SecretRef } from './secrets.js';

/** Where the builder's image comes from. */
export type ResolvedSource =
  { kind: 'ami'; imageId: string } | { kind: 'ssm-parameter'; parameter: string } | { kind: 'filter'; owners: string[]; name: string };

/** What the image's billing fields must end up as, and why. */
export interface ResolvedExpectation {
  name?: ExpectationName;
  platformDetails: string;
  usageOperation: string;
  /** `config`, `sql:<edition>`, or `lineage` (taken from the source image at bake time). */
  derivedFrom: string;
}

/** A secret slot: where a secret is used, and its reference (never its value). */
export interface SecretSlot {
  /** Stable id, e.g. `administratorPassword`; used in the rendered token. */
  slot: string;
  ref: SecretRef;
  /** Config path it came from, e.g. `windowsSettings.administrator.password.static`. */
  path: string;
}

export type Deadlines = { [K in keyof ParsedConfig['deadlines']]: number };

export interface ResolvedConfig extends Omit<ParsedConfig, 'deadlines' | 'source'> {
  /** Absolute path of the config file, or `<memory>`. */
  configPath: string;
  /** Directory relative paths in the config are resolved against. */
  baseDir: string;
  /** Extra folders local sources may come from besides `baseDir` (`--allow-source-root`); absolute. */
  allowSourceRoots?: string[];
  /** The launch agent the image uses (windows.agent, or the release default). */
  launchAgent: LaunchAgent;
  source: ResolvedSource;
  /** `undefined` when it can only come from the source image's lineage at bake time. */
  expectation: ResolvedExpectation | undefined;
  secrets: SecretSlot[];
  /** Deadlines per phase, in milliseconds. */
  deadlines: Deadlines;
}
