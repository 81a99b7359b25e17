/** Render findings as text, JSON or SARIF 2.1.0; decide the exit status from `--fail-on`. */
import { RULE_PACK, RUNNER_PACK } from './pack.js';
import { SEVERITY_RANK, type Finding, type Severity } from './types.js';

/** Output formats of `winami lint`. */
export const LINT_FORMATS = ['text', 'json', 'sarif'] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];
/** Values of `--fail-on`. */
export const FAIL_ON = ['error', 'warning', 'info', 'none'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** True when a finding at or above `failOn` exists. */
export function shouldFail(findings: readonly Finding[], failOn: FailOn): boolean {
  if (failOn === 'none') return false;
  return findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn]);
}

/** Count findings per severity. */
export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const c: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) c[f.severity]++;
  return c;
}

/** `file:line:col severity ruleId message (hint)`, one line per finding, plus a summary. */
export function formatText(findings: readonly Finding[], files: readonly string[], skipped: readonly { file: string; reason: string }[] = []): string {
  const lines = skipped.map((s) => `${s.file}: skipped: ${s.reason}`);
  lines.push(...findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.severity} ${f.ruleId} ${f.message}${f.hint ? ` (${f.hint})` : ''}`));
  const c = countBySeverity(findings);
  lines.push(
    `${files.length} file${files.length === 1 ? '' : 's'} checked: ${c.error} error${c.error === 1 ? '' : 's'}, ${c.warning} warning${c.warning === 1 ? '' : 's'}, ${c.info} info`,
  );
  return `${lines.join('\n')}\n`;
}

/** One JSON document with the files, the findings and the counts. */
export function formatJson(findings: readonly Finding[], files: readonly string[], skipped: readonly { file: string; reason: string }[] = []): string {
  return `${JSON.stringify({ files, skipped, findings, counts: countBySeverity(findings) }, null, 2)}\n`;
}

const SARIF_LEVEL: Readonly<Record<Severity, string>> = { error: 'error', warning: 'warning', info: 'note' };

/** SARIF 2.1.0 with the rule pack as `tool.driver.rules` and one result per finding. */
export function formatSarif(findings: readonly Finding[], toolVersion: string): string {
  const rules = [...RULE_PACK, ...RUNNER_PACK];
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'winami-lint',
            version: toolVersion,
            informationUri: 'https://github.com/winami/winami/blob/main/docs/lint.md',
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|-)([a-z])/g, (_m, _d: string, c: string) => c.toUpperCase()),
              shortDescription: { text: r.title },
              fullDescription: { text: r.explanation },
              help: { text: r.explanation },
              defaultConfiguration: { level: SARIF_LEVEL[r.severity] },
            })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.ruleId,
          ...(index.has(f.ruleId) ? { ruleIndex: index.get(f.ruleId) } : {}),
          level: SARIF_LEVEL[f.severity],
          message: { text: f.hint ? `${f.message} (${f.hint})` : f.message },
          locations: [{ physicalLocation: { artifactLocation: { uri: f.file.replace(/\\/g, '/') }, region: { startLine: f.line, startColumn: f.column } } }],
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
