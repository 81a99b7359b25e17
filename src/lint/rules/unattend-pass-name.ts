/** unattend-pass-name: `<settings pass>` is one of the seven passes. */
import { PASSES } from '../../knowledge/unattend/index.js';
import { didYouMean } from '../suggest.js';
import type { Rule, RuleFinding } from '../types.js';
import { attr } from '../xml.js';
import { atAttribute, atElement, q } from './util.js';

const ROOT_CHILDREN = new Set(['settings', 'servicing', 'offlineImage']);

export const unattendPassName: Rule = (ctx) => {
  const root = ctx.xml?.root;
  if (!root || root.name !== 'unattend') return [];
  const out: RuleFinding[] = [];
  for (const s of root.children) {
    if (!ROOT_CHILDREN.has(s.localName)) {
      out.push(
        atElement(
          s,
          `<${s.name}> is not allowed under <unattend>; only <settings pass="..."> (and <servicing>, <cpi:offlineImage>)`,
          didYouMean(s.localName, ROOT_CHILDREN),
        ),
      );
      continue;
    }
    if (s.localName !== 'settings') continue;
    const pass = attr(s, 'pass');
    if (!pass) out.push(atElement(s, '<settings> has no pass attribute', `add pass="..." naming one of: ${PASSES.join(', ')}`));
    else if (!(PASSES as readonly string[]).includes(pass.value)) {
      out.push(atAttribute(pass, `Unknown configuration pass ${q(pass.value)}`, didYouMean(pass.value, PASSES) ?? `use one of: ${PASSES.join(', ')}`));
    }
  }
  return out;
};
