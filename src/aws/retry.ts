/**
 * Retry a call past the SDK's own attempts, until a deadline, for work that
 * must not give up at the first storm: discarding a bad image, cleaning up a
 * build. The SDK makes 8 attempts over about 15 s; a throttling storm on an
 * account running many builds lasts longer, and a cleanup that gives up then
 * leaves resources behind. Only errors that say "try again later" are retried
 * (throttling, 5xx, no answer in time); anything else is thrown at once.
 */
import { CancelledError } from '../errors.js';
import { awsErrorCode, isThrottling } from './errors.js';
import { realClock } from './poll-until.js';

/** Codes that mean the service, not the request, failed: worth another round. */
const SERVER_SIDE_CODES: ReadonlySet<string> = new Set([
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
  'Unavailable',
  'CallTimeout',
  'TimeoutError',
  'ETIMEDOUT',
  'ECONNRESET',
]);

/** True for errors a later attempt may not meet. */
export function isRetryableLater(err: unknown): boolean {
  if (isThrottling(err)) return true;
  const code = awsErrorCode(err);
  if (code !== undefined && SERVER_SIDE_CODES.has(code)) return true;
  const status = (err as { cause?: { $metadata?: { httpStatusCode?: number } } })?.cause?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 500;
}

export interface RetryOptions {
  /** Give up after this long (ms from the first attempt), with the last error. */
  deadlineMs: number;
  /** Aborting stops at once with a `CancelledError`. */
  signal?: AbortSignal | undefined;
  /** First pause between rounds; doubles up to 16 times this, with jitter. Default 1 s. */
  minDelayMs?: number;
  clock?: { now(): number; sleep(ms: number, signal?: AbortSignal): Promise<void> };
  /** Called before each pause, for reporting. */
  onRetry?: (err: unknown, attempt: number) => void;
}

/**
 * The pause before round `attempt + 1` of a retry or re-check loop: doubling
 * from `minMs` up to `maxMs` (reached at the 5th round at most), with full
 * jitter above `minMs` so loops started together do not stay in step.
 */
export function backoffDelay(attempt: number, minMs: number, maxMs: number): number {
  const cap = Math.min(maxMs, minMs * 2 ** Math.min(attempt - 1, 4));
  return minMs + Math.random() * (cap - minMs);
}

/** `fn()`, retried while it fails with `isRetryableLater` errors and the deadline has not passed. */
export async function retryLater<T>(fn: () => Promise<T>, o: RetryOptions): Promise<T> {
  const clock = o.clock ?? realClock;
  const start = clock.now();
  const min = o.minDelayMs ?? 1_000;
  for (let attempt = 1; ; attempt++) {
    if (o.signal?.aborted) throw new CancelledError('cancelled');
    try {
      return await fn();
    } catch (err) {
      if (!isRetryableLater(err) || o.signal?.aborted) throw err;
      const delay = backoffDelay(attempt, min, min * 16);
      if (clock.now() - start + delay > o.deadlineMs) throw err;
      o.onRetry?.(err, attempt);
      await clock.sleep(delay, o.signal);
    }
  }
}
