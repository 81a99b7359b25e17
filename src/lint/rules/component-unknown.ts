/**
 * component-unknown: a component that is not in Microsoft's Unattended
 * Windows Setup Reference. winami's knowledge base models every component
 * of the reference, so any other name is a mistake Setup skips without a
 * word: a misspelling (the nearest known name is suggested), a slip of case,
 * or a component the reference lists as removed (a warning, with what
 * replaces it).
 */
import { UNATTEND_COMPONENTS, referenceComponentName, removedComponent } from '../../knowledge/unattend/index.js';
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
    const name = a.value;
    const removed = removedComponent(name);
    const reference = referenceComponentName(name);
    if (removed) {
      out.push({
        ...atAttribute(a, `Component ${q(name)} is not in the current Unattended Windows Setup Reference (${removed.why}); Setup skips it`),
        severity: 'warning',
      });
    } else if (reference !== undefined) {
      out.push(atAttribute(a, `Component ${q(name)} differs only in case from the reference's ${q(reference)}`, `write \`${reference}\``));
    } else {
      out.push(
        atAttribute(
          a,
          `Component ${q(name)} is not in Microsoft's Unattended Windows Setup Reference; Setup skips an unknown component without a word`,
          didYouMean(name, NAMES),
        ),
      );
    }
  }
  return out;
};
