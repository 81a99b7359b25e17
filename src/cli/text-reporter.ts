/**
 * The CLI's plain reporter: warnings and errors to stderr as text (info and
 * debug only with --verbose); with --json nothing is printed as text, and
 * long-running commands can stream every event as a JSON line instead.
 */
import type { Reporter, WinamiEvent } from '../reporter.js';
import { safeJson, visibleText } from '../util/visible-text.js';

export interface TextReporterOptions {
  json: boolean;
  quiet: boolean;
  /** Stream events as JSON lines on stdout (long-running commands). */
  streamJson?: boolean;
  verbose?: boolean;
}

export function textReporter(o: TextReporterOptions): Reporter {
  return {
    emit(event: WinamiEvent) {
      if (o.streamJson) {
        process.stdout.write(`${safeJson({ time: new Date().toISOString(), ...event })}\n`);
        return;
      }
      if (o.json) return;
      if (event.level === 'warn' || event.level === 'error') {
        if (!(o.quiet && event.level === 'warn')) process.stderr.write(`${event.level}: ${visibleText(event.message)}\n`);
      } else if (o.verbose) {
        process.stderr.write(`${visibleText(event.message)}\n`);
      }
    },
  };
}
