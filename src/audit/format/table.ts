/**
 * A plain-text table: totals, then one line per finding, then what could not
 * be audited. On a terminal a long message is cut to the width; written to a
 * pipe or a file (`wrap`), it is wrapped onto indented continuation lines so
 * nothing is lost.
 */
import { sortFindings, type AuditResult } from '../result.js';
import { oneLine } from './escape.js';
import type { Finding } from '../types.js';

function pad(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, Math.max(0, n - 1))}…` : s.padEnd(n);
}

// RULE fits the longest rule id (declared-expectation-mismatch).
const RULE_W = 29;
const FIXED = 8 + 1 + RULE_W + 1 + 12 + 1 + 14 + 1 + 22 + 1;

/** `text` in lines of at most `width` characters, broken at spaces where it can be. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    let w = word;
    while (w.length > width) {
      if (line) {
        lines.push(line);
        line = '';
      }
      lines.push(w.slice(0, width));
      w = w.slice(width);
    }
    if (!line) line = w;
    else if (line.length + 1 + w.length <= width) line += ` ${w}`;
    else {
      lines.push(line);
      line = w;
    }
  }
  lines.push(line);
  return lines;
}

/** Totals and, when there are findings, the column titles (ends with a line break). */
export function tableHead(result: AuditResult): string {
  const lines: string[] = [];
  const t = result.totals;
  if (result.coverage.audited === 0) {
    lines.push(
      `NOTHING WAS AUDITED: no account-region's images could be read${result.failures.length ? '; see "Not audited" below' : ''}. This is not a clean result.`,
    );
  }
  lines.push(
    `Audited ${result.scanned.images} images, ${result.scanned.snapshots} snapshots, ${result.scanned.instances} instances in ${result.accounts.length} account(s) × ${result.regions.length} region(s).`,
  );
  lines.push(`Findings: ${t.findings} (${t.bySeverity.error} error, ${t.bySeverity.warning} warning, ${t.bySeverity.note} note)`);
  if (t.findings > 0) {
    lines.push('');
    lines.push(`${pad('SEVERITY', 8)} ${pad('RULE', RULE_W)} ${pad('ACCOUNT', 12)} ${pad('REGION', 14)} ${pad('RESOURCE', 22)} MESSAGE`);
  }
  return `${lines.join('\n')}\n`;
}

/** One finding's line (with its line break); with `wrap`, a long message goes on over indented lines instead of being cut. */
export function tableRow(f: Finding, width = 120, wrap = false): string {
  const msgWidth = Math.max(20, width - FIXED);
  const head = `${pad(oneLine(f.severity), 8)} ${pad(oneLine(f.ruleId), RULE_W)} ${pad(oneLine(f.account), 12)} ${pad(oneLine(f.region), 14)} ${pad(oneLine(f.resourceId), 22)} `;
  if (!wrap) return `${head}${pad(oneLine(f.message), msgWidth)}\n`;
  return `${head}${wrapText(oneLine(f.message), msgWidth).join(`\n${' '.repeat(FIXED)}`)}\n`;
}

/** Accounts skipped and what could not be audited. */
export function tableTail(result: AuditResult): string {
  const lines: string[] = [];
  if (result.skipped?.length) {
    lines.push('');
    lines.push(`Skipped (${result.skipped.length}):`);
    for (const s of result.skipped) lines.push(`  ${oneLine(s.account)} ${oneLine(s.reason)}`);
  }
  if (result.failures.length > 0) {
    lines.push('');
    lines.push(`Not audited (${result.failures.length}):`);
    for (const f of result.failures) {
      lines.push(
        `  ${oneLine(f.account)}${f.region ? ` ${oneLine(f.region)}` : ''} ${oneLine(f.stage)}: ${oneLine(f.message)}${f.iamAction ? ` (grant ${oneLine(f.iamAction)})` : ''}`,
      );
    }
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export function formatTable(result: AuditResult, width = 120, wrap = false): string {
  return (
    tableHead(result) +
    sortFindings(result.findings)
      .map((f) => tableRow(f, width, wrap))
      .join('') +
    tableTail(result)
  );
}
