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
import { UsageError, type WinamiError, asWinamiError, ExitCode, type ExitCodeValue } from '../errors.js';
import { reportTo, silentReporter, type Reporter } from '../reporter.js';
import { AWS_POLL_DELAYS, defaultClock, graceMs, scaled, type BakeContext, type PollDelays, type RenderBundle } from './context.js';
import { journalPath, memoryJournal, openJournal } from './journal.js';
import { buildManifests, type BakeManifest, type PackerManifest } from './manifest.js';
import { buildPipeline } from './pipeline.js';
import { plan } from '../plan/plan.js';
import type { Finding } from '../preflight/types.js';
import { runSteps, type Outcome, type StepRecord } from './runner.js';
import { initialState, leftBehind, need, type BakeState, type MadeImage, type TrackedResource } from './state.js';
import { sweepBuild } from './sweep.js';

export interface BakeOptions {
  /** A resolved config, or the path of a config file. */
  config: ResolvedConfig | string;
  allowPlaintextSecrets?: boolean;
  /** Folders `script:` and `file:` sources may come from besides the config's own folder tree. */
  allowSourceRoots?: readonly string[];
  /** AWS session (one client per region); a dry run needs one too. */
  session?: AwsSession;
  reporter?: Reporter;
  /** Abort to cancel: the current step stops and cleanup runs. */
  abortSignal?: AbortSignal;
  /**
   * Create nothing: check credentials, resolve the source, render the bundle
   * and run the preflight (read-only calls only), then stop. Needs a session.
   */
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
  /**
   * How long (real ms) after a create call EC2 may still not show what it
   * made (eventual consistency): until then, a NotFound or a listing without
   * it means "not yet", and the cleanup and final sweep look again. Default
   * 10 s; a test against an emulator with a shorter consistency window can
   * shorten it.
   */
  consistencyGraceMs?: number;
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
  /** What the preflight found: its problems (when it stopped the bake) and warnings. */
  preflight: Finding[];
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
      ? loadConfig(o.config, {
          allowPlaintextSecrets: o.allowPlaintextSecrets ?? false,
          ...(o.allowSourceRoots ? { allowSourceRoots: o.allowSourceRoots } : {}),
        })
      : o.config;
  const reporter = o.reporter ?? silentReporter;
  const report = reportTo(reporter);
  const buildId = o.buildId ?? newBuildId();
  const startedAt = new Date();
  const state = initialState(buildId, config, imageName(config, buildId, startedAt));
  o.onState?.(state);
  const planOptions = { smokeTest: o.smokeTest ?? config.smokeTest };
  const planned = plan(config, planOptions);
  const steps = buildPipeline(config, planOptions);
  const timeScale = o.timeScale ?? 1;
  const regions = [config.region, ...config.image.regions.map((r) => r.region).filter((r) => r !== config.region)];
  const cleanupCommand = `winami cleanup --build-id ${buildId} --region ${regions.join(',')}`;
  report.info('bake.plan', `build ${buildId}: ${steps.length} steps, image "${state.imageName}" in ${regions.join(', ')}`, {
    buildId,
    imageName: state.imageName,
    regions,
    steps: steps.map((s) => ({ name: s.name, title: s.title, deadlineMs: s.deadlineMs })),
  });
  const dryRun = o.dryRun === true;
  if (!o.session)
    throw new UsageError(dryRun ? 'bake --dry-run needs an AWS session: it checks the account with read-only calls' : 'bake needs an AWS session');
  // A dry run writes no journal: it creates nothing that would need one.
  const journal = dryRun ? memoryJournal() : openJournal(journalPath(o.journalDir ?? process.cwd(), buildId));
  if (!dryRun) journal.append({ type: 'build', buildId, region: config.region, regions, name: config.name, time: startedAt.toISOString() });
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
    ...(o.consistencyGraceMs === undefined ? {} : { consistencyGraceMs: o.consistencyGraceMs }),
  };
  const run = await runSteps(dryRun ? steps.filter((_, i) => planned[i]!.dryRun) : steps, state, ctx, {
    ...(o.abortSignal ? { signal: o.abortSignal } : {}),
    reporter,
    eventPrefix: 'bake',
    // EC2's consistency grace is real time, so it is added to the scaled deadline, not scaled with it.
    cleanupDeadlineMs: scaled(ctx, config.deadlines.cleanup) + graceMs(ctx),
    scaleDeadline: (ms) => scaled(ctx, ms),
    // A step's own waits end at its deadline; some then take a bounded look (Sysprep's logs, the agent's state).
    deadlineGraceMs: scaled(ctx, 300_000),
    now: () => ctx.clock.now(),
    leftBehind,
  });
  if (dryRun) return dryRunResult(state, steps, run, { buildId, journalPath: journal.path, cleanupCommand, startedAt });
  const left = await leftAfterSweep(state, ctx, regions, run.leftBehind);
  const finishedAt = new Date();
  const ok = run.outcome === 'ok';
  journal.append({ type: 'finished', ok, time: finishedAt.toISOString() });
  const error = run.error === undefined ? undefined : asWinamiError(run.error);
  const { manifest, packer } = buildManifests(state, ok, run.steps, startedAt, finishedAt);
  if (left.length)
    report.warn('bake.left-behind', `left behind: ${left.map((r) => `${r.kind} ${r.id} (${r.region})`).join(', ')}; remove with: ${cleanupCommand}`, {
      resources: left,
      cleanupCommand,
    });
  if (ok)
    report.info('bake.done', `built ${[need(state, 'image', 'bake'), ...state.copies].map((m) => `${m.region}:${m.imageId}`).join(', ')}`, {
      buildId,
      images: manifest.images,
    });
  return {
    buildId,
    ok,
    outcome: run.outcome,
    // Partial: the images are good but something is left over or undone (e.g. the publish failed).
    exitCode: ok ? (left.length || state.incomplete.length ? ExitCode.PARTIAL : ExitCode.OK) : (error?.exitCode ?? ExitCode.INTERNAL),
    error,
    failedStep: run.failedStep,
    steps: run.steps,
    images: ok ? [need(state, 'image', 'bake'), ...state.copies] : [],
    leftBehind: left,
    journalPath: journal.path,
    cleanupCommand,
    manifest,
    packerManifest: packer,
    preflight: state.preflight ?? [],
  };
}

/** The result of a dry run: the read-only steps ran, the rest are listed as not run. */
function dryRunResult(
  state: BakeState,
  steps: readonly { name: string; title: string }[],
  run: Awaited<ReturnType<typeof runSteps<BakeState, BakeContext, TrackedResource>>>,
  o: { buildId: string; journalPath: string; cleanupCommand: string; startedAt: Date },
): BakeResult {
  const ok = run.outcome === 'ok';
  const error = run.error === undefined ? undefined : asWinamiError(run.error);
  const records = steps.map((s) => run.steps.find((r) => r.name === s.name) ?? { name: s.name, title: s.title, status: 'not-run' as const, durationMs: 0 });
  const { manifest, packer } = buildManifests(state, false, records, o.startedAt, new Date());
  return {
    buildId: o.buildId,
    ok,
    outcome: ok ? 'dry-run' : run.outcome,
    exitCode: ok ? ExitCode.OK : (error?.exitCode ?? ExitCode.INTERNAL),
    error,
    failedStep: run.failedStep,
    steps: records,
    images: [],
    leftBehind: [],
    journalPath: o.journalPath,
    cleanupCommand: o.cleanupCommand,
    manifest,
    packerManifest: packer,
    preflight: state.preflight ?? [],
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
  // Plus the consistency grace (real time): the sweep may wait it out to list what a create call with no answer made.
  const timer = setTimeout(() => controller.abort(), deadlineMs + graceMs(ctx));
  const touched = [...new Set([...regions, ...state.resources.map((r) => r.region)])];
  const keep = new Set(state.resources.filter((r) => r.kept).map((r) => r.id));
  try {
    const sweep = await sweepBuild(state, ctx, { regions: touched, keep, signal: controller.signal, deadlineMs, listMs: scaled(ctx, SWEEP_LIST_MS) });
    for (const e of sweep.errors) reportTo(ctx.reporter).warn('bake.sweep.failed', `sweeping build ${state.buildId}: ${e}`, { buildId: state.buildId });
    if (!sweep.verified) {
      reportTo(ctx.reporter).warn(
        'bake.sweep.unverified',
        'could not list what the build left in every region; what is reported as left behind is what the bake believes, not what EC2 showed',
        { buildId: state.buildId },
      );
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
