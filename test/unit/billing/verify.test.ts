import { expect } from 'chai';
import { checkBilling } from '../../../src/billing/verify.js';
import { resolveExpectation } from '../../../src/billing/expectations.js';

const windows = resolveExpectation({ name: 'windows' });
const codes = (c: ReturnType<typeof checkBilling>) => c.problems.map((p) => p.code);

describe('billing/checkBilling', () => {
  it('passes a consistent pair equal to the expectation', () => {
    const c = checkBilling({ PlatformDetails: 'Windows', UsageOperation: 'RunInstances:0002', Platform: 'windows' }, windows);
    expect(c).to.deep.equal({ ok: true, problems: [], notes: [] });
  });

  it('fails empty and missing fields, one problem each', () => {
    expect(codes(checkBilling({}, windows))).to.deep.equal(['empty', 'empty']);
    const blank = checkBilling({ PlatformDetails: '  ', UsageOperation: 'RunInstances:0002' });
    expect(blank.ok).to.equal(false);
    expect(blank.problems[0]!.message).to.match(/PlatformDetails is empty/);
  });

  it('fails a pair the table contradicts, from either side', () => {
    expect(codes(checkBilling({ PlatformDetails: 'Windows', UsageOperation: 'RunInstances:0006' }))).to.deep.equal(['inconsistent']);
    expect(codes(checkBilling({ PlatformDetails: 'Windows Server Deluxe', UsageOperation: 'RunInstances:0002' }))).to.deep.equal(['inconsistent']);
  });

  it('notes, without failing, a pair the sample table does not list', () => {
    const c = checkBilling({ PlatformDetails: 'Windows with SQL Server Standard, Windows BYOL', UsageOperation: 'RunInstances:0806' });
    expect(c.ok).to.equal(true);
    expect(c.notes[0]).to.match(/not in AWS's sample billing table/);
  });

  it('fails Platform=windows billed as Linux, case-insensitively', () => {
    expect(codes(checkBilling({ PlatformDetails: 'Linux/UNIX', UsageOperation: 'RunInstances', Platform: 'Windows' }))).to.deep.equal(['platform-mismatch']);
  });

  it('fails a valid pair that differs from the expectation, naming where the expectation came from', () => {
    const c = checkBilling(
      { PlatformDetails: 'Windows with SQL Server Web', UsageOperation: 'RunInstances:0202' },
      resolveExpectation({ tag: 'windows-sql-standard' }),
    );
    expect(codes(c)).to.deep.equal(['unexpected']);
    expect(c.problems[0]!.message).to.contain('tag winami:expect=windows-sql-standard');
  });
});
