import { expect } from 'chai';
import { resolveExpectation, tryResolveExpectation, sqlEditionInName, expectationFromAmiName } from '../../../src/billing/expectations.js';
import { UsageError } from '../../../src/errors.js';

describe('billing/expectations', () => {
  it('resolves every named expectation to its table pair', () => {
    const e = resolveExpectation({ name: 'windows-sql-standard' });
    expect(e).to.deep.include({ name: 'windows-sql-standard', platformDetails: 'Windows with SQL Server Standard', usageOperation: 'RunInstances:0006' });
    expect(e.derivedFrom).to.equal('--expect windows-sql-standard');
    expect(resolveExpectation({ name: 'Windows-BYOL' }).usageOperation).to.equal('RunInstances:0800');
  });

  it('rejects an unknown name with the list of choices', () => {
    expect(() => resolveExpectation({ name: 'windows-sql-express' })).to.throw(UsageError, /unknown billing expectation/);
    try {
      resolveExpectation({ name: 'nope' });
    } catch (err) {
      expect((err as UsageError).hint).to.contain('windows-sql-enterprise');
    }
  });

  it('names an explicit pair when it equals a named expectation, and keeps an unnamed one', () => {
    expect(resolveExpectation({ pair: { platformDetails: 'Windows', usageOperation: 'RunInstances:0002' } }).name).to.equal('windows');
    const custom = resolveExpectation({ pair: { platformDetails: 'Windows, SQL Server Standard', usageOperation: 'RunInstances:0006' } });
    expect(custom.name).to.equal(undefined);
    expect(custom.platformDetails).to.equal('Windows, SQL Server Standard');
  });

  it('reads a tag value as a name or a UsageOperation code', () => {
    expect(resolveExpectation({ tag: 'windows-sql-web' }).usageOperation).to.equal('RunInstances:0202');
    const byCode = resolveExpectation({ tag: 'RunInstances:0102' });
    expect(byCode).to.deep.include({ name: 'windows-sql-enterprise', derivedFrom: 'tag winami:expect=RunInstances:0102' });
    expect(() => resolveExpectation({ tag: 'RunInstances:9999' })).to.throw(/not in the billing table/);
    expect(() => resolveExpectation({ tag: '<script>' })).to.throw(UsageError);
  });

  it('finds the SQL Server edition in AWS-style and custom AMI names', () => {
    expect(sqlEditionInName('Windows_Server-2022-English-Full-SQL_2022_Standard-2024.01.10')).to.deep.include({ version: '2022', edition: 'standard' });
    expect(sqlEditionInName('Windows_Server-2019-English-Full-SQL_2017_Enterprise-2023.05.10')?.edition).to.equal('enterprise');
    expect(sqlEditionInName('Windows_Server-2016-English-Full-SQL_2016_SP3_Web-2023.05.10')?.edition).to.equal('web');
    expect(sqlEditionInName('golden-windows-2022-sql-2019-std-v12')?.edition).to.equal('standard');
    expect(sqlEditionInName('Windows_Server-2022-English-Full-Base-2024.01.10')).to.equal(undefined);
    expect(sqlEditionInName('ubuntu-jammy-22.04-amd64-sql-2019-standard')).to.equal(undefined, 'Linux SQL names are not Windows billing');
    expect(expectationFromAmiName('Windows_Server-2022-English-Full-SQL_2022_Express-2024.01.10')?.name).to.equal('windows');
    expect(resolveExpectation({ amiName: 'Windows_Server-2022-English-Full-SQL_2022_Enterprise-x' })).to.deep.include({
      usageOperation: 'RunInstances:0102',
      derivedFrom: 'name pattern SQL_2022_Enterprise',
    });
    expect(() => resolveExpectation({ amiName: 'my-image' })).to.throw(/names no SQL Server edition/);
  });

  it('derives an expectation from a config', () => {
    expect(resolveExpectation({ config: {} }).name).to.equal('windows');
    expect(resolveExpectation({ config: { licensing: { expect: 'windows-byol' } } }).name).to.equal('windows-byol');
    expect(resolveExpectation({ config: { licensing: { expect: { platformDetails: 'Windows', usageOperation: 'RunInstances:0002' } } } }).name).to.equal(
      'windows',
    );
    expect(resolveExpectation({ config: { sql: { mode: 'license-included', edition: 'enterprise' } } }).name).to.equal('windows-sql-enterprise');
    expect(resolveExpectation({ config: { sql: { mode: 'byol-prepare', edition: 'enterprise', licensing: 'windows-byol' } } }).name).to.equal('windows-byol');
    const explicitWins = resolveExpectation({ config: { licensing: { expect: 'windows' }, sql: { mode: 'license-included', edition: 'web' } } });
    expect(explicitWins.name).to.equal('windows');
  });

  it('inherits from the source image lineage, filling one missing field from the table', () => {
    expect(
      resolveExpectation({ lineage: { ImageId: 'ami-1', PlatformDetails: 'Windows with SQL Server Web', UsageOperation: 'RunInstances:0202' } }),
    ).to.deep.include({
      name: 'windows-sql-web',
      derivedFrom: 'lineage of ami-1',
    });
    expect(resolveExpectation({ lineage: { UsageOperation: 'RunInstances:0006' } }).platformDetails).to.equal('Windows with SQL Server Standard');
    expect(() => resolveExpectation({ lineage: { ImageId: 'ami-2', PlatformDetails: ' ' } })).to.throw(/no billing fields/);
    expect(tryResolveExpectation({ lineage: { ImageId: 'ami-3' } })).to.equal(undefined);
  });
});
