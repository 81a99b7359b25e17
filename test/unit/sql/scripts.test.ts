import { expect } from 'chai';
import { powershellSyntaxErrors } from '../../../src/powershell/parse.js';
import { psLiteralValue, RenderValueError } from '../../../src/render/helpers.js';
import { sqlBundlePart, classifyMedia, type SqlBundlePart } from '../../../src/render/sql-bundle.js';
import { parseSetupIni } from '../../../src/render/sql-ini.js';
import { byolConfig, licenseIncludedConfig, plainConfig } from './fixtures.js';

const HOSTILE_MEDIA = "C:\\media\\O'Brien ];DROP ‘x’ $(whoami) `n\\SQLServer2022.iso";

function part(p: SqlBundlePart | undefined): SqlBundlePart {
  if (!p) throw new Error('no SQL part');
  return p;
}

function fileOf(p: SqlBundlePart, path: string): string {
  const f = p.files.find((x) => x.path === path);
  if (!f) throw new Error(`no ${path} in ${p.files.map((x) => x.path).join(', ')}`);
  return f.content;
}

/** The value of `$name = '<literal>'` in a rendered script. */
function psVariable(script: string, name: string): string {
  const m = new RegExp(`^\\$${name} = ('(?:[^'\\u2018\\u2019\\u201a\\u201b]|['\\u2018\\u2019\\u201a\\u201b]{2})*')\\r?$`, 'm').exec(script);
  if (!m) throw new Error(`no $${name} = '...' line`);
  return psLiteralValue(m[1]!);
}

describe('sql bundle part: scripts', () => {
  const cases: [string, () => SqlBundlePart][] = [
    ['license-included, default instance', () => part(sqlBundlePart(licenseIncludedConfig()))],
    ['license-included, named instance SQL2022', () => part(sqlBundlePart(licenseIncludedConfig('enterprise', '2019', 'SQL2022')))],
    ['byol-prepare from an S3 ISO', () => part(sqlBundlePart(byolConfig()))],
    ['byol-prepare from an S3 folder, named instance', () => part(sqlBundlePart(byolConfig({ media: 's3://b/sql/2022/', instanceName: 'SQL2022' })))],
    [
      'byol-prepare Express, no key, hostile local ISO path',
      () => part(sqlBundlePart(byolConfig({ edition: 'express', productKey: '', media: JSON.stringify(HOSTILE_MEDIA) }))),
    ],
  ];
  for (const [name, make] of cases) {
    it(`every script parses as PowerShell with no errors: ${name}`, async () => {
      const p = make();
      const scripts = p.files.filter((f) => f.path.endsWith('.ps1'));
      expect(scripts.length).to.be.greaterThan(1);
      for (const s of scripts) {
        expect(await powershellSyntaxErrors(s.content), s.path).to.deep.equal([]);
        expect(s.content, s.path).not.to.match(/\{\{|\}\}/);
        expect(s.content, s.path).not.to.match(/(?<!\r)\n/);
      }
    });
  }

  it('carries a hostile media path into PowerShell verbatim, as a single-quoted literal', async () => {
    const p = part(sqlBundlePart(byolConfig({ edition: 'express', productKey: '', media: JSON.stringify(HOSTILE_MEDIA) })));
    const script = fileOf(p, 'scripts/sql/prepare-image.ps1');
    expect(psVariable(script, 'mediaPath')).to.equal(HOSTILE_MEDIA);
    expect(psVariable(script, 'mediaKind')).to.equal('iso');
    expect(await powershellSyntaxErrors(script)).to.deep.equal([]);
  });

  it('splits S3 media into bucket and key, ISO or folder', () => {
    expect(classifyMedia('s3://b/k/SQL.ISO')).to.deep.equal({ kind: 's3-iso', path: '', bucket: 'b', key: 'k/SQL.ISO' });
    expect(classifyMedia('s3://b/k/extracted/')).to.deep.equal({ kind: 's3-folder', path: '', bucket: 'b', key: 'k/extracted/' });
    expect(classifyMedia('D:\\sql\\setup.exe')).to.deep.equal({ kind: 'folder', path: 'D:\\sql', bucket: '', key: '' });
    const script = fileOf(part(sqlBundlePart(byolConfig())), 'scripts/sql/prepare-image.ps1');
    expect(psVariable(script, 's3Bucket')).to.equal('media-bucket');
    expect(psVariable(script, 's3Key')).to.equal('sql/SQLServer2022-x64-ENU.iso');
    expect(script).to.include('Read-S3Object -BucketName $s3Bucket -Key $s3Key -File $iso');
    expect(script).to.include('Mount-DiskImage -ImagePath $mediaPath -PassThru');
  });

  it('runs PrepareImage with the rendered configuration file, reruns idempotently after 3010 and fails with the Summary.txt tail', () => {
    const script = fileOf(part(sqlBundlePart(byolConfig())), 'scripts/sql/prepare-image.ps1');
    expect(script).to.include("@('/q', '/ACTION=PrepareImage', ('/ConfigurationFile=\"' + $configFile + '\"'))");
    expect(psVariable(script, 'configFile')).to.equal('C:\\ProgramData\\winami\\sql\\PrepareImage.ini');
    expect(psVariable(script, 'logDir')).to.equal('C:\\Program Files\\Microsoft SQL Server\\160\\Setup Bootstrap\\Log');
    // 3010 records the state before asking for the reboot; the rerun reads it and never runs Setup twice.
    const reboot = script.indexOf("Set-State 'reboot-pending'");
    expect(reboot).to.be.greaterThan(0);
    expect(script.indexOf('exit 3010')).to.be.greaterThan(reboot);
    const rerun = script.indexOf("if ($state -eq 'reboot-pending')");
    expect(rerun).to.be.greaterThan(0).and.lessThan(script.indexOf('Start-Process'));
    expect(script).to.match(/Get-Content -LiteralPath \$summary -Tail 40/);
  });

  it('completes the image at first boot with the installed setup.exe and the key read from SSM, never written to the image', () => {
    const p = part(sqlBundlePart(byolConfig()));
    const script = fileOf(p, 'scripts/sql/complete-image.ps1');
    expect(psVariable(script, 'setup')).to.equal('C:\\Program Files\\Microsoft SQL Server\\160\\Setup Bootstrap\\SQL2022\\setup.exe');
    expect(psVariable(script, 'keyParameter')).to.equal('/winami/sql/product-key');
    expect(script).to.include("$keyToken = '@@WINAMI_SECRET:' + 'sqlProductKey' + '@@'");
    expect(script).not.to.include('@@WINAMI_SECRET:sqlProductKey@@');
    expect(script).to.include('Get-SSMParameter -Name $keyParameter -WithDecryption $true -Region $region');
    expect(script).to.include("'/ACTION=CompleteImage'");
    expect(script).to.include("Write-Fact 'sqlComplete' 'ok'");
    // The private copy is removed in finally, whatever Setup did.
    expect(script.indexOf('Remove-Item -LiteralPath $configCopy')).to.be.greaterThan(script.indexOf('finally'));
    expect(p.firstBootSecrets).to.deep.equal([
      { slot: 'sqlProductKey', parameter: '/winami/sql/product-key', files: ['sql/CompleteImage.ini'], encoding: 'ini' },
    ]);
  });

  it('refuses an env: product key, which no instance could read after the bake', () => {
    // The config loader refuses this already; the bundle part refuses it too, for configs built in code.
    const config = byolConfig();
    const slot = config.secrets.find((s) => s.slot === 'sqlProductKey')!;
    slot.ref = { kind: 'env', variable: 'SQL_KEY' };
    expect(() => sqlBundlePart(config)).to.throw(RenderValueError, /sql\.productKey.*ssm:/);
  });

  it('repairs the name for the engine service of the default and of a named instance', () => {
    const def = fileOf(part(sqlBundlePart(licenseIncludedConfig())), 'scripts/sql/repair-servername.ps1');
    expect(psVariable(def, 'server')).to.equal('.');
    expect(psVariable(def, 'engineService')).to.equal('MSSQLSERVER');
    expect(psVariable(def, 'agentService')).to.equal('SQLSERVERAGENT');
    expect(def).to.match(/^\$isDefault = \$true\r$/m);
    const named = fileOf(part(sqlBundlePart(licenseIncludedConfig('web', '2022', 'SQL2022'))), 'scripts/sql/repair-servername.ps1');
    expect(psVariable(named, 'server')).to.equal('.\\SQL2022');
    expect(psVariable(named, 'engineService')).to.equal('MSSQL$SQL2022');
    expect(psVariable(named, 'agentService')).to.equal('SQLAgent$SQL2022');
    expect(psVariable(named, 'instance')).to.equal('SQL2022');
    expect(named).to.match(/^\$isDefault = \$false\r$/m);
    expect(named).to.include('Restart-Service -Name $engineService -Force');
    expect(named).to.include("Write-Output ('WINAMI sqlRename=ok old=' + $old + ' new=' + $new)");
  });

  it('checks every blocker before changing anything, and reports blocked without changing', () => {
    const script = fileOf(part(sqlBundlePart(licenseIncludedConfig())), 'scripts/sql/repair-servername.ps1');
    for (const key of ['remoteLogins', 'linkedServers', 'replication', 'distributor', 'mirroring', 'clustered']) {
      expect(script).to.include(`[int]$facts['${key}'] -gt 0`);
    }
    const blocked = script.indexOf("'WINAMI sqlRename=blocked reason='");
    expect(blocked).to.be.greaterThan(0);
    expect(blocked).to.be.lessThan(script.indexOf('$statements = @()'));
    expect(script.slice(blocked, script.indexOf('}', blocked))).to.include('exit 0');
  });

  it('lists files, roles, customize steps and first-boot scripts per mode', () => {
    const li = part(sqlBundlePart(licenseIncludedConfig()));
    expect(li.files.map((f) => [f.path, f.role])).to.deep.equal([
      ['scripts/sql/repair-servername.ps1', 'first-boot'],
      ['scripts/sql/preseal-sql.ps1', 'check'],
    ]);
    expect(li.customize).to.deep.equal([]);
    expect(li.firstBoot.map((f) => f.name)).to.deep.equal(['sql-repair-servername']);
    const byol = part(sqlBundlePart(byolConfig()));
    expect(byol.files.map((f) => [f.path, f.role, f.destination])).to.deep.equal([
      ['sql/PrepareImage.ini', 'sql-config', 'C:\\ProgramData\\winami\\sql\\PrepareImage.ini'],
      ['sql/CompleteImage.ini', 'sql-config', 'C:\\ProgramData\\winami\\sql\\CompleteImage.ini'],
      ['scripts/sql/prepare-image.ps1', 'customize', 'C:\\ProgramData\\winami\\scripts\\sql\\prepare-image.ps1'],
      ['scripts/sql/complete-image.ps1', 'first-boot', 'C:\\ProgramData\\winami\\sql\\complete-image.ps1'],
      ['scripts/sql/repair-servername.ps1', 'first-boot', 'C:\\ProgramData\\winami\\sql\\repair-servername.ps1'],
      ['scripts/sql/preseal-sql.ps1', 'check', 'C:\\ProgramData\\winami\\scripts\\sql\\preseal-sql.ps1'],
    ]);
    expect(byol.customize).to.deep.equal([
      { name: 'SQL Server 2022 PrepareImage', script: 'scripts/sql/prepare-image.ps1', timeoutSeconds: 7200, validExitCodes: [0] },
    ]);
    expect(byol.firstBoot.map((f) => [f.name, f.order])).to.deep.equal([
      ['sql-complete-image', 1],
      ['sql-repair-servername', 2],
    ]);
    expect(sqlBundlePart(plainConfig())).to.equal(undefined);
  });

  it('pre-seal check: license-included looks for builder logins and blockers; byol-prepare checks the token is still a token', () => {
    const li = fileOf(part(sqlBundlePart(licenseIncludedConfig())), 'scripts/sql/preseal-sql.ps1');
    expect(psVariable(li, 'mode')).to.equal('license-included');
    expect(psVariable(li, 'builderLoginsSql')).to.include("type IN ('U', 'G')");
    expect(li).to.include("Write-Fact 'sqlRenameAtFirstBoot' 'true'");
    const byol = fileOf(part(sqlBundlePart(byolConfig())), 'scripts/sql/preseal-sql.ps1');
    expect(byol).to.include("$productKeyToken = '@@WINAMI_SECRET:' + 'sqlProductKey' + '@@'");
    expect(byol).to.include("$firstBootScripts = @('C:\\ProgramData\\winami\\sql\\complete-image.ps1', 'C:\\ProgramData\\winami\\sql\\repair-servername.ps1')");
    expect(byol).to.include('must hold the product key token, not a key');
  });

  it('renders configuration files that parse back, with the product key only as the token', () => {
    const p = part(
      sqlBundlePart(
        byolConfig({
          instanceName: 'SQL2022',
          collation: 'Latin1_General_CI_AS',
          sysadminAccounts: JSON.stringify(["CORP\\O'Brien", 'CORP\\]x', 'CORP\\;DROP TABLE']),
        }),
      ),
    );
    const prep = parseSetupIni(fileOf(p, 'sql/PrepareImage.ini'));
    expect(Object.fromEntries(prep)).to.deep.equal({
      ACTION: ['PrepareImage'],
      FEATURES: ['SQLENGINE'],
      INSTANCEID: ['SQL2022'],
      IACCEPTSQLSERVERLICENSETERMS: ['True'],
      UPDATEENABLED: ['False'],
    });
    const complete = parseSetupIni(fileOf(p, 'sql/CompleteImage.ini'));
    expect(Object.fromEntries(complete)).to.deep.equal({
      ACTION: ['CompleteImage'],
      INSTANCENAME: ['SQL2022'],
      INSTANCEID: ['SQL2022'],
      PID: ['@@WINAMI_SECRET:sqlProductKey@@'],
      SQLSVCACCOUNT: ['NT Service\\MSSQL$SQL2022'],
      AGTSVCACCOUNT: ['NT Service\\SQLAgent$SQL2022'],
      AGTSVCSTARTUPTYPE: ['Automatic'],
      SQLSVCSTARTUPTYPE: ['Automatic'],
      SQLSYSADMINACCOUNTS: ["CORP\\O'Brien", 'CORP\\]x', 'CORP\\;DROP TABLE'],
      SQLCOLLATION: ['Latin1_General_CI_AS'],
      TCPENABLED: ['1'],
      IACCEPTSQLSERVERLICENSETERMS: ['True'],
    });
  });

  it('Express: no PID and no Agent account', () => {
    const p = part(sqlBundlePart(byolConfig({ edition: 'express', productKey: '' })));
    const complete = parseSetupIni(fileOf(p, 'sql/CompleteImage.ini'));
    expect(complete.has('PID')).to.equal(false);
    expect(complete.has('AGTSVCACCOUNT')).to.equal(false);
    expect(psVariable(fileOf(p, 'scripts/sql/complete-image.ps1'), 'keyParameter')).to.equal('');
    expect(fileOf(p, 'scripts/sql/complete-image.ps1')).to.match(/^\$keyToken = ''\r$/m);
    expect(p.firstBootSecrets).to.deep.equal([]);
  });
});
