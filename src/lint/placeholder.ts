/**
 * Template syntax winami tolerates with `allowPlaceholders`: Handlebars,
 * Mustache, Jinja/Go/Packer `{{…}}`, Jinja statements `{%…%}` and comments
 * `{#…#}`, `${…}` (Terraform, shell, PowerShell), `%{…}` (Terraform
 * directives, Puppet), `@@NAME@@` tokens (winami's `@@WINAMI_SECRET:name@@`
 * among them). A placeholder stands for any text; the literal text around it
 * is still checked, so a placeholder never hides a defect beside it.
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
