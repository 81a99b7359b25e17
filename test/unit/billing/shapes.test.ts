import { expect } from 'chai';
import { registerImageInput } from '../../../src/billing/register.js';
import { copyClientToken } from '../../../src/billing/copy.js';
import { resolveExpectation } from '../../../src/billing/expectations.js';
import { parseCopyTarget } from '../../../src/cli/commands/copy.js';
import { imageOfSnapshotDescription } from '../../../src/audit/scan.js';

describe('billing call shapes', () => {
  it('RegisterImage sets every field whose API default is wrong for Windows', () => {
    const input = registerImageInput({ snapshotId: 'snap-1', name: 'n', expectation: resolveExpectation({ name: 'windows-sql-web' }) });
    expect(input).to.deep.include({
      Architecture: 'x86_64',
      VirtualizationType: 'hvm',
      RootDeviceName: '/dev/sda1',
      BootMode: 'legacy-bios',
      ImdsSupport: 'v2.0',
      EnaSupport: true,
    });
    expect(input.BlockDeviceMappings[0]).to.deep.equal({
      DeviceName: '/dev/sda1',
      Ebs: { SnapshotId: 'snap-1', DeleteOnTermination: true, VolumeType: 'gp3' },
    });
    expect(input.TagSpecifications[0]!.Tags).to.deep.include({ Key: 'winami:expect', Value: 'windows-sql-web' });
    const tpm = registerImageInput({ snapshotId: 'snap-1', name: 'n', expectation: resolveExpectation({ name: 'windows' }), tpm: true, imdsV2: false });
    expect(tpm).to.deep.include({ BootMode: 'uefi', TpmSupport: 'v2.0' });
    expect(tpm).to.not.have.property('ImdsSupport');
  });

  it('copy ClientTokens are per region and at most 128 characters', () => {
    expect(copyClientToken('build-1', 'eu-west-1')).to.equal('build-1-eu-west-1');
    expect(copyClientToken('x'.repeat(200), 'eu-west-1')).to.have.length(128);
  });

  it('parses --to region[=kms-key]', () => {
    expect(parseCopyTarget('eu-west-1')).to.deep.equal({ region: 'eu-west-1' });
    expect(parseCopyTarget('ap-southeast-2=arn:aws:kms:ap-southeast-2:111111111111:alias/a=b')).to.deep.equal({
      region: 'ap-southeast-2',
      kmsKeyId: 'arn:aws:kms:ap-southeast-2:111111111111:alias/a=b',
    });
    expect(() => parseCopyTarget('Europe')).to.throw(/expected <region>/);
  });

  it('reads the image a snapshot was made for from EC2 descriptions', () => {
    expect(imageOfSnapshotDescription('Created by CreateImage(i-0123456789abcdef0) for ami-0abcdef1234567890')).to.equal('ami-0abcdef1234567890');
    expect(
      imageOfSnapshotDescription('Copied for DestinationAmi ami-0aaa from SourceAmi ami-0bbb for SourceSnapshot snap-1. Task created on 1,706,000,000.'),
    ).to.equal('ami-0aaa');
    expect(imageOfSnapshotDescription('my backup of ami-0ccc')).to.equal(undefined);
    expect(imageOfSnapshotDescription(undefined)).to.equal(undefined);
  });
});
