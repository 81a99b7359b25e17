/**
 * Typed errors. Every error winami raises on purpose is a `WinamiError` with a
 * stable `code`, the process exit code it maps to, and a `hint` that tells the
 * user what to do next. The CLI maps errors to exit codes; library code never
 * calls `process.exit`.
 */

/** Process exit codes, documented in README.md. */
export const ExitCode = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  CONFIG: 3,
  VALIDATION: 4,
  AWS: 5,
  VERIFICATION: 6,
  BUILD: 7,
  PARTIAL: 8,
  FINDINGS: 9,
  PREFLIGHT: 10,
  CANCELLED: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Where in a file a problem is: 1-based line and column. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** One problem found in user input, reported together with the others. */
export interface Issue {
  /** Dotted path into the document, e.g. `builder.instanceType`. */
  path: string;
  message: string;
  hint?: string;
  position?: SourcePosition;
}

export interface WinamiErrorOptions {
  hint?: string;
  cause?: unknown;
  data?: Record<string, unknown>;
}

/** Base class of every error winami raises deliberately. */
export class WinamiError extends Error {
  readonly code: string;
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;
  readonly data: Record<string, unknown> | undefined;

  constructor(code: string, exitCode: ExitCodeValue, message: string, options: WinamiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    this.hint = options.hint;
    this.data = options.data;
  }
}

/** Wrong command-line usage (unknown flag, missing argument). */
export class UsageError extends WinamiError {
  constructor(message: string, options: WinamiErrorOptions = {}) {
    super('USAGE', ExitCode.USAGE, message, options);
  }
}

/** The config file is unreadable, malformed, or breaks the schema; carries every issue at once. */
export class ConfigError extends WinamiError {
  readonly issues: Issue[];
  constructor(message: string, issues: Issue[], options: WinamiErrorOptions = {}) {
    super('CONFIG', ExitCode.CONFIG, message, options);
    this.issues = issues;
  }
}

/** Something winami rendered (or was given to lint) failed validation. */
export class ValidationError extends WinamiError {
  readonly issues: Issue[];
  constructor(message: string, issues: Issue[], options: WinamiErrorOptions = {}) {
    super('VALIDATION', ExitCode.VALIDATION, message, options);
    this.issues = issues;
  }
}

/** An AWS call failed in a way retries did not fix. Names the call, the resource and, where known, the IAM action. */
export class AwsError extends WinamiError {
  readonly operation: string;
  readonly awsCode: string | undefined;
  readonly resource: string | undefined;
  readonly iamAction: string | undefined;
  constructor(operation: string, message: string, details: { awsCode?: string; resource?: string; iamAction?: string } & WinamiErrorOptions = {}) {
    super('AWS', ExitCode.AWS, message, details);
    this.operation = operation;
    this.awsCode = details.awsCode;
    this.resource = details.resource;
    this.iamAction = details.iamAction;
  }
}

/** One problem the bake's preflight found before creating anything. */
export interface PreflightProblem {
  check: string;
  message: string;
  hint: string;
  region?: string;
  path?: string;
}

/**
 * The preflight found problems that would make the bake fail: nothing was
 * created. Carries every problem at once (and, as `issues`, each with its
 * config path), each with its fix.
 */
export class PreflightError extends WinamiError {
  readonly problems: PreflightProblem[];
  readonly issues: Issue[];
  constructor(problems: PreflightProblem[], options: WinamiErrorOptions = {}) {
    const list = problems.map((p) => `  - ${p.message}\n    fix: ${p.hint}`).join('\n');
    super('PREFLIGHT', ExitCode.PREFLIGHT, `preflight found ${problems.length} problem${problems.length === 1 ? '' : 's'}, so nothing was created:\n${list}`, {
      hint: 'Fix each problem as it says, then run `winami bake --dry-run` to check again without creating anything.',
      ...options,
    });
    this.problems = problems;
    this.issues = problems.map((p) => ({ path: p.path ?? '', message: p.message, hint: p.hint }));
  }
}

/** An image's billing fields (or another post-build check) came out wrong. */
export class VerificationError extends WinamiError {
  constructor(message: string, options: WinamiErrorOptions = {}) {
    super('VERIFICATION', ExitCode.VERIFICATION, message, options);
  }
}

/** A build step failed on the instance (customization, sysprep, smoke test). */
export class StepError extends WinamiError {
  readonly step: string;
  constructor(step: string, message: string, options: WinamiErrorOptions = {}) {
    super('BUILD', ExitCode.BUILD, message, options);
    this.step = step;
  }
}

/**
 * The builder still holds secret tokens after resolveSecrets (a slot left
 * unfilled, or a token in a delivered file): the image would carry them, so
 * the bake stops before sealing. `data` has counts and paths, never a value.
 */
export class SecretsNotResolvedError extends StepError {
  constructor(message: string, options: WinamiErrorOptions = {}) {
    super('resolveSecrets', message, options);
  }
}

/** The user cancelled (Ctrl-C, SIGTERM) or a deadline aborted the run. */
export class CancelledError extends WinamiError {
  constructor(message = 'cancelled', options: WinamiErrorOptions = {}) {
    super('CANCELLED', ExitCode.CANCELLED, message, options);
  }
}

/** Turn anything thrown into a WinamiError, keeping the original as `cause`. */
export function asWinamiError(err: unknown): WinamiError {
  if (err instanceof WinamiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new WinamiError('INTERNAL', ExitCode.INTERNAL, message, {
    cause: err,
    hint: 'This is a bug in winami; please report it with the command you ran.',
  });
}

/** Format issues as `file:line:col path: message (hint)` lines. */
export function formatIssues(issues: readonly Issue[]): string {
  return issues
    .map((i) => {
      const where = i.position ? `${i.position.file}:${i.position.line}:${i.position.column} ` : '';
      const path = i.path ? `${i.path}: ` : '';
      const hint = i.hint ? ` (${i.hint})` : '';
      return `${where}${path}${i.message}${hint}`;
    })
    .join('\n');
}
