/**
 * `bake()`: build a Windows AMI end to end through SSM Run Command. Builds the
 * step list from the config, runs it with the step runner (reverse cleanup on
 * failure or cancel), journals every resource as it is created, and returns
 * what happened, what was made and what (if anything) was left behind.
 */
import { randomBytes } from 'node:crypto';
import type { AwsSession } from '../aws/ports.js';
import { imageName } from '../config/image-name.js';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/types.js';
import { UsageError, WinamiError, asWinamiError, ExitCode, type ExitCodeValue } from '../errors.js';
import { reportTo, silentReporter, type Reporter } from '../reporter.js';
import { AWS_POLL_DELAYS, defaultClock, scaled, type BakeContext, type PollDelays, type RenderBundle } from './context.js';
import { journalPath, memoryJournal, openJournal } from './journal.js';
import { buildManifests, type BakeManifest, type PackerManifest } from './manifest.js';
import { buildPipeline, STEP_DEADLINE } from './pipeline.js';
import { runSteps, type Outcome, type StepRecord } from './runner.js';
import { initialState, leftBehind, type BakeState, type MadeImage, type TrackedResource } from './state.js';
import { sweepBuild } from './sweep.js';

export interface BakeOptions {
  /** A resolved config, or the path of a config file. */
  config: ResolvedConfig | string;
  allowPlaintextSecrets?: boolean;
  /** Folders `script:` and `file:` sources may come from besides the config's own folder tree. */
  allowSourceRoots?: readonly string[];
  /** AWS session (one client per region); required unless `dryRun`. */
  session?: AwsSession;
  reporter?: Reporter;
  /** Abort to cancel: the current step stops and cleanup runs. */
  abortSignal?: AbortSignal;
  /** Print the plan and create nothing. */
  dryRun?: boolean;
  /** After a failure: `cleanup` (default) removes everything; `keep` keeps the builder for inspection. */
  onError?: 'cleanup' | 'keep';
  /** Override the config's `smokeTest`. */
  smokeTest?: boolean;
  /** Directory under which `.winami/builds/<id>.jsonl` is written; default the working directory. */
  journalDir?: string;
  /** Multiplies poll delays and deadlines; 1 for AWS, small for the emulator. */
  timeScale?: number;
  delays?: PollDelays;
  clock?: BakeContext['clock'];
  /** Environment for `env:` secrets. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Bundle renderer; default the project's `renderBundle`. */
  renderBundle?: RenderBundle;
  buildId?: string;
  /** Called once with the live state, so a caller can report what exists at any moment (second Ctrl-C). */
  onState?: (state: BakeState) => void;
}

export interface BakeResult {
  buildId: string;
  ok: boolean;
  outcome: Outcome | 'dry-run';
  exitCode: ExitCodeValue;
  error: WinamiError | undefined;
  failedStep: string | undefined;
  steps: StepRecord[];
  images: MadeImage[];
  leftBehind: TrackedResource[];
  journalPath: string;
  /** The command that removes anything left. */
  cleanupCommand: string;
  manifest: BakeManifest;
  packerManifest: PackerManifest;
}

/** A new build id: time plus randomness, usable in tags, names and ClientTokens. */
export function newBuildId(now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').toLowerCase();
  return `${t}-${randomBytes(3).toString('hex')}`;
}

/** Fill the image name template (re-exported: the bake's callers and tests use it from here). */
export { imageName };

async function defaultRenderBundle(): Promise<RenderBundle> {
  const { renderBundle } = await import('../render/bundle.js');
  return (config, options) => renderBundle(config, options);
}

/** Bake an image. Never throws for a failed build: the result carries the error and exit code. Config errors throw. */
export async function bake(o: BakeOptions): Promise<BakeResult> {
  const config =
    typeof o.config === 'string'
      ? loadConfig(o.config, { allowPlaintextSecrets: o.allowPlaintextSecrets ?? false, ...(o.allowSourceRoots ? { allowSourceRoots: o.allowSourceRoots } : {}) })
      : o.config;
  const reporter = o.reporter ?? silentReporter;
  const report = reportTo(reporter);
  const buildId = o.buildId ?? newBuildId();
  const startedAt = new Date();
  const state = initialState(buildId, config, imageName(config, buildId, startedAt));
  o.onState?.(state);
  const steps = buildPipeline(config, { smokeTest: o.smokeTest ?? config.smokeTest });
  const timeScale = o.timeScale ?? 1;
  const regions = [config.region, ...config.image.regions.map((r) => r.region).filter((r) => r !== config.region)];
  const cleanupCommand = `winami cleanup --build-id ${buildId} --region ${regions.join(',')}`;
  report.info('bake.plan', `build ${buildId}: ${steps.length} steps, image "${state.imageName}" in ${regions.join(', ')}`, {
    buildId,
    imageName: state.imageName,
    regions,
    steps: steps.map((s) => ({ name: s.name, title: s.title, deadlineMs: STEP_DEADLINE[s.name] ? config.deadlines[STEP_DEADLINE[s.name]!] : undefined })),
  });
  const journal = o.dryRun ? memoryJournal() : openJournal(journalPath(o.journalDir ?? process.cwd(), buildId));
  if (o.dryRun) {
    const { manifest, packer } = buildManifests(state, false, [], startedAt, new Date());
    return { buildId, ok: true, outcome: 'dry-run', exitCode: ExitCode.OK, error: undefined, failedStep: undefined, steps: steps.map((s) => ({ name: s.name, title: s.title, status: 'not-run', durationMs: 0 })), images: [], leftBehind: [], journalPath: journal.path, cleanupCommand, manifest, packerManifest: packer };
  }
  if (!o.session) throw new UsageError('bake needs an AWS session unless it is a dry run');
  journal.append({ type: 'build', buildId, region: config.region, regions, name: config.name, time: startedAt.toISOString() });
  const ctx: BakeContext = {
    session: o.session,
    reporter,
    journal,
    timeScale,
    delays: o.delays ?? AWS_POLL_DELAYS,
    clock: o.clock ?? defaultClock,
    onError: o.onError ?? 'cleanup',
    env: o.env ?? {},
    renderBundle: o.renderBundle ?? (async (c, opts) => (await defaultRenderBundle())(c, opts)),
  };
  const run = await runSteps(steps, state, ctx, {
    ...(o.abortSignal ? { signal: o.abortSignal } : {}),
    reporter,
    eventPrefix: 'bake',
    cleanupDeadlineMs: scaled(ctx, config.deadlines.cleanup),
    leftBehind,
  });
  const left = await leftAfterSweep(state, ctx, regions, run.leftBehind);
  const finishedAt = new Date();
  const ok = run.outcome === 'ok';
  journal.append({ type: 'finished', ok, time: finishedAt.toISOString() });
  const error = run.error === undefined ? undefined : asWinamiError(run.error);
  const { manifest, packer } = buildManifests(state, ok, run.steps, startedAt, finishedAt);
  if (left.length) report.warn('bake.left-behind', `left behind: ${left.map((r) => `${r.kind} ${r.id} (${r.region})`).join(', ')}; remove with: ${cleanupCommand}`, { resources: left, cleanupCommand });
  if (ok) report.info('bake.done', `built ${[state.image!, ...state.copies].map((m) => `${m.region}:${m.imageId}`).join(', ')}`, { buildId, images: manifest.images });
  return {
    buildId,
    ok,
    outcome: run.outcome,
    // Partial: the images are good but something is left over or undone (e.g. the publish failed).
    exitCode: ok ? (left.length || state.incomplete.length ? ExitCode.PARTIAL : ExitCode.OK) : (error?.exitCode ?? ExitCode.INTERNAL),
    error,
    failedStep: run.failedStep,
    steps: run.steps,
    images: ok ? [state.image!, ...state.copies] : [],
    leftBehind: left,
    journalPath: journal.path,
    cleanupCommand,
    manifest,
    packerManifest: packer,
  };
}

/** The time the sweep's last listing gets (after its removals), at time scale 1. */
const SWEEP_LIST_MS = 120_000;

/**
 * What is left behind, as EC2 sees it: sweep the build's tag in every region
 * the bake touched (strays removed, then listed again; sweep.ts), with the
 * cleanup deadline. Parameters are not tagged: the state says which remain.
 * If a listing fails, the state's view is reported instead, and said to be so.
 */
async function leftAfterSweep(state: BakeState, ctx: BakeContext, regions: string[], fromState: TrackedResource[]): Promise<TrackedResource[]> {
  const deadlineMs = scaled(ctx, state.config.deadlines.cleanup);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), deadlineMs);
  const touched = [...new Set([...regions, ...state.resources.map((r) => r.region)])];
  const keep = new Set(state.resources.filter((r) => r.kept).map((r) => r.id));
  try {
    const sweep = await sweepBuild(state, ctx, { regions: touched, keep, signal: controller.signal, deadlineMs, listMs: scaled(ctx, SWEEP_LIST_MS) });
    for (const e of sweep.errors) reportTo(ctx.reporter).warn('bake.sweep.failed', `sweeping build ${state.buildId}: ${e}`, { buildId: state.buildId });
    if (!sweep.verified) {
      reportTo(ctx.reporter).warn('bake.sweep.unverified', 'could not list what the build left in every region; what is reported as left behind is what the bake believes, not what EC2 showed', { buildId: state.buildId });
      return [...fromState, ...state.resources.filter((r) => r.kept === 'on-error-keep')];
    }
    const parameters = leftBehind(state).filter((r) => r.kind === 'parameter');
    return [...sweep.existing, ...parameters];
  } finally {
    clearTimeout(timer);
  }
}

export { buildPipeline } from './pipeline.js';
export { cleanupBuild, type CleanupOptions, type CleanupResult } from './cleanup.js';
export type { BakeState } from './state.js';
