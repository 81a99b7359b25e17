/**
 * One self-contained HTML file an auditor can open offline: no scripts, no
 * external resources (a CSP forbids them), totals per rule, account and
 * region, an inline SVG bar chart, and every finding with its evidence.
 * Every value from AWS goes through `escapeHtml`.
 */
import { sortFindings, type AuditResult } from '../result.js';
import { escapeHtml as h } from './escape.js';
import type { Finding } from '../types.js';

const COLORS: Record<string, string> = { error: '#c0392b', warning: '#d68910', note: '#2874a6' };

function totalsTable(title: string, counts: Record<string, number>): string {
  const rows = Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, v]) => `<tr><td>${h(k)}</td><td class="n">${v}</td></tr>`)
    .join('');
  return `<table class="totals"><caption>${h(title)}</caption><thead><tr><th>${h(title.replace(/^By /, ''))}</th><th>Findings</th></tr></thead><tbody>${rows || '<tr><td colspan="2">none</td></tr>'}</tbody></table>`;
}

/** Horizontal bars, one per rule, coloured by the rule's severity. */
function chart(result: AuditResult): string {
  const entries = result.rules.map((r) => ({ id: r.id, severity: r.severity, n: result.totals.byRule[r.id] ?? 0 }));
  const max = Math.max(1, ...entries.map((e) => e.n));
  const rowH = 22;
  const labelW = 230;
  const barW = 420;
  const height = entries.length * rowH + 10;
  const bars = entries
    .map((e, i) => {
      const y = 5 + i * rowH;
      const w = Math.round((e.n / max) * barW);
      return `<text x="${labelW - 6}" y="${y + 15}" text-anchor="end">${h(e.id)}</text><rect x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 6}" fill="${COLORS[e.severity] ?? '#555'}"><title>${h(e.id)}: ${e.n}</title></rect><text x="${labelW + w + 6}" y="${y + 15}">${e.n}</text>`;
    })
    .join('');
  return `<svg role="img" aria-label="Findings per rule" xmlns="http://www.w3.org/2000/svg" width="${labelW + barW + 60}" height="${height}" font-family="sans-serif" font-size="12">${bars}</svg>`;
}

function evidence(ev: Record<string, unknown>): string {
  return `<dl>${Object.entries(ev)
    .map(([k, v]) => `<dt>${h(k)}</dt><dd>${v === null ? '<i>empty</i>' : h(v)}</dd>`)
    .join('')}</dl>`;
}

/** One finding's table row. */
export function htmlRow(f: Finding): string {
  return `<tr class="${h(f.severity)}"><td><span class="sev">${h(f.severity)}</span></td><td>${h(f.ruleId)}</td><td>${h(f.account)}</td><td>${h(f.region)}</td><td>${h(f.resourceType)} ${h(f.resourceId)}</td><td>${h(f.message)}<details><summary>evidence</summary>${evidence(f.evidence)}</details></td><td>${h(f.time)}</td></tr>\n`;
}

/** Everything before the findings' rows: totals need the whole audit, so a streamed report writes this last, before its spooled rows. */
export function htmlHead(result: AuditResult): string {
  const t = result.totals;
  const failures = result.failures.length
    ? `<h2>Not audited</h2><p>These parts could not be audited; the report is partial.</p><ul>${result.failures
        .map(
          (f) =>
            `<li>${h(f.account)}${f.region ? ` ${h(f.region)}` : ''} — ${h(f.stage)}: ${h(f.message)}${f.iamAction ? ` (grant <code>${h(f.iamAction)}</code>)` : ''}</li>`,
        )
        .join('')}</ul>`
    : '';
  const skipped = result.skipped?.length
    ? `<h2>Skipped accounts</h2><ul>${result.skipped.map((s) => `<li>${h(s.account)} — ${h(s.reason)}</li>`).join('')}</ul>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>winami audit ${h(result.startedAt)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:0 0 1.5em}
td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}
td.n{text-align:right}
caption{font-weight:bold;text-align:left;padding:4px 0}
.totals{display:inline-table;margin-right:2em}
tr.error .sev{color:#c0392b;font-weight:bold}tr.warning .sev{color:#d68910}tr.note .sev{color:#2874a6}
dl{display:grid;grid-template-columns:max-content auto;gap:0 1em;margin:.5em 0}dt{color:#555}dd{margin:0;word-break:break-all}
</style></head><body>
<h1>winami audit</h1>
<p>From ${h(result.startedAt)} to ${h(result.finishedAt)}. Accounts: ${h(result.accounts.join(', ') || 'none')}. Regions: ${result.regions.length}. Scanned ${result.scanned.images} images, ${result.scanned.snapshots} snapshots, ${result.scanned.instances} instances.${result.coverage.audited === 0 ? ' <strong>Nothing was audited: this is not a clean result.</strong>' : result.partial ? ' <strong>Partial: some scopes failed (see below).</strong>' : ''}</p>
<p><strong>${t.findings}</strong> findings: ${t.bySeverity.error} error, ${t.bySeverity.warning} warning, ${t.bySeverity.note} note.</p>
${chart(result)}
<div>${totalsTable('By rule', t.byRule)}${totalsTable('By account', t.byAccount)}${totalsTable('By region', t.byRegion)}</div>
${failures}${skipped}
<h2>Findings</h2>
<table><thead><tr><th>Severity</th><th>Rule</th><th>Account</th><th>Region</th><th>Resource</th><th>Message and evidence</th><th>Time</th></tr></thead><tbody>
`;
}

/** Everything after the findings' rows. */
export function htmlTail(result: AuditResult): string {
  const rules = result.rules.map((r) => `<tr><td>${h(r.id)}</td><td>${h(r.severity)}</td><td>${h(r.title)}</td><td>${h(r.explanation)}</td></tr>`).join('');
  return `${result.totals.findings === 0 ? '<tr><td colspan="7">No findings.</td></tr>\n' : ''}</tbody></table>
<h2>Rules</h2>
<table><thead><tr><th>Id</th><th>Severity</th><th>Title</th><th>Explanation</th></tr></thead><tbody>${rules}</tbody></table>
</body></html>
`;
}

export function formatHtml(result: AuditResult): string {
  return htmlHead(result) + sortFindings(result.findings).map(htmlRow).join('') + htmlTail(result);
}
