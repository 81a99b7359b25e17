/**
 * One self-contained HTML file an auditor can triage from, offline: no
 * scripts, no external resources (a CSP forbids them; links to the docs are
 * plain links). First a matrix of accounts by regions, each cell's findings
 * counted by severity and coloured by the worst; a chart of findings per rule,
 * worst severity first; then the findings grouped by rule, each group with
 * its count, what fixes it, links to the docs, and per finding the image's
 * name and the command that fixes it. Every value from AWS goes through
 * `escapeHtml`, and every command argument through `shellQuote` first.
 *
 * A streamed report (`openReportWriter`) writes the head last, before one
 * spooled group per rule, so it counts the matrix with a `ScopeTally` as
 * findings pass.
 */
import { sortFindings, type AuditResult, type RuleInfo } from '../result.js';
import { fixCommands, remedyOf } from '../remedy.js';
import { SEVERITIES, SEVERITY_RANK, type Finding, type Severity } from '../types.js';
import { escapeHtml as h } from './escape.js';

const COLORS: Record<string, string> = { error: '#c0392b', warning: '#d68910', note: '#2874a6' };

/** Findings per account and region, by severity: the matrix's counts. Its size grows with account-regions, never with findings. */
export class ScopeTally {
  private readonly cells = new Map<string, Record<Severity, number>>();

  add(f: Finding): void {
    const key = `${f.account}\u0000${f.region}`;
    let cell = this.cells.get(key);
    if (!cell) this.cells.set(key, (cell = { error: 0, warning: 0, note: 0 }));
    if (f.severity in cell) cell[f.severity]++;
  }

  get(account: string, region: string): Record<Severity, number> | undefined {
    return this.cells.get(`${account}\u0000${region}`);
  }

  /** The (account, region) pairs with findings, including any outside the result's lists. */
  scopes(): { account: string; region: string }[] {
    return [...this.cells.keys()].map((k) => {
      const [account = '', region = ''] = k.split('\u0000');
      return { account, region };
    });
  }

  static of(findings: readonly Finding[]): ScopeTally {
    const t = new ScopeTally();
    for (const f of findings) t.add(f);
    return t;
  }
}

const rank = (severity: string) => SEVERITY_RANK[severity as Severity] ?? 0;

/** Rules worst severity first, in the pack's order within a severity: the order of the chart and of the groups. */
export function rulesBySeverity<R extends { severity: string }>(rules: readonly R[]): R[] {
  return [...rules].sort((a, b) => rank(b.severity) - rank(a.severity));
}

/** An anchor id for a rule's group. */
export function groupId(ruleId: string): string {
  return `rule-${ruleId.toLowerCase().replace(/[^a-z0-9-]/g, '_')}`;
}

/** Horizontal bars, one per rule, worst severity first, coloured by severity. */
function chart(result: AuditResult): string {
  const entries = rulesBySeverity(result.rules).map((r) => ({ id: r.id, severity: r.severity, n: result.totals.byRule[r.id] ?? 0 }));
  const max = Math.max(1, ...entries.map((e) => e.n));
  const rowH = 22;
  const labelW = 300;
  const barW = 420;
  const height = entries.length * rowH + 10;
  const bars = entries
    .map((e, i) => {
      const y = 5 + i * rowH;
      const w = Math.round((e.n / max) * barW);
      return `<text x="${labelW - 6}" y="${y + 15}" text-anchor="end">${h(e.id)} (${h(e.severity)})</text><rect x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 6}" fill="${COLORS[e.severity] ?? '#555'}"><title>${h(e.id)}: ${e.n}</title></rect><text x="${labelW + w + 6}" y="${y + 15}">${e.n}</text>`;
    })
    .join('');
  return `<svg role="img" aria-label="Findings per rule, worst severity first" xmlns="http://www.w3.org/2000/svg" width="${labelW + barW + 60}" height="${height}" font-family="sans-serif" font-size="12">${bars}</svg>`;
}

function worst(counts: Record<Severity, number>): Severity | undefined {
  return SEVERITIES.find((s) => counts[s] > 0);
}

function countsText(counts: Record<Severity, number>): string {
  return SEVERITIES.filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`)
    .join(', ');
}

/** Accounts down, regions across; each cell counts its findings by severity and is coloured by the worst; a scope that failed says so. */
function matrix(result: AuditResult, tally: ScopeTally): string {
  const accounts = new Set(result.accounts);
  const regions = new Set(result.regions);
  for (const s of tally.scopes()) {
    accounts.add(s.account);
    regions.add(s.region);
  }
  const regionList = [...regions].sort();
  const failedAccount = new Map<string, string>();
  const failedScope = new Map<string, string>();
  for (const f of result.failures) {
    const what = `${f.stage}: ${f.message}`;
    if (f.region) failedScope.set(`${f.account}\u0000${f.region}`, what);
    else failedAccount.set(f.account, what);
  }
  const head = `<tr><th scope="col">Account</th>${regionList.map((r) => `<th scope="col">${h(r)}</th>`).join('')}<th scope="col">All regions</th></tr>`;
  const rows = [...accounts]
    .sort()
    .map((account) => {
      const cells = regionList
        .map((region) => {
          const counts = tally.get(account, region);
          const failed = failedScope.get(`${account}\u0000${region}`) ?? failedAccount.get(account);
          const sev = counts && worst(counts);
          if (sev) {
            const n = counts.error + counts.warning + counts.note;
            return `<td class="cell ${sev}" title="${h(`${account} ${region}: ${countsText(counts)}${failed ? `; partly not audited (${failed})` : ''}`)}"><b>${n}</b> <span class="by">${h(countsText(counts))}</span>${failed ? ' <span class="by">(partial)</span>' : ''}</td>`;
          }
          if (failed) return `<td class="cell failed" title="${h(`${account} ${region} not audited: ${failed}`)}">not audited</td>`;
          return `<td class="cell clean">0</td>`;
        })
        .join('');
      return `<tr><th scope="row">${h(account)}</th>${cells}<td class="n">${result.totals.byAccount[account] ?? 0}</td></tr>`;
    })
    .join('');
  const foot = `<tr><th scope="row">All accounts</th>${regionList.map((r) => `<td class="n">${result.totals.byRegion[r] ?? 0}</td>`).join('')}<td class="n">${result.totals.findings}</td></tr>`;
  const legend = `<p class="legend">Cells: findings in that account and region, coloured by the worst severity: <span class="cell error">error</span> <span class="cell warning">warning</span> <span class="cell note">note</span> <span class="cell clean">none</span> <span class="cell failed">not audited</span>.</p>`;
  return `<table class="matrix" id="matrix"><caption>Findings by account and region</caption><thead>${head}</thead><tbody>${rows || `<tr><td colspan="${regionList.length + 2}">No account was audited.</td></tr>`}</tbody><tfoot>${foot}</tfoot></table>\n${legend}`;
}

/** The list of rule groups with their counts, linking to each. */
function groupIndex(result: AuditResult): string {
  const items = rulesBySeverity(result.rules)
    .filter((r) => (result.totals.byRule[r.id] ?? 0) > 0)
    .map(
      (r) =>
        `<li class="${h(r.severity)}"><a href="#${groupId(r.id)}">${h(r.title)}</a> <code>${h(r.id)}</code> <span class="sev">${h(r.severity)}</span>: ${result.totals.byRule[r.id]}</li>`,
    )
    .join('');
  return items ? `<ul class="index">${items}</ul>` : '<p>No findings.</p>';
}

function docLinks(ruleId: string): string {
  return remedyOf(ruleId)
    .docs.filter((d) => /^https:\/\//.test(d.url))
    .map((d) => `<a href="${h(d.url)}" rel="noopener noreferrer">${h(d.title)}</a>`)
    .join(' · ');
}

function evidence(ev: Record<string, unknown>, time: string): string {
  return `<dl>${Object.entries(ev)
    .map(([k, v]) => `<dt>${h(k)}</dt><dd>${v === null ? '<i>empty</i>' : h(v)}</dd>`)
    .join('')}<dt>found at</dt><dd>${h(time)}</dd></dl>`;
}

/** The resource: its id, and the image's name where the finding knows it. */
function resource(f: Finding): string {
  const ev = f.evidence;
  let about = '';
  if (f.resourceType === 'image' && typeof ev.name === 'string' && ev.name) about = `<span class="name">${h(ev.name)}</span>`;
  else if (f.resourceType === 'snapshot' && typeof ev.createdForImageId === 'string') about = `made for <code>${h(ev.createdForImageId)}</code> (gone)`;
  else if (f.resourceType === 'instance' && (ev.launchImageId ?? ev.imageId)) about = `from <code>${h(ev.launchImageId ?? ev.imageId)}</code>`;
  return `<code>${h(f.resourceId)}</code>${about ? `<br>${about}` : ''}`;
}

function fixCell(f: Finding): string {
  const commands = fixCommands(f);
  return commands.length ? commands.map((c) => `<code class="fix">${h(c)}</code>`).join('') : '<span class="nofix">see the fix above</span>';
}

/** One finding's table row, inside its rule's group. */
export function htmlRow(f: Finding): string {
  return `<tr class="${h(f.severity)}"><td>${h(f.account)}</td><td class="nowrap">${h(f.region)}</td><td class="res">${resource(f)}</td><td>${h(f.message)}<details><summary>evidence</summary>${evidence(f.evidence, f.time)}</details></td><td>${fixCell(f)}</td></tr>\n`;
}

/** A rule's group up to its rows: title, count, what fixes it, the docs, the table's head. */
export function htmlGroupHead(result: AuditResult, rule: RuleInfo): string {
  const n = rule === OTHER_RULES ? otherCount(result) : (result.totals.byRule[rule.id] ?? 0);
  return `<section class="group ${h(rule.severity)}" id="${groupId(rule.id)}" data-rule="${h(rule.id)}">
<h3><span class="sev">${h(rule.severity)}</span> ${h(rule.title)} <code>${h(rule.id)}</code>: <span class="count">${n}</span> finding${n === 1 ? '' : 's'}</h3>
<p>${h(rule.explanation)}</p>
<p><strong>Fix:</strong> ${h(remedyOf(rule.id).fix)}</p>
<p class="docs">Docs: ${docLinks(rule.id)}</p>
<table><thead><tr><th>Account</th><th>Region</th><th>Resource</th><th>Message and evidence</th><th>Fix command</th></tr></thead><tbody>
`;
}

/** A rule's group after its rows. */
export function htmlGroupTail(): string {
  return '</tbody></table></section>\n';
}

/** Everything before the groups: totals need the whole audit, so a streamed report writes this last, before its spooled groups. */
export function htmlHead(result: AuditResult, tally: ScopeTally): string {
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
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>winami audit ${h(result.startedAt)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:0 0 1.5em}
td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}
td.n{text-align:right}
caption{font-weight:bold;text-align:left;padding:4px 0}
.sev{font-weight:bold;text-transform:uppercase;font-size:11px}
.error .sev{color:#c0392b}.warning .sev{color:#d68910}.note .sev{color:#2874a6}
.cell{text-align:center;white-space:nowrap}.cell .by{font-size:11px}
.cell.error{background:#f5b7b1}.cell.warning{background:#fad7a0}.cell.note{background:#aed6f1}.cell.clean{background:#e9f7ef;color:#555}.cell.failed{background:#ddd;color:#444;font-style:italic}
.legend .cell{display:inline-block;padding:0 6px;border:1px solid #ccc}
section.group{border-left:6px solid #999;padding-left:12px;margin:0 0 2em}
section.group.error{border-color:#c0392b}section.group.warning{border-color:#d68910}section.group.note{border-color:#2874a6}
.name{font-weight:600;overflow-wrap:anywhere}
td.res code,td.nowrap{white-space:nowrap}
code.fix{display:block;background:#f4f4f4;padding:2px 4px;margin:2px 0;white-space:pre-wrap;overflow-wrap:anywhere;user-select:all;min-width:24em}
.nofix{color:#777;font-style:italic}
dl{display:grid;grid-template-columns:max-content auto;gap:0 1em;margin:.5em 0}dt{color:#555}dd{margin:0;word-break:break-all}
</style></head><body>
<h1>winami audit</h1>
<p>From ${h(result.startedAt)} to ${h(result.finishedAt)}. Accounts: ${h(result.accounts.join(', ') || 'none')}. Regions: ${result.regions.length}. Scanned ${result.scanned.images} images, ${result.scanned.snapshots} snapshots, ${result.scanned.instances} instances.${result.coverage.audited === 0 ? ' <strong>Nothing was audited: this is not a clean result.</strong>' : result.partial ? ' <strong>Partial: some scopes failed (see below).</strong>' : ''}</p>
<p><strong>${t.findings}</strong> findings: ${t.bySeverity.error} error, ${t.bySeverity.warning} warning, ${t.bySeverity.note} note.</p>
${matrix(result, tally)}
${chart(result)}
${failures}${skipped}
<h2>Findings by rule</h2>
<p>Run each fix command with credentials for the finding's account (for example <code>--profile</code>, or <code>AWS_PROFILE</code>); commands that change something ask first on a terminal.</p>
${groupIndex(result)}
`;
}

/** Everything after the groups: the rule pack with its docs. */
export function htmlTail(result: AuditResult): string {
  const rules = result.rules
    .map((r) => `<tr><td>${h(r.id)}</td><td>${h(r.severity)}</td><td>${h(r.title)}</td><td>${h(r.explanation)}</td><td>${docLinks(r.id)}</td></tr>`)
    .join('');
  return `<h2>Rules</h2>
<table><thead><tr><th>Id</th><th>Severity</th><th>Title</th><th>Explanation</th><th>Docs</th></tr></thead><tbody>${rules}</tbody></table>
</body></html>
`;
}

/** The report of a kept result: the same head, groups and tail a streamed report writes, rows sorted within each group. */
export function formatHtml(result: AuditResult): string {
  const byRule = new Map<string, Finding[]>();
  for (const f of sortFindings(result.findings)) {
    const list = byRule.get(f.ruleId);
    if (list) list.push(f);
    else byRule.set(f.ruleId, [f]);
  }
  const known = new Set(result.rules.map((r) => r.id));
  const groups = rulesBySeverity(result.rules)
    .filter((r) => byRule.has(r.id))
    .map((r) => htmlGroupHead(result, r) + byRule.get(r.id)!.map(htmlRow).join('') + htmlGroupTail());
  const others = result.findings.filter((f) => !known.has(f.ruleId));
  if (others.length) groups.push(htmlGroupHead(result, OTHER_RULES) + sortFindings(others).map(htmlRow).join('') + htmlGroupTail());
  return htmlHead(result, ScopeTally.of(result.findings)) + groups.join('') + htmlTail(result);
}

function otherCount(result: AuditResult): number {
  const known = new Set(result.rules.map((r) => r.id));
  return Object.entries(result.totals.byRule).reduce((n, [id, k]) => (known.has(id) ? n : n + k), 0);
}

/** The group of findings whose rule the result does not list (none in practice: every finding's rule is in the pack). */
export const OTHER_RULES: RuleInfo = {
  id: 'other',
  severity: 'error',
  title: 'Findings of rules not in this report',
  explanation: 'Rules this report does not describe.',
};
