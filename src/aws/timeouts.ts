/**
 * Time limits on the network. Without them an endpoint that accepts a
 * connection and never answers (a blackholed route, a stuck proxy) holds a
 * call, and the step waiting on it, forever: the SDK's HTTP handler has no
 * timeout unless it is given one.
 */

/** Limits in milliseconds. */
export interface NetworkTimeouts {
  /** TCP (and TLS) connection set-up, per attempt (the SDK's `connectionTimeout`). */
  connectionMs: number;
  /** From sending a request to its answer, and the longest silence while reading it, per attempt (`requestTimeout`, `socketTimeout`). */
  requestMs: number;
  /** One port call, every retry included; past it the call is abandoned through its AbortSignal. */
  callMs: number;
}

/**
 * The defaults, and why:
 * - connection 5 s: a regional AWS endpoint (or a VPC endpoint) connects in
 *   well under a second, TLS included; five seconds covers a slow link or
 *   proxy, and a dead route is found before the SDK's retries run out.
 * - request 20 s: the slowest answers winami asks for are DescribeImages and
 *   DescribeSnapshots pages of 1,000 items, which take a few seconds; every
 *   other call answers in well under one. An attempt silent for 20 s is lost,
 *   and the SDK retries it as a transient `TimeoutError`.
 * - call 90 s: the SDK's own retries of throttled or failed attempts (8
 *   attempts, back-off capped at 20 s) fit well inside; a blackholed
 *   endpoint ends a call after four or five attempts, in a minute and a
 *   half, instead of the eight attempts' nearly 3 minutes.
 * Waits have their own deadlines on top (`pollUntil`), which abandon a call
 * in flight when they pass.
 */
export const NETWORK_TIMEOUTS: NetworkTimeouts = { connectionMs: 5_000, requestMs: 20_000, callMs: 90_000 };

/** A call got no usable answer within its deadline. */
export class CallTimeoutError extends Error {
  override readonly name = 'CallTimeout';
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs / 1000} s (retries included): the endpoint accepts connections but does not answer, or answers too slowly`);
  }
}

/**
 * Run `fn` with a signal that aborts when `outer` does or when `timeoutMs`
 * passes, whichever is first; the promise settles then even if `fn` ignores
 * the signal (the SDK does not look at it while it sleeps between retries).
 * A timeout rejects with `CallTimeoutError`; an outer abort with what `fn`
 * rejects with, or an AbortError.
 */
export function withCallDeadline<T>(timeoutMs: number, outer: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const abortError = () => Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
    if (outer?.aborted) return reject(abortError());
    const timer = setTimeout(() => {
      controller.abort();
      finish(() => reject(new CallTimeoutError(timeoutMs)));
    }, timeoutMs);
    const onOuter = () => {
      controller.abort();
      finish(() => reject(abortError()));
    };
    outer?.addEventListener('abort', onOuter, { once: true });
    let done = false;
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
      settle();
    };
    fn(controller.signal).then(
      (v) => finish(() => resolve(v)),
      (err: unknown) => finish(() => reject(err)),
    );
  });
}
