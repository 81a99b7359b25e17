/**
 * seal-here-string-expansion: EC2Launch v2 substitutes `$REGION` and `$AZ`
 * in agent-config.yml (setDnsSuffix, domain-facts §1.5); written from a
 * double-quoted here-string, PowerShell expands them first, to nothing.
 */
import type { Rule, RuleFinding } from '../types.js';

export const sealHereStringExpansion: Rule = (ctx) => {
  const out: RuleFinding[] = [];
  for (const h of ctx.script?.hereStrings ?? []) {
    if (!h.expandable) continue;
    h.content.split('\n').forEach((l, i) => {
      const m = /(?<!`)\$(REGION|AZ)\b/i.exec(l);
      if (m)
        out.push({
          message: `PowerShell expands $${m[1]} in this @"…"@ here-string to an empty string before EC2Launch v2 can substitute it`,
          hint: "use a single-quoted here-string @'…'@, or escape it as `$",
          line: h.lines[i] ?? h.line,
          column: m.index + 1,
        });
    });
  }
  return out;
};
