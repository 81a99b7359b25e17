import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { configJsonSchema } from '../../../src/config/json-schema.js';

function problems(text: string, options: Parameters<typeof parseConfig>[1] = {}): ConfigError {
  try {
    parseConfig(text, { configPath: '/tmp/c.yaml', ...options });
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const minimal = `name: img\nregion: us-east-1\nwindows:\n  release: "2022"\n`;

describe('config loader', () => {
  it('loads every shipped example', () => {
    const dir = join(packageRoot(), 'examples');
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    expect(files.length).to.be.at.least(6);
    for (const f of files) {
      const c = loadConfig(join(dir, f));
      expect(c.name, f).to.be.a('string').and.not.empty;
      expect(['ec2launch-v2', 'ec2launch-v1', 'ec2config'], f).to.include(c.launchAgent);
    }
  });

  it('refuses time zones and locales Windows does not know, naming the one meant', () => {
    const ws = (body: string) => problems(`${minimal}windowsSettings:\n${body}`).issues;
    const tz = ws('  timeZone: Pacific Time\n');
    expect(tz.map((i) => i.path)).to.deep.equal(['windowsSettings.timeZone']);
    expect(tz[0]!.hint).to.include('Pacific Standard Time');
    expect(ws('  timeZone: America/Los_Angeles\n')[0]!.message).to.include('IANA');
    const loc = ws('  locale: { system: en_US, user: de-DE, ui: en-US, input: "0409:00000409" }\n');
    expect(loc.map((i) => i.path)).to.deep.equal(['windowsSettings.locale.system']);
    expect(loc[0]!.hint).to.include('en-US');
    expect(
      parseConfig(
        `${minimal}windowsSettings:\n  timeZone: Pacific Standard Time\n  locale: { system: ja-JP, user: de-DE_phoneb, ui: ja-JP, input: "ja-JP;en-US" }\n`,
      ).windowsSettings.timeZone,
    ).to.equal('Pacific Standard Time');
  });

  it('takes extraXml for any component the knowledge base has, and refuses an unknown one', () => {
    const extra = (component: string) => `${minimal}windowsSettings:\n  extraXml: [{ pass: specialize, component: ${component}, xml: "<X/>" }]\n`;
    expect(parseConfig(extra('Networking-MPSSVC-Svc')).windowsSettings.extraXml[0]!.component).to.equal('Networking-MPSSVC-Svc');
    expect(parseConfig(extra('Security-Malware-Windows-Defender')).windowsSettings.extraXml).to.have.length(1);
    const bad = problems(extra('Microsoft-Windows-Shell-Setpu')).issues;
    expect(bad.map((i) => i.path)).to.deep.equal(['windowsSettings.extraXml.0.component']);
  });

  it('leaves the locale unset unless the config sets it', () => {
    expect(parseConfig(minimal).windowsSettings.locale).to.equal(undefined);
  });

  it('picks the launch agent AWS ships for each release', () => {
    const agent = (release: string, extra = '') => parseConfig(`name: x\nregion: us-east-1\nwindows:\n  release: "${release}"\n${extra}`).launchAgent;
    expect(agent('2012r2')).to.equal('ec2config');
    expect(agent('2016')).to.equal('ec2launch-v1');
    expect(agent('2019')).to.equal('ec2launch-v1');
    expect(agent('2022')).to.equal('ec2launch-v2');
    expect(agent('2025')).to.equal('ec2launch-v2');
    expect(agent('2019', '  agent: ec2launch-v2\n')).to.equal('ec2launch-v2');
  });

  it('refuses an agent that cannot run on the release, saying which can', () => {
    const e = problems(`name: x\nregion: us-east-1\nwindows:\n  release: "2022"\n  agent: ec2config\n`);
    expect(e.issues).to.have.length(1);
    expect(e.issues[0]!.path).to.equal('windows.agent');
    expect(e.issues[0]!.hint).to.include('ec2launch-v2');
    expect(e.issues[0]!.position).to.deep.include({ line: 5, column: 10 });
  });

  it('accepts a numeric release and "2012 R2" spelled with a space', () => {
    expect(parseConfig(`name: x\nregion: us-east-1\nwindows: { release: 2019 }\n`).windows.release).to.equal('2019');
    expect(parseConfig(`name: x\nregion: us-east-1\nwindows: { release: 2012 R2 }\n`).windows.release).to.equal('2012r2');
  });

  it('reports every schema problem at once, each with line and column', () => {
    const e = problems(
      [
        'name: bad name!',
        'region: us-east-1',
        'windows:',
        '  relase: 2022',
        '  edition: ful',
        'builder:',
        '  instanceTyp: m5.large',
        'customize:',
        '  - scrpt: foo.ps1',
        '  - powershell: 42',
      ].join('\n'),
    );
    const byPath = Object.fromEntries(e.issues.map((i) => [i.path, i]));
    expect(Object.keys(byPath)).to.include.members([
      'name',
      'windows.release',
      'windows.relase',
      'windows.edition',
      'builder.instanceTyp',
      'customize.0.scrpt',
      'customize.1.powershell',
    ]);
    expect(byPath['windows.relase']!.hint).to.equal('did you mean "release"?');
    expect(byPath['windows.relase']!.position).to.deep.equal({ file: '/tmp/c.yaml', line: 4, column: 3 });
    expect(byPath['builder.instanceTyp']!.hint).to.equal('did you mean "instanceType"?');
    expect(byPath['customize.0.scrpt']!.hint).to.equal('did you mean "script"?');
    expect(byPath['windows.release']!.message).to.equal('is required');
    expect(byPath['windows.edition']!.message).to.match(/must be one of: "full", "core"/);
    expect(byPath['windows.edition']!.position).to.deep.include({ line: 5, column: 12 });
  });

  it('reports YAML syntax errors with their position', () => {
    const e = problems('name: x\nregion: [us-east-1\n');
    expect(e.message).to.match(/not valid YAML/);
    expect(e.issues[0]!.position?.line).to.be.a('number');
  });

  it('reads JSON configs too', () => {
    const c = parseConfig(JSON.stringify({ name: 'j', region: 'eu-west-1', windows: { release: '2025', edition: 'core' } }));
    expect(c.windows.edition).to.equal('core');
    expect(c.source).to.deep.equal({ kind: 'ssm-parameter', parameter: '/aws/service/ami-windows-latest/Windows_Server-2025-English-Core-Base' });
  });

  it('refuses literal secrets unless allowed, and never echoes them', () => {
    const text = `${minimal}windowsSettings:\n  administrator:\n    password: { static: "Hunter2-secret!" }\n`;
    const e = problems(text);
    expect(e.issues.map((i) => i.path)).to.deep.equal(['windowsSettings.administrator.password.static']);
    expect(JSON.stringify(e.issues) + e.message).not.to.include('Hunter2-secret!');
    const allowed = parseConfig(text, { allowPlaintextSecrets: true });
    expect(allowed.secrets[0]!.ref.kind).to.equal('plaintext');
  });

  it('takes ssm: and env: secret references', () => {
    const c = parseConfig(
      `${minimal}windowsSettings:\n  administrator:\n    password: { static: "ssm:/golden/admin" }\n  domainJoin: { domain: corp.example.com, username: joiner, password: "env:JOIN_PW" }\n`,
    );
    expect(c.secrets.map((s) => [s.slot, s.ref])).to.deep.equal([
      ['administratorPassword', { kind: 'ssm', parameter: '/golden/admin' }],
      ['domainJoinPassword', { kind: 'env', variable: 'JOIN_PW' }],
    ]);
  });

  it('derives the billing expectation from a license-included SQL section', () => {
    const c = parseConfig(`${minimal}sql: { mode: license-included, version: 2022, edition: enterprise }\n`);
    expect(c.expectation).to.deep.include({ platformDetails: 'Windows with SQL Server Enterprise', usageOperation: 'RunInstances:0102' });
    expect(c.source).to.deep.equal({
      kind: 'ssm-parameter',
      parameter: '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-SQL_2022_Enterprise',
    });
    const express = parseConfig(`${minimal}sql: { mode: license-included, version: 2019, edition: express }\n`);
    expect(express.expectation?.usageOperation).to.equal('RunInstances:0002');
  });

  it('refuses a license-included edition that differs from the source image', () => {
    const e = problems(
      `${minimal}source: { ssmParameter: /aws/service/ami-windows-latest/Windows_Server-2022-English-Full-SQL_2022_Web }\nsql: { mode: license-included, version: 2022, edition: standard }\n`,
    );
    expect(e.issues.map((i) => i.path)).to.deep.equal(['sql.edition']);
    expect(e.issues[0]!.message).to.match(/2022 standard.*2022 web/);
  });

  it('refuses an expectation that contradicts the SQL section or the billing table', () => {
    const e1 = problems(`${minimal}sql: { mode: license-included, version: 2022, edition: standard }\nlicensing: { expect: windows }\n`);
    expect(e1.issues[0]!.path).to.equal('licensing.expect');
    expect(e1.issues[0]!.hint).to.include('windows-sql-standard');
    const e2 = problems(`${minimal}licensing: { expect: { platformDetails: Windows, usageOperation: "RunInstances:0006" } }\n`);
    expect(e2.issues[0]!.message).to.include('bills as RunInstances:0002');
  });

  it('checks byol-prepare media and product key', () => {
    const e = problems(`${minimal}sql: { mode: byol-prepare, version: 2022, edition: standard }\n`);
    expect(e.issues.map((i) => i.path).sort()).to.deep.equal(['sql.media', 'sql.productKey']);
    const ok = parseConfig(
      `${minimal}sql: { mode: byol-prepare, version: 2022, edition: standard, media: "s3://media/sql2022.iso", productKey: "ssm:/sql/key" }\n`,
    );
    expect(ok.expectation?.name).to.equal('windows');
    const env = problems(
      `${minimal}sql: { mode: byol-prepare, version: 2022, edition: standard, media: "s3://media/sql2022.iso", productKey: "env:SQL_KEY" }\n`,
    );
    expect(env.issues.map((i) => i.path)).to.deep.equal(['sql.productKey']);
    expect(env.issues[0]!.hint).to.include('ssm:');
  });

  it('applies computer-name, KMS, region and image-name rules together', () => {
    const e = problems(
      `${minimal}windowsSettings: { computerName: "WAY-TOO-LONG-A-NAME" }\nimage:\n  name: "x-{{nme}}"\n  kmsKeyId: alias/golden\n  regions: [{ region: us-east-1 }, { region: eu-west-1 }, { region: eu-west-1 }]\n`,
    );
    expect(e.issues.map((i) => i.path).sort()).to.deep.equal([
      'image.kmsKeyId',
      'image.name',
      'image.regions.0.region',
      'image.regions.2.region',
      'windowsSettings.computerName',
    ]);
    for (const i of e.issues) expect(i.position, i.path).to.have.property('line');
  });

  it('checks that files the config points at exist, relative to the config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'winami-cfg-'));
    mkdirSync(join(dir, 'scripts'));
    writeFileSync(join(dir, 'scripts', 'ok.ps1'), "Write-Output 'ok'\n");
    writeFileSync(join(dir, 'c.yaml'), `${minimal}customize:\n  - script: scripts/ok.ps1\n  - script: scripts/missing.ps1\n`);
    try {
      loadConfig(join(dir, 'c.yaml'));
      expect.fail('expected a ConfigError');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      const issues = (err as ConfigError).issues;
      expect(issues.map((i) => i.path)).to.deep.equal(['customize.1.script']);
      expect(issues[0]!.position?.line).to.equal(7);
    }
  });

  it('says which file is missing when the config cannot be read', () => {
    expect(() => loadConfig('/nonexistent/winami.yaml')).to.throw(ConfigError, /no such file/);
  });
});

describe('JSON Schema', () => {
  it('schema/winami.schema.json is up to date with the zod schema (npm run schema regenerates it)', () => {
    const shipped = readFileSync(join(packageRoot(), 'schema', 'winami.schema.json'), 'utf8');
    expect(shipped === configJsonSchema(), 'schema/winami.schema.json is stale: run `npm run schema`').to.equal(true);
  });

  it('describes the top-level keys and forbids unknown ones', () => {
    const schema = JSON.parse(configJsonSchema()) as { properties: Record<string, unknown>; additionalProperties: boolean; required: string[] };
    expect(schema.additionalProperties).to.equal(false);
    expect(schema.required).to.include.members(['name', 'region', 'windows']);
    expect(Object.keys(schema.properties)).to.include.members([
      'windows',
      'source',
      'builder',
      'customize',
      'windowsSettings',
      'agent',
      'image',
      'licensing',
      'sql',
      'launch',
    ]);
  });
});
