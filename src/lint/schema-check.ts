/** Check a YAML/JSON node against a launch-agent `ValueSchema`, with positions. */
import { isScalar, type Node } from 'yaml';
import type { ValueSchema } from '../knowledge/agents/index.js';
import { skipValueCheck } from './placeholder.js';
import { didYouMean } from './suggest.js';
import { describeNode, entries, items, nodePos, type TreeDocument } from './tree.js';
import type { RuleFinding } from './types.js';

/** Every mismatch between `node` and `schema`; `path` names the node in messages. */
export function checkSchema(tree: TreeDocument, schema: ValueSchema, node: Node | null | undefined, path: string, allowPlaceholders?: boolean): RuleFinding[] {
  const at = (message: string, n: Node | null | undefined = node, hint?: string): RuleFinding => ({ message, ...(hint ? { hint } : {}), ...nodePos(tree, n) });
  if (isScalar(node) && typeof node.value === 'string' && skipValueCheck(node.value, allowPlaceholders)) return [];
  switch (schema.type) {
    case 'string': {
      if (!isScalar(node) || node.value === null || typeof node.value === 'object') return [at(`${path} must be a string, not ${describeNode(node)}`)];
      const v = String(node.value);
      if (schema.maxLength !== undefined && v.length > schema.maxLength) return [at(`${path} is ${v.length} characters; at most ${schema.maxLength}`)];
      if (schema.pattern && !new RegExp(schema.pattern, 'i').test(v))
        return [at(`${path} ${JSON.stringify(v)} is not valid${schema.note ? `: ${schema.note}` : ''}`)];
      return [];
    }
    case 'boolean':
      return isScalar(node) && typeof node.value === 'boolean'
        ? []
        : [at(`${path} must be true or false, not ${describeNode(node)}`, node, 'write true or false without quotes')];
    case 'enum': {
      const v = isScalar(node) ? node.value : undefined;
      if (typeof v === 'string' && schema.values.includes(v)) return [];
      const shown = isScalar(node) ? JSON.stringify(String(node.value)) : describeNode(node);
      return [at(`${path} is ${shown}; expected one of ${schema.values.join(', ')}`, node, typeof v === 'string' ? didYouMean(v, schema.values) : undefined)];
    }
    case 'list': {
      const list = items(node);
      if (!list) return [at(`${path} must be a list, not ${describeNode(node)}`)];
      return list.flatMap((n, i) => checkSchema(tree, schema.items, n, `${path}[${i}]`, allowPlaceholders));
    }
    case 'map': {
      const es = entries(node);
      if (!es) return [at(`${path} must be a mapping, not ${describeNode(node)}`)];
      const out: RuleFinding[] = [];
      const known = Object.keys(schema.fields);
      for (const e of es) {
        const field = schema.fields[e.key];
        if (!field) out.push(at(`Unknown key ${JSON.stringify(e.key)} in ${path}`, e.keyNode, didYouMean(e.key, known) ?? `known keys: ${known.join(', ')}`));
        else out.push(...checkSchema(tree, field, e.value, `${path}.${e.key}`, allowPlaceholders));
      }
      for (const r of schema.required ?? []) if (!es.some((e) => e.key === r)) out.push(at(`${path} is missing ${JSON.stringify(r)}`));
      return out;
    }
    case 'oneOf':
      return schema.options.some((o) => checkSchema(tree, o, node, path, allowPlaceholders).length === 0)
        ? []
        : [at(`${path} has an unexpected value (${describeNode(node)})`)];
  }
}
