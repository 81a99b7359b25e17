/**
 * Raw control characters from AWS-sourced strings (tag values, names,
 * descriptions, error messages) never reach a report or a terminal: text
 * formats show them as visible `\uXXXX`, JSON and SARIF escape them the way
 * JSON does, so parsing gives back every value exactly.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatAudit, AUDIT_FORMATS } from '../../../src/audit/format/index.js';
import { totalsOf, type AuditResult } from '../../../src/audit/result.js';
import { ruleMetadata } from '../../../src/audit/pack.js';
import type { Finding } from '../../../src/audit/types.js';
import { textReporter } from '../../../src/cli/text-reporter.js';
import { progressReporter } from '../../../src/cli/progress.js';
import { renderError } from '../../../src/cli/command.js';
import { ConfigError } from '../../../src/errors.js';
import { packageRoot } from '../../../src/util/package-root.js';

// ESC[2J (clear screen), an OSC-8 hyperlink ended by BEL, NUL, DEL, a C1 CSI, RLO and an isolate, ZWSP, LS.
const HOSTILE = 'a\u001b[2Jb\u001b]8;;http://evil.example/\u0007click\u001b]8;;\u0007c\u0000d\u007fe\u009b31mf\u202eg\u2066h\u200bi\u2028j';
/** Anything a terminal, spreadsheet or browser would act on or reorder (tab, CR, LF are handled per format). */
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]/;
const RAW_GLOBAL = new RegExp(RAW.source, 'g');

function hostileResult(): AuditResult {
  const finding: Finding = {
    ruleId: 'billing-fields-empty',
    severity: 'error',
    title: 'empty',
    account: '111111111111',
    region: 'us-east-1',
    resourceType: 'image',
    resourceId: `ami-1${HOSTILE}`,
    message: `image ${HOSTILE} has no billing fields`,
    evidence: { name: HOSTILE, description: `tag ${HOSTILE}`, platformDetails: null },
    time: '2025-06-01T00:00:01.000Z',
  };
  const findings = [finding];
  return {
    startedAt: '2025-06-01T00:00:00.000Z',
    finishedAt: '2025-06-01T00:00:05.000Z',
    accounts: ['111111111111'],
    regions: ['us-east-1'],
    scanned: { images: 1, snapshots: 0, instances: 0 },
    findings,
    totals: totalsOf(findings),
    failures: [{ account: '111111111111', region: 'eu-west-1', stage: 'images', message: `denied ${HOSTILE}`, iamAction: 'ec2:DescribeImages' }],
    coverage: { scopes: 2, audited: 1 },
    partial: true,
    rules: ruleMetadata(),
  };
}

describe('control characters from AWS never reach a report or a terminal', () => {
  const result = hostileResult();

  for (const format of AUDIT_FORMATS) {
    it(`${format}: no raw control or bidi character in the output`, () => {
      const text = formatAudit(result, format, { width: 200 });
      const m = RAW.exec(text);
      expect(m, m ? `U+${m[0].codePointAt(0)!.toString(16)} at ${m.index}: ${JSON.stringify(text.slice(m.index - 20, m.index + 20))}` : '').to.equal(null);
    });
  }

  it('the table, CSV and HTML show each one visibly as \\uXXXX', () => {
    for (const format of ['table', 'csv', 'html'] as const) {
      const text = formatAudit(result, format, { width: 400 });
      expect(text, format).to.include('a\\u001b[2Jb').and.include('\\u0007click').and.include('\\u202eg').and.include('\\u009b31m');
    }
    expect(formatAudit(result, 'table', { width: 400 })).to.not.match(/[\t\r]/);
  });

  it('JSON and SARIF give back every value exactly when parsed', () => {
    const json = JSON.parse(formatAudit(result, 'json')) as AuditResult;
    expect(json.findings[0]!.evidence.name).to.equal(HOSTILE);
    expect(json.findings[0]!.resourceId).to.equal(`ami-1${HOSTILE}`);
    expect(json.failures[0]!.message).to.equal(`denied ${HOSTILE}`);
    const sarif = JSON.parse(formatAudit(result, 'sarif'));
    expect(sarif.runs[0].results[0].properties.evidence.name).to.equal(HOSTILE);
  });

  it('the CSV evidence column is JSON that parses back to the values', () => {
    const csv = formatAudit(result, 'csv');
    const line = csv.split('\r\n')[1]!;
    const cell = line.slice(line.indexOf(',"{') + 2, line.lastIndexOf('}"') + 1).replace(/""/g, '"');
    expect((JSON.parse(cell) as { name: string }).name).to.equal(HOSTILE);
  });

  describe('terminal messages', () => {
    let written: string[];
    let restore: () => void;
    beforeEach(() => {
      written = [];
      const out = process.stdout.write.bind(process.stdout);
      const err = process.stderr.write.bind(process.stderr);
      process.stdout.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stdout.write;
      process.stderr.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stderr.write;
      restore = () => {
        process.stdout.write = out;
        process.stderr.write = err;
      };
    });
    afterEach(() => restore());

    it('the text reporter, error rendering (text and JSON) and plain progress neutralise what they print', () => {
      textReporter({ json: false, quiet: false }).emit({ level: 'warn', code: 'bake.tag-complete', message: `tag ${HOSTILE}` });
      textReporter({ json: false, quiet: false, streamJson: true }).emit({ level: 'info', code: 'bake.sysprep.started', message: HOSTILE });
      renderError(new ConfigError(`bad ${HOSTILE}`, [{ path: 'image.tags.x', message: HOSTILE, hint: HOSTILE }], { hint: HOSTILE }), false);
      renderError(new ConfigError(`bad ${HOSTILE}`, []), true);
      const plain = progressReporter({ mode: 'plain', out: { write: (s: string) => (written.push(s), true) } });
      plain.emit({ level: 'error', code: 'bake.step.failed', message: HOSTILE, data: { config: HOSTILE, batchIndex: 0 } });
      const json = progressReporter({ mode: 'json', jsonOut: { write: (s: string) => (written.push(s), true) } });
      json.emit({ level: 'info', code: 'bake.sysprep.started', message: HOSTILE });
      restore();
      expect(written.length).to.be.greaterThan(5);
      for (const w of written) expect(RAW.exec(w), JSON.stringify(w)).to.equal(null);
      const streamed = written.find((w) => w.startsWith('{"time"'))!;
      expect((JSON.parse(streamed) as { message: string }).message).to.equal(HOSTILE);
    });
  });

  it('the CLI output guard makes any write visible, and lets only the progress display and prompts pass their own sequences', async () => {
    const streams = join(packageRoot(), 'dist', 'src', 'cli', 'streams.js');
    const script = [
      `const s = await import(${JSON.stringify(streams)});`,
      's.guardOutput();',
      `process.stdout.write(${JSON.stringify(`out ${HOSTILE}\n`)});`,
      `process.stdout.write(JSON.stringify({ v: ${JSON.stringify(HOSTILE)} }) + '\\n');`,
      `process.stderr.write(${JSON.stringify(`err ${HOSTILE}\n`)});`,
      "s.rawStderr.write('\\x1b[1F');",
      "await s.withRawOutput(async () => process.stderr.write('\\x1b[2K'));",
      "process.stderr.write('\\x07after\\n');",
    ].join('\n');
    const r = await new Promise<{ stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, ['--input-type=module', '-e', script], (_e, stdout, stderr) => resolve({ stdout, stderr })),
    );
    expect(RAW.exec(r.stdout), JSON.stringify(r.stdout)).to.equal(null);
    expect(r.stdout, r.stderr).to.include('out a\\u001b[2Jb');
    expect((JSON.parse(r.stdout.split('\n')[1]!) as { v: string }).v).to.equal(HOSTILE);
    expect(r.stderr).to.equal(
      `err ${HOSTILE.replace(RAW_GLOBAL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n\u001b[1F\u001b[2K\\u0007after\n`,
    );
  });

  it('the CLI does not pass an ESC from an argument to the terminal in its error message', async () => {
    const root = packageRoot();
    const cli = join(root, (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: { winami: string } }).bin.winami);
    const r = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [cli, 'prepare', `no-such\u001b[2J\u001b]8;;http://evil.example/\u0007x.yaml`, '--out', '/tmp/winami-neutralise-never'],
        (err, _o, stderr) => resolve({ code: err ? Number((err as { code?: unknown }).code) : 0, stderr }),
      ),
    );
    expect(r.code).to.equal(3);
    expect(r.stderr).to.include('no-such\\u001b[2J');
    expect(RAW.exec(r.stderr), JSON.stringify(r.stderr)).to.equal(null);
  });
});
