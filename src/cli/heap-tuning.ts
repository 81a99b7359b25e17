/**
 * V8's heap sizing for a long streaming run (`winami audit`). V8's defaults
 * suit programs that keep a lot: the young generation grows to 32 MiB and the
 * old generation is allowed to reach up to four times what survived the last
 * full collection before the next one. An audit keeps little (counts, ids)
 * but allocates a page of images after another, so with the defaults its peak
 * RSS was mostly garbage V8 had not yet collected. Two flags V8 reads at each
 * collection, set once the bundle is loaded (before, they would make V8
 * refuse the CLI's code cache, which records the flags it was made with):
 *
 * - `--heap-growing-percent`: the old generation grows to this much above
 *   what survived, instead of V8's factor of 1.1–4 chosen by allocation speed;
 * - `--semi-space-growth-factor=1` once the young generation has reached
 *   `youngGenerationMiB`: it stops growing there. It starts at 1–2 MiB; left
 *   there, every page of images would be copied out of it, and scavenges
 *   would cost more than they save.
 *
 * Nothing is changed when the user gave V8 heap flags of their own (in
 * NODE_OPTIONS or to node): theirs stand.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

export interface HeapTuning {
  /** The old generation's headroom above what survived the last full collection, in percent. */
  heapGrowingPercent: number;
  /** The young generation (both semi-spaces) stops growing at this size. */
  youngGenerationMiB: number;
}

/** For `winami audit`: measured in bench/audit.bench.ts (docs/audit.md). */
export const AUDIT_HEAP: HeapTuning = { heapGrowingPercent: 100, youngGenerationMiB: 8 };

const HEAP_FLAG =
  /--(?:max[-_]old[-_]space[-_]size|max[-_]semi[-_]space[-_]size|max[-_]heap[-_]size|heap[-_]growing[-_]percent|semi[-_]space[-_]growth[-_]factor)\b/;

/** Whether V8 heap flags were given to this process (node's own arguments or NODE_OPTIONS). */
export function heapFlagsGiven(execArgv: readonly string[] = process.execArgv, nodeOptions: string = process.env.NODE_OPTIONS ?? ''): boolean {
  return HEAP_FLAG.test([...execArgv, nodeOptions].join(' '));
}

/** The size of V8's young generation now, in bytes. */
export function youngGenerationBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

export interface HeapTuner {
  /** Whether the flags were set (false when the user gave heap flags). */
  readonly active: boolean;
  /** Stop the young generation's growth once it has reached its size; cheap, call it often (e.g. between pages). */
  check(): void;
  /** V8's defaults again, for a process that goes on after the audit. */
  restore(): void;
}

/** Tune V8's heap for a streaming run; call once the code is loaded. */
export function tuneHeap(t: HeapTuning = AUDIT_HEAP, given: boolean = heapFlagsGiven()): HeapTuner {
  if (given) return { active: false, check: () => {}, restore: () => {} };
  setFlagsFromString(`--heap-growing-percent=${t.heapGrowingPercent}`);
  let capped = false;
  const check = () => {
    if (capped || youngGenerationBytes() < t.youngGenerationMiB * 2 ** 20) return;
    capped = true;
    setFlagsFromString('--semi-space-growth-factor=1');
    clearInterval(timer);
  };
  // Between pages the audit calls check(); the timer covers the rest (start-up, listing accounts).
  const timer = setInterval(check, 5);
  timer.unref();
  check();
  return {
    active: true,
    check,
    restore() {
      clearInterval(timer);
      setFlagsFromString('--heap-growing-percent=0');
      setFlagsFromString('--semi-space-growth-factor=2');
    },
  };
}
