/** agent-config-task-duplicate: a task at most once per stage. */
import { agentStages } from '../agent-config-model.js';
import { nodePos } from '../tree.js';
import type { Rule, RuleFinding } from '../types.js';

export const agentConfigTaskDuplicate: Rule = (ctx) => {
  if (!ctx.tree?.document) return [];
  const tree = ctx.tree;
  const out: RuleFinding[] = [];
  for (const stage of agentStages(tree)) {
    const seen = new Map<string, number>();
    for (const t of stage.tasks) {
      if (t.name === undefined) continue;
      const line = seen.get(t.name);
      if (line !== undefined)
        out.push({
          message: `Task ${JSON.stringify(t.name)} appears twice in the ${stage.name ?? '?'} stage (first at line ${line})`,
          hint: 'a task may run once per stage; merge the inputs (executeScript takes a list)',
          ...nodePos(tree, t.nameNode),
        });
      else seen.set(t.name, nodePos(tree, t.nameNode).line);
    }
  }
  return out;
};
