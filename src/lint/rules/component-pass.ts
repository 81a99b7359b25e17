/** component-pass: a known component only in a pass where one of its settings is valid. */
import { componentPasses } from '../../knowledge/unattend/index.js';
import type { Rule, RuleFinding } from '../types.js';
import { atElement, q } from './util.js';

export const componentPass: Rule = (ctx) => {
  const out: RuleFinding[] = [];
  for (const c of ctx.unattend?.components ?? []) {
    if (!c.spec || !c.pass.valid || c.pass.name === undefined) continue;
    const passes = componentPasses(c.spec);
    if (!(passes as string[]).includes(c.pass.name)) {
      out.push(
        atElement(c.el, `Component ${q(c.spec.name)} is not valid in the ${c.pass.name} pass`, `move it to ${passes.join(' or ')} (see ${c.spec.source})`),
      );
    }
  }
  return out;
};
