/** unattend-wcm-namespace: every prefix in use is declared, and `wcm` means the WMIConfig state namespace. */
import { WCM_NS } from '../../knowledge/unattend/index.js';
import type { Rule, RuleFinding } from '../types.js';
import type { XmlElement } from '../xml.js';
import { atAttribute, atElement, q } from './util.js';

export const unattendWcmNamespace: Rule = (ctx) => {
  const root = ctx.xml?.root;
  if (!root || root.name !== 'unattend') return [];
  const out: RuleFinding[] = [];
  const walk = (el: XmlElement, scope: ReadonlyMap<string, string>): void => {
    const here = new Map(scope);
    for (const a of el.attributes) {
      if (!a.name.startsWith('xmlns:')) continue;
      const prefix = a.name.slice(6);
      here.set(prefix, a.value);
      if (prefix === 'wcm' && a.value !== WCM_NS)
        out.push(atAttribute(a, `xmlns:wcm is ${q(a.value)}, not the WMIConfig state namespace`, `use xmlns:wcm="${WCM_NS}"`));
    }
    if (el.prefix && !here.has(el.prefix)) out.push(atElement(el, `Prefix "${el.prefix}" of <${el.name}> is not declared`));
    for (const a of el.attributes) {
      const colon = a.name.indexOf(':');
      if (colon < 0 || a.name.startsWith('xmlns:')) continue;
      const prefix = a.name.slice(0, colon);
      if (prefix === 'xml') continue;
      if (!here.has(prefix)) {
        out.push({
          ...atAttribute(
            a,
            `Prefix "${prefix}" of attribute ${a.name} is not declared`,
            prefix === 'wcm' ? `declare xmlns:wcm="${WCM_NS}" on the component or the root` : undefined,
          ),
          line: a.line,
          column: a.column,
        });
      }
    }
    for (const c of el.children) walk(c, here);
  };
  walk(root, new Map());
  return out;
};
