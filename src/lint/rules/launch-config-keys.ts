/** launch-config-keys: only documented LaunchConfig.json keys, each with its type. */
import type { Node } from 'yaml';
import { LAUNCH_CONFIG_KEYS } from '../../knowledge/agents/index.js';
import { checkSchema } from '../schema-check.js';
import { didYouMean } from '../suggest.js';
import { describeNode, entries, nodePos } from '../tree.js';
import type { Rule, RuleFinding } from '../types.js';

const KEYS = Object.keys(LAUNCH_CONFIG_KEYS);

export const launchConfigKeys: Rule = (ctx) => {
  const tree = ctx.tree;
  if (!tree?.document) return [];
  const root = tree.document.contents as Node | null;
  const es = entries(root);
  if (!es) return [{ message: `LaunchConfig.json must be a JSON object, not ${describeNode(root)}`, ...nodePos(tree, root) }];
  const out: RuleFinding[] = [];
  for (const e of es) {
    const spec = LAUNCH_CONFIG_KEYS[e.key];
    if (!spec)
      out.push({
        message: `Unknown LaunchConfig.json key ${JSON.stringify(e.key)}`,
        hint: didYouMean(e.key, KEYS) ?? `keys: ${KEYS.join(', ')}`,
        ...nodePos(tree, e.keyNode),
      });
    else out.push(...checkSchema(tree, spec.schema, e.value, e.key, ctx.options.allowPlaceholders));
  }
  return out;
};
