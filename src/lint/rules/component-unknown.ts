/** component-unknown: a component the knowledge base does not have (its settings go unchecked). */
import { UNATTEND_COMPONENTS } from '../../knowledge/unattend/index.js';
import { didYouMean } from '../suggest.js';
import type { Rule, RuleFinding } from '../types.js';
import { attr } from '../xml.js';
import { atAttribute, q } from './util.js';

const NAMES = UNATTEND_COMPONENTS.map((c) => c.name);

export const componentUnknown: Rule = (ctx) => {
  const out: RuleFinding[] = [];
  for (const c of ctx.unattend?.components ?? []) {
    const a = attr(c.el, 'name');
    if (!a || c.spec) continue;
    out.push(atAttribute(a, `Component ${q(a.value)} is not in winami's knowledge base; its settings are not checked`, didYouMean(a.value, NAMES)));
  }
  return out;
};
