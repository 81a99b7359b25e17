/** computer-name: at most 15 characters, no forbidden characters, not all digits; `*` or empty means random. */
import { skipValueCheck } from '../placeholder.js';
import type { Rule, RuleFinding } from '../types.js';
import { atText, q } from './util.js';

const FORBIDDEN = /[\s{|}~[\\\]^':;<=>?@!"#$%`()+/.,*&]/;

export const computerName: Rule = (ctx) => {
  const out: RuleFinding[] = [];
  for (const s of ctx.unattend?.settings ?? []) {
    if (s.spec?.name !== 'ComputerName' || s.component.name !== 'Microsoft-Windows-Shell-Setup') continue;
    const v = s.el.text;
    if (v === '' || v === '*' || skipValueCheck(v, ctx.options.allowPlaceholders)) continue;
    const bytes = Buffer.byteLength(v, 'utf8');
    if (bytes > 15) out.push(atText(s.el, `ComputerName ${q(v)} is ${bytes} bytes; the limit is 15`, 'shorten it, or use * for a random name'));
    const bad = FORBIDDEN.exec(v);
    if (bad) out.push(atText(s.el, `ComputerName ${q(v)} contains ${q(bad[0])}, which is not allowed`, 'use letters, digits and hyphens'));
    if (/^\d+$/.test(v)) out.push(atText(s.el, `ComputerName ${q(v)} is all digits, which DNS validation rejects`, 'add a letter'));
  }
  return out;
};
