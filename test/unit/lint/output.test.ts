import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, UsageError } from '../../../src/errors.js';
import { detectKind, formatJson, formatSarif, formatText, lintFiles, shouldFail, type Finding } from '../../../src/lint/index.js';
import { parseXml } from '../../../src/lint/xml.js';

const finding = (severity: Finding['severity'], message = 'm "quoted" <x>'): Finding => ({
  ruleId: 'setting-unknown',
  severity,
  message,
  hint: 'did you mean `X`?',
  file: 'a\\b.xml',
  line: 3,
  column: 7,
});

describe('lint output and files', () => {
  it('maps --fail-on to a failing status at or above the level', () => {
    const fs = [finding('warning')];
    expect(shouldFail(fs, 'error')).to.equal(false);
    expect(shouldFail(fs, 'warning')).to.equal(true);
    expect(shouldFail(fs, 'info')).to.equal(true);
    expect(shouldFail([finding('error')], 'none')).to.equal(false);
  });

  it('prints text as file:line:col severity ruleId message (hint)', () => {
    expect(formatText([finding('error')], ['a']).split('\n')[0]).to.equal('a\\b.xml:3:7 error setting-unknown m "quoted" <x> (did you mean `X`?)');
  });

  it('writes SARIF 2.1.0 with the rule pack and a region per result, escaping user text', () => {
    const sarif = JSON.parse(formatSarif([finding('warning')], '1.2.3')) as {
      version: string;
      runs: {
        tool: { driver: { rules: { id: string; help: { text: string } }[] } };
        results: {
          ruleId: string;
          ruleIndex: number;
          level: string;
          message: { text: string };
          locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[];
        }[];
      }[];
    };
    expect(sarif.version).to.equal('2.1.0');
    const run = sarif.runs[0];
    const rules = run?.tool.driver.rules ?? [];
    expect(rules.map((r) => r.id)).to.include.members(['setting-unknown', 'internal-rule-error']);
    const result = run?.results[0];
    expect(result?.level).to.equal('warning');
    expect(rules[result?.ruleIndex ?? -1]?.id).to.equal('setting-unknown');
    expect(result?.message.text).to.equal('m "quoted" <x> (did you mean `X`?)');
    expect(result?.locations[0]?.physicalLocation.region).to.deep.equal({ startLine: 3, startColumn: 7 });
    expect(result?.locations[0]?.physicalLocation.artifactLocation.uri).to.equal('a/b.xml');
  });

  it('writes JSON with counts and the skipped files', () => {
    const j = JSON.parse(formatJson([finding('error'), finding('info')], ['a'], [{ file: 'b.txt', reason: 'r' }])) as {
      counts: Record<string, number>;
      skipped: unknown[];
    };
    expect(j.counts).to.deep.equal({ error: 1, warning: 0, info: 1 });
    expect(j.skipped).to.deep.equal([{ file: 'b.txt', reason: 'r' }]);
    expect(formatText([], ['a'], [{ file: 'b.txt', reason: 'r' }]).split('\n')[0]).to.equal('b.txt: skipped: r');
  });

  it('detects kinds from content and names', () => {
    expect(detectKind('x.xml', '<?xml version="1.0"?>\n<unattend xmlns="urn:schemas-microsoft-com:unattend"/>')).to.equal('unattend');
    expect(detectKind('Config.xml', '<Ec2ConfigurationSettings/>')).to.equal('ec2config-config');
    expect(detectKind('b.xml', '<BundleConfig/>')).to.equal('ec2config-bundle');
    expect(detectKind('LaunchConfig.json', '{}')).to.equal('launch-config');
    expect(detectKind('agent-config.yml', 'version: 1.0')).to.equal('agent-config');
    expect(detectKind('notes.txt', 'hello')).to.equal(undefined);
    expect(detectKind('seal.ps1', 'Write-Output 1')).to.equal('powershell');
    expect(detectKind('specialize.ps1', '$xml = @\'\n<unattend xmlns="urn:schemas-microsoft-com:unattend"/>\n\'@\n')).to.equal('powershell');
    expect(detectKind('windows.pkr.hcl', 'build {}')).to.equal('packer-hcl');
    expect(detectKind('windows.json', '{"builders": [], "provisioners": []}')).to.equal('packer-json');
    expect(detectKind('unattend.xml.j2', '<unattend xmlns="urn:schemas-microsoft-com:unattend"/>')).to.equal('unattend');
    expect(detectKind('.gitlab-ci.yml', 'build:\n  stage: build\n  script: [make]\n')).to.equal(undefined);
    expect(detectKind('ec2launch.yml', 'version: 1.0\nconfig:\n  - stage: boot\n    tasks: []\n')).to.equal('agent-config');
  });

  it('lints files and directories; a glob matching nothing is a usage error; a missing file a config error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'winami-lint-'));
    writeFileSync(join(dir, 'LaunchConfig.json'), '{"adminPasswordType": "random"}');
    const r = await lintFiles([dir]);
    expect(r.files).to.have.length(1);
    expect(r.findings.map((f) => f.ruleId)).to.deep.equal(['launch-config-keys']);
    expect(r.findings[0]?.hint).to.equal('did you mean `Random`?');
    const glob = await lintFiles([`${dir}/*.json`]);
    expect(glob.files).to.have.length(1);
    let err: unknown;
    await lintFiles([`${dir}/*.nothing`]).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(UsageError);
    expect((err as Error).message).to.include('*.nothing');
    err = undefined;
    await lintFiles([join(dir, 'missing.xml')]).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(ConfigError);
  });

  it('scans XML with positions and rejects malformed input', () => {
    const doc = parseXml('<a x="1">\n  <b>t &amp; u</b>\n</a>');
    expect(doc.root?.children[0]?.text).to.equal('t & u');
    expect([doc.root?.children[0]?.line, doc.root?.children[0]?.column]).to.deep.equal([2, 4]);
    expect(doc.root?.attributes[0]).to.include({ name: 'x', value: '1', valueLine: 1, valueColumn: 7 });
    for (const bad of ['<a>', '<a></b>', '<a x=1/>', '<a x="1" x="2"/>', '<a>&nbsp;</a>', '<a/><b/>', 'text<a/>', '<a><!-- x -- y --></a>']) {
      expect(parseXml(bad).error, bad).to.not.equal(undefined);
    }
  });
});

describe('docs/lint.md', () => {
  it('lists every rule of the pack', async () => {
    const { readFileSync } = await import('node:fs');
    const { packageRoot } = await import('../../../src/util/package-root.js');
    const { RULE_PACK, RUNNER_PACK } = await import('../../../src/lint/index.js');
    const doc = readFileSync(join(packageRoot(), 'docs/lint.md'), 'utf8');
    for (const r of [...RULE_PACK, ...RUNNER_PACK])
      expect(doc, r.id).to.include(`| \`${r.id}\` | ${r.kinds.length ? r.kinds.join(', ') : 'any'} | ${r.severity} | ${r.title} |`);
  });
});
