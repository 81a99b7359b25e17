/** deprecated-setting: settings and components the reference deprecates or no longer lists. */
import type { Rule, RuleFinding } from '../types.js';
import { atElement, q } from './util.js';

export const deprecatedSetting: Rule = (ctx) => {
  const out: RuleFinding[] = [];
  for (const s of ctx.unattend?.settings ?? []) {
    if (s.spec?.deprecated) out.push(atElement(s.el, `${q(`${s.component.name ?? ''}/${s.path}`)} is deprecated: ${s.spec.deprecated}`, 'remove it'));
  }
  for (const c of ctx.unattend?.components ?? []) {
    if (c.spec?.deprecated) out.push(atElement(c.el, `Component ${q(c.spec.name)} is deprecated: ${c.spec.deprecated}`));
  }
  return out;
};
