/** ec2config-bundle-properties: BundleConfig.xml properties and their Yes/No values. */
import { EC2CONFIG_BUNDLE_PROPERTIES, EC2CONFIG_BUNDLE_ROOT } from '../../knowledge/agents/index.js';
import { skipValueCheck } from '../placeholder.js';
import { didYouMean } from '../suggest.js';
import type { Rule, RuleFinding } from '../types.js';
import { atElement, atText, child, q } from './util.js';

const NAMES = Object.keys(EC2CONFIG_BUNDLE_PROPERTIES);

export const ec2configBundleProperties: Rule = (ctx) => {
  const root = ctx.xml?.root;
  if (!root) return [];
  if (root.name !== EC2CONFIG_BUNDLE_ROOT)
    return [atElement(root, `The root element is <${root.name}>, not <${EC2CONFIG_BUNDLE_ROOT}>`, didYouMean(root.name, [EC2CONFIG_BUNDLE_ROOT]))];
  const out: RuleFinding[] = [];
  const seen = new Map<string, number>();
  for (const p of root.children) {
    if (p.name !== 'Property') {
      out.push(atElement(p, `<${p.name}> is not allowed in <BundleConfig>`, 'use <Property><Name>...</Name><Value>...</Value></Property>'));
      continue;
    }
    const name = child(p, 'Name');
    const value = child(p, 'Value');
    if (!name) {
      out.push(atElement(p, '<Property> has no <Name>'));
      continue;
    }
    const spec = EC2CONFIG_BUNDLE_PROPERTIES[name.text];
    if (!spec)
      out.push({
        ...atText(name, `Unknown BundleConfig property ${q(name.text)}`, didYouMean(name.text, NAMES) ?? `properties: ${NAMES.join(', ')}`),
        severity: 'warning',
      });
    const line = seen.get(name.text);
    if (line !== undefined) out.push(atText(name, `Property ${q(name.text)} is listed twice (first at line ${line})`));
    else seen.set(name.text, name.line);
    if (!value) out.push(atElement(p, `<Property> ${q(name.text)} has no <Value>`));
    else if (spec?.type === 'yesNo' && value.text !== 'Yes' && value.text !== 'No' && !skipValueCheck(value.text, ctx.options.allowPlaceholders)) {
      out.push(atText(value, `${spec.name} is ${q(value.text)}, not Yes or No`, didYouMean(value.text, ['Yes', 'No']) ?? 'use Yes or No'));
    }
  }
  return out;
};
