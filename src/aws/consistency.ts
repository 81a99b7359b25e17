/**
 * EC2's eventual consistency, for paths that must find what they just made.
 * "If you run a command to modify or describe the resource that you just
 * created, its ID might not have propagated throughout the system, and you
 * will get an error responding that the resource does not exist"; the advice
 * is to run the Describe again with exponential back-off (EC2 developer
 * guide, "Eventual consistency in the Amazon EC2 API"). A NotFound, or a
 * listing without the resource, within a grace after its creation is taken
 * for that lag: winami looks again until the grace has passed, and only then
 * concludes it is absent. The grace is real time, as EC2's lag is.
 */
import { realClock } from './poll-until.js';

/** The default grace, in real ms after a create call ended, during which "not found" is taken for EC2's lag. */
export const CONSISTENCY_GRACE_MS = 10_000;

/** The first pause between looks is this fraction of the grace; the pauses double from there. */
const FIRST_PAUSE_FRACTION = 1 / 16;
/** No pause shorter than this (ms). */
const MIN_PAUSE_MS = 25;

export interface LookOptions {
  /** Stop looking at this time (the clock's ms): the end of the grace. */
  until: number;
  signal?: AbortSignal | undefined;
  clock?: { now(): number; sleep(ms: number, signal?: AbortSignal): Promise<void> };
}

/**
 * `look()` until it returns something or `until` has passed; undefined when it
 * never did. The pauses double from a sixteenth of the time left, so a grace
 * costs about six looks however long it is.
 */
export async function lookWithinGrace<T>(look: () => Promise<T | undefined>, o: LookOptions): Promise<T | undefined> {
  const clock = o.clock ?? realClock;
  let pause = Math.max(MIN_PAUSE_MS, (o.until - clock.now()) * FIRST_PAUSE_FRACTION);
  for (;;) {
    const found = await look();
    if (found !== undefined) return found;
    const left = o.until - clock.now();
    // Also ends on an unknown end (NaN, e.g. a journal time that does not parse).
    if (!(left > 0)) return undefined;
    await clock.sleep(Math.min(pause, left), o.signal);
    pause *= 2;
  }
}
