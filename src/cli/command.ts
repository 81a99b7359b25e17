/**
 * The shape of one CLI command. `builder` declares options as data; `run`
 * imports the library lazily, calls it, renders the result and returns the
 * exit code. Errors thrown from `run` are rendered by `runCommand`.
 */
import type { Argv } from 'yargs';
import { asWinamiError, formatIssues, ConfigError, ValidationError, ExitCode } from '../errors.js';
import { safeJson, visibleText } from '../util/visible-text.js';

export interface CliCommand {
  command: string | string[];
  describe: string;
  builder: (y: Argv) => Argv;
  run: (args: Record<string, unknown>) => Promise<number>;
}

/** Options shared by every command. */
export function commonOptions(y: Argv): Argv {
  return y
    .option('json', { type: 'boolean', default: false, describe: 'Machine-readable output: one JSON object (or one JSON event per line while running)' })
    .option('quiet', { type: 'boolean', default: false, describe: 'Print only warnings and errors' });
}

/** `--allow-source-root` values: folders, one per flag (not comma-split: folder names may hold commas). */
export function sourceRoots(args: Record<string, unknown>): string[] {
  const v = args.allowSourceRoot;
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String).filter(Boolean);
}

/** The `--allow-source-root` option of the commands that read a config's local sources. */
export function sourceRootOption(y: Argv): Argv {
  return y.option('allow-source-root', {
    type: 'string',
    array: true,
    describe: "Also read script: and file: sources from this folder (repeatable); by default only the config's folder tree",
  });
}

/** Render an error to stderr (or as JSON to stdout) and return its exit code. */
export function renderError(err: unknown, json: boolean): number {
  const e = asWinamiError(err);
  const issues = e instanceof ConfigError || e instanceof ValidationError ? e.issues : [];
  if (json) {
    process.stdout.write(`${safeJson({ ok: false, error: { code: e.code, exitCode: e.exitCode, message: e.message, hint: e.hint, issues, data: e.data } })}\n`);
  } else {
    // Messages quote what users and AWS wrote; control characters are shown, never sent to the terminal.
    process.stderr.write(`winami: ${visibleText(e.message)}\n`);
    if (issues.length) process.stderr.write(`${visibleText(formatIssues(issues)).replace(/^/gm, '  ')}\n`);
    if (e.hint) process.stderr.write(`hint: ${visibleText(e.hint)}\n`);
    if (e.exitCode === ExitCode.INTERNAL && e.cause instanceof Error && e.cause.stack) process.stderr.write(`${visibleText(e.cause.stack)}\n`);
  }
  return e.exitCode;
}

/** Run a command body, mapping any thrown error to its exit code. */
export async function runCommand(args: Record<string, unknown>, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    return renderError(err, Boolean(args.json));
  }
}
