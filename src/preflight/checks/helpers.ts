/** Shared shapes for the preflight checks. */
import type { Finding, Lookup } from '../types.js';

/** A problem: the bake would fail on it, so it stops before anything is created. */
export function problem(check: string, message: string, hint: string, extra: Pick<Finding, 'region' | 'path'> = {}): Finding {
  return { check, level: 'problem', message, hint, ...extra };
}

/** A warning: reported, and the bake goes on. */
export function warning(check: string, message: string, hint: string, extra: Pick<Finding, 'region' | 'path'> = {}): Finding {
  return { check, level: 'warning', message, hint, ...extra };
}

/** The "could not check" warning for a lookup that failed. */
export function couldNotCheck(check: string, what: string, failed: Extract<Lookup<unknown>, { ok: false }>, region?: string): Finding {
  const why = failed.denied ? `missing ${failed.action}` : failed.message;
  return warning(
    check,
    `could not check ${what} (${why})`,
    failed.denied
      ? `Grant ${failed.action} to the caller (see \`winami iam-policy\`) to have it checked before anything is created; the bake goes on without it.`
      : 'The bake goes on without this check.',
    region === undefined ? {} : { region },
  );
}
