/** Template placeholders winami tolerates with `allowPlaceholders`. */

const PLACEHOLDER = /\{\{[\s\S]*?\}\}|\$\{[^}]*\}|@@WINAMI_SECRET:[A-Za-z0-9_.\-/]+@@/;

/** True when `value` holds `{{...}}`, `${...}` or `@@WINAMI_SECRET:name@@`. */
export function hasPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value);
}

/** True when placeholders are allowed and `value` holds one: skip type checks. */
export function skipValueCheck(value: string, allowPlaceholders: boolean | undefined): boolean {
  return Boolean(allowPlaceholders) && hasPlaceholder(value);
}
