/**
 * What every bake step gets besides the state: the AWS session, the reporter,
 * the journal, polling delays (scaled for tests), and the helpers that record
 * a resource in state and journal at once.
 */
import type { AwsSession } from '../aws/ports.js';
import { CONSISTENCY_GRACE_MS } from '../aws/consistency.js';
import { realClock } from '../aws/poll-until.js';
import { reportTo, type Reporter } from '../reporter.js';
import type { Journal } from './journal.js';
import type { Bundle } from './bundle-types.js';
import type { ResolvedConfig } from '../config/types.js';
import type { BakeState, ResourceKind, TrackedResource } from './state.js';
import type { RunnerContext } from './runner.js';

/** Poll delays in ms for each kind of wait: [min, max]. */
export interface PollDelays {
  ssmOnline: [number, number];
  command: [number, number];
  instanceState: [number, number];
  image: [number, number];
  snapshot: [number, number];
}

/** Delays that suit AWS: often enough to notice completion, rare enough not to be throttled. */
export const AWS_POLL_DELAYS: PollDelays = {
  ssmOnline: [5_000, 30_000],
  command: [2_000, 20_000],
  instanceState: [5_000, 30_000],
  image: [10_000, 60_000],
  snapshot: [10_000, 60_000],
};

/** How long each phase usually takes on AWS, in ms: the adaptive poller waits near these. */
export const EXPECTED_MS = {
  ssmOnline: 180_000,
  sysprepStop: 300_000,
  image: 600_000,
  snapshot: 300_000,
  terminate: 60_000,
} as const;

/**
 * The least time each phase can take on AWS, in ms: no check is made before
 * it. A Windows instance does not boot and register its SSM Agent within 30 s
 * of RunInstances, nor does Sysprep generalize and shut Windows down within
 * 30 s; both usually take minutes (EXPECTED_MS).
 */
export const EARLIEST_MS = {
  ssmOnline: 30_000,
  sysprepStop: 30_000,
} as const;

/** Renders the bundle for a config (the real one is `renderBundle` in src/render). */
export type RenderBundle = (config: ResolvedConfig, options: { buildId: string }) => Promise<Bundle>;

/** The bake's extra context for steps. */
export interface BakeContext {
  session: AwsSession;
  reporter: Reporter;
  journal: Journal;
  /** Multiplies every poll delay, expected time and deadline; 1 on AWS, small against the emulator. */
  timeScale: number;
  delays: PollDelays;
  clock: { now(): number; sleep(ms: number, signal?: AbortSignal): Promise<void> };
  onError: 'cleanup' | 'keep';
  /** Environment for `env:` secrets; the CLI passes process.env. */
  env: Readonly<Record<string, string | undefined>>;
  renderBundle: RenderBundle;
  /**
   * How long (real ms) after a create call a resource EC2 does not show is
   * taken for EC2's lag rather than absent (default `CONSISTENCY_GRACE_MS`).
   */
  consistencyGraceMs?: number;
}

/** The context's consistency grace. */
export function graceMs(ctx: Pick<BakeContext, 'consistencyGraceMs'>): number {
  return ctx.consistencyGraceMs ?? CONSISTENCY_GRACE_MS;
}

export type StepCtx = BakeContext & RunnerContext;

/** Record a resource in state and journal the moment AWS returns its id. */
export function track(state: BakeState, ctx: BakeContext, r: { kind: ResourceKind; id: string; region: string; role: string }): void {
  if (state.resources.some((x) => x.id === r.id && x.region === r.region)) return;
  state.resources.push({ ...r });
  state.createdAt[`${r.region}/${r.id}`] = ctx.clock.now();
  const answered = state.unconfirmed.findIndex((u) => u.kind === r.kind && u.region === r.region && u.role === r.role);
  if (answered >= 0) state.unconfirmed.splice(answered, 1);
  ctx.journal.append({ type: 'created', ...r, time: new Date().toISOString() });
  reportTo(ctx.reporter).info('bake.resource.created', `created ${r.kind} ${r.id} (${r.role}) in ${r.region}`, { ...r });
}

/**
 * Make a create call: journal it first (so a cleanup after a crash knows
 * something may exist that no record names), and remember a call that failed
 * until `track` records what it made. A call AWS refused outright made
 * nothing: the journal says so, and a cleanup by it does not wait for what
 * that call might have made. The caller tracks the id it gets.
 */
export async function creating<T>(
  state: BakeState,
  ctx: BakeContext,
  what: { kind: ResourceKind; region: string; role: string },
  call: () => Promise<T>,
): Promise<T> {
  ctx.journal.append({ type: 'creating', ...what, time: new Date().toISOString() });
  try {
    return await call();
  } catch (err) {
    if (refusedOutright(err)) ctx.journal.append({ type: 'refused', ...what, time: new Date().toISOString() });
    else state.unconfirmed.push({ ...what, at: ctx.clock.now() });
    throw err;
  }
}

/**
 * True when AWS answered the call's only attempt with a client error: the
 * request was refused and made nothing. After a retry, an earlier attempt
 * may have made something whose answer was lost; with no answer at all
 * (connection lost, timeout), nobody knows.
 */
export function refusedOutright(err: unknown): boolean {
  const e = err as { $metadata?: { httpStatusCode?: number; attempts?: number }; cause?: { $metadata?: { httpStatusCode?: number; attempts?: number } } };
  const meta = e?.cause?.$metadata ?? e?.$metadata;
  const status = meta?.httpStatusCode;
  return typeof status === 'number' && status >= 400 && status < 500 && meta?.attempts === 1;
}

/** The end of the consistency grace of a tracked resource (context clock ms; 0 if untracked). */
export function graceEndOf(state: BakeState, ctx: BakeContext, id: string, region: string): number {
  const at = state.createdAt[`${region}/${id}`];
  return at === undefined ? 0 : at + graceMs(ctx);
}

/** Record that a resource is gone. */
export function markRemoved(state: BakeState, ctx: BakeContext, id: string, region: string): void {
  const r = state.resources.find((x) => x.id === id && x.region === region);
  if (!r || r.removed) return;
  r.removed = true;
  ctx.journal.append({ type: 'removed', kind: r.kind, id, region, time: new Date().toISOString() });
  reportTo(ctx.reporter).info('bake.resource.removed', `removed ${r.kind} ${id} in ${region}`, { kind: r.kind, id, region });
}

/** Record that a resource stays on purpose. */
export function markKept(_state: BakeState, ctx: BakeContext, r: TrackedResource, reason: 'output' | 'on-error-keep'): void {
  r.kept = reason;
  ctx.journal.append({ type: 'kept', kind: r.kind, id: r.id, region: r.region, reason, time: new Date().toISOString() });
}

/** A scaled delay pair. */
export function delays(ctx: BakeContext, kind: keyof PollDelays): { minDelayMs: number; maxDelayMs: number } {
  const [min, max] = ctx.delays[kind];
  return { minDelayMs: Math.max(1, Math.round(min * ctx.timeScale)), maxDelayMs: Math.max(1, Math.round(max * ctx.timeScale)) };
}

/** A config deadline (ms) or expected time, scaled. */
export function scaled(ctx: BakeContext, ms: number): number {
  return Math.max(1, Math.round(ms * ctx.timeScale));
}

export const defaultClock = realClock;
