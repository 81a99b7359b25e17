/**
 * Hostile values in image names, descriptions and tags, carried by the real
 * SDK from the emulator through the audit into every report format. AWS
 * limits names to a small alphabet (the emulator enforces it), so the worst
 * goes into descriptions and tag values; the 10 kB description is beyond
 * AWS's 255-character limit on purpose, to prove size does not break a format.
 */
import { expect } from 'chai';
import { afterConsistencyWindow, sessionFor, startEmulator, type Emulator } from './billing-emulator.js';
import { audit, formatAudit } from '../../src/audit/index.js';
import type { AuditResult } from '../../src/audit/result.js';

const NAME = `-@'hostile'[]] (x)`;
const DESCRIPTION = `<script>alert("x")</script>" onmouseover="alert(1)' ]]> =cmd|' /C calc'!A0, comma\r\nnewline ünïcødé 日本語 🚀 <!-- &amp; &#x3c;`;
const BIG = `=HYPERLINK("http://evil.example/")${'<img src=x onerror=alert(1)>,"\n'.repeat(350)}`.slice(0, 10_240);
const TAG = `=cmd|' /C calc'!A0 <style>@import url(http://evil.example/x.css)</style>`;
// CRLF arrives as LF: XML end-of-line handling on the way from EC2, before the audit sees it.
const DESCRIPTION_SEEN = DESCRIPTION.replace(/\r\n/g, '\n');

/** RFC 4180 rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') ((cell += '"'), i++);
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') (row.push(cell), (cell = ''));
    else if (c === '\r' && text[i + 1] === '\n') (row.push(cell), rows.push(row), (row = []), (cell = ''), i++);
    else if (c === '"') throw new Error(`a quote inside an unquoted cell at ${i}`);
    else cell += c;
  }
  if (cell !== '' || row.length) throw new Error('CSV does not end with CRLF');
  return rows;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };
const decode = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (_m, e: string) => ENTITIES[e]!);

const HTML_TAGS = new Set([
  '!doctype',
  'html',
  'head',
  'meta',
  'title',
  'style',
  'body',
  'h1',
  'h2',
  'p',
  'strong',
  'svg',
  'text',
  'rect',
  'div',
  'table',
  'caption',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'ul',
  'li',
  'code',
  'span',
  'details',
  'summary',
  'dl',
  'dt',
  'dd',
  'i',
  'a',
  'b',
  'br',
  'section',
  'h3',
  'tfoot',
]);
const HTML_ATTRIBUTES = new Set([
  'lang',
  'charset',
  'http-equiv',
  'content',
  'role',
  'aria-label',
  'xmlns',
  'width',
  'height',
  'font-family',
  'font-size',
  'x',
  'y',
  'text-anchor',
  'fill',
  'class',
  'colspan',
  'html',
  'name',
  'href',
  'rel',
  'id',
  'data-rule',
  'title',
  'scope',
]);
/** Where the report's links may go: AWS's and winami's docs, or a place in the report. */
const LINK = /^(https:\/\/docs\.aws\.amazon\.com\/|https:\/\/github\.com\/winami\/winami\/|#rule-)/;

describe('audit reports with hostile names, descriptions and tags (emulator)', function () {
  this.timeout(60_000);
  let emu: Emulator;
  let result: AuditResult;

  before(async () => {
    emu = await startEmulator({ port: 0, timeScale: 0.001, seed: { regions: ['us-east-1'], images: 1 } });
    const ec2 = sessionFor(emu, 0).ec2('us-east-1');
    const source = (await ec2.describeImages({ Owners: ['self'] })).Images![0]!.ImageId!;
    const copy = async (Name: string, Description: string, tag?: string) =>
      ec2.copyImage({
        Name,
        Description,
        SourceImageId: source,
        SourceRegion: 'us-east-1',
        ...(tag ? { TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'winami:expect', Value: tag }] }] } : {}),
      });
    emu.control.setImageOutcome({ actions: ['CopyImage'], billing: 'empty', times: 2 });
    await copy(NAME, DESCRIPTION);
    await copy('big-description', BIG);
    await copy('hostile-tag', 'tagged', TAG);
    await afterConsistencyWindow();
    for (let i = 0; i < 200; i++) {
      const images = (await ec2.describeImages({ Owners: ['self'] })).Images ?? [];
      if (images.every((im) => im.State === 'available')) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    result = await audit({ session: sessionFor(emu, 0), regions: ['us-east-1'] });
    const rules = new Set(result.findings.map((f) => f.ruleId));
    expect(rules).to.include.keys('billing-fields-empty', 'rule-failed');
  });
  after(async () => emu?.stop());

  it('JSON and SARIF parse and give back every hostile value exactly', () => {
    const json = JSON.parse(formatAudit(result, 'json')) as AuditResult;
    const jsonValues = json.findings.flatMap((f) => [f.message, ...Object.values(f.evidence)]);
    const sarif = JSON.parse(formatAudit(result, 'sarif'));
    const sarifValues = sarif.runs[0].results.flatMap((r: { message: { text: string }; properties: { evidence: Record<string, unknown> } }) => [
      r.message.text,
      ...Object.values(r.properties.evidence),
    ]);
    for (const v of [NAME, DESCRIPTION_SEEN, BIG]) {
      expect(jsonValues).to.include(v);
      expect(sarifValues).to.include(v);
    }
    expect(jsonValues.some((v) => typeof v === 'string' && v.includes(TAG))).to.equal(true, 'the tag value is named by the rule-failed finding');
    expect(sarifValues.some((v: unknown) => typeof v === 'string' && v.includes(TAG))).to.equal(true);
  });

  it('CSV parses to one row per finding, every cell quoted as needed and no cell a formula', () => {
    const rows = parseCsv(formatAudit(result, 'csv'));
    const [header, ...body] = rows;
    expect(body).to.have.length(result.findings.length);
    for (const row of body) expect(row).to.have.length(header!.length);
    const cells = body.flat();
    for (const c of cells) expect(c).to.not.match(/^[=+\-@\t\r]/);
    const name = header!.indexOf('name');
    expect(body.map((r) => r[name])).to.include(`'${NAME}`);
    const evidence = body.map((r) => JSON.parse(r[header!.indexOf('evidence')]!) as Record<string, unknown>);
    expect(evidence.map((e) => e.description)).to.include.members([DESCRIPTION_SEEN, BIG]);
    expect(cells.some((c) => c.includes(`'=cmd|' /C calc'!A0`) || c.includes(TAG))).to.equal(true);
  });

  it('HTML is one self-contained file: only its own tags and attributes, nothing external, values escaped', () => {
    const html = formatAudit(result, 'html');
    const tags = html.match(/<[^>]*>/g) ?? [];
    for (const t of tags) {
      const m = /^<\/?([!a-zA-Z0-9-]+)/.exec(t);
      expect(m, t.slice(0, 200)).to.not.equal(null);
      expect(HTML_TAGS.has(m![1]!.toLowerCase()), t.slice(0, 200)).to.equal(true);
      for (const a of t.slice(m![0].length).matchAll(/([a-zA-Z-:]+)(?:="([^"]*)")?/g)) {
        expect(HTML_ATTRIBUTES.has(a[1]!.toLowerCase()), `${a[1]} in ${t.slice(0, 200)}`).to.equal(true);
        if (a[1] === 'href') expect(a[2] ?? '').to.match(LINK);
        else if (a[1] !== 'xmlns') expect(a[2] ?? '').to.not.contain('://');
      }
    }
    expect(html).to.not.match(/<script|<img|<style>@import/i);
    expect(html).to.contain("default-src 'none'");
    const text = decode(html);
    for (const v of [DESCRIPTION_SEEN, BIG]) expect(text).to.contain(v);
    expect(text).to.contain(TAG);
    expect(html).to.match(/<svg[^>]*aria-label="Findings per rule, worst severity first"/);
    expect(html).to.contain('<caption>Findings by account and region</caption>');
    expect(html).to.contain('data-rule="billing-fields-empty"');
  });

  it('the table stays one line per finding', () => {
    const table = formatAudit(result, 'table', { width: 160 });
    const lines = table.split('\n').filter((l) => /^(error|warning|note) /.test(l));
    expect(lines).to.have.length(result.findings.length);
    expect(table).to.not.contain('<script>alert("x")</script>"\r');
  });
});
