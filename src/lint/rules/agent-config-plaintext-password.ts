/** agent-config-plaintext-password: setAdminAccount with a static password kept in clear text. */
import { isScalar } from 'yaml';
import { agentStages } from '../agent-config-model.js';
import { entries, nodePos } from '../tree.js';
import type { Rule, RuleFinding } from '../types.js';

export const agentConfigPlaintextPassword: Rule = (ctx) => {
  const tree = ctx.tree;
  if (!tree?.document) return [];
  const out: RuleFinding[] = [];
  for (const stage of agentStages(tree)) {
    for (const t of stage.tasks) {
      if (t.name !== 'setAdminAccount') continue;
      const password = entries(entries(t.inputs)?.find((e) => e.key === 'password')?.value);
      const type = password?.find((e) => e.key === 'type')?.value;
      const data = password?.find((e) => e.key === 'data');
      if (isScalar(type) && type.value === 'static') {
        if (!data) out.push({ message: 'setAdminAccount password type static needs data', severity: 'error', ...nodePos(tree, type) });
        else
          out.push({
            message: 'setAdminAccount keeps a static password in clear text in agent-config.yml until Sysprep has set it',
            hint: 'render it at build time from a secret reference, or use type: random',
            ...nodePos(tree, data.value),
          });
      }
    }
  }
  return out;
};
