/** component-attributes: name, publicKeyToken, language, versionScope exactly as Setup matches them. */
import { PUBLIC_KEY_TOKEN } from '../../knowledge/unattend/index.js';
import type { Rule, RuleFinding } from '../types.js';
import { attr } from '../xml.js';
import { atAttribute, atElement, q } from './util.js';

export const componentAttributes: Rule = (ctx) => {
  const out: RuleFinding[] = [];
  for (const c of ctx.unattend?.components ?? []) {
    const el = c.el;
    if (!attr(el, 'name')) out.push(atElement(el, '<component> has no name attribute', 'add name="Microsoft-Windows-..."'));
    const token = attr(el, 'publicKeyToken');
    if (!token) out.push(atElement(el, `Component ${q(c.name ?? '?')} has no publicKeyToken`, `add publicKeyToken="${PUBLIC_KEY_TOKEN}"`));
    else if (token.value !== PUBLIC_KEY_TOKEN) {
      out.push(
        atAttribute(token, `publicKeyToken is ${q(token.value)}; Microsoft components use ${PUBLIC_KEY_TOKEN}`, `use publicKeyToken="${PUBLIC_KEY_TOKEN}"`),
      );
    }
    const language = attr(el, 'language');
    if (!language) out.push({ ...atElement(el, `Component ${q(c.name ?? '?')} has no language attribute`, 'add language="neutral"'), severity: 'warning' });
    else if (language.value !== 'neutral')
      out.push(atAttribute(language, `language is ${q(language.value)}; components in answer files use "neutral"`, 'use language="neutral"'));
    const scope = attr(el, 'versionScope');
    if (!scope) out.push({ ...atElement(el, `Component ${q(c.name ?? '?')} has no versionScope attribute`, 'add versionScope="nonSxS"'), severity: 'warning' });
    else if (scope.value === 'NonSxS') {
      out.push({
        ...atAttribute(scope, 'versionScope is spelled "NonSxS"; the schema and Windows SIM write "nonSxS"', 'use versionScope="nonSxS"'),
        severity: 'info',
      });
    } else if (scope.value !== 'nonSxS' && scope.value !== 'SxS') {
      out.push(atAttribute(scope, `versionScope is ${q(scope.value)}; it is "nonSxS" (or "SxS")`, 'use versionScope="nonSxS"'));
    }
  }
  return out;
};
