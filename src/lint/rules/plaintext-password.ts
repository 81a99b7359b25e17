/** plaintext-password: a `Value`/`PlainText` password left readable. */
import { skipValueCheck } from '../placeholder.js';
import type { Rule, RuleFinding } from '../types.js';
import { atElement, child, parseBoolean, q } from './util.js';

export const plaintextPassword: Rule = (ctx) => {
  const out: RuleFinding[] = [];
  for (const s of ctx.unattend?.settings ?? []) {
    if (!s.spec?.password) continue;
    const value = child(s.el, 'Value');
    const plain = child(s.el, 'PlainText');
    if (!value || value.text === '' || skipValueCheck(value.text, ctx.options.allowPlaceholders)) continue;
    if (plain && parseBoolean(plain.text) === false) continue;
    out.push(
      atElement(
        value,
        `${q(`${s.component.name ?? ''}/${s.path}`)} is a plain-text password`,
        'render it at build time from a secret reference, or hide it with PlainText=false (base64 of UTF-16LE password + suffix; obfuscation, not encryption)',
      ),
    );
  }
  return out;
};
