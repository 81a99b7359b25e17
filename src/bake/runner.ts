/**
 * A generic step runner in the manner of Packer's multistep. Each step is
 * recorded before it runs; the first throw (or a cancel) stops the run; then
 * every step that started — the failed one included — is cleaned up in
 * reverse order, each cleanup in its own try/catch with its own deadline and
 * its own abort signal (the run's signal is already aborted after a cancel).
 * The result says what happened to every step and what was left behind.
 */
import { CancelledError, StepError, asWinamiError } from '../errors.js';
import { reportTo, silentReporter, type Reporter } from '../reporter.js';
import type { RunPrefix } from '../events.js';

/** How the run ended. */
export type Outcome = 'ok' | 'failed' | 'cancelled';

/** What the runner adds to every step's context. */
export interface RunnerContext {
  /** Aborted on cancel (run), or when the cleanup's own deadline passes (cleanup). */
  signal: AbortSignal;
  /** The step's name. */
  step: string;
  /** Set for cleanups: how the run ended. */
  outcome: Outcome | undefined;
  /** ms left before the step's deadline (`Infinity` for a step without one, and in cleanups). */
  timeLeft(): number;
}

/** One step: `run`, and optionally `cleanup`, which runs whether `run` succeeded, failed or was cancelled. */
export interface Step<S, X> {
  /** verb-noun, e.g. `launchBuilder`. */
  name: string;
  /** For people: "Launch the builder". */
  title: string;
  /** The deadline that bounds `run`, in ms before `RunOptions.scaleDeadline`; the runner enforces it. */
  deadlineMs?: number;
  run(state: S, ctx: X & RunnerContext): Promise<void>;
  cleanup?(state: S, ctx: X & RunnerContext): Promise<void>;
}

/** What became of one step. */
export interface StepRecord {
  name: string;
  title: string;
  status: 'ok' | 'failed' | 'cancelled' | 'not-run';
  durationMs: number;
  error?: string;
  cleanup?: { status: 'ok' | 'failed' | 'timed-out'; durationMs: number; error?: string };
}

export interface RunResult<L> {
  outcome: Outcome;
  /** The error that stopped the run (a `CancelledError` after a cancel). */
  error: unknown;
  failedStep: string | undefined;
  steps: StepRecord[];
  /** Errors from cleanups; the run's own error stays in `error`. */
  cleanupErrors: { step: string; error: unknown }[];
  leftBehind: L[];
}

export interface RunOptions<S, L> {
  signal?: AbortSignal;
  reporter?: Reporter;
  /** Deadline for each cleanup, in ms. */
  cleanupDeadlineMs: number;
  /** Event code prefix, e.g. `bake` → `bake.step.start`. */
  eventPrefix?: RunPrefix;
  /** What is left after the cleanups, computed from the state. */
  leftBehind?: (state: S) => L[];
  now?: () => number;
  /** Turns a step's `deadlineMs` into wall-clock ms (the bake's time scale); identity by default. */
  scaleDeadline?: (ms: number) => number;
  /**
   * How long past its deadline a step may run before the runner stops it: a
   * step's own waits end at the deadline, and some then take a short, bounded
   * look at what went wrong. 0 by default.
   */
  deadlineGraceMs?: number;
}

/** `running`, or the error `overrun()` gives if it is still running after `limitMs` (no limit when undefined). */
async function withinLimit(running: Promise<void>, limitMs: number | undefined, overrun: () => Error): Promise<void> {
  if (limitMs === undefined) return running;
  let timer: NodeJS.Timeout | undefined;
  const over = new Promise<'over'>((resolve) => {
    timer = setTimeout(() => resolve('over'), limitMs);
  });
  try {
    if ((await Promise.race([running, over])) === 'over') {
      running.catch(() => undefined);
      throw overrun();
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Run the steps in order, then clean up in reverse. Never throws: the result carries the error. */
export async function runSteps<S, X, L = never>(steps: readonly Step<S, X>[], state: S, extra: X, o: RunOptions<S, L>): Promise<RunResult<L>> {
  const now = o.now ?? Date.now;
  const report = reportTo(o.reporter ?? silentReporter);
  const prefix = o.eventPrefix ?? 'run';
  const signal = o.signal ?? new AbortController().signal;
  const records: StepRecord[] = steps.map((s) => ({ name: s.name, title: s.title, status: 'not-run', durationMs: 0 }));
  const started: number[] = [];
  let outcome: Outcome = 'ok';
  let error: unknown;
  let failedStep: string | undefined;

  for (const [i, step] of steps.entries()) {
    const rec = records[i]!;
    if (signal.aborted) {
      outcome = 'cancelled';
      error = new CancelledError(`cancelled before ${step.title.toLowerCase()}`);
      break;
    }
    started.push(i);
    const t0 = now();
    report.info(`${prefix}.step.start`, step.title, { step: step.name, index: i, total: steps.length });
    const deadlineMs = step.deadlineMs === undefined ? undefined : (o.scaleDeadline ?? ((ms) => ms))(step.deadlineMs);
    const timeLeft = () => (deadlineMs === undefined ? Infinity : deadlineMs - (now() - t0));
    const overrun = new AbortController();
    try {
      const running = step.run(state, {
        ...extra,
        signal: deadlineMs === undefined ? signal : AbortSignal.any([signal, overrun.signal]),
        step: step.name,
        outcome: undefined,
        timeLeft,
      });
      await withinLimit(running, deadlineMs === undefined ? undefined : deadlineMs + (o.deadlineGraceMs ?? 0), () => {
        overrun.abort();
        return new StepError(step.name, `${step.title.toLowerCase()} did not finish within its deadline (${Math.round(deadlineMs! / 1000)} s)`, {
          hint: 'Raise the deadline for this phase (deadlines.*) if the work is just slow.',
        });
      });
      rec.status = 'ok';
      rec.durationMs = now() - t0;
      report.info(`${prefix}.step.ok`, `${step.title}: done`, { step: step.name, durationMs: rec.durationMs });
    } catch (err) {
      rec.durationMs = now() - t0;
      const cancelled = !overrun.signal.aborted && (signal.aborted || err instanceof CancelledError);
      rec.status = cancelled ? 'cancelled' : 'failed';
      outcome = cancelled ? 'cancelled' : 'failed';
      error = cancelled && !(err instanceof CancelledError) ? new CancelledError(`cancelled during ${step.title.toLowerCase()}`, { cause: err }) : err;
      failedStep = step.name;
      rec.error = asWinamiError(error).message;
      report.error(`${prefix}.step.${rec.status}`, `${step.title}: ${rec.error}`, { step: step.name, durationMs: rec.durationMs });
      break;
    }
  }

  const cleanupErrors: { step: string; error: unknown }[] = [];
  for (const i of [...started].reverse()) {
    const step = steps[i]!;
    if (!step.cleanup) continue;
    const rec = records[i]!;
    const t0 = now();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timed-out'>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve('timed-out');
      }, o.cleanupDeadlineMs);
    });
    try {
      const cleaned = step.cleanup(state, { ...extra, signal: controller.signal, step: step.name, outcome, timeLeft: () => Infinity });
      const winner = await Promise.race([cleaned.then(() => 'ok' as const), deadline]);
      if (winner === 'timed-out') {
        cleaned.catch(() => undefined);
        rec.cleanup = { status: 'timed-out', durationMs: now() - t0, error: `cleanup did not finish within ${Math.round(o.cleanupDeadlineMs / 1000)} s` };
        cleanupErrors.push({ step: step.name, error: new Error(rec.cleanup.error) });
        report.warn(`${prefix}.cleanup.timeout`, `${step.title}: ${rec.cleanup.error}`, { step: step.name });
      } else {
        rec.cleanup = { status: 'ok', durationMs: now() - t0 };
      }
    } catch (err) {
      rec.cleanup = { status: 'failed', durationMs: now() - t0, error: asWinamiError(err).message };
      cleanupErrors.push({ step: step.name, error: err });
      report.warn(`${prefix}.cleanup.failed`, `${step.title}: cleanup failed: ${rec.cleanup.error}`, { step: step.name });
    } finally {
      clearTimeout(timer);
    }
  }

  const leftBehind = o.leftBehind ? o.leftBehind(state) : [];
  return { outcome, error, failedStep, steps: records, cleanupErrors, leftBehind };
}
