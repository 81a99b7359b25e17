/**
 * Streamed reports: every format written finding by finding while the audit
 * runs is a valid document (JSON and SARIF parse, CSV parses, HTML is
 * well-formed) with the same content as the report `formatAudit` makes from
 * the kept result of the same audit; only the order of findings differs.
 */
import { expect } from 'chai';
import { Writable } from 'node:stream';
import { afterConsistencyWindow, sessionFor, startEmulator, type Emulator } from './billing-emulator.js';
import { audit, formatAudit, openReportWriter, ruleMetadata, type AuditReportWriter, type AuditResult } from '../../src/audit/index.js';
import { AUDIT_FORMATS, type AuditFormat } from '../../src/audit/format/index.js';

/** An in-memory output that says "full" every few writes, so the writers' back-pressure path runs. */
class Collect extends Writable {
  text = '';
  constructor() {
    super({ highWaterMark: 256 });
  }
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString('utf8');
    setImmediate(cb);
  }
}

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

const VOID = new Set(['!doctype', 'meta', 'br']);
/** Every element closed in order (SVG's self-closing none here); throws otherwise. */
function assertWellFormed(html: string): void {
  const stack: string[] = [];
  for (const m of html.matchAll(/<(\/?)([!a-zA-Z0-9-]+)[^>]*?(\/?)>/g)) {
    const [, close, rawName, selfClose] = m;
    const name = rawName!.toLowerCase();
    if (VOID.has(name) || selfClose) continue;
    if (close) {
      const top = stack.pop();
      if (top !== name) throw new Error(`</${name}> closes <${top}> at ${m.index}`);
    } else stack.push(name);
  }
  if (stack.length) throw new Error(`unclosed: ${stack.join(' > ')}`);
}

const key = (f: { ruleId: string; account: string; region: string; resourceId: string; message: string }) =>
  `${f.ruleId}|${f.account}|${f.region}|${f.resourceId}|${f.message}`;

describe('audit reports streamed as findings come', function () {
  this.timeout(60_000);
  let emu: Emulator;
  let result: AuditResult;
  const streamed = new Map<AuditFormat, string>();

  before(async () => {
    emu = await startEmulator({ port: 0, timeScale: 0.001, seed: { regions: ['us-east-1', 'eu-west-1'], images: 30 } });
    const ec2 = sessionFor(emu, 0).ec2('us-east-1');
    const source = (await ec2.describeImages({ Owners: ['self'] })).Images![0]!.ImageId!;
    emu.control.setImageOutcome({ actions: ['CopyImage'], billing: 'empty', times: 3 });
    for (const [i, d] of ['plain', 'quote " comma , CRLF\r\nline <b>&amp;</b>', '=formula ]]> 🚀'].entries()) {
      await ec2.copyImage({ Name: `empty-${i}`, Description: d, SourceImageId: source, SourceRegion: 'us-east-1' });
    }
    await afterConsistencyWindow();
    for (let i = 0; i < 200; i++) {
      const images = (await ec2.describeImages({ Owners: ['self'] })).Images ?? [];
      if (images.every((im) => im.State === 'available')) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const outs = new Map<AuditFormat, Collect>();
    const writers: AuditReportWriter[] = [];
    for (const format of AUDIT_FORMATS) {
      const out = new Collect();
      outs.set(format, out);
      writers.push(await openReportWriter(format, out, { rules: ruleMetadata(), toolVersion: '1.2.3', width: 140 }));
    }
    result = await audit({
      session: sessionFor(emu, 0),
      regions: ['us-east-1', 'eu-west-1'],
      pageSize: 7,
      sink: {
        finding: (f) => writers.forEach((w) => w.finding(f)),
        drain: async () => void (await Promise.all(writers.map((w) => w.drain()))),
      },
    });
    for (const w of writers) await w.end(result);
    for (const [format, out] of outs) streamed.set(format, out.text);
    expect(result.findings.length).to.be.greaterThan(30);
    expect(result.findings.map((f) => f.ruleId)).to.include('billing-fields-empty');
  });
  after(async () => emu?.stop());

  it('JSON: one document, the same result as formatAudit once findings are put in one order', () => {
    const a = JSON.parse(streamed.get('json')!) as AuditResult;
    const b = JSON.parse(formatAudit(result, 'json')) as AuditResult;
    expect(a.findings.map(key)).to.not.deep.equal([], 'findings were streamed');
    a.findings.sort((x, y) => key(x).localeCompare(key(y)));
    b.findings.sort((x, y) => key(x).localeCompare(key(y)));
    expect(a).to.deep.equal(b);
  });

  it('SARIF: one log, the same as formatAudit once results are put in one order', () => {
    const a = JSON.parse(streamed.get('sarif')!);
    const b = JSON.parse(formatAudit(result, 'sarif', { toolVersion: '1.2.3' }));
    const order = (r: { partialFingerprints: { resource: string }; message: { text: string } }) => `${r.partialFingerprints.resource}|${r.message.text}`;
    for (const s of [a, b]) s.runs[0].results.sort((x: never, y: never) => order(x).localeCompare(order(y)));
    expect(a.runs[0].results).to.have.length(result.findings.length);
    expect(a).to.deep.equal(b);
  });

  it('CSV: parses, the header and the same rows as formatAudit', () => {
    const a = parseCsv(streamed.get('csv')!);
    const b = parseCsv(formatAudit(result, 'csv'));
    expect(a[0]).to.deep.equal(b[0]);
    expect(a.length).to.equal(result.findings.length + 1);
    expect(
      a
        .slice(1)
        .map((r) => r.join('\u0000'))
        .sort(),
    ).to.deep.equal(
      b
        .slice(1)
        .map((r) => r.join('\u0000'))
        .sort(),
    );
  });

  for (const format of ['html', 'table'] as const) {
    it(`${format}: the spooled rows between the same head and tail as formatAudit`, () => {
      const a = streamed.get(format)!;
      const b = formatAudit(result, format, { width: 140 });
      const rowOf = format === 'html' ? /^<tr class="(error|warning|note)">[\s\S]*?<\/tr>$/gm : /^(error|warning|note) .*$/gm;
      const rows = (s: string) => (s.match(rowOf) ?? []).sort();
      expect(rows(a)).to.have.length(result.findings.length);
      expect(rows(a)).to.deep.equal(rows(b));
      expect(a.replace(rowOf, '')).to.equal(b.replace(rowOf, ''));
      if (format === 'html') {
        assertWellFormed(a);
        expect(a).to.match(/<\/html>\n$/);
      }
    });
  }

  it('a result without findings kept still counts them', async () => {
    const out = new Collect();
    const w = await openReportWriter('json', out, { rules: ruleMetadata() });
    const r = await audit({ session: sessionFor(emu, 0), regions: ['us-east-1', 'eu-west-1'], keepFindings: false, sink: w });
    await w.end(r);
    expect(r.findings).to.deep.equal([]);
    expect(r.findingsKept).to.equal(false);
    expect(r.totals).to.deep.equal(result.totals);
    const doc = JSON.parse(out.text) as AuditResult;
    expect(doc.findings.map(key).sort()).to.deep.equal(result.findings.map(key).sort());
  });
});
