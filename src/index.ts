/**
 * winami as a library: the functions behind every command, with typed options
 * and results. Nothing here prints, reads the environment or exits the
 * process: progress goes to the `Reporter` you pass, AWS is reached through
 * the `AwsSession` you build with `createAwsSession`, and failures are
 * `WinamiError`s carrying an exit code and a hint.
 *
 * ```ts
 * import { prepare, bake, createAwsSession } from 'winami';
 * await prepare({ configPath: 'image.yaml', outDir: 'out' });
 * const result = await bake({ config: 'image.yaml', session: createAwsSession({ region: 'us-east-1' }) });
 * ```
 */

// Config
export { loadConfig, parseConfig, loadAuditSettings, parseAuditSettings, type LoadConfigOptions } from './config/load.js';
export type { ResolvedConfig } from './config/types.js';

// prepare and lint (offline)
export { prepare, type PrepareOptions, type PrepareResult, type PreparedFile } from './prepare.js';
export { initConfig, listExamples, configSchemaText, type InitOptions, type InitResult } from './init.js';
export { lintFiles, lintText, lintTextAsync, RULE_PACK as LINT_RULES, type Finding, type LintOptions, type Severity } from './lint/index.js';

// bake, cleanup and the IAM policies they need
export { bake, newBuildId, type BakeOptions, type BakeResult } from './bake/index.js';
export { plan, type PlannedStep, type PlanOptions, type BakeStepName, type StateKey } from './plan/plan.js';
export { cleanupBuild as cleanup, type CleanupOptions, type CleanupResult } from './bake/cleanup.js';
export { iamPolicies as iamPolicy, type IamPolicies, type PolicyDocument } from './bake/iam-policy.js';
export type { BakeManifest } from './bake/manifest.js';

// billing: verify, register, discard, copy
export {
  verifyImageBilling as verify,
  checkBilling,
  resolveExpectation,
  registerImageFromSnapshot as register,
  discardImage as discard,
  copyImageToRegions as copy,
  type BillingCheck,
  type VerifyImageOptions,
  type VerifyResult,
  type RegisterOptions,
  type RegisterResult,
  type DiscardOptions,
  type DiscardResult,
  type CopyImageOptions,
  type CopyResult,
  type Expectation,
} from './billing/index.js';

// audit
export { pruneFamily, type PruneOptions, type PruneResult, type PruneImage } from './billing/prune.js';
export {
  audit,
  formatAudit,
  AUDIT_FORMATS,
  inventorySettings,
  type AuditOptions,
  type AuditResult,
  type AuditFormat,
  type InventorySettings,
} from './audit/index.js';

// AWS session, reporting and errors
export { createAwsSession, type SessionOptions, type AwsCredentials } from './aws/session.js';
export type { AwsSession, Ec2Port, SsmPort, StsPort } from './aws/ports.js';
export { MemoryReporter, silentReporter, type Reporter, type WinamiEvent, type Level } from './reporter.js';
export {
  ExitCode,
  WinamiError,
  UsageError,
  ConfigError,
  ValidationError,
  AwsError,
  VerificationError,
  StepError,
  CancelledError,
  type ExitCodeValue,
} from './errors.js';
