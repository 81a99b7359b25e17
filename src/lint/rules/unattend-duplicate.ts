/** unattend-duplicate: a pass once, a component once per pass, a setting once per parent. */
import type { Rule, RuleFinding } from '../types.js';
import { isInlineList } from '../unattend-model.js';
import { attr } from '../xml.js';
import { atElement, q } from './util.js';

export const unattendDuplicate: Rule = (ctx) => {
  const m = ctx.unattend;
  if (!m) return [];
  const out: RuleFinding[] = [];
  const passes = new Map<string, number>();
  for (const p of m.passes) {
    if (p.name === undefined) continue;
    const seen = passes.get(p.name);
    if (seen !== undefined) out.push(atElement(p.el, `Pass ${q(p.name)} appears twice (first at line ${seen})`, 'merge the two <settings> elements'));
    else passes.set(p.name, p.el.line);
  }
  const components = new Map<string, number>();
  for (const c of m.components) {
    const key = `${c.pass.name ?? ''}|${c.name ?? ''}|${attr(c.el, 'processorArchitecture')?.value ?? ''}`;
    const seen = components.get(key);
    if (seen !== undefined)
      out.push(
        atElement(c.el, `Component ${q(c.name ?? '?')} appears twice in ${c.pass.name ?? 'this pass'} (first at line ${seen})`, 'merge the two components'),
      );
    else components.set(key, c.el.line);
  }
  const settings = new Map<string, number>();
  for (const s of m.settings) {
    if (!s.spec || !s.el.parent || isInlineList(s.spec)) continue;
    const parent = s.el.parent;
    const key = `${parent.line}:${parent.column}/${s.el.localName}`;
    const seen = settings.get(key);
    if (seen !== undefined) out.push(atElement(s.el, `Setting ${q(s.path)} appears twice in the same parent (first at line ${seen})`, 'keep one'));
    else settings.set(key, s.el.line);
  }
  return out;
};
