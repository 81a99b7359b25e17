/** non-ASCII: values with characters outside ASCII. */
import type { Rule, RuleFinding } from '../types.js';
import type { XmlElement } from '../xml.js';
import { atText, q } from './util.js';

export const nonAscii: Rule = (ctx) => {
  const out: RuleFinding[] = [];
  const walk = (el: XmlElement): void => {
    const m = /[^\x09\x0a\x0d\x20-\x7e]/.exec(el.text);
    if (m && el.children.length === 0)
      out.push(
        atText(
          el,
          `<${el.name}> contains the non-ASCII character ${q(m[0])} (U+${(m[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')})`,
          'save the file as UTF-8 with a matching declaration, or use ASCII; names and keys must be ASCII',
        ),
      );
    for (const c of el.children) walk(c);
  };
  if (ctx.unattend) walk(ctx.unattend.root);
  return out;
};
