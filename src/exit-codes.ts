/**
 * What each exit code means, in one place: the `--help` epilogue is built
 * from it, README.md's "Exit codes" table lists it, and the exit-code tables
 * in docs/*.md start each row with its name (test/unit/docs/exit-codes.test.ts
 * checks all three against `ExitCode`).
 */
import type { ExitCodeValue } from './errors.js';

/** Each exit code's short name, as the docs' tables begin their rows. */
export const EXIT_CODE_NAMES = {
  0: 'ok',
  1: 'internal error',
  2: 'usage error',
  3: 'config error',
  4: 'validation error',
  5: 'AWS error',
  6: 'verification failure',
  7: 'build step failed',
  8: 'partial',
  9: 'findings',
  10: 'preflight problems',
  130: 'cancelled',
} as const satisfies Record<ExitCodeValue, string>;
