/**
 * A small poller shaped like Smithy's waiters: an `acceptor` classifies each
 * observation as success, failure or retry; delays grow from `minDelayMs` to
 * `maxDelayMs` with jitter; the deadline error says what it kept seeing.
 *
 * Use the SDK's own waiters where one exists; this is for waits the SDK has no
 * waiter for (SSM agent online, a command finished, sysprep done).
 */
import { CancelledError, WinamiError, ExitCode } from '../errors.js';
import { isEventuallyConsistent, isThrottling } from './errors.js';

export type Verdict<T> =
  | { state: 'success'; value: T }
  | { state: 'failure'; reason: string }
  /** `etaMs`: what the observation says about the time left (snapshot progress, an instance already `stopping`). */
  | { state: 'retry'; observed: string; etaMs?: number };

export interface PollOptions<T> {
  /** What is being waited for, for messages: "SSM agent on i-123 to be Online". */
  what: string;
  /**
   * One observation; errors the table calls transient (throttling, eventual
   * consistency) are retried. `signal` aborts when the deadline passes (or
   * `abortSignal` does): pass it to the call, so a call still in flight then
   * is abandoned instead of holding the wait.
   */
  probe: (signal: AbortSignal) => Promise<T>;
  acceptor: (observation: T) => Verdict<T>;
  timeoutMs: number;
  minDelayMs: number;
  maxDelayMs: number;
  /**
   * When the thing usually completes, in ms from the start. Before it the
   * poller waits near that time; around it, it polls at `minDelayMs`.
   */
  expectedMs?: number;
  /** Wait this long before the first probe, when an answer sooner is impossible (a command just sent, an instance just launched). Default 0. */
  initialDelayMs?: number;
  abortSignal?: AbortSignal;
  /** Injected clock and sleep, for tests. */
  clock?: { now(): number; sleep(ms: number, signal?: AbortSignal): Promise<void> };
  onObservation?: (observed: string, attempt: number) => void;
}

/** Timed out: carries what was seen last. */
export class PollTimeoutError extends WinamiError {
  readonly lastObserved: string;
  constructor(what: string, timeoutMs: number, lastObserved: string, attempts: number) {
    super(
      'POLL_TIMEOUT',
      ExitCode.BUILD,
      `timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}; after ${attempts} checks it was still: ${lastObserved}`,
      { hint: 'Raise the deadline for this phase in the config (deadlines.*) if the work is just slow.' },
    );
    this.lastObserved = lastObserved;
  }
}

/** Failed: the acceptor saw a terminal failure state. */
export class PollFailureError extends WinamiError {
  constructor(what: string, reason: string) {
    super('POLL_FAILURE', ExitCode.BUILD, `gave up waiting for ${what}: ${reason}`);
  }
}

export const realClock = {
  now: () => Date.now(),
  sleep: (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new CancelledError());
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(new CancelledError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * Next delay. Without `expectedMs`: exponential with full jitter between min
 * and the cap. With it: before the expected time, head for it, but never sleep
 * longer than a quarter of the time already waited (so a phase far quicker
 * than expected is seen within about a quarter of its duration, not one
 * `maxDelayMs` late, at a cost of a few checks more);
 * around it, poll at `minDelayMs`; well after it, back off again. An `etaMs`
 * from the last observation wins over both.
 */
export function nextDelay(
  attempt: number,
  elapsedMs: number,
  o: Pick<PollOptions<unknown>, 'minDelayMs' | 'maxDelayMs' | 'expectedMs'>,
  random = Math.random,
  etaMs?: number,
): number {
  const clamp = (ms: number) => Math.max(o.minDelayMs, Math.min(o.maxDelayMs, ms));
  if (etaMs !== undefined) return clamp(etaMs);
  const cap = Math.min(o.maxDelayMs, o.minDelayMs * 2 ** Math.max(0, attempt - 1));
  const backoff = o.minDelayMs + random() * (cap - o.minDelayMs);
  if (o.expectedMs === undefined) return clamp(backoff);
  const untilExpected = o.expectedMs - elapsedMs;
  if (untilExpected > o.minDelayMs) return clamp(Math.min(untilExpected * 0.8, elapsedMs / 4));
  if (untilExpected > -o.expectedMs) return o.minDelayMs;
  return clamp(backoff);
}

/**
 * Poll until the acceptor says success (returns the value) or failure
 * (throws), or the deadline passes (throws), whatever the network does: on
 * the real clock, a probe still in flight at the deadline is aborted through
 * its signal and not waited for.
 */
export async function pollUntil<T>(o: PollOptions<T>): Promise<T> {
  const clock = o.clock ?? realClock;
  const start = clock.now();
  let attempt = 0;
  let lastObserved = 'nothing yet';
  let etaMs: number | undefined;
  // Aborted at the deadline or when the caller aborts. An injected clock's time is not the network's: only the real one arms the timer.
  const deadline = new AbortController();
  const onOuter = () => deadline.abort();
  if (o.abortSignal?.aborted) deadline.abort();
  o.abortSignal?.addEventListener('abort', onOuter, { once: true });
  const timer = clock === realClock ? setTimeout(() => deadline.abort(), o.timeoutMs) : undefined;
  try {
    if (o.initialDelayMs) await clock.sleep(Math.min(o.initialDelayMs, o.timeoutMs), o.abortSignal);
    for (;;) {
      if (o.abortSignal?.aborted) throw new CancelledError(`cancelled while waiting for ${o.what}`);
      attempt++;
      try {
        let observation: T;
        try {
          observation = await untilAborted(o.probe(deadline.signal), deadline.signal);
        } catch (err) {
          if (o.abortSignal?.aborted) throw new CancelledError(`cancelled while waiting for ${o.what}`);
          if (deadline.signal.aborted)
            throw new PollTimeoutError(o.what, o.timeoutMs, `${lastObserved}; the last check got no answer before the deadline`, attempt);
          throw err;
        }
        const verdict = o.acceptor(observation);
        if (verdict.state === 'success') return verdict.value;
        if (verdict.state === 'failure') throw new PollFailureError(o.what, verdict.reason);
        lastObserved = verdict.observed;
        etaMs = verdict.etaMs;
      } catch (err) {
        if (!(isThrottling(err) || isEventuallyConsistent(err))) throw err;
        lastObserved = `${(err as Error).name}: ${(err as Error).message}`;
        etaMs = undefined;
      }
      o.onObservation?.(lastObserved, attempt);
      const elapsed = clock.now() - start;
      const delay = nextDelay(attempt, elapsed, o, Math.random, etaMs);
      if (elapsed + delay > o.timeoutMs) throw new PollTimeoutError(o.what, o.timeoutMs, lastObserved, attempt);
      await clock.sleep(delay, o.abortSignal);
    }
  } finally {
    clearTimeout(timer);
    o.abortSignal?.removeEventListener('abort', onOuter);
  }
}

/** `p`, or a rejection as soon as `signal` aborts (a probe that ignores its signal is not waited for). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    p.catch(() => undefined);
    return Promise.reject(new Error('aborted'));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      p.catch(() => undefined);
      reject(new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (err: unknown) => (signal.removeEventListener('abort', onAbort), reject(err)),
    );
  });
}
