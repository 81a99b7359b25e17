/** setting-value: value type, enumeration, range, length; containers hold elements, leaves hold text. */
import type { SettingSpec } from '../../knowledge/unattend/index.js';
import { couldBe, hasPlaceholder, isBarePlaceholder, isPartialPlaceholder, literalParts, sameWord, skipValueCheck } from '../placeholder.js';
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
      // Template statements ({% for %}, {{#each}}) between settings are not text Setup sees.
      if (s.el.text !== '' && !skipValueCheck(s.el.text, ctx.options.allowPlaceholders))
        out.push(atText(s.el, `${q(s.path)} holds settings, not text ${q(s.el.text)}`, 'put the value in one of its child settings'));
      continue;
    }
    if (s.el.children.length) {
      out.push(atElement(s.el.children[0] as XmlElement, `${q(s.path)} takes a value, not nested elements`));
      continue;
    }
    if (skipValueCheck(s.el.text, ctx.options.allowPlaceholders)) continue;
    if (BARE_TYPES.has(spec.type) && isBarePlaceholder(s.el.text, ctx.options.allowPlaceholders, (u) => sameWord(u, spec.values ?? []))) continue;
    if (s.el.text === '' && emptyFilledByAgent(ctx.text, ctx.options.agent, s.component.pass.name, s.component.name, s.el)) continue;
    const problem = isPartialPlaceholder(s.el.text, ctx.options.allowPlaceholders) ? checkTemplate(spec, s.el.text) : check(spec, s.el.text);
    if (problem) out.push(atText(s.el, `${q(s.path)}: ${problem.message}`, problem.hint));
  }
  return out;
};

const LOCALE_SETTINGS = new Set(['InputLocale', 'SystemLocale', 'UILanguage', 'UserLocale']);

/** Types whose real values are never a bare upper-case word, so one there is a search-and-replace placeholder. */
const BARE_TYPES = new Set<SettingSpec['type']>(['boolean', 'integer', 'enum']);

/**
 * EC2Launch v1's SysprepInstance.ps1 fills empty oobeSystem locale elements
 * with the OS's culture before Sysprep reads the file, and an empty order-1
 * RunSynchronousCommand Path in specialize with its Randomize-LocalAdminPassword.ps1
 * call, so AWS's v1 file (and winami's, without a configured locale) leaves
 * them empty on purpose.
 */
function emptyFilledByAgent(text: string, agent: string | undefined, pass: string | undefined, component: string | undefined, el: XmlElement): boolean {
  const v1 = agent === 'ec2launch-v1' || (agent === undefined && /EC2-Windows\\Launch/i.test(text));
  if (!v1) return false;
  if (pass === 'oobeSystem' && component === 'Microsoft-Windows-International-Core' && LOCALE_SETTINGS.has(el.localName)) return true;
  const command = el.parent;
  return (
    pass === 'specialize' &&
    component === 'Microsoft-Windows-Deployment' &&
    el.localName === 'Path' &&
    command?.localName === 'RunSynchronousCommand' &&
    command.children.some((c) => c.localName === 'Order' && c.text.trim() === '1')
  );
}

/** A value mixing placeholders and literal text: the literal parts must fit the type. */
function checkTemplate(spec: SettingSpec, v: string): { message: string; hint?: string } | undefined {
  const cannot = { message: `${q(v)} cannot become a valid value whatever its placeholders hold`, hint: expected(spec) };
  switch (spec.type) {
    case 'boolean':
      return couldBe(v, ['true', 'false', '1', '0'], 'i') ? undefined : cannot;
    case 'enum':
      return couldBe(v, spec.values ?? []) ? undefined : cannot;
    case 'integer':
      return /^-?\d*$/.test(literalParts(v).join('')) ? undefined : cannot;
    case 'string': {
      const literal = literalParts(v).join('').length;
      return spec.maxLength !== undefined && literal > spec.maxLength
        ? { message: `the literal text alone is ${literal} characters; at most ${spec.maxLength} are allowed` }
        : undefined;
    }
    default:
      return hasPlaceholder(v) ? undefined : cannot;
  }
}

function check(spec: SettingSpec, v: string): { message: string; hint?: string } | undefined {
  // Microsoft's pages: "This string type does not support empty elements" unless the page says otherwise.
  if (v === '')
    return spec.allowEmpty
      ? undefined
      : { message: 'the value is empty, which this setting does not allow', hint: expected(spec) ?? 'give it a value, or remove the element' };
  switch (spec.type) {
    case 'boolean':
      return parseBoolean(v) === undefined ? { message: `${q(v)} is not a boolean`, hint: 'use true or false' } : undefined;
    case 'integer': {
      if (!/^-?\d+$/.test(v)) return { message: `${q(v)} is not an integer`, hint: expected(spec) };
      const n = Number(v);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max))
        return { message: `${v} is out of range`, hint: expected(spec) };
      return undefined;
    }
    case 'enum': {
      const values = spec.values ?? [];
      if (values.includes(v)) return undefined;
      const near = /^\d+$/.test(v) ? undefined : nearest(v, values);
      return { message: `${q(v)} is not one of ${values.join(', ')}`, hint: near !== undefined ? `did you mean \`${near}\`?` : expected(spec) };
    }
    case 'string':
      if (spec.maxLength !== undefined && v.length > spec.maxLength)
        return { message: `the value is ${v.length} characters; at most ${spec.maxLength} are allowed` };
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
