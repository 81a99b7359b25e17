import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { parse as parseYaml } from 'yaml';
import { renderBundle, type Bundle } from '../../../src/render/bundle.js';
import { VALUE_HELPERS } from '../../../src/render/helpers.js';
import { templatesDir } from '../../../src/render/templates.js';
import { ValidationError } from '../../../src/errors.js';
import { powershellSyntaxErrors } from '../../../src/powershell/parse.js';
import { COMBINATIONS, config, richConfig } from './fixtures.js';

const ATTRS =
  'processorArchitecture="amd64" publicKeyToken="31bf3856ad364e35" language="neutral" versionScope="nonSxS" xmlns:wcm="http://schemas.microsoft.com/WMIConfig/2002/State" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

function file(b: Bundle, path: string): string {
  const f = b.files.find((x) => x.path === path);
  if (!f) throw new Error(`no ${path} in ${b.files.map((x) => x.path).join(', ')}`);
  return f.content.toString('utf8').replace(/^\ufeff/, '');
}

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: false,
  htmlEntities: true,
  isArray: (n) => ['settings', 'component', 'RunSynchronousCommand', 'SynchronousCommand'].includes(n),
});

type Component = Record<string, unknown> & { '@name': string };
function components(xml: string, pass: string): Component[] {
  const doc = xmlParser.parse(xml) as { unattend: { settings: { '@pass': string; component?: Component[] }[] } };
  return doc.unattend.settings.find((s) => s['@pass'] === pass)?.component ?? [];
}

describe('render/bundle', () => {
  describe('every release × agent × edition renders and validates', () => {
    for (const [release, agent] of COMBINATIONS) {
      for (const edition of ['full', 'core']) {
        it(`${release} ${agent} ${edition}`, async () => {
          const b = await renderBundle(config(richConfig(release, agent, edition)));
          const paths = b.files.map((f) => f.path);
          expect(paths.at(-1)).to.equal('plan.json');
          const agentFiles = {
            'ec2launch-v2': ['agent/agent-config.yml'],
            'ec2launch-v1': ['agent/LaunchConfig.json'],
            ec2config: ['agent/BundleConfig.xml', 'agent/config.xml'],
          }[agent]!;
          for (const p of [
            ...agentFiles,
            'unattend.xml',
            'scripts/check-ready.ps1',
            'scripts/sysprep.ps1',
            'scripts/first-boot-cleanup.ps1',
            'scripts/resolve-secrets.ps1',
            'scripts/smoke-test.ps1',
            'scripts/cleanup-preseal.ps1',
            'files/04-app.zip',
          ]) {
            expect(paths).to.include(p);
          }
          expect(paths.filter((p) => p.startsWith('scripts/customize/'))).to.deep.equal([
            'scripts/customize/01-features.ps1',
            'scripts/customize/02-setup-ps1.ps1',
            'scripts/customize/03-inline.ps1',
            'scripts/customize/05-reboot.ps1',
          ]);
          expect(paths).to.include(agent === 'ec2launch-v2' ? 'user-data/user-data.yml' : 'user-data/user-data.txt');
          // Every component carries the standard attributes exactly.
          const unattend = file(b, 'unattend.xml');
          const opens = unattend.match(/<component [^>]*>/g)!;
          expect(opens.length).to.be.at.least(8);
          for (const open of opens)
            expect(open).to.match(
              new RegExp(
                `^<component name="(Microsoft-Windows-[A-Za-z-]+|Networking-MPSSVC-Svc|Security-Malware-Windows-Defender)" ${ATTRS.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}>$`,
              ),
            );
          // Each component appears once per pass; extraXml landed inside the existing one or in a new one.
          for (const pass of ['generalize', 'specialize', 'oobeSystem']) {
            const names = components(unattend, pass).map((c) => c['@name']);
            expect(new Set(names).size, pass).to.equal(names.length);
          }
          const spec = components(unattend, 'specialize');
          const shell = spec.find((c) => c['@name'] === 'Microsoft-Windows-Shell-Setup')!;
          expect(shell.ShowWindowsLive).to.equal('false');
          expect(shell.RegisteredOwner).to.equal('Ops & <Platform>');
          expect(shell.RegisteredOrganization).to.equal(`Example "Corp" 'Ltd'`);
          expect(shell.ProductKey).to.equal('@@WINAMI_SECRET:windowsProductKey@@');
          expect(spec.find((c) => c['@name'] === 'Microsoft-Windows-IE-ESC')!.IEHardenAdmin).to.equal('false');
          expect(spec.find((c) => c['@name'] === 'Microsoft-Windows-TerminalServices-LocalSessionManager')!.fDenyTSConnections).to.equal('true');
          expect(unattend).not.to.contain('fDenyTSConnections /t REG_DWORD /d 0');
          // Every PowerShell file parses (the renderer checks too; this is independent of it).
          for (const f of b.files.filter((x) => x.path.endsWith('.ps1'))) {
            expect(f.content.subarray(0, 3).toString('hex'), f.path).to.equal('efbbbf');
            expect(await powershellSyntaxErrors(file(b, f.path)), f.path).to.deep.equal([]);
          }
          // plan.json lists every other file with its hash.
          const plan = JSON.parse(file(b, 'plan.json')) as Bundle['plan'];
          expect(plan.files.map((f) => f.path)).to.deep.equal(paths.slice(0, -1));
          for (const pf of plan.files) {
            const f = b.files.find((x) => x.path === pf.path)!;
            expect(pf.sha256).to.equal(createHash('sha256').update(f.content).digest('hex'));
            expect(pf.bytes).to.equal(f.content.length);
          }
          expect(plan.launchAgent).to.equal(agent);
          expect(plan.steps).to.deep.equal([
            'checkCredentials',
            'resolveSource',
            'renderBundle',
            'preflight',
            'launchBuilder',
            'waitForSsm',
            'deliverFiles',
            'resolveSecrets',
            'customize',
            'cleanUpPreseal',
            'checkReadyToSeal',
            'runSysprep',
            'waitForStopped',
            'createImage',
            'verifyBilling',
            'terminateBuilder',
            'smokeTest',
            'copyToRegions',
            'deprecateImage',
            'publishParameter',
          ]);
          expect(plan.customize.map((s) => [s.index, s.kind, s.timeoutSeconds])).to.deep.equal([
            [1, 'windowsFeatures', 3600],
            [2, 'script', 3600],
            [3, 'powershell', 1200],
            [4, 'file', 3600],
            [5, 'reboot', 3600],
          ]);
          expect(plan.customize[1]!.validExitCodes).to.deep.equal([0, 1641]);
        });
      }
    }
  });

  it('writes each agent its own answer-file path, settings and sysprep command', async () => {
    const expectations: Record<string, [string, RegExp]> = {
      'ec2launch-v2': [
        'C:\\ProgramData\\Amazon\\EC2Launch\\sysprep\\unattend.xml',
        /\$execute = 'C:\\Program Files\\Amazon\\EC2Launch\\EC2Launch\.exe'\n\$arguments = 'sysprep --shutdown=true'/,
      ],
      'ec2launch-v1': [
        'C:\\ProgramData\\Amazon\\EC2-Windows\\Launch\\Sysprep\\Unattend.xml',
        /InitializeInstance\.ps1' -Schedule\n[\s\S]*SysprepInstance\.ps1/,
      ],
      ec2config: ['C:\\Program Files\\Amazon\\Ec2ConfigService\\sysprep2008.xml', /Ec2Config\.exe'\n\$arguments = '-sysprep'/],
    };
    for (const [release, agent] of [
      ['2022', 'ec2launch-v2'],
      ['2019', 'ec2launch-v1'],
      ['2012r2', 'ec2config'],
    ] as const) {
      const b = await renderBundle(config(richConfig(release, agent, 'full')));
      expect(b.files.find((f) => f.path === 'unattend.xml')!.destination).to.equal(expectations[agent]![0]);
      const sysprep = file(b, 'scripts/sysprep.ps1');
      expect(sysprep).to.match(expectations[agent]![1]);
      expect(sysprep).to.contain('New-ScheduledTaskPrincipal -UserId $administrator.Name -LogonType S4U -RunLevel Highest');
      expect(sysprep).to.contain("Write-Output 'WINAMI sysprep=started'");
      if (agent === 'ec2launch-v2') {
        const cfg = parseYaml(file(b, 'agent/agent-config.yml')) as {
          version: number;
          config: { stage: string; tasks: { task: string; inputs?: unknown }[] }[];
        };
        expect(cfg.version).to.equal(1);
        const pre = cfg.config.find((s) => s.stage === 'preReady')!.tasks;
        expect(pre.find((t) => t.task === 'setAdminAccount')!.inputs).to.deep.equal({
          name: 'Administrator',
          password: { type: 'static', data: '@@WINAMI_SECRET:administratorPassword@@' },
        });
        expect(pre.map((t) => t.task)).not.to.include('activateWindows'); // a product key is set
        const post = cfg.config.find((s) => s.stage === 'postReady')!.tasks;
        // The script deletes itself; the task stays in the image, so it runs the script only while it exists.
        const firstBoot = "'C:\\ProgramData\\winami\\first-boot-cleanup.ps1'";
        const content = `if (Test-Path -LiteralPath ${firstBoot}) { & ${firstBoot} }`;
        expect(post.find((t) => t.task === 'executeScript')!.inputs).to.deep.equal([{ frequency: 'once', type: 'powershell', runAs: 'localSystem', content }]);
        expect(await powershellSyntaxErrors(content)).to.deep.equal([]);
        expect(sysprep).not.to.contain('SetupComplete.cmd');
      } else {
        expect(sysprep).to.contain("Add-Content -LiteralPath 'C:\\Windows\\Setup\\Scripts\\SetupComplete.cmd'");
        expect(sysprep).to.contain(
          `-Value 'if exist "C:\\ProgramData\\winami\\first-boot-cleanup.ps1" powershell.exe -NoProfile -ExecutionPolicy Bypass -File "C:\\ProgramData\\winami\\first-boot-cleanup.ps1"'`,
        );
      }
      if (agent === 'ec2launch-v1') {
        expect(JSON.parse(file(b, 'agent/LaunchConfig.json'))).to.deep.include({
          adminPasswordType: 'Specify',
          adminPassword: '@@WINAMI_SECRET:administratorPassword@@',
          setComputerName: false,
        });
      }
      if (agent === 'ec2config') {
        const bundleConfig = file(b, 'agent/BundleConfig.xml');
        expect(bundleConfig).to.match(/<Name>AutoSysprep<\/Name>\s*<Value>No<\/Value>/);
        expect(bundleConfig).to.match(/<Name>SetPasswordAfterSysprep<\/Name>\s*<Value>No<\/Value>/);
        expect(file(b, 'agent/config.xml')).to.match(/<Name>Ec2SetPassword<\/Name>\s*<State>Disabled<\/State>/);
        expect(file(b, 'unattend.xml')).to.contain('<NetworkLocation>Other</NetworkLocation>');
      }
      // First boot puts back the agent's answer file without the secrets it held.
      const cleanup = file(b, 'scripts/first-boot-cleanup.ps1');
      const m = new RegExp(
        `WriteAllBytes\\('${expectations[agent]![0].replace(/\\/g, '\\\\')}', \\[Convert\\]::FromBase64String\\('([A-Za-z0-9+/=]+)'\\)\\)`,
      ).exec(cleanup);
      expect(m, cleanup).to.not.equal(null);
      const clean = Buffer.from(m![1]!, 'base64').toString('utf8');
      expect(clean).not.to.contain('@@WINAMI_SECRET');
      expect(clean).not.to.contain('AdministratorPassword');
      expect(clean).to.contain('<RegisteredOwner>Ops &amp; &lt;Platform&gt;</RegisteredOwner>');
    }
  });

  it('is deterministic, and reads the clock only when asked', async () => {
    const c = config(richConfig('2022', 'ec2launch-v2', 'full'));
    const a = await renderBundle(c);
    const b = await renderBundle(c);
    expect(a.files.map((f) => [f.path, f.sha256])).to.deep.equal(b.files.map((f) => [f.path, f.sha256]));
    expect(file(a, 'plan.json')).not.to.match(/generatedAt|20\d\d-\d\d-\d\dT/);
    const dated = await renderBundle(c, { now: new Date('2025-03-04T05:06:07.890Z'), buildId: 'b-123' });
    expect(dated.plan.generatedAt).to.equal('2025-03-04T05:06:07.890Z');
    expect(dated.plan.imageName).to.equal('rich-2022-ec2launch-v2-full-20250304050607');
    expect(file(dated, 'scripts/resolve-secrets.ps1')).to.contain("param([string]$BuildId = 'b-123')");
  });

  it('never writes a secret value: env: and ssm: references only, tokens only where the plan says', async () => {
    const marker = 'MARKER-8f3a-secret-value';
    process.env.WINAMI_TEST_ADMIN = marker;
    process.env.WINAMI_TEST_JOIN = marker;
    try {
      const written = richConfig('2019', 'ec2launch-v1', 'full');
      const ws = written.windowsSettings as Record<string, unknown>;
      ws.copyProfile = false;
      ws.administrator = { password: { static: 'env:WINAMI_TEST_ADMIN' } };
      ws.domainJoin = {
        domain: 'corp.example.com',
        organizationalUnit: 'OU=Servers,DC=corp,DC=example,DC=com',
        username: 'joiner',
        password: 'env:WINAMI_TEST_JOIN',
      };
      const b = await renderBundle(config(written));
      for (const f of b.files) {
        expect(f.content.toString('utf8'), f.path).not.to.contain(marker);
        expect(f.content.toString('utf16le'), f.path).not.to.contain(marker);
      }
      const plan = JSON.parse(file(b, 'plan.json')) as Bundle['plan'];
      expect(plan.secrets.map((s) => [s.slot, s.reference, s.files.map((x) => `${x.path}:${x.encoding}`)])).to.deep.equal([
        ['administratorPassword', 'env:WINAMI_TEST_ADMIN', ['unattend.xml:xml', 'agent/LaunchConfig.json:json']],
        ['domainJoinPassword', 'env:WINAMI_TEST_JOIN', ['unattend.xml:xml']],
        ['windowsProductKey', 'ssm:/golden/product-key', ['unattend.xml:xml']],
      ]);
      expect(plan.secrets[0]!.parameter).to.equal('/winami/{buildId}/administratorPassword');
      for (const f of b.files) {
        const slots = [...f.content.toString('utf8').matchAll(/@@WINAMI_SECRET:(\w+)@@/g)].map((m) => m[1]);
        const listed = plan.secrets.filter((s) => s.files.some((x) => x.path === f.path)).map((s) => s.slot);
        expect([...new Set(slots)].sort(), f.path).to.deep.equal(listed.sort());
      }
      const join = components(file(b, 'unattend.xml'), 'specialize').find((c) => c['@name'] === 'Microsoft-Windows-UnattendedJoin')!;
      expect(JSON.stringify(join)).to.contain('@@WINAMI_SECRET:domainJoinPassword@@');
      const resolve = file(b, 'scripts/resolve-secrets.ps1');
      expect(resolve).to.contain("Parameter = ('/winami/' + $BuildId + '/' + 'administratorPassword')");
      expect(resolve).to.contain("Parameter = '/golden/product-key'");
      expect(resolve).to.contain("@{ Path = 'C:\\ProgramData\\Amazon\\EC2-Windows\\Launch\\Config\\LaunchConfig.json'; Encoding = 'json'; Bom = $false }");
    } finally {
      delete process.env.WINAMI_TEST_ADMIN;
      delete process.env.WINAMI_TEST_JOIN;
    }
  });

  it('keeps even a plaintext secret out of every file and plan.json', async () => {
    const written = richConfig('2022', 'ec2launch-v2', 'full');
    (written.windowsSettings as Record<string, unknown>).administrator = { password: { static: 'Plain-Text-Pa55!' } };
    const b = await renderBundle(config(written, { allowPlaintextSecrets: true }));
    for (const f of b.files) expect(f.content.toString('utf8'), f.path).not.to.contain('Plain-Text-Pa55!');
    expect(b.plan.secrets[0]!.reference).to.equal('<plaintext, redacted>');
  });

  it('refuses values it cannot write safely, naming the field, and writes nothing', async () => {
    const written = richConfig('2022', 'ec2launch-v2', 'full');
    (written.windowsSettings as Record<string, unknown>).registeredOwner = 'Société Générale';
    try {
      await renderBundle(config(written));
      expect.fail('rendered a non-ASCII answer-file value');
    } catch (err) {
      expect(err).to.be.instanceOf(ValidationError);
      expect((err as ValidationError).issues[0]!.path).to.equal('windowsSettings.registeredOwner');
      expect((err as ValidationError).message).to.match(/non-ASCII/);
    }
    const bad = richConfig('2022', 'ec2launch-v2', 'full');
    (bad.windowsSettings as { extraXml: unknown[] }).extraXml = [{ pass: 'specialize', component: 'Microsoft-Windows-Shell-Setup', xml: '</component><evil>' }];
    try {
      await renderBundle(config(bad));
      expect.fail('accepted a malformed extraXml fragment');
    } catch (err) {
      expect((err as ValidationError).issues[0]!.path).to.equal('windowsSettings.extraXml.0.xml');
    }
  });

  it('turns linter errors into a ValidationError with file:line:col, and returns warnings', async () => {
    const written = richConfig('2022', 'ec2launch-v2', 'full');
    // (A task in the wrong stage is refused earlier, by the config loader.)
    written.agent = { ec2launchV2: { tasks: { postReady: [{ task: 'setHostName', inputs: { hostName: 'a-host-name-over-15' } }] } } };
    try {
      await renderBundle(config(written));
      expect.fail('accepted a 19-character host name');
    } catch (err) {
      const issue = (err as ValidationError).issues.find((i) => i.path === 'agent/agent-config.yml')!;
      expect(issue.message).to.match(/hostName is 19 characters/);
      expect(issue.position!.line).to.be.greaterThan(1);
    }
  });

  it('creates a pass and component for extraXml that no template writes', async () => {
    const written = richConfig('2022', 'ec2launch-v2', 'full');
    (written.windowsSettings as { extraXml: unknown[] }).extraXml = [
      { pass: 'auditSystem', component: 'Microsoft-Windows-Shell-Setup', xml: '<TimeZone>UTC</TimeZone>' },
      { pass: 'generalize', component: 'Microsoft-Windows-PnpSysprep', xml: '<!-- keep drivers -->' },
    ];
    const b = await renderBundle(config(written));
    const unattend = file(b, 'unattend.xml');
    expect(components(unattend, 'auditSystem').map((c) => c['@name'])).to.deep.equal(['Microsoft-Windows-Shell-Setup']);
    expect(unattend.indexOf('pass="auditSystem"')).to.be.greaterThan(unattend.indexOf('pass="specialize"'));
    expect(unattend.indexOf('pass="auditSystem"')).to.be.lessThan(unattend.indexOf('pass="oobeSystem"'));
    expect(components(unattend, 'generalize').filter((c) => c['@name'] === 'Microsoft-Windows-PnpSysprep')).to.have.length(1);
  });

  it('takes extraXml for real components outside Microsoft-Windows-, merged into the ones the template writes', async () => {
    const written = richConfig('2022', 'ec2launch-v2', 'full');
    (written.windowsSettings as { rdp: boolean }).rdp = true;
    (written.windowsSettings as { extraXml: unknown[] }).extraXml = [
      { pass: 'specialize', component: 'Networking-MPSSVC-Svc', xml: '<DomainProfile_EnableFirewall>true</DomainProfile_EnableFirewall>' },
      { pass: 'specialize', component: 'Microsoft-Windows-SystemRestore-Main', xml: '<DisableSR>1</DisableSR>' },
    ];
    const unattend = file(await renderBundle(config(written)), 'unattend.xml');
    const names = components(unattend, 'specialize').map((c) => c['@name']);
    expect(names.filter((n) => n === 'Networking-MPSSVC-Svc')).to.have.length(1);
    expect(names).to.include('Microsoft-Windows-SystemRestore-Main');
    expect(unattend).to.match(/<FirewallGroups>[\s\S]*<\/FirewallGroups>\s*<DomainProfile_EnableFirewall>true/);
  });

  it('leaves the locale to the base image when the config sets none, and writes it where it does', async () => {
    const unset = (agent: 'ec2launch-v2' | 'ec2launch-v1' | 'ec2config', release: string) => {
      const w = richConfig(release, agent, 'full');
      delete (w.windowsSettings as { locale?: unknown }).locale;
      return w;
    };
    for (const [agent, release, oobe] of [
      ['ec2launch-v2', '2022', 'en-US'],
      ['ec2launch-v1', '2019', ''],
      ['ec2config', '2012r2', 'en-US'],
    ] as const) {
      const unattend = file(await renderBundle(config(unset(agent, release))), 'unattend.xml');
      expect(
        components(unattend, 'specialize').map((c) => c['@name']),
        agent,
      ).not.to.include('Microsoft-Windows-International-Core');
      expect(unattend, agent).to.include(`<UILanguage>${oobe}</UILanguage>`);
      // The en-US of AWS's file becomes the OS's culture before Sysprep reads it: `ec2launch sysprep` does it on v2,
      // SysprepInstance.ps1 fills v1's empty elements, and on EC2Config, which rewrites nothing, winami's seal script does.
      const sysprep = file(await renderBundle(config(unset(agent, release))), 'scripts/sysprep.ps1');
      const rewrites = /\[IO\.File\]::WriteAllText\(\$answerFile/.test(sysprep);
      expect(rewrites, agent).to.equal(agent === 'ec2config');
      if (agent === 'ec2config') {
        expect(sysprep).to.include("$answerFile = 'C:\\Program Files\\Amazon\\Ec2ConfigService\\sysprep2008.xml'");
        expect(sysprep).to.include("Get-ItemPropertyValue -LiteralPath 'Registry::HKEY_USERS\\.DEFAULT\\Control Panel\\International' -Name LocaleName");
        expect(sysprep).to.include("foreach ($setting in 'InputLocale', 'SystemLocale', 'UILanguage', 'UserLocale')");
        expect(sysprep.indexOf('[IO.File]::WriteAllText($answerFile')).to.be.lessThan(sysprep.indexOf("$arguments = '-sysprep'"));
        expect(await powershellSyntaxErrors(sysprep)).to.deep.equal([]);
      }
    }
    // A configured locale is written as configured: the seal script leaves it alone.
    const ja = richConfig('2012r2', 'ec2config', 'full');
    (ja.windowsSettings as { locale: unknown }).locale = { system: 'ja-JP', user: 'ja-JP', ui: 'ja-JP', input: 'ja-JP' };
    const jaBundle = await renderBundle(config(ja));
    expect(file(jaBundle, 'scripts/sysprep.ps1')).not.to.include('[IO.File]::WriteAllText($answerFile');
    expect(file(jaBundle, 'unattend.xml')).not.to.include('en-US');
    const set = richConfig('2022', 'ec2launch-v2', 'full');
    (set.windowsSettings as { locale: unknown }).locale = { system: 'ja-JP', user: 'ja-JP', ui: 'ja-JP', input: 'ja-JP' };
    const unattend = file(await renderBundle(config(set)), 'unattend.xml');
    expect(components(unattend, 'specialize').map((c) => c['@name'])).to.include('Microsoft-Windows-International-Core');
    expect(unattend.match(/<SystemLocale>ja-JP<\/SystemLocale>/g)).to.have.length(2);
  });

  it('writes neither the RDP firewall group nor the re-enabling command with rdp: false, and still randomises the password', async () => {
    const w = richConfig('2022', 'ec2launch-v2', 'full');
    (w.windowsSettings as { rdp: boolean }).rdp = false;
    const unattend = file(await renderBundle(config(w)), 'unattend.xml');
    expect(unattend).not.to.include('Networking-MPSSVC-Svc');
    expect(unattend).not.to.include('fDenyTSConnections /t REG_DWORD /d 0');
    expect(unattend).to.include('<fDenyTSConnections>true</fDenyTSConnections>');
    expect(unattend).to.include('RandomNumberGenerator');
  });

  it('writes user data per agent: v2 YAML 1.1 tasks, otherwise <powershell> with <persist>', async () => {
    const v2 = await renderBundle(config(richConfig('2022', 'ec2launch-v2', 'full')));
    expect(parseYaml(file(v2, 'user-data/user-data.yml'))).to.deep.equal({
      version: 1.1,
      tasks: [{ task: 'executeScript', inputs: [{ frequency: 'always', type: 'powershell', runAs: 'localSystem', content: "Write-Output 'launched'" }] }],
    });
    const v1 = await renderBundle(config(richConfig('2016', 'ec2launch-v1', 'full')));
    expect(file(v1, 'user-data/user-data.txt')).to.equal("<powershell>\nWrite-Output 'launched'\n</powershell>\n<persist>true</persist>\n");
  });

  it('adds the SQL Server part: PrepareImage after the user steps, first-boot scripts run by first-boot-cleanup.ps1', async () => {
    const written = {
      ...richConfig('2022', 'ec2launch-v2', 'full'),
      sql: { mode: 'byol-prepare', version: '2022', edition: 'standard', media: 's3://media/sql/SQLServer2022.iso', productKey: 'ssm:/sql/key' },
      licensing: {},
    };
    const b = await renderBundle(config(written));
    const last = b.plan.customize.at(-1)!;
    expect(last).to.deep.include({ index: 6, kind: 'sqlPrepareImage', script: 'scripts/sql/prepare-image.ps1' });
    expect(b.files.map((f) => f.path)).to.include.members(['sql/CompleteImage.ini', 'scripts/sql/complete-image.ps1', 'scripts/sql/repair-servername.ps1']);
    const fb = file(b, 'scripts/first-boot-cleanup.ps1');
    expect(fb.indexOf('complete-image.ps1')).to.be.greaterThan(0);
    expect(fb.indexOf('complete-image.ps1')).to.be.lessThan(fb.indexOf('repair-servername.ps1'));
    // The SQL key is resolved on each new instance, never by resolve-secrets.ps1 on the builder.
    // Its slot list has no SQL key; the proof after it only lets CompleteImage.ini keep that token.
    const resolve = file(b, 'scripts/resolve-secrets.ps1');
    const slots = resolve.slice(resolve.indexOf('$secrets = @('), resolve.indexOf('foreach ($secret in $secrets)'));
    expect(slots).not.to.contain('sqlProductKey');
    expect(resolve.slice(resolve.indexOf('$keptForFirstBoot = @('))).to.contain(
      "@{ Path = 'C:\\ProgramData\\winami\\sql\\CompleteImage.ini'; Token = ('@@' + 'WINAMI_SECRET:' + 'sqlProductKey' + '@@') }",
    );
  });

  it('templates write user values only through a helper', () => {
    // Mustaches that print something must call a value helper; the allowlist
    // holds numbers and constants the renderer controls, never user text.
    const allowed = new Set(['order', 'index', 'kind', 'version', 'registeredBy']);
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, entry.name);
        if (entry.isDirectory()) walk(p);
        else if (entry.name.endsWith('.hbs')) {
          const text = readFileSync(p, 'utf8');
          for (const m of text.matchAll(/\{\{\{?([^}]*)\}?\}\}/g)) {
            const inner = m[1]!.trim();
            if (/^[#/>!]|^else$|^!--/.test(inner)) continue;
            const head = inner.split(/\s+/)[0]!;
            if (VALUE_HELPERS.includes(head) || allowed.has(inner)) continue;
            offenders.push(`${p}: {{${inner}}}`);
          }
        }
      }
    };
    walk(templatesDir());
    expect(offenders).to.deep.equal([]);
  });
});
