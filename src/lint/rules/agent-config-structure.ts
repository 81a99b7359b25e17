/** agent-config-structure: `version` and `config`, stages known and listed once, `tasks` lists of `{task, inputs}`. */
import type { Node } from 'yaml';
import { EC2LAUNCH_V2_CONFIG_VERSIONS, EC2LAUNCH_V2_STAGES } from '../../knowledge/agents/index.js';
import { didYouMean } from '../suggest.js';
import { describeNode, entries, items, nodePos, scalar } from '../tree.js';
import type { Rule, RuleFinding } from '../types.js';

export const agentConfigStructure: Rule = (ctx) => {
  const tree = ctx.tree;
  if (!tree?.document) return [];
  const out: RuleFinding[] = [];
  const at = (message: string, node: Node | null | undefined, hint?: string): void =>
    void out.push({ message, ...(hint ? { hint } : {}), ...nodePos(tree, node) });
  const root = tree.document.contents as Node | null;
  const top = entries(root);
  if (!top) return (at(`agent-config.yml must be a mapping with version and config, not ${describeNode(root)}`, root), out);
  for (const e of top)
    if (e.key !== 'version' && e.key !== 'config')
      at(`Unknown top-level key ${JSON.stringify(e.key)}`, e.keyNode, didYouMean(e.key, ['version', 'config']) ?? 'only version and config are allowed');
  const version = top.find((e) => e.key === 'version');
  if (!version) at('version is missing', root, 'add version: 1.0');
  else {
    const v = scalar(version.value);
    const text = typeof v === 'number' ? v.toFixed(1) : String(v);
    if (!(EC2LAUNCH_V2_CONFIG_VERSIONS as readonly string[]).includes(text))
      at(`version ${JSON.stringify(text)} is not supported`, version.value, 'use version: 1.0');
  }
  const configEntry = top.find((e) => e.key === 'config');
  if (!configEntry) return (at('config is missing', root, 'add config: a list of {stage, tasks}'), out);
  const config = items(configEntry.value);
  if (!config) return (at(`config must be a list of stages, not ${describeNode(configEntry.value)}`, configEntry.value), out);
  const seen = new Map<string, number>();
  for (const s of config) {
    const se = entries(s);
    if (!se) {
      at(`Each config entry must be a mapping {stage, tasks}, not ${describeNode(s)}`, s);
      continue;
    }
    for (const e of se)
      if (e.key !== 'stage' && e.key !== 'tasks') at(`Unknown key ${JSON.stringify(e.key)} in a stage`, e.keyNode, didYouMean(e.key, ['stage', 'tasks']));
    const stage = se.find((e) => e.key === 'stage');
    const name = scalar(stage?.value);
    if (!stage) at('A config entry has no stage', s);
    else if (typeof name !== 'string' || !(EC2LAUNCH_V2_STAGES as readonly string[]).includes(name)) {
      at(
        `Unknown stage ${JSON.stringify(String(name))}`,
        stage.value,
        didYouMean(String(name), EC2LAUNCH_V2_STAGES) ?? `use one of: ${EC2LAUNCH_V2_STAGES.join(', ')}`,
      );
    } else {
      const line = seen.get(name);
      if (line !== undefined) at(`Stage ${JSON.stringify(name)} is listed twice (first at line ${line})`, stage.value, 'merge the tasks into one entry');
      else seen.set(name, nodePos(tree, stage.value).line);
    }
    const tasks = se.find((e) => e.key === 'tasks');
    if (!tasks) {
      at('A stage has no tasks', s);
      continue;
    }
    const list = items(tasks.value);
    if (!list) {
      at(`tasks must be a list, not ${describeNode(tasks.value)}`, tasks.value);
      continue;
    }
    for (const t of list) {
      const te = entries(t);
      if (!te) at(`Each task must be a mapping {task, inputs}, not ${describeNode(t)}`, t);
      else {
        if (!te.some((e) => e.key === 'task')) at('A task entry has no task name', t, 'add task: <name>');
        for (const e of te)
          if (e.key !== 'task' && e.key !== 'inputs')
            at(`Unknown key ${JSON.stringify(e.key)} in a task`, e.keyNode, didYouMean(e.key, ['task', 'inputs']) ?? 'put task parameters under inputs:');
      }
    }
  }
  return out;
};
