/**
 * Several bakes in one run: at most `concurrency` at a time, all on one
 * session (so the SDK's client-side rate limiter per account and region is
 * shared), one combined manifest. A failure does not stop the others unless
 * `failFast`, which aborts the rest through their own AbortSignals so each
 * runs its cleanup; bakes not started yet are recorded as skipped.
 */
import type { AwsSession } from '../aws/ports.js';
import type { bake as bakeFn, BakeOptions, BakeResult } from '../bake/index.js';
import type { BakeManifest } from '../bake/manifest.js';
import { asWinamiError, ExitCode, type ExitCodeValue } from '../errors.js';
import { reportTo, silentReporter, type Reporter } from '../reporter.js';
import type { ResolvedConfig } from '../config/types.js';

/** What happened to one config of the batch. */
export type BatchStatus = 'ok' | 'failed' | 'cancelled' | 'skipped';

/** One config's line in the combined manifest. */
export interface BatchBuild {
  /** The config path (or the config's name for an in-memory config). */
  config: string;
  status: BatchStatus;
  exitCode: ExitCodeValue;
  buildId?: string | undefined;
  name?: string | undefined;
  failedStep?: string | undefined;
  error?: { code: string; message: string; hint?: string | undefined } | undefined;
  images: BakeManifest['images'];
  expectation?: BakeManifest['expectation'] | undefined;
  leftBehind: { kind: string; id: string; region: string }[];
  cleanupCommand?: string | undefined;
  durationMs: number;
  manifest?: BakeManifest | undefined;
}

/** The combined manifest of a batch. */
export interface BatchResult {
  winami: 1;
  builds: BatchBuild[];
  summary: { total: number; ok: number; failed: number; cancelled: number; skipped: number; exitCode: ExitCodeValue; durationMs: number };
}

/** Options of `bakeMany`; `base` is passed to every bake (dry run, smoke test, journal dir …). */
export interface BakeManyOptions {
  configs: readonly (string | ResolvedConfig)[];
  /** Bakes at a time (at least 1). */
  concurrency: number;
  /** Cancel the others after the first failure. */
  failFast?: boolean;
  /** One session for all bakes (dry runs too: they make read-only calls). */
  session?: AwsSession;
  reporter?: Reporter;
  abortSignal?: AbortSignal;
  /** The bake function; `bake` from `src/bake/index.ts` in real use. */
  bake: typeof bakeFn;
  base?: Omit<BakeOptions, 'config' | 'session' | 'reporter' | 'abortSignal'>;
  now?: () => number;
}

function label(config: string | ResolvedConfig): string {
  return typeof config === 'string' ? config : config.name;
}

/** Each bake's events, tagged with the config they belong to. */
function tagged(reporter: Reporter, index: number, config: string): Reporter {
  return { emit: (e) => reporter.emit({ ...e, data: { ...e.data, batchIndex: index, config } }) };
}

function fromResult(config: string, r: BakeResult, durationMs: number): BatchBuild {
  const status: BatchStatus = r.ok ? 'ok' : r.exitCode === ExitCode.CANCELLED ? 'cancelled' : 'failed';
  return {
    config,
    status,
    exitCode: r.exitCode,
    buildId: r.buildId,
    name: r.manifest?.name,
    failedStep: r.failedStep,
    error: r.error ? { code: r.error.code, message: r.error.message, hint: r.error.hint } : undefined,
    images: r.manifest?.images ?? [],
    expectation: r.manifest?.expectation,
    leftBehind: r.leftBehind.map((x) => ({ kind: x.kind, id: x.id, region: x.region })),
    cleanupCommand: r.leftBehind.length ? r.cleanupCommand : undefined,
    durationMs,
    manifest: r.manifest,
  };
}

/** The batch's exit code: 0 when all succeeded, 8 (partial) when some did, otherwise the first failure's. */
export function batchExitCode(builds: readonly BatchBuild[]): ExitCodeValue {
  if (builds.every((b) => b.status === 'ok')) return ExitCode.OK;
  if (builds.some((b) => b.status === 'ok')) return ExitCode.PARTIAL;
  const first = builds.find((b) => b.status === 'failed') ?? builds.find((b) => b.status === 'cancelled');
  return first?.exitCode ?? ExitCode.CANCELLED;
}

/** Bake every config, `concurrency` at a time; never throws for a bake's failure. */
export async function bakeMany(options: BakeManyOptions): Promise<BatchResult> {
  const now = options.now ?? Date.now;
  const reporter = options.reporter ?? silentReporter;
  const report = reportTo(reporter);
  const started = now();
  const total = options.configs.length;
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const builds: (BatchBuild | undefined)[] = new Array(total).fill(undefined);
  const controllers = options.configs.map(() => new AbortController());
  let stopping = false;
  const stopAll = (reason: string) => {
    if (stopping) return;
    stopping = true;
    report.warn('batch.cancel', `cancelling the remaining bakes: ${reason}`, { reason });
    for (const c of controllers) c.abort();
  };
  const onParentAbort = () => stopAll('cancelled');
  if (options.abortSignal?.aborted) stopping = true;
  options.abortSignal?.addEventListener('abort', onParentAbort, { once: true });
  report.info('batch.start', `baking ${total} config(s), ${concurrency} at a time`, { total, concurrency, failFast: Boolean(options.failFast) });

  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      const config = options.configs[i]!;
      const name = label(config);
      if (stopping) {
        builds[i] = { config: name, status: 'skipped', exitCode: ExitCode.CANCELLED, images: [], leftBehind: [], durationMs: 0 };
        report.info('batch.build.skipped', `${name}: not started`, { index: i, config: name });
        continue;
      }
      const t0 = now();
      report.info('batch.build.start', `${name}: started`, { index: i, config: name });
      let build: BatchBuild;
      try {
        const result = await options.bake({
          ...options.base,
          config,
          ...(options.session ? { session: options.session } : {}),
          reporter: tagged(reporter, i, name),
          abortSignal: controllers[i]!.signal,
        });
        build = fromResult(name, result, now() - t0);
      } catch (err) {
        const e = asWinamiError(err);
        build = {
          config: name,
          status: e.exitCode === ExitCode.CANCELLED ? 'cancelled' : 'failed',
          exitCode: e.exitCode,
          error: { code: e.code, message: e.message, hint: e.hint },
          images: [],
          leftBehind: [],
          durationMs: now() - t0,
        };
      }
      builds[i] = build;
      const level = build.status === 'ok' ? 'info' : 'error';
      reporter.emit({
        code: 'batch.build.done',
        level,
        message: `${name}: ${build.status}${build.error ? ` (${build.error.message})` : ''}`,
        data: { index: i, config: name, status: build.status, exitCode: build.exitCode, buildId: build.buildId, images: build.images },
      });
      if (build.status === 'failed' && options.failFast) stopAll(`${name} failed`);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, total) }, () => worker()));
  } finally {
    options.abortSignal?.removeEventListener('abort', onParentAbort);
  }
  const done = builds.map(
    (b, i) => b ?? { config: label(options.configs[i]!), status: 'skipped' as const, exitCode: ExitCode.CANCELLED, images: [], leftBehind: [], durationMs: 0 },
  );
  const count = (s: BatchStatus) => done.filter((b) => b.status === s).length;
  const summary = {
    total,
    ok: count('ok'),
    failed: count('failed'),
    cancelled: count('cancelled'),
    skipped: count('skipped'),
    exitCode: batchExitCode(done),
    durationMs: now() - started,
  };
  report.info('batch.done', `${summary.ok} of ${total} baked`, { ...summary });
  return { winami: 1, builds: done, summary };
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** The end-of-run table: one row per image (or per config without one). */
export function formatSummaryTable(result: BatchResult): string {
  const rows: string[][] = [['CONFIG', 'STATUS', 'REGION', 'IMAGE', 'BILLING', 'TIME', 'DETAIL']];
  for (const b of result.builds) {
    const detail =
      b.status === 'ok'
        ? ''
        : [b.failedStep ? `at ${b.failedStep}` : '', b.error?.message ?? '', b.leftBehind.length ? `left: ${b.leftBehind.length}` : '']
            .filter(Boolean)
            .join('; ');
    if (b.images.length === 0) rows.push([b.config, b.status, '-', '-', '-', duration(b.durationMs), detail]);
    b.images.forEach((img, j) =>
      rows.push([
        j === 0 ? b.config : '',
        j === 0 ? b.status : '',
        img.region,
        img.imageId,
        img.usageOperation ? `${img.platformDetails ?? ''} (${img.usageOperation})` : '-',
        j === 0 ? duration(b.durationMs) : '',
        j === 0 ? detail : '',
      ]),
    );
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const lines = rows.map((r) =>
    r
      .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
  const s = result.summary;
  lines.push(
    '',
    `${s.ok} ok, ${s.failed} failed, ${s.cancelled} cancelled, ${s.skipped} skipped of ${s.total} in ${duration(s.durationMs)}; exit code ${s.exitCode}`,
  );
  return `${lines.join('\n')}\n`;
}
