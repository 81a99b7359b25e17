/**
 * seal-embedded-agent-config: an agent-config.yml written from a here-string
 * is checked as an agent-config.yml (YAML syntax, structure, task names,
 * stages, inputs), its findings placed at their line in the script.
 */
import { lintText } from '../lint-text.js';
import type { Rule, RuleFinding } from '../types.js';

/** True when a here-string holds an EC2Launch v2 agent-config. */
export function looksLikeAgentConfig(content: string): boolean {
  return /^\s*config\s*:/m.test(content) && /^\s*-?\s*stage\s*:/m.test(content);
}

export const sealEmbeddedAgentConfig: Rule = (ctx) => {
  const out: RuleFinding[] = [];
  for (const h of ctx.script?.hereStrings ?? []) {
    if (!looksLikeAgentConfig(h.content)) continue;
    for (const f of lintText(h.content, { kind: 'agent-config', fileName: ctx.file, allowPlaceholders: ctx.options.allowPlaceholders })) {
      out.push({
        message: `embedded agent-config.yml: ${f.message} [${f.ruleId}]`,
        ...(f.hint ? { hint: f.hint } : {}),
        line: h.lines[f.line - 1] ?? h.line,
        column: f.column,
        severity: f.severity,
      });
    }
  }
  return out;
};
