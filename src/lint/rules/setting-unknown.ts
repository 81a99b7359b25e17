/** setting-unknown: an element that is not a setting of its component at that place (or has the wrong case). */
import type { Rule, RuleFinding } from '../types.js';
import { atElement, q } from './util.js';

export const settingUnknown: Rule = (ctx) => {
  const out: RuleFinding[] = [];
  for (const s of ctx.unattend?.settings ?? []) {
    const p = s.problem;
    if (!p || s.foreign) continue;
    const where = `${s.component.name ?? '?'}${s.path.includes('/') ? `/${s.path.slice(0, s.path.lastIndexOf('/'))}` : ''}`;
    if (p.kind === 'case') {
      out.push(atElement(s.el, `Setting <${s.el.name}> has the wrong case; names are case-sensitive`, `did you mean \`${p.expected ?? ''}\`?`));
    } else {
      const hint =
        p.expected !== undefined
          ? `did you mean \`${p.expected}\`?`
          : p.candidates.length
            ? `${where} has: ${p.candidates.slice(0, 12).join(', ')}${p.candidates.length > 12 ? ', ...' : ''}`
            : undefined;
      out.push(atElement(s.el, `Unknown setting ${q(s.el.name)} in ${q(where)}`, hint));
    }
  }
  return out;
};
