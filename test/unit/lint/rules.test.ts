/**
 * Each rule, positive and negative: the valid fixture has no finding of the
 * rule; one edit makes the rule fire at the edited place.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintText, lintTextAsync, RULE_PACK, runRule, type Finding, type LintOptions } from '../../../src/lint/index.js';
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
  {
    rule: 'unattend-namespace',
    base: V2,
    options: u(),
    edit: rep('xmlns="urn:schemas-microsoft-com:unattend"', 'xmlns="urn:schemas-microsoft-com:unattended"'),
    expect: 'not the unattend namespace',
    line: 3,
  },
  { rule: 'unattend-wcm-namespace', base: V2, options: u(), edit: (t) => t.replace(/ xmlns:wcm="[^"]*"/g, ''), expect: 'wcm' },
  { rule: 'unattend-pass-name', base: V2, options: u(), edit: rep('pass="specialize"', 'pass="Specialize"'), expect: 'specialize', line: 10 },
  {
    rule: 'component-attributes',
    base: V2,
    options: u(),
    edit: rep('publicKeyToken="31bf3856ad364e35"', 'publicKeyToken="31bf3856ad364e36"'),
    expect: '31bf3856ad364e35',
    line: 5,
  },
  {
    rule: 'component-architecture',
    base: V2,
    options: u(),
    edit: rep('processorArchitecture="amd64"', 'processorArchitecture="x86"'),
    expect: 'amd64',
    line: 5,
  },
  {
    rule: 'component-unknown',
    base: V2,
    options: u(),
    edit: rep('Microsoft-Windows-PnpSysprep', 'Microsoft-Windows-PnpSysprp'),
    expect: 'Microsoft-Windows-PnpSysprep',
  },
  {
    rule: 'component-client-only',
    base: V2,
    options: u(),
    edit: rep(
      '<settings pass="specialize">',
      '<settings pass="specialize"><component name="Microsoft-Windows-WiFiNetworkManager" processorArchitecture="amd64" publicKeyToken="31bf3856ad364e35" language="neutral" versionScope="nonSxS"><DefaultAutoConnectSharedState>0</DefaultAutoConnectSharedState></component>',
    ),
    expect: 'client editions',
  },
  {
    rule: 'component-pass',
    base: V2,
    options: u(),
    edit: rep('<settings pass="generalize">', '<settings pass="oobeSystem">'),
    expect: 'not valid in the oobeSystem pass',
    line: 5,
  },
  {
    rule: 'unattend-duplicate',
    base: V2,
    options: u(),
    edit: rep('<TimeZone>UTC</TimeZone>', '<TimeZone>UTC</TimeZone><TimeZone>UTC</TimeZone>'),
    expect: 'appears twice',
  },
  {
    rule: 'setting-unknown',
    base: V2,
    options: u(),
    edit: rep('<CopyProfile>false</CopyProfile>', '<CopyProfle>false</CopyProfle>'),
    expect: 'did you mean `CopyProfile`',
    line: 12,
  },
  {
    rule: 'setting-pass',
    base: V2,
    options: u(),
    edit: rep('<RegisteredOwner>EC2</RegisteredOwner>', '<RegisteredOwner>EC2</RegisteredOwner><ComputerName>WEB01</ComputerName>'),
    expect: 'valid in: offlineServicing, specialize',
  },
  {
    rule: 'setting-value',
    base: V2,
    options: u(),
    edit: rep('<ProtectYourPC>3</ProtectYourPC>', '<ProtectYourPC>4</ProtectYourPC>'),
    expect: 'not one of 1, 2, 3',
  },
  { rule: 'list-items', base: V2, options: u(), edit: rep('<Order>3</Order>', '<Order>2</Order>'), expect: 'Duplicate Order' },
  { rule: 'computer-name', base: PACKER, options: u({ agent: undefined }), edit: rep('PACKER-BUILD01', 'PACKER-BUILD-SERVER01'), expect: 'the limit is 15' },
  {
    rule: 'time-zone',
    base: V2,
    options: u(),
    edit: (t) => t.replace('<TimeZone>UTC</TimeZone>', '<TimeZone>Pacific Time</TimeZone>'),
    expect: 'did you mean `Pacific Standard Time`',
    line: 13,
  },
  {
    rule: 'locale-name',
    base: PACKER,
    options: u({ agent: undefined }),
    edit: rep('<UserLocale>en-US</UserLocale>', '<UserLocale>en_US</UserLocale>'),
    expect: 'did you mean `en-US`',
  },
  { rule: 'local-account-group', base: PACKER, options: u({ agent: undefined }), edit: rep('<Group>Administrators</Group>', ''), expect: 'has no Group' },
  {
    rule: 'autologon',
    base: PACKER,
    options: u({ agent: undefined }),
    edit: (t) => t.replace(/<AutoLogon>\s*<Password>[\s\S]*?<\/Password>/, '<AutoLogon>'),
    expect: 'without a Password',
  },
  {
    rule: 'non-ascii',
    base: V2,
    options: u(),
    edit: rep('<RegisteredOwner>EC2</RegisteredOwner>', '<RegisteredOwner>Café</RegisteredOwner>'),
    expect: 'non-ASCII',
  },
  {
    rule: 'plaintext-password',
    base: PACKER,
    options: u({ agent: undefined }),
    edit: rep('{{ secret "build-admin" }}', 'Hunter2!'),
    expect: 'plain-text password',
  },
  {
    rule: 'password-encoding',
    base: PACKER,
    options: u({ agent: undefined }),
    edit: (t) => t.replace(/<Value>[A-Za-z0-9+/=]{40,}<\/Value>/, '<Value>P@ssw0rd!</Value>'),
    expect: 'not base64',
  },
  {
    rule: 'deprecated-setting',
    base: V2,
    options: u(),
    edit: rep('<HideEULAPage>true</HideEULAPage>', '<HideEULAPage>true</HideEULAPage><SkipMachineOOBE>true</SkipMachineOOBE>'),
    expect: 'deprecated',
  },
  {
    rule: 'ec2-agent-requirements',
    base: V2,
    options: u(),
    edit: rep('<PersistAllDeviceInstalls>true', '<PersistAllDeviceInstalls>false'),
    expect: 'PersistAllDeviceInstalls',
  },
  { rule: 'copy-profile', base: V2, options: u(), edit: rep('<CopyProfile>false', '<CopyProfile>true'), expect: '0x80070003', line: 12 },
  {
    rule: 'panther-cache-secrets',
    base: V2,
    options: u(),
    edit: rep('<CopyProfile>false</CopyProfile>', '<CopyProfile>false</CopyProfile><ProductKey>AAAAA-BBBBB-CCCCC-DDDDD-EEEEE</ProductKey>'),
    expect: 'Panther',
  },
  { rule: 'yaml-syntax', base: AGENT, options: { kind: 'agent-config' }, edit: rep('version: 1.0', 'version: [1.0'), expect: 'YAML' },
  { rule: 'agent-config-structure', base: AGENT, options: { kind: 'agent-config' }, edit: rep('stage: postReady', 'stage: PostReady'), expect: 'postReady' },
  {
    rule: 'agent-config-task-unknown',
    base: AGENT,
    options: { kind: 'agent-config' },
    edit: rep('task: extendRootPartition', 'task: extendRootParitition'),
    expect: 'extendRootPartition',
    line: 6,
  },
  { rule: 'agent-config-task-stage', base: AGENT, options: { kind: 'agent-config' }, edit: rep('stage: boot', 'stage: postReady'), expect: 'boot stage' },
  {
    rule: 'agent-config-task-duplicate',
    base: AGENT,
    options: { kind: 'agent-config' },
    edit: rep('      - task: startSsm', '      - task: startSsm\n      - task: startSsm'),
    expect: 'appears twice',
  },
  {
    rule: 'agent-config-task-inputs',
    base: AGENT,
    options: { kind: 'agent-config' },
    edit: rep('type: random', 'type: Specify'),
    expect: 'static, random, doNothing',
  },
  {
    rule: 'agent-config-plaintext-password',
    base: AGENT,
    options: { kind: 'agent-config' },
    edit: rep('type: random', 'type: static\n            data: Hunter2!'),
    expect: 'clear text',
  },
  { rule: 'json-syntax', base: LAUNCH, options: { kind: 'launch-config' }, edit: rep('"handleUserData": true,', '"handleUserData": true,,'), expect: 'JSON' },
  {
    rule: 'launch-config-keys',
    base: LAUNCH,
    options: { kind: 'launch-config' },
    edit: rep('"setWallpaper"', '"setWallPaper"'),
    expect: 'did you mean `setWallpaper`',
    line: 4,
  },
  { rule: 'launch-config-password', base: LAUNCH, options: { kind: 'launch-config' }, edit: rep('"Random"', '"Specify"'), expect: 'adminPassword is empty' },
  {
    rule: 'ec2config-structure',
    base: CONFIG,
    options: { kind: 'ec2config-config' },
    edit: rep('<State>Disabled</State></Plugin>', '<State>Off</State></Plugin>'),
    expect: 'not Enabled or Disabled',
  },
  {
    rule: 'ec2config-bundle-properties',
    base: BUNDLE,
    options: { kind: 'ec2config-bundle' },
    edit: rep('<Value>No</Value>', '<Value>no</Value>'),
    expect: 'not Yes or No',
  },
];

const seal = (name: string) => readFileSync(join(packageRoot(), 'test/fixtures/lint/seal', name), 'utf8');
const V1_PS1 = seal('ec2launch-v1-seal.ps1');
const EC2CONFIG_PS1 = seal('ec2config-seal.ps1');
const V2_HCL = seal('ec2launch-v2.pkr.hcl');
const V1_JSON = seal('ec2launch-v1-packer.json');
const ps1: LintOptions = { kind: 'powershell' };
const hcl: LintOptions = { kind: 'packer-hcl' };

/** Seal-script rules: linted asynchronously (the PowerShell parser loads asynchronously). */
const SEAL_CASES: Case[] = [
  {
    rule: 'seal-v1-schedule-order',
    base: V1_PS1,
    options: ps1,
    edit: rep(/^& .*InitializeInstance.*$/m, ''),
    expect: 'InitializeInstance.ps1 -Schedule',
    line: 11,
  },
  {
    rule: 'seal-bundleconfig-plugin',
    base: EC2CONFIG_PS1,
    options: ps1,
    edit: rep('$bundle.BundleConfig.Property', '$bundle.BundleConfig.Plugins.Plugin'),
    expect: 'AutoSysprep is never set',
    line: 5,
  },
  {
    rule: 'seal-ec2config-wait',
    base: EC2CONFIG_PS1,
    options: ps1,
    edit: rep("-ArgumentList '-sysprep' -Wait", '-ArgumentList "-sysprep -Wait"'),
    expect: 'Start-Process returns',
    line: 17,
  },
  {
    rule: 'seal-direct-sysprep',
    base: V1_PS1,
    options: ps1,
    edit: rep(/^& .*SysprepInstance.*$/m, '& "$env:windir\\System32\\Sysprep\\sysprep.exe" /oobe /generalize /shutdown'),
    expect: 'outside the launch agent',
    line: 11,
  },
  {
    rule: 'seal-embedded-agent-config',
    base: V2_HCL,
    options: hcl,
    edit: rep('stage: postReady', 'stage: boot'),
    expect: 'cannot run in the boot stage',
    line: 23,
  },
  {
    rule: 'seal-here-string-expansion',
    base: V2_HCL,
    options: hcl,
    edit: (t) => rep("$cfg = @'", '$cfg = @\\"')(t).replace("startSsm\\n'@", 'startSsm\\n\\"@'),
    expect: '$REGION',
    line: 23,
  },
  {
    rule: 'seal-ec2launch-v2-sequence',
    base: V2_HCL,
    options: hcl,
    edit: rep('sysprep --shutdown --block', 'sysprep --shutdwn'),
    expect: 'no flag --shutdwn',
    line: 26,
  },
];

const of = (fs: Finding[], rule: string) => fs.filter((f) => f.ruleId === rule);

describe('lint rules', () => {
  it('has a positive and negative case for every rule in the pack', () => {
    expect([...CASES, ...SEAL_CASES].map((c) => c.rule).sort()).to.deep.equal(RULE_PACK.map((r) => r.id).sort());
  });

  for (const c of SEAL_CASES) {
    describe(c.rule, () => {
      it('is silent on the valid seal script', async () => {
        expect(of(await lintTextAsync(c.base, c.options), c.rule)).to.deep.equal([]);
      });
      it('fires on the seeded mistake, at its line', async () => {
        const found = of(await lintTextAsync(c.edit(c.base), c.options), c.rule);
        expect(
          found.some((f) => `${f.message} ${f.hint ?? ''}`.includes(c.expect)),
          JSON.stringify(found),
        ).to.equal(true);
        if (c.line !== undefined) expect(found.map((f) => f.line)).to.include(c.line);
      });
    });
  }

  it('reads the PowerShell provisioners of a legacy Packer JSON template', async () => {
    expect(await lintTextAsync(V1_JSON, { kind: 'packer-json' })).to.deep.equal([]);
    const broken = V1_JSON.replace('InitializeInstance.ps1 -Schedule', 'SendWindowsIsReady.ps1 -Schedule');
    expect(of(await lintTextAsync(broken, { kind: 'packer-json' }), 'seal-v1-schedule-order').map((f) => f.line)).to.deep.equal([20]);
  });

  it('warns on ec2launch reset without a sysprep after it, and on commands after sysprep --shutdown', async () => {
    const resetOnly = V2_HCL.replace(/,\n\s*"& 'C:\/Program Files\/Amazon\/EC2Launch\/ec2launch.exe' sysprep --shutdown --block"/, '');
    expect(of(await lintTextAsync(resetOnly, hcl), 'seal-ec2launch-v2-sequence').map((f) => f.severity)).to.deep.equal(['warning']);
    const after = `& 'C:\\Program Files\\Amazon\\EC2Launch\\ec2launch.exe' sysprep --shutdown=true\n& 'C:\\Program Files\\Amazon\\EC2Launch\\ec2launch.exe' status\n`;
    const f = of(await lintTextAsync(after, ps1), 'seal-ec2launch-v2-sequence');
    expect(f.map((x) => x.line)).to.deep.equal([2]);
    // --flag=value reaches the check whole, though the grammar stops the command at "=".
    const yes = of(
      await lintTextAsync("& 'C:\\Program Files\\Amazon\\EC2Launch\\ec2launch.exe' sysprep --shutdown=yes --block\n", ps1),
      'seal-ec2launch-v2-sequence',
    );
    expect(yes.map((x) => x.message)).to.include('--shutdown takes true or false, not "yes"');
  });

  it('follows variables in order: Config.xml plugins edited through names that held BundleConfig.xml are fine', async () => {
    const script = [
      "$file = 'C:\\Program Files\\Amazon\\Ec2ConfigService\\Settings\\BundleConfig.xml'",
      '$xml = [xml](Get-Content $file)',
      '$root = $xml.get_DocumentElement()',
      'foreach ($e in $root.Property) { if ($e.Name -eq "AutoSysprep") { $e.Value = "Yes" } }',
      "$file = 'C:\\Program Files\\Amazon\\Ec2ConfigService\\Settings\\Config.xml'",
      '$xml = [xml](Get-Content $file)',
      '$root = $xml.get_DocumentElement()',
      'foreach ($p in $root.Plugins.Plugin) { if ($p.Name -eq "Ec2SetPassword") { $p.State = "Enabled" } }',
    ].join('\n');
    expect(of(await lintTextAsync(script, ps1), 'seal-bundleconfig-plugin')).to.deep.equal([]);
    const wrong = script.replace('$root.Property', '$root.Plugins.Plugin');
    expect(of(await lintTextAsync(wrong, ps1), 'seal-bundleconfig-plugin').map((f) => f.line)).to.deep.equal([4]);
  });

  it('does not take a quoted mention or a comment for a command', async () => {
    const t =
      "# sysprep.exe /generalize is run by the agent, not here\nWrite-Output 'C:\\Windows\\System32\\Sysprep\\sysprep.exe'\nif (Test-Path 'C:\\ProgramData\\Amazon\\EC2-Windows\\Launch\\Scripts\\SysprepInstance.ps1') { 'ok' }\n";
    expect(await lintTextAsync(t, ps1)).to.deep.equal([]);
  });

  for (const c of CASES) {
    describe(c.rule, () => {
      it('is silent on the valid fixture', () => {
        expect(of(lintText(c.base, c.options), c.rule)).to.deep.equal([]);
      });
      it('fires on the seeded mistake', () => {
        const found = of(lintText(c.edit(c.base), c.options), c.rule);
        expect(found, `no ${c.rule} finding`).to.have.length.greaterThan(0);
        expect(
          found.some((f) => `${f.message} ${f.hint ?? ''}`.includes(c.expect)),
          JSON.stringify(found),
        ).to.equal(true);
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
    expect(found).to.deep.equal([
      {
        ruleId: 'internal-rule-error',
        severity: 'error',
        message: 'Rule copy-profile failed: boom',
        hint: 'this is a bug in winami; please report it with the file',
        file: 'x.xml',
        line: 1,
        column: 1,
      },
    ]);
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

  it('checks the literal text beside placeholders of every recognised template syntax', () => {
    const owner = (v: string) => V2.replace('<ProtectYourPC>3</ProtectYourPC>', `<ProtectYourPC>${v}</ProtectYourPC>`);
    for (const p of ['{{ protect }}', '${protect}', '%{ protect }', '{% if x %}3{% endif %}', '@@PROTECT@@']) {
      expect(of(lintText(owner(p), u({ allowPlaceholders: true })), 'setting-value'), p).to.deep.equal([]);
    }
    // A placeholder never hides the literal part: no value of ProtectYourPC ends in "x".
    expect(of(lintText(owner('{{ protect }}x'), u({ allowPlaceholders: true })), 'setting-value')).to.have.length(1);
    const tz = V2.replace('<TimeZone>UTC</TimeZone>', '<TimeZone>${zone} Time Zone</TimeZone>');
    expect(of(lintText(tz, u({ allowPlaceholders: true })), 'time-zone')).to.have.length(1);
    const tzOk = V2.replace('<TimeZone>UTC</TimeZone>', '<TimeZone>${zone} Standard Time</TimeZone>');
    expect(of(lintText(tzOk, u({ allowPlaceholders: true })), 'time-zone')).to.deep.equal([]);
  });

  it('reports a placeholder in a PlainText=false password, placeholders allowed or not', () => {
    const t = PACKER.replace(/<Value>RQB4[^<]*<\/Value>/, '<Value>${password}</Value>');
    for (const allow of [true, false])
      expect(of(lintText(t, u({ agent: undefined, allowPlaceholders: allow })), 'password-encoding'), String(allow)).to.have.length(1);
  });

  it('wants the AdministratorPassword suffix on AdministratorPassword and Password on the others', () => {
    const enc = (s: string) => Buffer.from(s, 'utf16le').toString('base64');
    const admin = (plain: string) => PACKER.replace(/<Value>RQB4[^<]*<\/Value>/, `<Value>${enc(plain)}</Value>`);
    expect(of(lintText(admin('Example-Pass1AdministratorPassword'), u({ agent: undefined })), 'password-encoding')).to.deep.equal([]);
    const wrong = of(lintText(admin('Example-Pass1Password'), u({ agent: undefined })), 'password-encoding');
    expect(wrong).to.have.length(1);
    expect(wrong[0]!.message).to.include('does not end in "AdministratorPassword"');
  });

  it('reports an empty string where Microsoft allows none, except the locale EC2Launch v1 fills', () => {
    const t = V2.replace(/<Path>net user[^<]*<\/Path>/, '<Path></Path>');
    expect(of(lintText(t, u()), 'setting-value').map((f) => f.message)).to.deep.equal([
      '"RunSynchronous/RunSynchronousCommand/Path": the value is empty, which this setting does not allow',
    ]);
    const v1 = fixture('ec2launch-v1-unattend.xml').replace(/<UILanguage>[^<]*<\/UILanguage>/g, '<UILanguage></UILanguage>');
    const opts: LintOptions = { kind: 'unattend', agent: 'ec2launch-v1', architecture: 'amd64' };
    const oobeEmpty = of(lintText(v1, opts), 'setting-value').map((f) => f.line);
    const specializeLine = v1.split('\n').findIndex((l) => l.includes('<UILanguage></UILanguage>')) + 1;
    // Only specialize's empty UILanguage is reported, if the fixture has one there; oobeSystem's is the agent's to fill.
    const oobeLine = v1.split('\n').findLastIndex((l) => l.includes('<UILanguage></UILanguage>')) + 1;
    expect(oobeEmpty).not.to.include(oobeLine);
    if (specializeLine !== oobeLine) expect(oobeEmpty).to.include(specializeLine);
    expect(of(lintText(v1, { ...opts, agent: 'ec2launch-v2' }), 'setting-value').map((f) => f.line)).to.include(oobeLine);
  });

  it('gives one warning, not errors, for an element in a foreign namespace', () => {
    const t = V2.replace(
      '<CopyProfile>false</CopyProfile>',
      '<CopyProfile>false</CopyProfile><x:Note xmlns:x="urn:example:notes"><x:Author>ops</x:Author></x:Note>',
    );
    const found = lintText(t, u());
    expect(found.map((f) => `${f.severity} ${f.ruleId}`)).to.deep.equal(['warning unattend-namespace']);
    const own = V2.replace('<CopyProfile>false</CopyProfile>', '<CopyProfile>false</CopyProfile><Note xmlns="urn:example:notes"><Author>ops</Author></Note>');
    expect(lintText(own, u()).map((f) => `${f.severity} ${f.ruleId}`)).to.deep.equal(['warning unattend-namespace']);
  });

  it('accepts an AutoLogon account the file creates, warns on one it does not', () => {
    const t = PACKER.replace('<Username>Administrator</Username>', '<Username>packer</Username>');
    expect(of(lintText(t, u({ agent: undefined })), 'autologon')).to.deep.equal([]);
    const ghost = PACKER.replace('<Username>Administrator</Username>', '<Username>ghost</Username>');
    expect(of(lintText(ghost, u({ agent: undefined })), 'autologon').map((f) => f.severity)).to.deep.equal(['warning']);
  });

  it('disables rules by id', () => {
    const t = V2.replace('<CopyProfile>false', '<CopyProfile>true');
    expect(of(lintText(t, { ...u(), disable: ['copy-profile'] }), 'copy-profile')).to.deep.equal([]);
  });
});
