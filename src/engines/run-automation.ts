/**
 * `bake --engine automation`: deploy the runbook `winami export automation`
 * renders (an unchanged config reuses the document version that holds it),
 * start it, follow its steps with progress events, then verify the billing of
 * every output image with winami's own check and discard a wrong one. A
 * cancel stops the execution; the runbook's cancel branch terminates the
 * builder, and winami waits for it to finish.
 */
import type { AutomationExecution } from '@aws-sdk/client-ssm';
import type { AwsSession } from '../aws/ports.js';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/types.js';
import { CancelledError, StepError, VerificationError, ExitCode, asWinamiError, type ExitCodeValue, type WinamiError } from '../errors.js';
import { reportTo, silentReporter, type Reporter } from '../reporter.js';
import { renderBundle } from '../render/bundle.js';
import { discardImage, verifyImageBilling } from '../billing/index.js';
import { chooseRunbook } from './delivery.js';
import { enginePlan } from './plan.js';
import {
  BUNDLE_BUCKET_PARAMETER,
  BUNDLE_PREFIX_PARAMETER,
  bundleObjects,
  bundleObjectArn,
  buildPrefix,
  checkBuilderReadsBundle,
  checkBundleBucket,
  deleteBundle,
  s3Uri,
  uploadBundle,
} from './s3-delivery.js';
import { journalPath, openJournal } from '../bake/journal.js';
import { CONSISTENCY_GRACE_MS } from '../aws/consistency.js';
import { isAwsCode, isThrottling } from '../aws/errors.js';
import { newBuildId } from '../bake/index.js';
import { initialState, type BakeState } from '../bake/state.js';
import { resolveSource } from '../bake/steps/resolve-source.js';
import type { BakeManifest, PackerManifest } from '../bake/manifest.js';
import { engineManifests, sourceStepCtx } from './engine-bake.js';

export interface AutomationBakeOptions {
  config: ResolvedConfig | string;
  session: AwsSession;
  /** The role the runbook assumes (the template's RunbookRoleArn). */
  roleArn: string;
  reporter?: Reporter;
  abortSignal?: AbortSignal;
  allowSourceRoots?: readonly string[];
  /** Multiplies poll delays; 1 for AWS, small for the emulator. */
  timeScale?: number;
  /** Directory under which `.winami/builds/<build-id>.jsonl` is written; default the working directory. */
  journalDir?: string;
  buildId?: string;
  /** The bucket to deliver the bundle from (else `engine.bundleBucket`); used when the bundle cannot go inline, or always with `engine.bundleDelivery: s3`. */
  bundleBucket?: string;
  /**
   * How long (real ms) after the execution launched the builder EC2 may not
   * list it yet (eventual consistency; default 10 s): after a cancel, the
   * builder is looked for again once it has passed.
   */
  consistencyGraceMs?: number;
  /** Keep the bundle objects this bake uploaded (else deleted when it ends, whatever the outcome; else `engine.keepBundle`). */
  keepBundle?: boolean;
}

export interface AutomationBakeResult {
  ok: boolean;
  exitCode: ExitCodeValue;
  error: WinamiError | undefined;
  documentName: string;
  documentVersion: string;
  /** `created`, `updated` (a new version) or `unchanged` (the same content was there). */
  deploy: 'created' | 'updated' | 'unchanged';
  buildId: string;
  journalPath: string;
  executionId: string | undefined;
  status: string | undefined;
  /** Images the execution made that passed winami's billing check. */
  images: { region: string; imageId: string; platformDetails?: string; usageOperation?: string }[];
  /** Images winami discarded because their billing was wrong. */
  discarded: string[];
  /** The local bake's manifest shape, steps taken from the execution. */
  manifest: BakeManifest;
  /** Packer's manifest post-processor shape. */
  packerManifest: PackerManifest;
  /** How the runbook delivered the bundle. */
  delivery: 'inline' | 'compressed' | 's3';
  /** With S3 delivery: the objects this bake uploaded, and whether they were deleted at its end. */
  bundle?: { bucket: string; prefix: string; keys: string[]; deleted: boolean };
}

/** The document name of a config. */
export function runbookName(config: ResolvedConfig): string {
  return `winami-${config.name.replace(/[^a-zA-Z0-9_.-]+/g, '-')}`.slice(0, 128);
}

const POLL_MS = 5_000;
/** Polls in a row that may stay throttled (each waiting longer, up to 64 poll intervals) before the bake gives up following the execution. */
const MAX_THROTTLED_POLLS = 20;
const TERMINAL = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut', 'CompletedWithSuccess', 'CompletedWithFailure']);

/** Deploy the runbook (idempotently); returns its version and what was done. */
export async function deployRunbook(
  session: AwsSession,
  config: ResolvedConfig,
  content: string,
): Promise<{ name: string; version: string; deploy: AutomationBakeResult['deploy'] }> {
  const ssm = session.ssm(config.region);
  const name = runbookName(config);
  let latest: { Content?: string; DocumentVersion?: string } | undefined;
  try {
    latest = await ssm.getDocument({ Name: name, DocumentVersion: '$LATEST' });
  } catch (err) {
    if (!/InvalidDocument\b/.test(String((err as { code?: string }).code ?? (err as Error).name ?? '')) && !/does not exist/.test((err as Error).message))
      throw err;
  }
  if (!latest) {
    const r = await ssm.createDocument({ Name: name, Content: content, DocumentType: 'Automation', DocumentFormat: 'YAML' });
    return { name, version: r.DocumentDescription!.DocumentVersion!, deploy: 'created' };
  }
  if (latest.Content === content) return { name, version: latest.DocumentVersion!, deploy: 'unchanged' };
  const r = await ssm.updateDocument({ Name: name, Content: content, DocumentVersion: '$LATEST', DocumentFormat: 'YAML' });
  return { name, version: r.DocumentDescription!.DocumentVersion!, deploy: 'updated' };
}

type CoreResult = Omit<AutomationBakeResult, 'manifest' | 'packerManifest'> & {
  config?: ResolvedConfig;
  source?: BakeState['source'];
  expectation?: BakeState['expectation'];
  steps?: { name: string; status: string; start?: Date; end?: Date }[];
  names?: Record<string, string>;
};

/** Run the bake on SSM Automation. */
export async function bakeOnAutomation(o: AutomationBakeOptions): Promise<AutomationBakeResult> {
  const startedAt = new Date();
  const r = await runOnAutomation(o);
  const finishedAt = new Date();
  const { config: _config, steps, names: _names, source: _source, expectation: _expectation, ...rest } = r;
  const { manifest, packerManifest } = engineManifests(
    r,
    (steps ?? []).map((s) => ({
      name: s.name,
      status: s.status === 'Success' ? 'ok' : s.status === 'Cancelled' ? 'cancelled' : s.status === 'Pending' ? 'not-run' : 'failed',
      durationMs: s.start && s.end ? s.end.getTime() - s.start.getTime() : 0,
    })),
    startedAt,
    finishedAt,
    { 'winami:automation-execution': r.executionId ?? '' },
  );
  return { ...rest, manifest, packerManifest };
}

async function runOnAutomation(o: AutomationBakeOptions): Promise<CoreResult> {
  const report = reportTo(o.reporter ?? silentReporter);
  const config = typeof o.config === 'string' ? loadConfig(o.config, { ...(o.allowSourceRoots ? { allowSourceRoots: o.allowSourceRoots } : {}) }) : o.config;
  const bundle = await renderBundle(config);
  const plan = enginePlan(config, bundle);
  const buildId = o.buildId ?? newBuildId();
  // Refused here, before anything is created, when the document breaks Automation's limits (a too-large bundle without a bucket).
  const chosen = chooseRunbook(config, plan, o.bundleBucket !== undefined ? { bucket: o.bundleBucket } : {});
  const s3 = chosen.location ? o.session.s3?.(config.region) : undefined;
  if (chosen.location) {
    if (!s3) throw new Error('winami: this AWS session has no S3 client');
    await checkBundleBucket(s3, chosen.location.bucket, config.region);
    if (config.builder.instanceProfile) {
      const first = `${buildPrefix(config, buildId)}/${bundleObjects(plan)[0]?.path ?? ''}`;
      await checkBuilderReadsBundle(o.session.iam(), config.builder.instanceProfile, bundleObjectArn(config.region, chosen.location.bucket, first), report);
    }
  }
  const content = chosen.content;
  const dep = await deployRunbook(o.session, config, content);
  report.info('engine.deploy', `runbook ${dep.name} version ${dep.version} (${dep.deploy})`, {
    documentName: dep.name,
    documentVersion: dep.version,
    deploy: dep.deploy,
  });
  const journal = openJournal(journalPath(o.journalDir ?? process.cwd(), buildId));
  const regionList = [config.region, ...config.image.regions.map((r) => r.region).filter((r) => r !== config.region)];
  journal.append({ type: 'build', buildId, region: config.region, regions: regionList, name: config.name, time: new Date().toISOString() });
  const result: CoreResult = {
    config,
    ok: false,
    exitCode: ExitCode.BUILD,
    error: undefined,
    documentName: dep.name,
    documentVersion: dep.version,
    deploy: dep.deploy,
    buildId,
    journalPath: journal.path,
    executionId: undefined,
    status: undefined,
    images: [],
    discarded: [],
    delivery: chosen.delivery,
  };
  const journaled = new Set<string>();
  const note = (kind: 'instance' | 'image', id: string, role: string) => {
    if (journaled.has(id)) return;
    journaled.add(id);
    journal.append({ type: 'created', kind, id, region: config.region, role, time: new Date().toISOString() });
  };
  const ssm = o.session.ssm(config.region);
  // The local bake's own source step: the source must be Windows with billing fields; its id is pinned for the execution.
  const state = initialState(buildId, config, '');
  const ctx = sourceStepCtx(o, journal, bundle);
  await resolveSource.run(state, ctx);
  result.source = state.source;
  result.expectation = state.expectation;
  const location = chosen.location ? { bucket: chosen.location.bucket, prefix: buildPrefix(config, buildId) } : undefined;
  const uploaded: string[] = [];
  try {
    return await execute();
  } finally {
    if (location && s3) await removeBundle();
  }

  /** Delete the objects this bake uploaded (every outcome, cancel included), unless asked to keep them; the journal says which remain. */
  async function removeBundle(): Promise<void> {
    const keep = o.keepBundle ?? config.engine?.keepBundle ?? false;
    result.bundle = { bucket: location!.bucket, prefix: location!.prefix, keys: [...uploaded], deleted: false };
    const time = () => new Date().toISOString();
    if (keep) {
      for (const key of uploaded)
        journal.append({ type: 'kept', kind: 's3-object', id: s3Uri(location!.bucket, key), region: config.region, reason: 'keepBundle', time: time() });
      report.info('engine.bundle.kept', `kept ${uploaded.length} bundle objects under s3://${location!.bucket}/${location!.prefix}/`, { ...location! });
      return;
    }
    const out = await deleteBundle(s3!, location!.bucket, uploaded).catch((err: Error) => ({
      deleted: [] as string[],
      failed: uploaded.map((key) => ({ key, error: err.message })),
    }));
    for (const key of out.deleted)
      journal.append({ type: 'removed', kind: 's3-object', id: s3Uri(location!.bucket, key), region: config.region, time: time() });
    result.bundle.deleted = out.failed.length === 0;
    if (out.failed.length)
      report.warn(
        'engine.bundle.left',
        `could not delete ${out.failed.length} bundle objects (${out.failed[0]!.error}); winami cleanup --build-id ${buildId} removes them`,
        {
          keys: out.failed.map((f) => f.key),
        },
      );
    else
      report.info('engine.bundle.deleted', `deleted ${out.deleted.length} bundle objects under s3://${location!.bucket}/${location!.prefix}/`, {
        ...location!,
      });
  }

  async function execute(): Promise<CoreResult> {
    if (location && s3) {
      // Journaled before each PutObject (an interrupted one may still be stored), so `winami cleanup` finds them even if winami dies mid-upload.
      const upload = uploadBundle(
        s3,
        location,
        bundleObjects(plan),
        (key) => {
          uploaded.push(key);
          journal.append({
            type: 'created',
            kind: 's3-object',
            id: s3Uri(location.bucket, key),
            region: config.region,
            role: 'bundle',
            time: new Date().toISOString(),
          });
        },
        o.abortSignal,
      );
      try {
        await upload;
      } catch (err) {
        if (!o.abortSignal?.aborted) throw err;
      }
      // Ctrl-C during the upload: nothing was started; the objects already there are deleted on the way out.
      if (o.abortSignal?.aborted) {
        journal.append({ type: 'finished', ok: false, time: new Date().toISOString() });
        result.error = new CancelledError('cancelled while uploading the bundle; no execution was started');
        result.exitCode = ExitCode.CANCELLED;
        return result;
      }
      report.info('engine.bundle.uploaded', `uploaded ${uploaded.length} bundle objects to s3://${location.bucket}/${location.prefix}/`, { ...location });
    }
    const started = await ssm.startAutomationExecution({
      DocumentName: dep.name,
      DocumentVersion: dep.version,
      Parameters: {
        AutomationAssumeRole: [o.roleArn],
        BuildId: [buildId],
        SourceAmiId: [state.source!.imageId],
        ...(location ? { [BUNDLE_BUCKET_PARAMETER]: [location.bucket], [BUNDLE_PREFIX_PARAMETER]: [location.prefix] } : {}),
      },
    });
    const id = started.AutomationExecutionId!;
    result.executionId = id;
    report.info('engine.started', `execution ${id} started`, { executionId: id });
    // Never more than 20 polls a second (SSM's assumed per-action rate, emulator/throttling.ts): a scaled-down poll
    // against an execution that runs long in real time would otherwise empty the bucket and end in ThrottlingException.
    const pollMs = Math.max(50, POLL_MS * (o.timeScale ?? 1));
    const seen = new Map<string, string>();
    let stopped = false;
    let throttled = 0;
    let execution: AutomationExecution;
    for (;;) {
      if (o.abortSignal?.aborted && !stopped) {
        stopped = true;
        report.warn('engine.stopping', `stopping execution ${id}: its cancel branch terminates the builder`, { executionId: id });
        await ssm
          .stopAutomationExecution({ AutomationExecutionId: id, Type: 'Cancel' })
          .catch((err: Error) => report.warn('engine.stop-failed', `StopAutomationExecution: ${err.message}`, {}));
      }
      try {
        execution = (await ssm.getAutomationExecution({ AutomationExecutionId: id })).AutomationExecution!;
      } catch (err) {
        // A poll still throttled after the SDK's own retries: the execution runs on regardless, so back off and poll again.
        if (isThrottling(err) && throttled < MAX_THROTTLED_POLLS) {
          throttled++;
          await new Promise((r) => setTimeout(r, pollMs * 2 ** Math.min(throttled, 6)));
          continue;
        }
        throw err;
      }
      throttled = 0;
      for (const s of execution.StepExecutions ?? []) {
        const key = s.StepExecutionId ?? s.StepName!;
        if (seen.get(key) === s.StepStatus) continue;
        seen.set(key, s.StepStatus!);
        // Journaled the moment the execution reports them, so `winami cleanup` knows them even if winami dies.
        for (const i of s.Outputs?.InstanceIds ?? []) note('instance', i, 'builder');
        for (const i of s.StepName === 'CreateImage' ? (s.Outputs?.ImageId ?? []) : []) note('image', i, 'image');
        if (s.Action === 'aws:changeInstanceState' && s.StepStatus === 'Success' && /"terminated"/.test(s.Inputs?.DesiredState ?? '')) {
          for (const i of journaled)
            if (i.startsWith('i-')) journal.append({ type: 'removed', kind: 'instance', id: i, region: config.region, time: new Date().toISOString() });
        }
        const level = s.StepStatus === 'Failed' || s.StepStatus === 'TimedOut' ? 'warn' : 'info';
        report[level]('engine.step', `${s.StepName}: ${s.StepStatus}${s.FailureMessage ? ` (${s.FailureMessage.slice(0, 300)})` : ''}`, {
          step: s.StepName,
          action: s.Action,
          status: s.StepStatus,
        });
      }
      if (TERMINAL.has(execution.AutomationExecutionStatus!)) break;
      await new Promise((r) => setTimeout(r, pollMs));
    }
    result.status = execution.AutomationExecutionStatus;
    result.steps = (execution.StepExecutions ?? []).map((s) => ({
      name: s.StepName ?? '',
      status: s.StepStatus ?? '',
      ...(s.ExecutionStartTime ? { start: new Date(s.ExecutionStartTime) } : {}),
      ...(s.ExecutionEndTime ? { end: new Date(s.ExecutionEndTime) } : {}),
    }));
    if (result.status === 'Cancelled' || stopped) {
      // A cancel during aws:runInstances or aws:createImage has no onCancel branch (AWS allows none there): remove the builder by its tag.
      // A builder launched moments ago may not be listed yet: look again once the grace after its launch step has passed.
      const launchSteps = (execution.StepExecutions ?? []).filter((s) => s.Action === 'aws:runInstances' && s.ExecutionStartTime);
      const launchedBy = Math.max(0, ...launchSteps.map((s) => (s.ExecutionEndTime ?? new Date()).getTime()));
      const settleAt = launchSteps.length ? launchedBy + (o.consistencyGraceMs ?? CONSISTENCY_GRACE_MS) : 0;
      const known = [...journaled].filter((x) => x.startsWith('i-'));
      await terminateTagged(o.session, config.region, id, report, pollMs, known);
      if (settleAt > Date.now()) {
        await new Promise((r) => setTimeout(r, settleAt - Date.now()));
        await terminateTagged(o.session, config.region, id, report, pollMs, known);
      }
      journal.append({ type: 'finished', ok: false, time: new Date().toISOString() });
      result.error = new CancelledError(`execution ${id} was cancelled`);
      result.exitCode = ExitCode.CANCELLED;
      return result;
    }
    if (result.status !== 'Success') {
      journal.append({ type: 'finished', ok: false, time: new Date().toISOString() });
      result.error = new StepError('automation', `execution ${id} ended ${result.status}: ${execution.FailureMessage ?? ''}`.trim(), {
        hint: `See the step outputs with: aws ssm describe-automation-step-executions --automation-execution-id ${id}`,
      });
      return result;
    }
    // winami's own check on every output image, whatever the runbook asserted.
    const outputs = execution.Outputs ?? {};
    const regions = [config.region, ...config.image.regions.map((r) => r.region).filter((r) => r !== config.region)];
    const made: { region: string; imageId: string }[] = [];
    for (const [key, values] of Object.entries(outputs)) {
      const imageId = values[0];
      if (!imageId || !imageId.startsWith('ami-')) continue;
      const region =
        key === 'CreateImage.ImageId'
          ? config.region
          : (regions.find(
              (r) =>
                key ===
                `FinishRegion${r
                  .split('-')
                  .map((p) => p[0]!.toUpperCase() + p.slice(1))
                  .join('')}.ImageId`,
            ) ?? config.region);
      if (!made.some((m) => m.imageId === imageId)) made.push({ region, imageId });
    }
    const expectation = result.expectation;
    const wrong: string[] = [];
    for (const m of made) {
      const v = await verifyImageBilling(o.session.ec2(m.region), m.imageId, expectation, { reporter: o.reporter ?? silentReporter });
      result.names = { ...result.names, [m.imageId]: v.name ?? '' };
      if (v.ok)
        result.images.push({
          ...m,
          ...(v.fields.PlatformDetails ? { platformDetails: v.fields.PlatformDetails } : {}),
          ...(v.fields.UsageOperation ? { usageOperation: v.fields.UsageOperation } : {}),
        });
      else {
        wrong.push(m.imageId);
        await discardImage(o.session.ec2(m.region), m.imageId, { reporter: o.reporter ?? silentReporter });
        result.discarded.push(m.imageId);
      }
    }
    if (wrong.length) {
      journal.append({ type: 'finished', ok: false, time: new Date().toISOString() });
      result.images = [];
      result.error = new VerificationError(`billing of ${wrong.join(', ')} was wrong; discarded`);
      result.exitCode = ExitCode.VERIFICATION;
      return result;
    }
    for (const i of result.images)
      journal.append({ type: 'kept', kind: 'image', id: i.imageId, region: i.region, reason: 'output', time: new Date().toISOString() });
    journal.append({ type: 'finished', ok: true, time: new Date().toISOString() });
    result.ok = true;
    result.exitCode = ExitCode.OK;
    return result;
  }
}

/** A result's error as a WinamiError (for the CLI). */
export function automationError(r: AutomationBakeResult): WinamiError | undefined {
  return r.error ? asWinamiError(r.error) : undefined;
}

/**
 * Terminate instances the execution launched that are still there: those
 * tagged `winami:build` = its id, and those its steps reported (`known`: a
 * listing right after the launch may not show them yet).
 */
async function terminateTagged(
  session: AwsSession,
  region: string,
  executionId: string,
  report: ReturnType<typeof reportTo>,
  pollMs: number,
  known: string[],
): Promise<void> {
  const ec2 = session.ec2(region);
  const out = await ec2.describeInstances({
    Filters: [
      { Name: 'tag:winami:build', Values: [executionId] },
      { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
    ],
  });
  const listed = (out.Reservations ?? [])
    .flatMap((r) => r.Instances ?? [])
    .map((i) => i.InstanceId!)
    .filter(Boolean);
  const live = async (id: string) => {
    try {
      const inst = (await ec2.describeInstances({ InstanceIds: [id] })).Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === id);
      return inst !== undefined && inst.State?.Name !== 'terminated' && inst.State?.Name !== 'shutting-down';
    } catch (err) {
      if (isAwsCode(err, 'InvalidInstanceID.NotFound')) return false;
      throw err;
    }
  };
  const ids = [...listed];
  for (const id of known) if (!listed.includes(id) && (await live(id))) ids.push(id);
  if (!ids.length) return;
  await ec2.terminateInstances({ InstanceIds: ids });
  // Wait for `terminated` (bounded: 120 polls), so nothing is left when the bake returns.
  for (let i = 0; i < 120; i++) {
    const now = await ec2.describeInstances({ InstanceIds: ids });
    if ((now.Reservations ?? []).flatMap((r) => r.Instances ?? []).every((x) => x.State?.Name === 'terminated')) break;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  report.warn('engine.cleanup', `terminated ${ids.join(', ')}, left by the cancelled execution`, { instanceIds: ids });
}
