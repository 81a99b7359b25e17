/** agent-config-task-inputs: inputs match the task's documented schema. */
import { EC2LAUNCH_V2_TASKS } from '../../knowledge/agents/index.js';
import { agentStages } from '../agent-config-model.js';
import { checkSchema } from '../schema-check.js';
import { nodePos } from '../tree.js';
import type { Rule, RuleFinding } from '../types.js';

export const agentConfigTaskInputs: Rule = (ctx) => {
  const tree = ctx.tree;
  if (!tree?.document) return [];
  const out: RuleFinding[] = [];
  for (const stage of agentStages(tree)) {
    for (const t of stage.tasks) {
      const info = t.name === undefined ? undefined : EC2LAUNCH_V2_TASKS[t.name];
      if (!info) continue;
      if (!info.inputs) {
        if (t.hasInputs && t.inputs !== null)
          out.push({ message: `Task ${JSON.stringify(info.task)} takes no inputs`, hint: 'remove inputs:', severity: 'warning', ...nodePos(tree, t.inputs) });
        continue;
      }
      if (!t.hasInputs) {
        const required = info.inputs.type === 'map' ? (info.inputs.required ?? []) : info.inputs.type === 'list' ? ['a list of items'] : [];
        if (required.length) out.push({ message: `Task ${JSON.stringify(info.task)} needs inputs (${required.join(', ')})`, ...nodePos(tree, t.nameNode) });
        continue;
      }
      out.push(...checkSchema(tree, info.inputs, t.inputs, `${info.task}.inputs`, ctx.options.allowPlaceholders));
    }
  }
  return out;
};
