import { expect } from 'chai';
import { billingFieldsEmpty } from '../../../src/audit/rules/billing-fields-empty.js';
import { billingPairInconsistent } from '../../../src/audit/rules/billing-pair-inconsistent.js';
import { windowsBilledAsLinux } from '../../../src/audit/rules/windows-billed-as-linux.js';
import { declaredExpectationMismatch } from '../../../src/audit/rules/declared-expectation-mismatch.js';
import { sqlEditionMismatch } from '../../../src/audit/rules/sql-edition-mismatch.js';
import { unencryptedSnapshot } from '../../../src/audit/rules/unencrypted-snapshot.js';
import { orphanedSnapshot } from '../../../src/audit/rules/orphaned-snapshot.js';
import { deprecatedImageInUse } from '../../../src/audit/rules/deprecated-image-in-use.js';
import { unapprovedImage } from '../../../src/audit/rules/unapproved-image.js';
import { RULE_PACK } from '../../../src/audit/pack.js';
import { ctx, imageSubject, instanceSubject, snapshotSubject } from './fixtures.js';

describe('audit rules', () => {
  it('the pack lists each rule once with severity, title and explanation', () => {
    const ids = RULE_PACK.map((r) => r.id);
    expect(new Set(ids).size).to.equal(ids.length);
    for (const r of RULE_PACK) {
      expect(r.explanation.length, r.id).to.be.greaterThan(40);
      expect(['error', 'warning', 'note']).to.include(r.severity);
    }
  });

  describe('billing-fields-empty', () => {
    it('flags empty, missing and whitespace fields', () => {
      expect(billingFieldsEmpty(imageSubject({ PlatformDetails: '', UsageOperation: undefined }))?.message).to.match(
        /^PlatformDetails and UsageOperation are empty/,
      );
      expect(billingFieldsEmpty(imageSubject({ UsageOperation: ' ' }))?.message).to.match(/^UsageOperation is empty/);
    });
    it('passes filled fields and pending images', () => {
      expect(billingFieldsEmpty(imageSubject())).to.equal(undefined);
      expect(billingFieldsEmpty(imageSubject({ State: 'pending', PlatformDetails: '' }))).to.equal(undefined);
    });
  });

  describe('billing-pair-inconsistent', () => {
    it('flags a pair the table contradicts', () => {
      expect(billingPairInconsistent(imageSubject({ UsageOperation: 'RunInstances:0006' }))?.message).to.contain('RunInstances:0002');
    });
    it('passes a listed pair and an unlisted one', () => {
      expect(billingPairInconsistent(imageSubject())).to.equal(undefined);
      expect(billingPairInconsistent(imageSubject({ PlatformDetails: 'Something New', UsageOperation: 'RunInstances:0999' }))).to.equal(undefined);
    });
  });

  describe('windows-billed-as-linux', () => {
    it('flags Platform=windows billed as Linux/UNIX', () => {
      expect(windowsBilledAsLinux(imageSubject({ PlatformDetails: 'Linux/UNIX', UsageOperation: 'RunInstances' }))).to.not.equal(undefined);
      expect(windowsBilledAsLinux(imageSubject({ Platform: 'Windows' as never, PlatformDetails: 'Linux/UNIX', UsageOperation: 'RunInstances' }))).to.not.equal(
        undefined,
      );
    });
    it('passes Windows billing, non-Windows platforms and empty fields (another rule reports those)', () => {
      expect(windowsBilledAsLinux(imageSubject({ PlatformDetails: 'Windows with SQL Server Web', UsageOperation: 'RunInstances:0202' }))).to.equal(undefined);
      expect(windowsBilledAsLinux(imageSubject({ Platform: undefined, PlatformDetails: 'Linux/UNIX', UsageOperation: 'RunInstances' }))).to.equal(undefined);
      expect(windowsBilledAsLinux(imageSubject({ PlatformDetails: undefined, UsageOperation: undefined }))).to.equal(undefined);
    });
  });

  describe('declared-expectation-mismatch', () => {
    it('flags a tag that differs from the billing', () => {
      const hit = declaredExpectationMismatch(imageSubject({ Tags: [{ Key: 'winami:expect', Value: 'windows-sql-standard' }] }));
      expect(hit?.evidence).to.deep.equal({ expectedPlatformDetails: 'Windows with SQL Server Standard', expectedUsageOperation: 'RunInstances:0006' });
    });
    it('passes a matching tag (name or code) and images without the tag', () => {
      expect(declaredExpectationMismatch(imageSubject({ Tags: [{ Key: 'winami:expect', Value: 'windows' }] }))).to.equal(undefined);
      expect(declaredExpectationMismatch(imageSubject({ Tags: [{ Key: 'winami:expect', Value: 'RunInstances:0002' }] }))).to.equal(undefined);
      expect(declaredExpectationMismatch(imageSubject({ Tags: [{ Key: 'other', Value: 'windows-byol' }] }))).to.equal(undefined);
      expect(declaredExpectationMismatch(imageSubject({ Tags: undefined }))).to.equal(undefined);
    });
    it('throws on an unknown tag value (evaluate turns that into a finding)', () => {
      expect(() => declaredExpectationMismatch(imageSubject({ Tags: [{ Key: 'winami:expect', Value: 'windoze' }] }))).to.throw(/unknown billing expectation/);
    });
  });

  describe('sql-edition-mismatch', () => {
    it('flags a SQL edition in the name billed as another', () => {
      const hit = sqlEditionMismatch(
        imageSubject({
          Name: 'Windows_Server-2022-English-Full-SQL_2022_Enterprise-2024.01.10',
          PlatformDetails: 'Windows with SQL Server Standard',
          UsageOperation: 'RunInstances:0006',
        }),
      );
      expect(hit?.message).to.contain('SQL_2022_Enterprise');
      expect(sqlEditionMismatch(imageSubject({ Name: 'Windows_Server-2022-English-Full-SQL_2022_Web-x' }))).to.not.equal(undefined);
    });
    it('passes a matching edition, Express (billed as plain Windows) and names without an edition', () => {
      expect(
        sqlEditionMismatch(
          imageSubject({
            Name: 'Windows_Server-2022-English-Full-SQL_2022_Web-x',
            PlatformDetails: 'Windows with SQL Server Web',
            UsageOperation: 'RunInstances:0202',
          }),
        ),
      ).to.equal(undefined);
      expect(sqlEditionMismatch(imageSubject({ Name: 'Windows_Server-2019-English-Full-SQL_2019_Express-x' }))).to.equal(undefined);
      expect(sqlEditionMismatch(imageSubject({ Name: undefined }))).to.equal(undefined);
    });
  });

  describe('unencrypted-snapshot', () => {
    it('flags each unencrypted EBS mapping', () => {
      const hits = unencryptedSnapshot(
        imageSubject({
          BlockDeviceMappings: [
            { DeviceName: '/dev/sda1', Ebs: { SnapshotId: 'snap-a', Encrypted: false } },
            { DeviceName: 'xvdb', Ebs: { SnapshotId: 'snap-b' } },
            { DeviceName: 'xvdc', VirtualName: 'ephemeral0' },
          ],
        }),
      );
      expect(hits.map((h) => h.evidence?.snapshotId)).to.deep.equal(['snap-a', 'snap-b']);
    });
    it('passes encrypted mappings and tolerates missing ones', () => {
      expect(unencryptedSnapshot(imageSubject())).to.deep.equal([]);
      expect(unencryptedSnapshot(imageSubject({ BlockDeviceMappings: undefined }))).to.deep.equal([]);
    });
  });

  describe('orphaned-snapshot', () => {
    it('flags a snapshot of a deregistered image with its size', () => {
      const hit = orphanedSnapshot(snapshotSubject());
      expect(hit?.message).to.contain('50 GiB');
      expect(hit?.evidence).to.deep.equal({ createdForImageId: 'ami-dead', volumeSizeGiB: 50 });
    });
    it('passes snapshots in use, of existing images, or with no image origin', () => {
      expect(orphanedSnapshot(snapshotSubject({ usedByImage: true }))).to.equal(undefined);
      expect(orphanedSnapshot(snapshotSubject({ createdForImageExists: true }))).to.equal(undefined);
      expect(orphanedSnapshot(snapshotSubject({ createdForImageId: undefined, createdForImageExists: undefined }))).to.equal(undefined);
    });
  });

  describe('deprecated-image-in-use', () => {
    it('flags an instance whose image deprecation time has passed', () => {
      expect(deprecatedImageInUse(instanceSubject({}, { DeprecationTime: '2024-01-01T00:00:00.000Z' }), ctx())?.evidence?.deprecationTime).to.equal(
        '2024-01-01T00:00:00.000Z',
      );
    });
    it('passes future deprecation, no deprecation and unknown images; throws on a malformed time', () => {
      expect(deprecatedImageInUse(instanceSubject({}, { DeprecationTime: '2030-01-01T00:00:00Z' }), ctx())).to.equal(undefined);
      expect(deprecatedImageInUse(instanceSubject({}, {}), ctx())).to.equal(undefined);
      expect(deprecatedImageInUse(instanceSubject(), ctx())).to.equal(undefined);
      expect(() => deprecatedImageInUse(instanceSubject({}, { DeprecationTime: 'soon' }), ctx())).to.throw(/not a date/);
    });
  });

  describe('unapproved-image', () => {
    const approved = { imageIds: ['ami-good'], tags: [{ key: 'golden', value: 'yes' }, { key: 'approved' }], owners: ['999999999999'] };
    it('flags an instance from an image matching nothing approved, or no longer visible', () => {
      expect(unapprovedImage(instanceSubject({}, { Tags: [{ Key: 'golden', Value: 'no' }] }), ctx({ approved }))?.evidence?.launchImageId).to.equal('ami-src');
      expect(unapprovedImage(instanceSubject(), ctx({ approved }))?.message).to.contain('no longer visible');
    });
    it('passes by id, by tag (key or key=value), by owner, and when no list is configured', () => {
      expect(unapprovedImage(instanceSubject({ ImageId: 'ami-good' }), ctx({ approved }))).to.equal(undefined);
      expect(unapprovedImage(instanceSubject({}, { Tags: [{ Key: 'golden', Value: 'yes' }] }), ctx({ approved }))).to.equal(undefined);
      expect(unapprovedImage(instanceSubject({}, { Tags: [{ Key: 'approved', Value: 'anything' }] }), ctx({ approved }))).to.equal(undefined);
      expect(unapprovedImage(instanceSubject({}, { OwnerId: '999999999999' }), ctx({ approved }))).to.equal(undefined);
      expect(unapprovedImage(instanceSubject(), ctx())).to.equal(undefined);
    });
  });
});
