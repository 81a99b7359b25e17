import { expect } from 'chai';
import { formatAudit, formatCsv, formatHtml, formatJson, formatSarif, formatTable } from '../../../src/audit/format/index.js';
import { escapeCsv } from '../../../src/audit/format/escape.js';
import { totalsOf, type AuditResult } from '../../../src/audit/result.js';
import { ruleMetadata } from '../../../src/audit/pack.js';
import type { Finding } from '../../../src/audit/types.js';

const HOSTILE = `<script>alert("x")</script>' =cmd|' /C calc'!A0\r\nnext "line"`;

function result(findings: Finding[]): AuditResult {
  return {
    startedAt: '2025-06-01T00:00:00.000Z',
    finishedAt: '2025-06-01T00:00:05.000Z',
    accounts: ['111111111111', '222222222222'],
    regions: ['us-east-1', 'eu-west-1'],
    scanned: { images: 10, snapshots: 4, instances: 2 },
    findings,
    totals: totalsOf(findings),
    failures: [{ account: '222222222222', region: 'eu-west-1', stage: 'images', message: `denied ${HOSTILE}`, iamAction: 'ec2:DescribeImages' }],
    coverage: { scopes: 4, audited: 3 },
    partial: true,
    rules: ruleMetadata(),
  };
}

const hostileFinding: Finding = {
  ruleId: 'sql-edition-mismatch',
  severity: 'error',
  title: 'SQL',
  account: '111111111111',
  region: 'us-east-1',
  resourceType: 'image',
  resourceId: 'ami-0123456789abcdef0',
  message: `the name ${HOSTILE} says SQL`,
  evidence: { name: HOSTILE, platformDetails: '=HYPERLINK("http://evil")', usageOperation: 'RunInstances:0002' },
  time: '2025-06-01T00:00:01.000Z',
};
const warning: Finding = {
  ...hostileFinding,
  ruleId: 'unencrypted-snapshot',
  severity: 'warning',
  resourceId: 'ami-2',
  message: 'plain',
  evidence: { name: 'ok' },
  account: '222222222222',
  region: 'eu-west-1',
};

describe('audit formats', () => {
  const r = result([warning, hostileFinding]);

  it('CSV quotes and neutralises formula cells', () => {
    expect(escapeCsv('=cmd|/C calc')).to.equal(`'=cmd|/C calc`);
    expect(escapeCsv('+1')).to.equal(`'+1`);
    expect(escapeCsv('-1')).to.equal(`'-1`);
    expect(escapeCsv('@SUM(A1)')).to.equal(`'@SUM(A1)`);
    expect(escapeCsv('a,"b"\nc')).to.equal('"a,""b""\nc"');
    expect(escapeCsv(null)).to.equal('');
    const csv = formatCsv(r);
    const lines = csv.split('\r\n');
    expect(lines[0]).to.equal('severity,rule,account,region,resource_type,resource_id,message,platform_details,usage_operation,name,time,evidence');
    expect(lines[1]!.startsWith('error,sql-edition-mismatch,')).to.equal(true, 'errors sort first');
    expect(csv).to.contain(`"'=HYPERLINK(""http://evil"")"`);
    expect(csv).to.not.match(/,=/);
    expect(csv).to.contain(`"<script>alert(""x"")</script>' =cmd|' /C calc'!A0\r\nnext ""line"""`);
  });

  it('HTML escapes every value, loads nothing external, links only to docs, and shows the matrix, chart, groups and evidence', () => {
    const html = formatHtml(r);
    expect(html).to.not.contain('<script>');
    expect(html).to.contain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;');
    expect(html).to.not.match(/\ssrc=/);
    for (const [, href] of html.matchAll(/\shref="([^"]*)"/g))
      expect(href).to.match(/^(https:\/\/docs\.aws\.amazon\.com\/|https:\/\/github\.com\/winami\/winami\/|#rule-)/);
    expect(html).to.contain('Content-Security-Policy" content="default-src \'none\'');
    expect(html).to.match(/<svg[^>]*aria-label="Findings per rule, worst severity first"/);
    expect(html).to.contain('<caption>Findings by account and region</caption>');
    // 111… us-east-1 has the error; 222… eu-west-1 the warning and a failure (partial); the other two cells are clean.
    expect(html).to.match(
      /<th scope="row">111111111111<\/th><td class="cell clean">0<\/td><td class="cell error"[^>]*><b>1<\/b> <span class="by">1 error<\/span><\/td><td class="n">1<\/td>/,
    );
    expect(html).to.match(
      /<th scope="row">222222222222<\/th><td class="cell warning"[^>]*><b>1<\/b> <span class="by">1 warning<\/span> <span class="by">\(partial\)<\/span><\/td><td class="cell clean">0<\/td>/,
    );
    expect(html).to.contain('grant <code>ec2:DescribeImages</code>');
    expect(html).to.contain('<dt>platformDetails</dt><dd>=HYPERLINK(&quot;http://evil&quot;)</dd>');
    // Groups: errors first, each with its count and the fix command of each finding.
    expect(html.indexOf('data-rule="sql-edition-mismatch"')).to.be.greaterThan(0);
    expect(html.indexOf('data-rule="sql-edition-mismatch"')).to.be.lessThan(html.indexOf('data-rule="unencrypted-snapshot"'));
    expect(html).to.contain('<code class="fix">winami discard ami-0123456789abcdef0 --region us-east-1</code>');
  });

  it('the chart lists rules worst severity first, whatever their counts', () => {
    const many = Array.from({ length: 5 }, (_, i) => ({ ...warning, resourceId: `ami-${i}` }));
    const html = formatHtml(result([hostileFinding, ...many]));
    const labels = [...html.matchAll(/<text x="\d+" y="\d+" text-anchor="end">([\w-]+) \((\w+)\)<\/text>/g)].map((m) => m[2]);
    expect(labels.length).to.equal(ruleMetadata().length);
    expect(labels.indexOf('warning')).to.be.greaterThan(labels.lastIndexOf('error'));
  });

  it('JSON round-trips hostile strings intact', () => {
    const parsed = JSON.parse(formatJson(r)) as AuditResult;
    expect(parsed.findings[0]!.evidence.name).to.equal(HOSTILE);
    expect(parsed.totals.bySeverity).to.deep.equal({ error: 1, warning: 1, note: 0 });
    expect(parsed.partial).to.equal(true);
  });

  it('SARIF is 2.1.0 with rules, levels, ARNs and a failed invocation for a partial audit', () => {
    const sarif = JSON.parse(formatSarif(r, '1.2.3'));
    expect(sarif.version).to.equal('2.1.0');
    const run = sarif.runs[0];
    expect(run.tool.driver.version).to.equal('1.2.3');
    expect(run.tool.driver.rules.map((x: { id: string }) => x.id)).to.include('orphaned-snapshot');
    expect(run.results[0].level).to.equal('error');
    expect(run.results[0].message.text).to.contain(HOSTILE);
    expect(run.results[0].locations[0].logicalLocations[0].fullyQualifiedName).to.equal('arn:aws:ec2:us-east-1:111111111111:image/ami-0123456789abcdef0');
    expect(run.tool.driver.rules[run.results[0].ruleIndex].id).to.equal('sql-edition-mismatch');
    expect(run.invocations[0].executionSuccessful).to.equal(false);
  });

  it('the table wraps a long message onto indented lines instead of cutting it, when asked (a pipe or a file)', () => {
    const long = { ...warning, message: `${'word '.repeat(40)}${'x'.repeat(70)} end` };
    const cut = formatTable(result([long]), 120);
    expect(cut).to.contain('…');
    const text = formatTable(result([long]), 120, true);
    expect(text).to.not.contain('…');
    const lines = text.split('\n');
    const first = lines.findIndex((l) => l.startsWith('warning '));
    const rest = lines.slice(first + 1).filter((l) => /^ {90}\S/.test(l));
    expect(rest.length).to.be.greaterThan(3);
    for (const l of [lines[first]!, ...rest]) expect(l.length).to.be.at.most(120);
    const message = [lines[first]!.slice(90), ...rest.map((l) => l.slice(90))].join(' ');
    // Every character is there; only the 70-character word, wider than the column, is split.
    expect(message.replace(/ /g, '')).to.equal(long.message.replace(/ /g, ''));
    expect(message.split(' ').filter((w) => w !== 'word')).to.deep.equal(['x'.repeat(30), 'x'.repeat(30), 'x'.repeat(10), 'end']);
  });

  it('the table keeps one line per finding, even with newlines and control characters in values', () => {
    const text = formatTable(r, 140);
    const rows = text.split('\n').filter((l) => /^(error|warning) /.test(l));
    expect(rows).to.have.length(2);
    expect(text).to.not.contain('\r');
    expect(text).to.contain('Not audited (1):');
    expect(text).to.contain('(grant ec2:DescribeImages)');
    expect(formatAudit(result([]), 'table')).to.contain('Findings: 0');
  });
});
