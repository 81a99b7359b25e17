/**
 * Each rule, positive and negative: the valid fixture has no finding of the
 * rule; one edit makes the rule fire at the edited place.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintText, RULE_PACK, runRule, type Finding, type LintOptions } from '../../../src/lint/index.js';
import { packageRoot } from '../../../src/util/package-root.js';

const fixture = (name: string) => readFileSync(join(packageRoot(), 'test/fixtures/lint/valid', name), 'utf8');
const V2 = fixture('ec2launch-v2-unattend.xml');
const PACKER = fixture('packer-autounattend.xml');
const AGENT = fixture('agent-config.yml');
const LAUNCH = fixture('LaunchConfig.json');
const CONFIG = fixture('config.xml');
const BUNDLE = fixture('BundleConfig.xml');

interface Case {
  rule: string;
  base: string;
  options: LintOptions;
  edit: (t: string) => string;
  /** Text expected in the message or hint of the finding. */
  expect: string;
  /** Line the finding must be on (1-based), when checked. */
  line?: number;
}

const u = (o: LintOptions = {}): LintOptions => ({ kind: 'unattend', agent: 'ec2launch-v2', architecture: 'amd64', allowPlaceholders: true, ...o });
const rep = (from: string | RegExp, to: string) => (t: string) => {
  const r = t.replace(from, to);
  if (r === t) throw new Error(`edit did not apply: ${String(from)}`);
  return r;
};

const CASES: Case[] = [
  { rule: 'xml-well-formed', base: V2, options: u(), edit: rep('</OOBE>', '</Oobe>'), expect: 'does not match' },
  { rule: 'unattend-namespace', base: V2, options: u(), edit: rep('xmlns="urn:schemas-microsoft-com:unattend"', 'xmlns="urn:schemas-microsoft-com:unattended"'), expect: 'not the unattend namespace', line: 3 },
  { rule: 'unattend-wcm-namespace', base: V2, options: u(), edit: (t) => t.replace(/ xmlns:wcm="[^"]*"/g, ''), expect: 'wcm' },
  { rule: 'unattend-pass-name', base: V2, options: u(), edit: rep('pass="specialize"', 'pass="Specialize"'), expect: 'specialize', line: 10 },
  { rule: 'component-attributes', base: V2, options: u(), edit: rep('publicKeyToken="31bf3856ad364e35"', 'publicKeyToken="31bf3856ad364e36"'), expect: '31bf3856ad364e35', line: 5 },
  { rule: 'component-architecture', base: V2, options: u(), edit: rep('processorArchitecture="amd64"', 'processorArchitecture="x86"'), expect: 'amd64', line: 5 },
  { rule: 'component-unknown', base: V2, options: u(), edit: rep('Microsoft-Windows-PnpSysprep', 'Microsoft-Windows-PnpSysprp'), expect: 'Microsoft-Windows-PnpSysprep' },
  { rule: 'component-pass', base: V2, options: u(), edit: rep('<settings pass="generalize">', '<settings pass="oobeSystem">'), expect: 'not valid in the oobeSystem pass', line: 5 },
  { rule: 'unattend-duplicate', base: V2, options: u(), edit: rep('<TimeZone>UTC</TimeZone>', '<TimeZone>UTC</TimeZone><TimeZone>UTC</TimeZone>'), expect: 'appears twice' },
  { rule: 'setting-unknown', base: V2, options: u(), edit: rep('<CopyProfile>false</CopyProfile>', '<CopyProfle>false</CopyProfle>'), expect: 'did you mean `CopyProfile`', line: 12 },
  { rule: 'setting-pass', base: V2, options: u(), edit: rep('<RegisteredOwner>EC2</RegisteredOwner>', '<RegisteredOwner>EC2</RegisteredOwner><ComputerName>WEB01</ComputerName>'), expect: 'valid in: offlineServicing, specialize' },
  { rule: 'setting-value', base: V2, options: u(), edit: rep('<ProtectYourPC>3</ProtectYourPC>', '<ProtectYourPC>4</ProtectYourPC>'), expect: 'not one of 1, 2, 3' },
  { rule: 'list-items', base: V2, options: u(), edit: rep('<Order>3</Order>', '<Order>2</Order>'), expect: 'Duplicate Order' },
  { rule: 'computer-name', base: PACKER, options: u({ agent: undefined }), edit: rep('PACKER-BUILD01', 'PACKER-BUILD-SERVER01'), expect: 'the limit is 15' },
  { rule: 'non-ascii', base: V2, options: u(), edit: rep('<RegisteredOwner>EC2</RegisteredOwner>', '<RegisteredOwner>Café</RegisteredOwner>'), expect: 'non-ASCII' },
  { rule: 'plaintext-password', base: PACKER, options: u({ agent: undefined }), edit: rep('{{ secret "build-admin" }}', 'Hunter2!'), expect: 'plain-text password' },
  { rule: 'password-encoding', base: PACKER, options: u({ agent: undefined }), edit: (t) => t.replace(/<Value>[A-Za-z0-9+/=]{40,}<\/Value>/, '<Value>P@ssw0rd!</Value>'), expect: 'not base64' },
  { rule: 'deprecated-setting', base: V2, options: u(), edit: rep('<HideEULAPage>true</HideEULAPage>', '<HideEULAPage>true</HideEULAPage><SkipMachineOOBE>true</SkipMachineOOBE>'), expect: 'deprecated' },
  { rule: 'ec2-agent-requirements', base: V2, options: u(), edit: rep('<PersistAllDeviceInstalls>true', '<PersistAllDeviceInstalls>false'), expect: 'PersistAllDeviceInstalls' },
  { rule: 'copy-profile', base: V2, options: u(), edit: rep('<CopyProfile>false', '<CopyProfile>true'), expect: '0x80070003', line: 12 },
  { rule: 'panther-cache-secrets', base: V2, options: u(), edit: rep('<CopyProfile>false</CopyProfile>', '<CopyProfile>false</CopyProfile><ProductKey>AAAAA-BBBBB-CCCCC-DDDDD-EEEEE</ProductKey>'), expect: 'Panther' },
  { rule: 'yaml-syntax', base: AGENT, options: { kind: 'agent-config' }, edit: rep('version: 1.0', 'version: [1.0'), expect: 'YAML' },
  { rule: 'agent-config-structure', base: AGENT, options: { kind: 'agent-config' }, edit: rep('stage: postReady', 'stage: PostReady'), expect: 'postReady' },
  { rule: 'agent-config-task-unknown', base: AGENT, options: { kind: 'agent-config' }, edit: rep('task: extendRootPartition', 'task: extendRootParitition'), expect: 'extendRootPartition', line: 6 },
  { rule: 'agent-config-task-stage', base: AGENT, options: { kind: 'agent-config' }, edit: rep('stage: boot', 'stage: postReady'), expect: 'boot stage' },
  { rule: 'agent-config-task-duplicate', base: AGENT, options: { kind: 'agent-config' }, edit: rep('      - task: startSsm', '      - task: startSsm\n      - task: startSsm'), expect: 'appears twice' },
  { rule: 'agent-config-task-inputs', base: AGENT, options: { kind: 'agent-config' }, edit: rep('type: random', 'type: Specify'), expect: 'static, random, doNothing' },
  { rule: 'agent-config-plaintext-password', base: AGENT, options: { kind: 'agent-config' }, edit: rep('type: random', 'type: static\n            data: Hunter2!'), expect: 'clear text' },
  { rule: 'json-syntax', base: LAUNCH, options: { kind: 'launch-config' }, edit: rep('"handleUserData": true,', '"handleUserData": true,,'), expect: 'JSON' },
  { rule: 'launch-config-keys', base: LAUNCH, options: { kind: 'launch-config' }, edit: rep('"setWallpaper"', '"setWallPaper"'), expect: 'did you mean `setWallpaper`', line: 4 },
  { rule: 'launch-config-password', base: LAUNCH, options: { kind: 'launch-config' }, edit: rep('"Random"', '"Specify"'), expect: 'adminPassword is empty' },
  { rule: 'ec2config-structure', base: CONFIG, options: { kind: 'ec2config-config' }, edit: rep('<State>Disabled</State></Plugin>', '<State>Off</State></Plugin>'), expect: 'not Enabled or Disabled' },
  { rule: 'ec2config-bundle-properties', base: BUNDLE, options: { kind: 'ec2config-bundle' }, edit: rep('<Value>No</Value>', '<Value>no</Value>'), expect: 'not Yes or No' },
];

const of = (fs: Finding[], rule: string) => fs.filter((f) => f.ruleId === rule);

describe('lint rules', () => {
  it('has a positive and negative case for every rule in the pack', () => {
    expect(CASES.map((c) => c.rule).sort()).to.deep.equal(RULE_PACK.map((r) => r.id).sort());
  });

  for (const c of CASES) {
    describe(c.rule, () => {
      it('is silent on the valid fixture', () => {
        expect(of(lintText(c.base, c.options), c.rule)).to.deep.equal([]);
      });
      it('fires on the seeded mistake', () => {
        const found = of(lintText(c.edit(c.base), c.options), c.rule);
        expect(found, `no ${c.rule} finding`).to.have.length.greaterThan(0);
        expect(found.some((f) => `${f.message} ${f.hint ?? ''}`.includes(c.expect)), JSON.stringify(found)).to.equal(true);
        if (c.line !== undefined) expect(found.map((f) => f.line)).to.include(c.line);
        for (const f of found) expect(f.line).to.be.greaterThan(0) && expect(f.column).to.be.greaterThan(0);
      });
    });
  }

  it('reports setting-pass for OOBE settings placed in specialize, naming the valid passes', () => {
    const t = V2.replace('<CopyProfile>false</CopyProfile>', '<CopyProfile>false</CopyProfile><OOBE><HideEULAPage>true</HideEULAPage></OOBE>');
    const found = of(lintText(t, u()), 'setting-pass');
    expect(found).to.have.length(1);
    expect(found[0]?.hint).to.equal('valid in: oobeSystem');
  });

  it('turns a throwing rule into internal-rule-error naming the rule', () => {
    const entry = RULE_PACK.find((r) => r.id === 'copy-profile');
    if (!entry) throw new Error('copy-profile missing from the pack');
    const boom = () => {
      throw new Error('boom');
    };
    const found = runRule(entry, boom, { kind: 'unattend', file: 'x.xml', text: '', options: {} });
    expect(found).to.deep.equal([{ ruleId: 'internal-rule-error', severity: 'error', message: 'Rule copy-profile failed: boom', hint: 'this is a bug in winami; please report it with the file', file: 'x.xml', line: 1, column: 1 }]);
  });

  it('hints setHostName for setComputerName in agent-config.yml', () => {
    const t = AGENT.replace('task: startSsm', 'task: setComputerName');
    const f = of(lintText(t, { kind: 'agent-config' }), 'agent-config-task-unknown');
    expect(f[0]?.hint).to.match(/setHostName/);
  });

  it('accepts NonSxS with an info finding only', () => {
    const f = lintText(V2.replace('versionScope="nonSxS"', 'versionScope="NonSxS"'), u());
    expect(f.map((x) => `${x.severity} ${x.ruleId}`)).to.deep.equal(['info component-attributes']);
  });

  it('type-checks placeholders only when they are not allowed', () => {
    const t = V2.replace('<CopyProfile>false</CopyProfile>', '<CopyProfile>{{copyProfile}}</CopyProfile>');
    expect(of(lintText(t, u({ allowPlaceholders: true })), 'setting-value')).to.deep.equal([]);
    expect(of(lintText(t, u({ allowPlaceholders: false })), 'setting-value')).to.have.length(1);
    const s = V2.replace('<RegisteredOwner>EC2</RegisteredOwner>', '<ComputerName>@@WINAMI_SECRET:name@@</ComputerName>');
    expect(of(lintText(s, u({ allowPlaceholders: true })), 'computer-name')).to.deep.equal([]);
    expect(of(lintText(s, u({ allowPlaceholders: false })), 'computer-name')).to.have.length.greaterThan(0);
  });

  it('disables rules by id', () => {
    const t = V2.replace('<CopyProfile>false', '<CopyProfile>true');
    expect(of(lintText(t, { ...u(), disable: ['copy-profile'] }), 'copy-profile')).to.deep.equal([]);
  });
});
