/** setting-value: value type, enumeration, range, length; containers hold elements, leaves hold text. */
import type { SettingSpec } from '../../knowledge/unattend/index.js';
import { skipValueCheck } from '../placeholder.js';
import { nearest } from '../suggest.js';
import type { Rule, RuleFinding } from '../types.js';
import type { XmlElement } from '../xml.js';
import { atElement, atText, parseBoolean, q } from './util.js';

export const settingValue: Rule = (ctx) => {
  const out: RuleFinding[] = [];
  for (const s of ctx.unattend?.settings ?? []) {
    const spec = s.spec;
    if (!spec || spec.open) continue;
    if (spec.type === 'container' || spec.type === 'list') {
      if (s.el.text !== '') out.push(atText(s.el, `${q(s.path)} holds settings, not text ${q(s.el.text)}`, 'put the value in one of its child settings'));
      continue;
    }
    if (s.el.children.length) {
      out.push(atElement(s.el.children[0] as XmlElement, `${q(s.path)} takes a value, not nested elements`));
      continue;
    }
    if (skipValueCheck(s.el.text, ctx.options.allowPlaceholders)) continue;
    const problem = check(spec, s.el.text);
    if (problem) out.push(atText(s.el, `${q(s.path)}: ${problem.message}`, problem.hint));
  }
  return out;
};

function check(spec: SettingSpec, v: string): { message: string; hint?: string } | undefined {
  if (v === '') return spec.allowEmpty || spec.type === 'string' ? undefined : { message: 'the value is empty', hint: expected(spec) };
  switch (spec.type) {
    case 'boolean':
      return parseBoolean(v) === undefined ? { message: `${q(v)} is not a boolean`, hint: 'use true or false' } : undefined;
    case 'integer': {
      if (!/^-?\d+$/.test(v)) return { message: `${q(v)} is not an integer`, hint: expected(spec) };
      const n = Number(v);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) return { message: `${v} is out of range`, hint: expected(spec) };
      return undefined;
    }
    case 'enum': {
      const values = spec.values ?? [];
      if (values.includes(v)) return undefined;
      const near = /^\d+$/.test(v) ? undefined : nearest(v, values);
      return { message: `${q(v)} is not one of ${values.join(', ')}`, hint: near !== undefined ? `did you mean \`${near}\`?` : expected(spec) };
    }
    case 'string':
      if (spec.maxLength !== undefined && v.length > spec.maxLength) return { message: `the value is ${v.length} characters; at most ${spec.maxLength} are allowed` };
      return undefined;
    default:
      return undefined;
  }
}

function expected(spec: SettingSpec): string | undefined {
  if (spec.type === 'boolean') return 'use true or false';
  if (spec.type === 'integer') return `use an integer from ${spec.min ?? '-inf'} to ${spec.max ?? 'inf'}`;
  if (spec.type === 'enum') return `use one of: ${(spec.values ?? []).join(', ')}`;
  return undefined;
}
