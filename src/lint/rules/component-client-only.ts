/** component-client-only: a component the reference documents for client editions of Windows only. */
import type { Rule, RuleFinding } from '../types.js';
import { atElement, q } from './util.js';

export const componentClientOnly: Rule = (ctx) => {
  const out: RuleFinding[] = [];
  for (const c of ctx.unattend?.components ?? []) {
    if (c.spec?.clientOnly)
      out.push(
        atElement(
          c.el,
          `Component ${q(c.spec.name)} is for client editions of Windows (${c.spec.clientOnly}); Windows Server ignores it`,
          'remove it from a server answer file',
        ),
      );
  }
  return out;
};
