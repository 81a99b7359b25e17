/** agent-config-task-stage: each task only in the stages it may run in. */
import { EC2LAUNCH_V2_TASKS } from '../../knowledge/agents/index.js';
import { agentStages } from '../agent-config-model.js';
import { nodePos } from '../tree.js';
import type { Rule, RuleFinding } from '../types.js';

export const agentConfigTaskStage: Rule = (ctx) => {
  if (!ctx.tree?.document) return [];
  const out: RuleFinding[] = [];
  for (const stage of agentStages(ctx.tree)) {
    if (stage.name === undefined) continue;
    for (const t of stage.tasks) {
      const info = t.name === undefined ? undefined : EC2LAUNCH_V2_TASKS[t.name];
      if (!info || (info.stages as readonly string[]).includes(stage.name)) continue;
      const where = info.stages.filter((s) => s !== 'userData');
      const hint = where.length ? `move it to the ${where.join(' or ')} stage${info.stages.includes('userData') ? ' (or user data)' : ''}` : 'it runs only from user data (version: 1.1, tasks:)';
      out.push({ message: `Task ${JSON.stringify(info.task)} cannot run in the ${stage.name} stage`, hint, ...nodePos(ctx.tree, t.nameNode) });
    }
  }
  return out;
};
