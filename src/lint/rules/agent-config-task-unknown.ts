/** agent-config-task-unknown: only the documented EC2Launch v2 tasks, with hints for the usual mix-ups. */
import { EC2LAUNCH_V2_TASKS, EC2LAUNCH_V2_TASK_ALIASES } from '../../knowledge/agents/index.js';
import { agentStages } from '../agent-config-model.js';
import { didYouMean } from '../suggest.js';
import { nodePos } from '../tree.js';
import type { Rule, RuleFinding } from '../types.js';

const NAMES = Object.keys(EC2LAUNCH_V2_TASKS);

export const agentConfigTaskUnknown: Rule = (ctx) => {
  if (!ctx.tree?.document) return [];
  const out: RuleFinding[] = [];
  for (const stage of agentStages(ctx.tree)) {
    for (const t of stage.tasks) {
      if (t.name === undefined || EC2LAUNCH_V2_TASKS[t.name]) continue;
      const alias = EC2LAUNCH_V2_TASK_ALIASES[t.name];
      const hint = alias
        ? alias.task
          ? `did you mean \`${alias.task}\`? ${alias.why}`
          : alias.why
        : (didYouMean(t.name, NAMES) ?? `tasks: ${NAMES.join(', ')}`);
      out.push({ message: `Unknown EC2Launch v2 task ${JSON.stringify(t.name)}`, hint, ...nodePos(ctx.tree, t.nameNode) });
    }
  }
  return out;
};
