/** setting-pass: a setting with its own list of valid passes, used outside them. */
import type { Rule, RuleFinding } from '../types.js';
import { atElement, q } from './util.js';

export const settingPass: Rule = (ctx) => {
  const out: RuleFinding[] = [];
  for (const s of ctx.unattend?.settings ?? []) {
    const pass = s.component.pass;
    if (!s.spec?.passes || !pass.valid || pass.name === undefined) continue;
    if (!(s.spec.passes as readonly string[]).includes(pass.name)) {
      out.push(
        atElement(s.el, `Setting ${q(`${s.component.name ?? ''}/${s.path}`)} is not valid in the ${pass.name} pass`, `valid in: ${s.spec.passes.join(', ')}`),
      );
    }
  }
  return out;
};
