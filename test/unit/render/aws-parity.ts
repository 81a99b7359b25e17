/**
 * Compare a rendered answer file with the default answer file AWS ships with
 * its launch agent, setting by setting, and check every difference against
 * the reviewed table in docs/answer-files.md. A difference nobody reviewed
 * (a protection of the agent's default lost, a setting added) is reported.
 */
import { AWS_DEFAULT_ANSWER_FILES, matchesAwsDefault } from '../../../src/knowledge/agents/aws-answer-files.js';
import type { LaunchAgent } from '../../../src/knowledge/releases.js';
import { flattenUnattend } from './flatten.js';

/** How a rendered setting differs from the agent's default. */
export type DifferenceKind = 'missing' | 'changed' | 'added';

/** One difference between a rendered file and its agent's default. */
export interface ParityDifference {
  agent: LaunchAgent;
  kind: DifferenceKind;
  pass: string;
  component: string;
  path: string;
  /** The default's value (a pattern's source), or '' for `added`. */
  aws: string;
  /** The rendered value, or '' for `missing`. */
  winami: string;
}

/** One row of the reviewed table: which differences it allows, and why. */
export interface ReviewedDifference {
  agent: LaunchAgent | 'all';
  kind: DifferenceKind;
  pass: string;
  component: string;
  /** A setting path; `*` matches any run of characters. */
  setting: string;
  why: string;
  /** 1-based line in the document, for messages. */
  line: number;
}

/** Every difference between `unattend` (rendered for `agent`) and AWS's default file. */
export function parityDifferences(unattend: string, agent: LaunchAgent): ParityDifference[] {
  const rendered = flattenUnattend(unattend);
  const defaults = AWS_DEFAULT_ANSWER_FILES[agent];
  const out: ParityDifference[] = [];
  const at = (pass: string, component: string, path: string) => rendered.find((r) => r.pass === pass && r.component === component && r.path === path);
  for (const row of defaults) {
    const aws = typeof row.value === 'string' ? row.value : `/${row.value.source}/`;
    const got = at(row.pass, row.component, row.path);
    if (!got) out.push({ agent, kind: 'missing', pass: row.pass, component: row.component, path: row.path, aws, winami: '' });
    else if (!matchesAwsDefault(row, got.value))
      out.push({ agent, kind: 'changed', pass: row.pass, component: row.component, path: row.path, aws, winami: got.value });
  }
  for (const r of rendered) {
    if (defaults.some((d) => d.pass === r.pass && d.component === r.component && d.path === r.path)) continue;
    out.push({ agent, kind: 'added', pass: r.pass, component: r.component, path: r.path, aws: '', winami: r.value });
  }
  return out;
}

const KINDS: readonly string[] = ['missing', 'changed', 'added'];
const AGENTS: readonly string[] = ['ec2launch-v2', 'ec2launch-v1', 'ec2config', 'all'];

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, '|').replace(/^`|`$/g, ''));
}

/**
 * The rows of the reviewed table: the Markdown table under the heading
 * `## Reviewed differences`, columns agent | kind | pass | component | setting | why.
 */
export function parseReviewedTable(markdown: string): ReviewedDifference[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => /^##\s+Reviewed differences\s*$/.test(l));
  if (start < 0) throw new Error('no "## Reviewed differences" heading');
  const rows: ReviewedDifference[] = [];
  for (let i = start + 1; i < lines.length && !/^##\s/.test(lines[i]!); i++) {
    const line = lines[i]!;
    if (!line.startsWith('|') || /^\|\s*-/.test(line)) continue;
    const [agent, kind, pass, component, setting, why] = cells(line);
    if (agent === 'agent') continue;
    if (!AGENTS.includes(agent ?? '') || !KINDS.includes(kind ?? '') || !pass || !component || !setting || !why) {
      throw new Error(`line ${i + 1}: a row needs agent (${AGENTS.join('|')}), kind (${KINDS.join('|')}), pass, component, setting and why`);
    }
    rows.push({ agent: agent as ReviewedDifference['agent'], kind: kind as DifferenceKind, pass, component, setting, why, line: i + 1 });
  }
  return rows;
}

function glob(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** The table row that allows `d`, if any. */
export function reviewFor(d: ParityDifference, table: readonly ReviewedDifference[]): ReviewedDifference | undefined {
  return table.find(
    (r) => (r.agent === 'all' || r.agent === d.agent) && r.kind === d.kind && r.pass === d.pass && r.component === d.component && glob(r.setting).test(d.path),
  );
}
