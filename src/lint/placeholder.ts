/**
 * Template syntax winami tolerates with `allowPlaceholders`: Handlebars,
 * Mustache, Jinja/Go/Packer `{{…}}`, Jinja statements `{%…%}` and comments
 * `{#…#}`, `${…}` (Terraform, shell, PowerShell), `%{…}` (Terraform
 * directives, Puppet), `@@NAME@@` tokens (winami's `@@WINAMI_SECRET:name@@`
 * among them). A placeholder stands for any text; the literal text around it
 * is still checked, so a placeholder never hides a defect beside it.
 *
 * Templates filled by search and replace use bare upper-case words instead
 * (`<UserLocale>LOCALE</UserLocale>`, `<TimeZone>TIME_ZONE</TimeZone>`).
 * Such a word counts as a placeholder only as the whole value of a setting
 * whose real values are never one (booleans, integers, enumerations, locale
 * names, time-zone ids), and only when it is not a near miss of a real value
 * of that setting (`OTHER` for `Other`, `YES`, `EN_US`, `PST` stay defects).
 */

const PLACEHOLDER_SOURCE = String.raw`\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\}|\$\{[^}]*\}|%\{[^}]*\}|@@[A-Za-z_][A-Za-z0-9_.:/-]*@@`;
const PLACEHOLDER = new RegExp(PLACEHOLDER_SOURCE);

/** True when `value` holds template syntax of one of the recognised tools. */
export function hasPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value);
}

/** The literal parts of `value`, placeholders cut out. */
export function literalParts(value: string): string[] {
  return value.split(new RegExp(PLACEHOLDER_SOURCE, 'g'));
}

/** True when placeholders are allowed and `value` is nothing but placeholders (and blanks): nothing literal to check. */
export function skipValueCheck(value: string, allowPlaceholders: boolean | undefined): boolean {
  return Boolean(allowPlaceholders) && hasPlaceholder(value) && literalParts(value).join('').trim() === '';
}

/** True when placeholders are allowed and `value` holds one beside literal text: check it with `couldBe`. */
export function isPartialPlaceholder(value: string, allowPlaceholders: boolean | undefined): boolean {
  return Boolean(allowPlaceholders) && hasPlaceholder(value) && !skipValueCheck(value, allowPlaceholders);
}

/** A regular expression matching every value `value` can become once its placeholders are filled. */
export function placeholderPattern(value: string, flags = ''): RegExp {
  const parts = literalParts(value).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('[\\s\\S]*')}$`, flags);
}

/** True when one of `candidates` is a value `value` can become. */
export function couldBe(value: string, candidates: readonly string[], flags = ''): boolean {
  const re = placeholderPattern(value, flags);
  return candidates.some((c) => re.test(c));
}

/**
 * Jinja statements and comments (`{% … %}`, `{# … #}`) replaced by blanks of
 * the same length (line breaks kept), so a template parses as the XML it
 * renders to and every position stays where it was. Expressions `{{ … }}`
 * stay: they stand for values and are checked as placeholders.
 */
export function blankTemplateStatements(text: string): string {
  return text.replace(/\{%[\s\S]*?%\}|\{#[\s\S]*?#\}/g, (m) => m.replace(/[^\n]/g, ' '));
}

/**
 * The `else` or `elif` of a template conditional: Jinja `{% else %}` and
 * `{% elif … %}`, Terraform `%{ else }` (with or without `~`), Handlebars and
 * Go `{{ else }}` and `{{ else if … }}`.
 */
const TEMPLATE_ELSE = /\{%-?\s*(?:else|elif)\b[\s\S]*?%\}|%\{~?\s*else\s*~?\}|\{\{-?\s*else\b[\s\S]*?\}\}/;

/**
 * True when placeholders are allowed and the template text between offsets
 * `from` and `to` holds an `else` branch: two elements on either side of it
 * are alternatives, and only one of them is ever rendered.
 */
export function alternativeBranches(text: string, from: number, to: number, allowPlaceholders: boolean | undefined): boolean {
  return Boolean(allowPlaceholders) && from < to && TEMPLATE_ELSE.test(text.slice(from, to));
}

/** A bare upper-case placeholder word: LOCALE, TIME_ZONE, LOGON_COUNT (at least four letters). */
const BARE_TOKEN = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
/** Words people write for booleans that Setup does not read as one (and those it does). */
const BOOLEAN_WORDS = new Set(['true', 'false', 'yes', 'no', 'on', 'off', 'enabled', 'disabled', 'enable', 'disable']);

/**
 * True when placeholders are allowed and `value` is a bare upper-case
 * placeholder word that `looksLikeValue` does not take for a (misspelled)
 * value of the setting. Callers pass it only where a setting's value is
 * expected, never for names, attributes or container text.
 */
export function isBarePlaceholder(value: string, allowPlaceholders: boolean | undefined, looksLikeValue: (upper: string) => boolean = () => false): boolean {
  if (!allowPlaceholders || !BARE_TOKEN.test(value) || value.replace(/[^A-Z]/g, '').length < 4) return false;
  if (BOOLEAN_WORDS.has(value.toLowerCase())) return false;
  return !looksLikeValue(value);
}

/** True when `upper` is one of `values` but for case, underscores, hyphens and spaces. */
export function sameWord(upper: string, values: readonly string[]): boolean {
  const norm = (x: string) => x.toLowerCase().replace(/[-_ ]/g, '');
  const u = norm(upper);
  return values.some((v) => norm(v) === u);
}
