/** password-encoding: with `PlainText=false` the value must be base64 of UTF-16LE text. */
import { skipValueCheck } from '../placeholder.js';
import type { Rule, RuleFinding } from '../types.js';
import { atText, child, parseBoolean } from './util.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const passwordEncoding: Rule = (ctx) => {
  const out: RuleFinding[] = [];
  for (const s of ctx.unattend?.settings ?? []) {
    if (!s.spec?.password) continue;
    const value = child(s.el, 'Value');
    const plain = child(s.el, 'PlainText');
    if (!value || !plain || parseBoolean(plain.text) !== false || value.text === '') continue;
    if (skipValueCheck(value.text, ctx.options.allowPlaceholders)) continue;
    if (!BASE64.test(value.text)) {
      out.push(atText(value, `${s.path}/Value is not base64 although PlainText is false`, 'encode base64(UTF-16LE(password + suffix)), or set PlainText to true'));
    } else if (Buffer.from(value.text, 'base64').length % 2 !== 0) {
      out.push(atText(value, `${s.path}/Value decodes to an odd number of bytes, so it is not UTF-16LE text`, 'encode base64(UTF-16LE(password + suffix))'));
    }
  }
  return out;
};
