/**
 * The registry of every event code winami emits, with its payload type (as
 * the CDK toolkit's message registry does). `reportTo(r).info(code, message,
 * data)` only takes a code listed here, with data of that code's type, so a
 * misspelt code or a missing field is a compile error; consumers (the CLI's
 * progress display, the text reporter, library users) match on it with
 * `isEvent` and `stepOutcome` instead of taking codes apart. docs/events.md
 * lists the same codes (a test keeps the two equal).
 *
 * The runner's step events carry the run's prefix (`bake.step.start`,
 * `run.step.start`), hence the template keys. The payloads are written out
 * here rather than imported: every folder reports events, so this file
 * imports from none of them.
 */
/** The prefixes the step runner puts before its events: `bake` for a bake, `run` for any other list of steps. */
export type RunPrefix = 'bake' | 'run';

/** A step's entry in `bake.plan`. */
export interface PlannedStepEvent {
  name: string;
  title: string;
  /** The config deadline that bounds the step, in ms, if any. */
  deadlineMs: number | undefined;
}

/** A resource a bake or a cleanup made, removed or saw. */
/** Where an engine bake's bundle objects are in S3. */
interface BundleLocationEvent {
  bucket: string;
  prefix: string;
}

interface ResourceRef {
  kind: 'instance' | 'image' | 'snapshot' | 'volume' | 'parameter' | 's3-object';
  id: string;
  region: string;
}

/** A lint finding in a rendered file (`bake.lint`, `prepare.lint`). */
interface LintFindingEvent {
  ruleId: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  hint?: string;
  file: string;
  line: number;
  column: number;
}

/** A preflight finding (`bake.preflight.problem|warning`). */
interface PreflightFindingEvent {
  check: string;
  message: string;
  hint: string;
  region?: string | undefined;
  path?: string | undefined;
}

/** The source image, as a bake resolves it in preflight (`bake.source`; the bake's state and manifest hold it too). */
export interface SourceImage {
  imageId: string;
  name: string | undefined;
  platformDetails: string | undefined;
  usageOperation: string | undefined;
  rootDeviceName: string | undefined;
  rootVolumeSize: number | undefined;
}

/** What Fast Launch costs for one image (`bake.fastLaunch`; the manifest records it too). */
export interface FastLaunchCost {
  region: string;
  imageId: string;
  state: string;
  targetResourceCount: number;
  maxParallelLaunches: number;
  rootVolumeGiB: number;
  estimatedMonthlyUsd: number;
}

/** What billing an image must have (`billing.verify.*`). */
interface ExpectationEvent {
  name?: string;
  platformDetails: string;
  usageOperation: string;
  derivedFrom: string;
}

/** The billing fields found and what was wrong with them (`billing.verify.ok|failed`). */
interface VerifyEvent {
  imageId: string;
  platformDetails: string | undefined;
  usageOperation: string | undefined;
  expected: ExpectationEvent | undefined;
  problems: { code: string; message: string }[];
}

/** A payload type carried by the registry (no value at run time: the registry's keys are what runs). */
type Payload<T> = { readonly payload?: T } | undefined;
const payload = <T>(): Payload<T> => undefined;

/** The step runner's events, for a bake and for any other list of steps, under one prefix. */
function runnerEvents<P extends RunPrefix>(prefix: P) {
  type Step = { step: string };
  type Ended = Step & { durationMs: number };
  return {
    [`${prefix}.step.start`]: payload<Step & { index: number; total: number }>(),
    [`${prefix}.step.ok`]: payload<Ended>(),
    [`${prefix}.step.failed`]: payload<Ended>(),
    [`${prefix}.step.cancelled`]: payload<Ended>(),
    [`${prefix}.cleanup.failed`]: payload<Step>(),
    [`${prefix}.cleanup.timeout`]: payload<Step>(),
  } as {
    [K in `${P}.step.start`]: Payload<Step & { index: number; total: number }>;
  } & { [K in `${P}.step.${'ok' | 'failed' | 'cancelled'}`]: Payload<Ended> } & { [K in `${P}.cleanup.${'failed' | 'timeout'}`]: Payload<Step> };
}

/** Every event code winami emits, with its payload type. */
export const EVENTS = {
  ...runnerEvents('bake'),
  ...runnerEvents('run'),
  // A bake, in the order of its steps.
  /** The plan, before the first step. */
  'bake.plan': payload<{ buildId: string; imageName: string; regions: string[]; steps: PlannedStepEvent[] }>(),
  /** What a wait last observed (debug level). */
  'bake.wait': payload<{ step?: string; instanceId?: string; target?: string }>(),
  'bake.resource.created': payload<ResourceRef & { role: string }>(),
  'bake.resource.removed': payload<ResourceRef>(),
  'bake.preflight.problem': payload<PreflightFindingEvent>(),
  'bake.preflight.warning': payload<PreflightFindingEvent>(),
  'bake.preflight.ok': payload<{ warnings: number }>(),
  'bake.identity': payload<{ account: string | undefined; arn: string | undefined; region: string }>(),
  /** No payload: the message says what to do. */
  'bake.no-instance-profile': payload<undefined>(),
  'bake.source': payload<{
    source: SourceImage;
    expectation: ExpectationEvent | undefined;
  }>(),
  'bake.source.missing': payload<{ region: string }>(),
  'bake.lint': payload<LintFindingEvent>(),
  'bake.bundle': payload<{ files: { path: string; destination: string | undefined; sha256: string }[] }>(),
  'bake.secrets.proven': payload<{ filesChecked: number | undefined }>(),
  'bake.builder': payload<{ instanceId: string }>(),
  'bake.builder.kept': payload<{ instanceId: string }>(),
  'bake.ssm.online': payload<{ instanceId: string; computerName: string | undefined }>(),
  'bake.delivered': payload<{ files: number; commands: number }>(),
  'bake.awsComponents.document': payload<{ index: number; component: string; document: string; parameters: Record<string, string[]> }>(),
  'bake.awsComponents.version': payload<{ index: number; component: string; before: string; after: string }>(),
  'bake.customize.start': payload<{ index: number; name: string }>(),
  'bake.customize.output': payload<{ index: number; exitCode: number; status: string; stdoutTail: string; truncated: boolean }>(),
  'bake.windowsUpdate.update': payload<{ index: number; kb: string; round: number; result: string; hresult: string; title: string }>(),
  'bake.inventory': payload<{ osBuild: string; updates: number; components: number; features: number }>(),
  'bake.sql.ready': payload<{ facts: Record<string, string> }>(),
  'bake.ready': payload<{ facts: Record<string, string> }>(),
  'bake.not-ready': payload<{ facts: Record<string, string>; attempt: number }>(),
  'bake.sysprep.started': payload<Record<string, never>>(),
  'bake.sealed': payload<{ instanceId: string }>(),
  'bake.image': payload<{ imageId: string; name: string; snapshots: string[] }>(),
  'bake.image.discarded': payload<{ imageId: string; snapshots: string[] }>(),
  'bake.tag-complete': payload<{ imageId: string; region: string }>(),
  'bake.copy': payload<{ region: string; imageId: string }>(),
  'bake.smoke.ok': payload<{ instanceId: string; computerName: string | undefined }>(),
  'bake.fastLaunch': payload<{
    images: FastLaunchCost[];
    estimatedMonthlyUsd: number;
    pricingBasis: string;
  }>(),
  'bake.published': payload<{ parameters: { region: string; name: string; imageId: string; version: number | undefined }[] }>(),
  'bake.publish.failed': payload<{ parameter: string; failed: { region: string; imageId: string; error: string }[]; command: string }>(),
  'bake.sweep.removed': payload<ResourceRef & { role: string }>(),
  'bake.sweep.failed': payload<{ buildId: string }>(),
  'bake.sweep.unverified': payload<{ buildId: string }>(),
  'bake.left-behind': payload<{ resources: unknown[]; cleanupCommand: string }>(),
  'bake.done': payload<{ buildId: string; images: unknown[] }>(),

  // Several bakes (`winami bake` with several configs).
  'batch.start': payload<{ total: number; concurrency: number; failFast: boolean }>(),
  'batch.build.start': payload<{ index: number; config: string }>(),
  'batch.build.skipped': payload<{ index: number; config: string }>(),
  'batch.build.done': payload<{ index: number; config: string; status: string; exitCode: number; buildId: string | undefined; images: unknown[] }>(),
  'batch.cancel': payload<{ reason: string }>(),
  'batch.done': payload<{ total: number; ok: number; failed: number; cancelled: number; skipped: number; exitCode: number; durationMs: number }>(),

  // `winami cleanup`.
  'cleanup.removed': payload<ResourceRef>(),
  'cleanup.failed': payload<ResourceRef>(),
  /** No payload: the message is the wait's time-out. */
  'cleanup.wait': payload<undefined>(),

  // Billing: verify, register, copy, discard, prune.
  'billing.verify.wait': payload<{ imageId: string; timeoutMs: number }>(),
  'billing.verify.ok': payload<VerifyEvent>(),
  'billing.verify.failed': payload<VerifyEvent>(),
  'billing.register.created': payload<{ imageId: string; snapshotId: string }>(),
  'billing.copy.started': payload<{ region: string; imageId: string }>(),
  'billing.copy.reused': payload<{ region: string; imageId: string }>(),
  'billing.copy.bad-billing': payload<{ region: string; imageId: string; problems: { message: string }[] }>(),
  'billing.copy.failed': payload<{ region: string; imageId: string | undefined; code: string }>(),
  'billing.discard.absent': payload<{ imageId: string }>(),
  'billing.discard.refused': payload<{ imageId: string; ownerId: string | undefined }>(),
  'billing.discard.plan': payload<{ imageId: string; deleted: string[]; kept: { snapshotId: string; reason: string }[]; fastLaunch: string | undefined }>(),
  'billing.discard.wait-pending': payload<{ imageId: string }>(),
  'billing.discard.deregistered': payload<{ imageId: string }>(),
  'billing.discard.snapshot-deleted': payload<{ imageId: string; snapshotId: string }>(),
  'billing.discard.snapshot-kept': payload<{ imageId: string; snapshotId: string; reason: string }>(),
  'fast-launch.disable': payload<{ imageId: string; state: string | undefined }>(),
  'fast-launch.wait': payload<{ imageId: string }>(),
  'prune.plan': payload<{ region: string; imageId: string; snapshotIds: string[] }>(),
  'prune.kept': payload<{ region: string; imageId: string; reasons: string[] }>(),
  'prune.deregistered': payload<{ region: string; imageId: string; deletedSnapshots: string[] }>(),
  'prune.failed': payload<{ region: string; imageId: string }>(),

  // `winami audit`.
  'audit.resumed': payload<{ done: number; findings: number }>(),
  'audit.account.failed': payload<{ account: string }>(),
  'audit.account.skipped': payload<{ account: string; status: string }>(),
  'audit.organization.failed': payload<Record<string, never>>(),
  'audit.scope.failed': payload<{ account: string; region?: string; stage: string; message: string; awsCode?: string; iamAction?: string }>(),
  'audit.nothing-audited': payload<{ failures: number }>(),
  'audit.done': payload<{
    totals: {
      findings: number;
      bySeverity: Record<'error' | 'warning' | 'note', number>;
      byRule: Record<string, number>;
      byAccount: Record<string, number>;
      byRegion: Record<string, number>;
    };
  }>(),
  'audit.terminate.plan': payload<{ account: string; region: string; ids: string[] }>(),
  'audit.terminate.done': payload<{ account: string; region: string; ids: string[] }>(),

  // Other engines (SSM Automation) and exports.
  // Automation names its document and execution; Image Builder its resources (logicalId, arn) and image build version.
  'engine.deploy': payload<
    | { documentName: string; documentVersion: string; deploy: 'created' | 'unchanged' | 'updated' }
    | { logicalId: string; arn: string; deploy: 'created' | 'unchanged' | 'updated' }
  >(),
  'engine.started': payload<{ executionId: string } | { imageBuildVersionArn: string }>(),
  'engine.step': payload<{ step: string | undefined; action?: string | undefined; status: string | undefined }>(),
  'engine.stopping': payload<{ executionId: string } | { imageBuildVersionArn: string }>(),
  'engine.stop-failed': payload<Record<string, never>>(),
  'engine.cleanup': payload<{ instanceIds: string[] }>(),
  'engine.swept': payload<{ instanceIds: string[]; region: string }>(),
  'engine.sweep-failed': payload<Record<string, never>>(),
  'engine.bundle.uploaded': payload<BundleLocationEvent>(),
  'engine.bundle.kept': payload<BundleLocationEvent>(),
  'engine.bundle.deleted': payload<BundleLocationEvent>(),
  'engine.bundle.left': payload<{ keys: string[] }>(),
  'engine.bundle.unchecked': payload<{ profileName: string }>(),
  'engine.deprecation': payload<{ deprecateAt: string; images: string[] }>(),
  'cleanup.cancel': payload<{ imageBuildVersionArn: string }>(),
  'cleanup.cancel-failed': payload<Record<string, never>>(),
  'export.written': payload<{ engine: string; path: string }>(),
  'export.template-large': payload<{ path: string; bytes: number; limit: number }>(),
  'export.uploaded': payload<{ bucket: string; prefix: string; keys: string[] }>(),
  'export.upload-skipped': payload<{ bucket: string; prefix: string }>(),

  // `winami prepare`.
  'prepare.config': payload<{ name: string; launchAgent: string }>(),
  'prepare.lint': payload<LintFindingEvent>(),
  'prepare.written': payload<{ outDir: string; files: number }>(),
};

/** Payload types by event code. */
export type EventData = { [C in keyof typeof EVENTS]: (typeof EVENTS)[C] extends Payload<infer T> ? T : never };

/** Every code winami emits. */
export type EventCode = keyof EventData & string;

/** The codes, at run time (for checking a stream of events, and the docs). */
export const EVENT_CODES = Object.keys(EVENTS) as EventCode[];

/** The payload for a code. */
export type DataFor<C extends EventCode> = EventData[C];

/** What the registry needs of an event (a `WinamiEvent` has it; the reporter module imports this one, not the reverse). */
interface CodedEvent {
  code: string;
  data?: Record<string, unknown> | undefined;
}

/** An event whose code is `C`, with its typed payload. */
export type EventOf<E extends CodedEvent, C extends keyof EventData & string> = E & { code: C; data: EventData[C] };

/** True when `e` has code `code` (its data then has that code's type). */
export function isEvent<E extends CodedEvent, C extends keyof EventData & string>(e: E, code: C): e is EventOf<E, C> {
  return e.code === code && e.data !== undefined;
}

/** How a step ended, from a `<prefix>.step.ok|failed|cancelled` event; `undefined` for any other event. */
export function stepOutcome(e: CodedEvent, prefix: RunPrefix = 'bake'): 'ok' | 'failed' | 'cancelled' | undefined {
  for (const s of ['ok', 'failed', 'cancelled'] as const) if (e.code === `${prefix}.step.${s}`) return s;
  return undefined;
}
