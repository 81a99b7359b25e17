/** unattend-duplicate: a pass once, a component once per pass, a setting once per parent. */
import { alternativeBranches } from '../placeholder.js';
import type { Rule, RuleFinding } from '../types.js';
import { isInlineList } from '../unattend-model.js';
import { attr, type XmlElement } from '../xml.js';
import { atElement, q } from './util.js';

export const unattendDuplicate: Rule = (ctx) => {
  const m = ctx.unattend;
  if (!m) return [];
  const out: RuleFinding[] = [];
  // Copies on either side of a template's else (`{% else %}`, `%{ else }`) are alternatives: one is rendered.
  const alternatives = (first: XmlElement, second: XmlElement) => alternativeBranches(ctx.text, first.end, second.start, ctx.options.allowPlaceholders);
  const passes = new Map<string, XmlElement>();
  for (const p of m.passes) {
    if (p.name === undefined) continue;
    const seen = passes.get(p.name);
    if (seen !== undefined && !alternatives(seen, p.el))
      out.push(atElement(p.el, `Pass ${q(p.name)} appears twice (first at line ${seen.line})`, 'merge the two <settings> elements'));
    else if (seen === undefined) passes.set(p.name, p.el);
  }
  const components = new Map<string, XmlElement>();
  for (const c of m.components) {
    const key = `${c.pass.name ?? ''}|${c.name ?? ''}|${attr(c.el, 'processorArchitecture')?.value ?? ''}`;
    const seen = components.get(key);
    if (seen !== undefined && !alternatives(seen, c.el))
      out.push(
        atElement(
          c.el,
          `Component ${q(c.name ?? '?')} appears twice in ${c.pass.name ?? 'this pass'} (first at line ${seen.line})`,
          'merge the two components',
        ),
      );
    else if (seen === undefined) components.set(key, c.el);
  }
  const settings = new Map<string, XmlElement>();
  for (const s of m.settings) {
    if (!s.spec || !s.el.parent || isInlineList(s.spec)) continue;
    const parent = s.el.parent;
    const key = `${parent.line}:${parent.column}/${s.el.localName}`;
    const seen = settings.get(key);
    if (seen !== undefined && !alternatives(seen, s.el))
      out.push(atElement(s.el, `Setting ${q(s.path)} appears twice in the same parent (first at line ${seen.line})`, 'keep one'));
    else if (seen === undefined) settings.set(key, s.el);
  }
  return out;
};
