import { expect } from 'chai';
import { ConfigError } from '../../../src/errors.js';
import { assertSourceMatchesSql, sourceSqlIssues } from '../../../src/sql/preflight.js';
import { byolConfig, licenseIncludedConfig, plainConfig } from './fixtures.js';

const STANDARD = {
  ImageId: 'ami-1',
  Name: 'Windows_Server-2022-English-Full-SQL_2022_Standard-2025.01.15',
  PlatformDetails: 'Windows with SQL Server Standard',
  UsageOperation: 'RunInstances:0006',
};
const ENTERPRISE = {
  ImageId: 'ami-2',
  Name: 'Windows_Server-2022-English-Full-SQL_2022_Enterprise-2025.01.15',
  PlatformDetails: 'Windows with SQL Server Enterprise',
  UsageOperation: 'RunInstances:0102',
};
const BASE = { ImageId: 'ami-3', Name: 'Windows_Server-2022-English-Full-Base-2025.01.15', PlatformDetails: 'Windows', UsageOperation: 'RunInstances:0002' };

describe('sql preflight against the resolved source image', () => {
  it('accepts a license-included source of the declared edition', () => {
    expect(sourceSqlIssues(licenseIncludedConfig('standard'), STANDARD)).to.deep.equal([]);
    expect(sourceSqlIssues(licenseIncludedConfig('express'), { ...BASE, Name: 'Windows_Server-2022-English-Full-SQL_2022_Express-2025.01.15' })).to.deep.equal(
      [],
    );
  });

  it('refuses a source of another edition, by name and by billing', () => {
    const issues = sourceSqlIssues(licenseIncludedConfig('standard'), ENTERPRISE);
    expect(issues.map((i) => i.path)).to.deep.equal(['sql.edition', 'sql.edition']);
    expect(issues[0]!.message).to.match(/declares SQL Server 2022 standard but the source ami-2 .* is SQL Server 2022 enterprise/);
    expect(issues[1]!.message).to.match(/bills as "Windows with SQL Server Enterprise" \(RunInstances:0102\)/);
    expect(() => assertSourceMatchesSql(licenseIncludedConfig('standard'), ENTERPRISE))
      .to.throw(ConfigError)
      .with.property('exitCode', 3);
  });

  it('refuses a renamed source whose billing says another edition', () => {
    const issues = sourceSqlIssues(licenseIncludedConfig('web'), { ...ENTERPRISE, Name: 'my-copy-SQL_2022_Web' });
    expect(issues).to.have.length(1);
    expect(issues[0]!.message).to.include('RunInstances:0202');
  });

  it('refuses a plain Windows source for license-included, and a SQL-billed source for byol-prepare', () => {
    expect(sourceSqlIssues(licenseIncludedConfig('standard'), BASE).map((i) => i.path)).to.deep.equal(['source', 'sql.edition']);
    expect(sourceSqlIssues(byolConfig(), STANDARD).map((i) => i.path)).to.deep.equal(['source']);
    expect(sourceSqlIssues(byolConfig(), { ...STANDARD, Name: 'custom-golden' }).map((i) => i.path)).to.deep.equal(['source']);
    expect(sourceSqlIssues(byolConfig(), BASE)).to.deep.equal([]);
    expect(sourceSqlIssues(plainConfig(), ENTERPRISE)).to.deep.equal([]);
  });

  it('byol-prepare: sql.licensing must be the billing the source already has, which the image inherits', () => {
    const BYOL_SOURCE = { ...BASE, ImageId: 'ami-4', Name: 'imported-windows-2022', PlatformDetails: 'Windows BYOL', UsageOperation: 'RunInstances:0800' };
    expect(sourceSqlIssues(byolConfig({ licensing: 'windows-byol' }), BYOL_SOURCE)).to.deep.equal([]);
    const wrong = sourceSqlIssues(byolConfig({ licensing: 'windows-byol' }), BASE);
    expect(wrong.map((i) => i.path)).to.deep.equal(['sql.licensing']);
    expect(wrong[0]!.message).to.include('"Windows BYOL" (RunInstances:0800)').and.include('bills as "Windows" (RunInstances:0002)');
    expect(sourceSqlIssues(byolConfig(), BYOL_SOURCE).map((i) => i.path)).to.deep.equal(['sql.licensing']);
  });

  it('reads the edition from AWS names with a service pack (SQL_2016_SP3_Web)', () => {
    const SP3 = {
      ImageId: 'ami-5',
      Name: 'Windows_Server-2012-R2_RTM-English-64Bit-SQL_2016_SP3_Web-2025.01.15',
      PlatformDetails: 'Windows with SQL Server Web',
      UsageOperation: 'RunInstances:0202',
    };
    const config = licenseIncludedConfig('web');
    expect(sourceSqlIssues({ ...config, sql: { ...config.sql!, version: '2016' } }, SP3)).to.deep.equal([]);
    expect(
      sourceSqlIssues(config, SP3)
        .map((i) => i.message)
        .join(),
    ).to.include('is SQL Server 2016 web');
  });
});
