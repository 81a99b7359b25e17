/** agent-config-task-stage: each task only in the stages it may run in. */
import { ec2launchV2MisplacedTask, type Ec2LaunchV2TaskStage } from '../../knowledge/agents/index.js';
import { agentStages } from '../agent-config-model.js';
import { nodePos } from '../tree.js';
import type { Rule, RuleFinding } from '../types.js';

export const agentConfigTaskStage: Rule = (ctx) => {
  if (!ctx.tree?.document) return [];
  const out: RuleFinding[] = [];
  for (const stage of agentStages(ctx.tree)) {
    if (stage.name === undefined) continue;
    for (const t of stage.tasks) {
      const allowed = t.name === undefined ? undefined : ec2launchV2MisplacedTask(t.name, stage.name as Ec2LaunchV2TaskStage);
      if (!allowed) continue;
      const where = allowed.filter((s) => s !== 'userData');
      const hint = where.length
        ? `move it to the ${where.join(' or ')} stage${allowed.includes('userData') ? ' (or user data)' : ''}`
        : 'it runs only from user data (version: 1.1, tasks:)';
      out.push({ message: `Task ${JSON.stringify(t.name)} cannot run in the ${stage.name} stage`, hint, ...nodePos(ctx.tree, t.nameNode) });
    }
  }
  return out;
};
