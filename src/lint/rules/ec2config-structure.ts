/** ec2config-structure: Config.xml root, plugins with known Name and Enabled|Disabled State, known GlobalSettings. */
import { EC2CONFIG_GLOBAL_SETTINGS, EC2CONFIG_PLUGIN_STATES, EC2CONFIG_PLUGINS, EC2CONFIG_ROOT } from '../../knowledge/agents/index.js';
import { skipValueCheck } from '../placeholder.js';
import { didYouMean } from '../suggest.js';
import type { Rule, RuleFinding } from '../types.js';
import { atElement, atText, child, parseBoolean, q } from './util.js';

export const ec2configStructure: Rule = (ctx) => {
  const root = ctx.xml?.root;
  if (!root) return [];
  if (root.name !== EC2CONFIG_ROOT)
    return [atElement(root, `The root element is <${root.name}>, not <${EC2CONFIG_ROOT}>`, didYouMean(root.name, [EC2CONFIG_ROOT]))];
  const out: RuleFinding[] = [];
  const seen = new Map<string, number>();
  for (const section of root.children) {
    if (section.name === 'Plugins') {
      for (const p of section.children) {
        if (p.name !== 'Plugin') {
          out.push(atElement(p, `<${p.name}> is not allowed in <Plugins>`, 'use <Plugin><Name>...</Name><State>...</State></Plugin>'));
          continue;
        }
        const name = child(p, 'Name');
        const state = child(p, 'State');
        for (const c of p.children)
          if (c.name !== 'Name' && c.name !== 'State') out.push(atElement(c, `<${c.name}> is not allowed in <Plugin>`, didYouMean(c.name, ['Name', 'State'])));
        if (!name) out.push(atElement(p, '<Plugin> has no <Name>'));
        else if (!(EC2CONFIG_PLUGINS as readonly string[]).includes(name.text)) {
          out.push({ ...atText(name, `Unknown EC2Config plugin ${q(name.text)}`, didYouMean(name.text, EC2CONFIG_PLUGINS)), severity: 'warning' });
        } else {
          const line = seen.get(name.text);
          if (line !== undefined) out.push(atText(name, `Plugin ${q(name.text)} is listed twice (first at line ${line})`));
          else seen.set(name.text, name.line);
        }
        if (!state) out.push(atElement(p, '<Plugin> has no <State>', 'add <State>Enabled</State> or <State>Disabled</State>'));
        else if (!(EC2CONFIG_PLUGIN_STATES as readonly string[]).includes(state.text) && !skipValueCheck(state.text, ctx.options.allowPlaceholders)) {
          out.push(atText(state, `Plugin state ${q(state.text)} is not Enabled or Disabled`, didYouMean(state.text, EC2CONFIG_PLUGIN_STATES)));
        }
      }
    } else if (section.name === 'GlobalSettings') {
      for (const g of section.children) {
        if (!(EC2CONFIG_GLOBAL_SETTINGS as readonly string[]).includes(g.name))
          out.push({ ...atElement(g, `Unknown GlobalSettings key <${g.name}>`, didYouMean(g.name, EC2CONFIG_GLOBAL_SETTINGS)), severity: 'warning' });
        else if (parseBoolean(g.text) === undefined && !skipValueCheck(g.text, ctx.options.allowPlaceholders))
          out.push(atText(g, `<${g.name}> is ${q(g.text)}, not true or false`));
      }
    } else out.push(atElement(section, `<${section.name}> is not allowed in <${EC2CONFIG_ROOT}>`, didYouMean(section.name, ['Plugins', 'GlobalSettings'])));
  }
  return out;
};
