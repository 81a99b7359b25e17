/**
 * The library never prints. It reports coded events to a `Reporter` that the
 * caller injects; the CLI renders them as text, progress or JSON lines.
 */
import type { DataFor, EventCode } from './events.js';

export type Level = 'debug' | 'info' | 'warn' | 'error';

/** One event. `code` is stable (e.g. `bake.step.start`), listed in the registry (src/events.ts) and safe to match on. */
export interface WinamiEvent {
  code: EventCode;
  level: Level;
  message: string;
  data?: Record<string, unknown>;
  /** ISO-8601 time; filled in by the reporter if absent. */
  time?: string;
}

export interface Reporter {
  emit(event: WinamiEvent): void;
}

/** A reporter that drops everything; the default for library calls. */
export const silentReporter: Reporter = { emit() {} };

/** A reporter that keeps events in memory, for tests and for building results. */
export class MemoryReporter implements Reporter {
  readonly events: WinamiEvent[] = [];
  emit(event: WinamiEvent): void {
    this.events.push({ ...event, time: event.time ?? new Date().toISOString() });
  }
  codes(): EventCode[] {
    return this.events.map((e) => e.code);
  }
}

/** Convenience wrappers so call sites read `report.info(code, message, data)`. */
export function reportTo(reporter: Reporter) {
  // Only a code in the registry (src/events.ts), with its payload type (none for a code registered as `undefined`).
  const at =
    (level: Level) =>
    <C extends EventCode>(code: C, message: string, ...[data]: DataFor<C> extends undefined ? [] : [data: DataFor<C>]): void =>
      reporter.emit(data === undefined ? { code, level, message } : { code, level, message, data: data as Record<string, unknown> });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
