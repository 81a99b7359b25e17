/**
 * The CLI's last line of defence for the terminal: every string written to
 * stdout or stderr has its control and bidi characters shown as visible
 * `\uXXXX` (src/util/visible-text.ts), whichever command wrote it and from
 * whatever AWS returned. In JSON output such characters can only sit inside
 * strings, so the same rewrite is a lossless JSON escape there. The bake's
 * progress display draws with ESC sequences of its own and writes through
 * `rawStderr`, escaping what it shows itself.
 */
import { visibleText } from '../util/visible-text.js';

type Write = typeof process.stdout.write;

let rawStderrWrite: Write | undefined;
let bypass = 0;

function guard(stream: NodeJS.WriteStream): Write {
  const write = stream.write.bind(stream) as Write;
  stream.write = ((chunk: unknown, ...rest: unknown[]) =>
    (write as (c: unknown, ...r: unknown[]) => boolean)(typeof chunk === 'string' && bypass === 0 ? visibleText(chunk) : chunk, ...rest)) as Write;
  return write;
}

/**
 * Run `fn` with the guard off, for a terminal dialogue whose own escape
 * sequences must pass (readline's line editing in a confirmation prompt).
 * The caller makes any quoted text visible itself.
 */
export async function withRawOutput<T>(fn: () => Promise<T>): Promise<T> {
  bypass++;
  try {
    return await fn();
  } finally {
    bypass--;
  }
}

/** Guard process.stdout and process.stderr (once per process). */
export function guardOutput(): void {
  if (rawStderrWrite) return;
  guard(process.stdout);
  rawStderrWrite = guard(process.stderr);
}

/** stderr without the guard, for the progress display's own cursor movements. */
export const rawStderr: Pick<NodeJS.WritableStream, 'write'> = {
  write: (s: string | Uint8Array) => (rawStderrWrite ?? (process.stderr.write.bind(process.stderr) as Write))(s),
};
