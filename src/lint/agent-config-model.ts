/** The stages and tasks of an agent-config.yml, collected tolerantly so each rule can check one thing. */
import type { Node } from 'yaml';
import { entries, items, scalar, type TreeDocument } from './tree.js';

/** One `- task: name` entry. */
export interface AgentTaskNode {
  name: string | undefined;
  /** The `- task:` mapping. */
  node: Node | null;
  /** The value node of `task:` (for positions). */
  nameNode: Node | null;
  stage: string | undefined;
  inputs: Node | null | undefined;
  /** True when the entry has an `inputs:` key. */
  hasInputs: boolean;
}

/** One `- stage: name` entry. */
export interface AgentStageNode {
  name: string | undefined;
  node: Node | null;
  nameNode: Node | null;
  tasks: AgentTaskNode[];
}

/** Every stage and task the document holds, whatever else is wrong with it. */
export function agentStages(tree: TreeDocument): AgentStageNode[] {
  const top = entries(tree.document?.contents as Node | null | undefined);
  const config = items(top?.find((e) => e.key === 'config')?.value);
  const out: AgentStageNode[] = [];
  for (const s of config ?? []) {
    const se = entries(s);
    if (!se) continue;
    const stageEntry = se.find((e) => e.key === 'stage');
    const name = typeof scalar(stageEntry?.value) === 'string' ? (scalar(stageEntry?.value) as string) : undefined;
    const stage: AgentStageNode = { name, node: s, nameNode: stageEntry?.value ?? s, tasks: [] };
    for (const t of items(se.find((e) => e.key === 'tasks')?.value) ?? []) {
      const te = entries(t);
      if (!te) continue;
      const taskEntry = te.find((e) => e.key === 'task');
      const inputs = te.find((e) => e.key === 'inputs');
      const tname = scalar(taskEntry?.value);
      stage.tasks.push({
        name: typeof tname === 'string' ? tname : undefined,
        node: t,
        nameNode: taskEntry?.value ?? t,
        stage: name,
        inputs: inputs?.value,
        hasInputs: inputs !== undefined,
      });
    }
    out.push(stage);
  }
  return out;
}
