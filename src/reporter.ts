/**
 * The library never prints. It reports coded events to a `Reporter` that the
 * caller injects; the CLI renders them as text, progress or JSON lines.
 */
import type { DataFor } from './events.js';

export type Level = 'debug' | 'info' | 'warn' | 'error';

/** One event. `code` is stable (e.g. `bake.step.start`) and safe to match on. */
export interface WinamiEvent {
  code: string;
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
  codes(): string[] {
    return this.events.map((e) => e.code);
  }
}

/** Convenience wrappers so call sites read `report.info(code, message, data)`. */
export function reportTo(reporter: Reporter) {
  // A code in the registry (src/events.ts) takes its payload type; any other code, any record.
  const at =
    (level: Level) =>
    <C extends string>(code: C, message: string, data?: DataFor<C>): void =>
      reporter.emit(data === undefined ? { code, level, message } : { code, level, message, data: data as Record<string, unknown> });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
