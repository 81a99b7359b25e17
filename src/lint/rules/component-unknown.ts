/**
 * component-unknown: a component the knowledge base does not model (its
 * settings go unchecked). The message tells a component of Microsoft's
 * reference whose settings winami does not model, one the reference lists
 * as removed, and a name the reference does not have at all (with the
 * nearest known name: Setup skips a misspelled component without a word).
 */
import { REFERENCE_COMPONENT_NAMES, UNATTEND_COMPONENTS, referenceComponentName, removedComponent } from '../../knowledge/unattend/index.js';
import { didYouMean } from '../suggest.js';
import type { Rule, RuleFinding } from '../types.js';
import { attr } from '../xml.js';
import { atAttribute, q } from './util.js';

const NAMES = [...new Set([...UNATTEND_COMPONENTS.map((c) => c.name), ...REFERENCE_COMPONENT_NAMES])];

export const componentUnknown: Rule = (ctx) => {
  const out: RuleFinding[] = [];
  for (const c of ctx.unattend?.components ?? []) {
    const a = attr(c.el, 'name');
    if (!a || c.spec) continue;
    const name = a.value;
    const removed = removedComponent(name);
    const inReference = referenceComponentName(name);
    if (removed) {
      out.push(atAttribute(a, `Component ${q(name)} is not in the current Unattended Windows Setup Reference (${removed.why}); Setup skips it`));
    } else if (inReference === name) {
      out.push(atAttribute(a, `Component ${q(name)} is in Microsoft's reference, but winami does not model its settings; they are not checked`));
    } else if (inReference !== undefined) {
      out.push(atAttribute(a, `Component ${q(name)} differs only in case from the reference's ${q(inReference)}`, `write \`${inReference}\``));
    } else {
      out.push(
        atAttribute(
          a,
          `Component ${q(name)} is not in Microsoft's Unattended Windows Setup Reference nor in winami's knowledge base; Setup skips an unknown component without a word`,
          didYouMean(name, NAMES),
        ),
      );
    }
  }
  return out;
};
