/**
 * The emulator's KMS through the real @aws-sdk/client-kms (keys, aliases,
 * key states, the AWS managed `alias/aws/ebs`), and EBS encryption through
 * @aws-sdk/client-ec2: which key volumes, snapshots and image copies get, and
 * how a launch or copy fails when EBS cannot use the key.
 */
import { expect } from 'chai';
import {
  CopyImageCommand,
  CreateImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  RunInstancesCommand,
  type Image,
  type Instance,
} from '@aws-sdk/client-ec2';
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  KMSClient,
  ListAliasesCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { EMULATOR_ACCOUNTS, type Emulator } from '../../emulator/index.js';
import { eventually, rejection, withEmulator, WIN2022 } from './helpers.js';

function clients(emu: Emulator, n = 0, region = 'us-east-1') {
  const a = EMULATOR_ACCOUNTS[n]!;
  const config = { region, endpoint: emu.endpoint, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey }, maxAttempts: 1 };
  return { ec2: new EC2Client(config), ssm: new SSMClient(config), kms: new KMSClient(config) };
}

async function expectError(p: Promise<unknown>, name: string, message: string | RegExp): Promise<void> {
  const err = await rejection(p);
  expect(err.name, err.message).to.equal(name);
  if (typeof message === 'string') expect(err.message).to.equal(message);
  else expect(err.message).to.match(message);
}

describe('emulator: KMS', function () {
  this.timeout(30_000);
  let emu: Emulator;
  let kms: KMSClient;
  before(async () => {
    emu = await withEmulator();
    kms = clients(emu).kms;
  });
  after(async () => {
    await emu.stop();
  });
  beforeEach(async () => {
    await emu.control.reset();
  });

  it('has the AWS managed alias/aws/ebs key in every account and region', async () => {
    const seen = new Set<string>();
    for (const [n, a] of EMULATOR_ACCOUNTS.entries()) {
      for (const region of ['us-east-1', 'eu-west-1', 'ap-southeast-2']) {
        const k = (await clients(emu, n, region).kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/ebs' }))).KeyMetadata!;
        expect(k).to.include({
          AWSAccountId: a.accountId,
          KeyManager: 'AWS',
          KeyState: 'Enabled',
          Enabled: true,
          KeyUsage: 'ENCRYPT_DECRYPT',
          KeySpec: 'SYMMETRIC_DEFAULT',
          Origin: 'AWS_KMS',
        });
        expect(k.Arn).to.equal(`arn:aws:kms:${region}:${a.accountId}:key/${k.KeyId}`);
        seen.add(k.KeyId!);
      }
    }
    expect(seen.size).to.equal(9);
    const aliases = (await kms.send(new ListAliasesCommand({}))).Aliases!;
    expect(aliases.map((x) => x.AliasName)).to.deep.equal(['alias/aws/ebs']);
    expect(aliases[0]!.AliasArn).to.equal('arn:aws:kms:us-east-1:111111111111:alias/aws/ebs');
  });

  it('creates a key and finds it by key id, key ARN, alias and alias ARN', async () => {
    const key = (await kms.send(new CreateKeyCommand({ Description: 'winami images' }))).KeyMetadata!;
    expect(key).to.include({ Description: 'winami images', KeyManager: 'CUSTOMER', KeyState: 'Enabled', Enabled: true, MultiRegion: false });
    expect(key.KeyId).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(key.CreationDate).to.be.instanceOf(Date);
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/winami', TargetKeyId: key.KeyId! }));
    for (const ref of [key.KeyId!, key.Arn!, 'alias/winami', 'arn:aws:kms:us-east-1:111111111111:alias/winami']) {
      expect((await kms.send(new DescribeKeyCommand({ KeyId: ref }))).KeyMetadata!.KeyId, ref).to.equal(key.KeyId);
    }
    const listed = (await kms.send(new ListAliasesCommand({ KeyId: key.KeyId! }))).Aliases!;
    expect(listed.map((x) => [x.AliasName, x.TargetKeyId])).to.deep.equal([['alias/winami', key.KeyId]]);
    await expectError(
      kms.send(new CreateAliasCommand({ AliasName: 'alias/winami', TargetKeyId: key.KeyId! })),
      'AlreadyExistsException',
      'An alias with the name arn:aws:kms:us-east-1:111111111111:alias/winami already exists',
    );
    await expectError(
      kms.send(new CreateAliasCommand({ AliasName: 'alias/aws/mine', TargetKeyId: key.KeyId! })),
      'NotAuthorizedException',
      "Cannot create alias with prefix 'alias/aws/'",
    );
    await expectError(
      kms.send(new CreateAliasCommand({ AliasName: 'alias/other', TargetKeyId: '0b0b0b0b-0b0b-4b0b-8b0b-0b0b0b0b0b0b' })),
      'NotFoundException',
      "Key 'arn:aws:kms:us-east-1:111111111111:key/0b0b0b0b-0b0b-4b0b-8b0b-0b0b0b0b0b0b' does not exist",
    );
    await kms.send(new DeleteAliasCommand({ AliasName: 'alias/winami' }));
    await expectError(
      kms.send(new DescribeKeyCommand({ KeyId: 'alias/winami' })),
      'NotFoundException',
      'Alias arn:aws:kms:us-east-1:111111111111:alias/winami is not found.',
    );
    await expectError(
      kms.send(new DeleteAliasCommand({ AliasName: 'alias/winami' })),
      'NotFoundException',
      'Alias arn:aws:kms:us-east-1:111111111111:alias/winami is not found.',
    );
  });

  it('refuses unknown keys as KMS words it, and keeps keys per account and region', async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await expectError(
      clients(emu, 0, 'eu-west-1').kms.send(new DescribeKeyCommand({ KeyId: key.KeyId! })),
      'NotFoundException',
      `Key 'arn:aws:kms:eu-west-1:111111111111:key/${key.KeyId}' does not exist`,
    );
    await expectError(
      clients(emu, 1).kms.send(new DescribeKeyCommand({ KeyId: key.KeyId! })),
      'NotFoundException',
      `Key 'arn:aws:kms:us-east-1:222222222222:key/${key.KeyId}' does not exist`,
    );
    await expectError(kms.send(new DescribeKeyCommand({ KeyId: 'not-a-key' })), 'NotFoundException', "Invalid keyId 'not-a-key'");
    await expectError(
      kms.send(new DescribeKeyCommand({ KeyId: 'arn:aws:kms:us-east-1:111111111111:key/nope' })),
      'InvalidArnException',
      'Invalid arn arn:aws:kms:us-east-1:111111111111:key/nope',
    );
  });

  it('disables, enables and schedules deletion, refusing what the key state forbids', async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId! }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId! }))).KeyMetadata).to.include({ KeyState: 'Disabled', Enabled: false });
    await kms.send(new EnableKeyCommand({ KeyId: key.Arn! }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId! }))).KeyMetadata).to.include({ KeyState: 'Enabled', Enabled: true });
    await expectError(
      kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId!, PendingWindowInDays: 6 })),
      'ValidationException',
      /Member must have value between 7 and 30/,
    );
    const before = Date.now();
    const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId!, PendingWindowInDays: 7 }));
    expect(scheduled).to.include({ KeyId: key.Arn, KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    expect(scheduled.DeletionDate!.getTime()).to.be.closeTo(before + 7 * 86_400_000, 5_000);
    const pending = (await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId! }))).KeyMetadata!;
    expect(pending).to.include({ KeyState: 'PendingDeletion', Enabled: false, PendingDeletionWindowInDays: 7 });
    expect(pending.DeletionDate).to.be.instanceOf(Date);
    const invalid = `${key.Arn} is pending deletion.`;
    await expectError(kms.send(new EnableKeyCommand({ KeyId: key.KeyId! })), 'KMSInvalidStateException', invalid);
    await expectError(kms.send(new DisableKeyCommand({ KeyId: key.KeyId! })), 'KMSInvalidStateException', invalid);
    await expectError(kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId! })), 'KMSInvalidStateException', invalid);
    await expectError(kms.send(new CreateAliasCommand({ AliasName: 'alias/late', TargetKeyId: key.KeyId! })), 'KMSInvalidStateException', invalid);
    await kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId! }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId! }))).KeyMetadata!.KeyState).to.equal('Disabled');
  });

  it('does not let the account disable or delete the AWS managed key', async () => {
    const ebs = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/ebs' }))).KeyMetadata!;
    await expectError(
      kms.send(new DisableKeyCommand({ KeyId: ebs.KeyId! })),
      'AccessDeniedException',
      /is not authorized to perform: kms:DisableKey on resource: arn:aws:kms:us-east-1:111111111111:key\//,
    );
    await expectError(kms.send(new ScheduleKeyDeletionCommand({ KeyId: ebs.KeyId! })), 'AccessDeniedException', /kms:ScheduleKeyDeletion/);
    await expectError(
      kms.send(new DeleteAliasCommand({ AliasName: 'alias/aws/ebs' })),
      'NotAuthorizedException',
      "Cannot delete alias with prefix 'alias/aws/'",
    );
  });
});

describe('emulator: EBS encryption with KMS keys', function () {
  this.timeout(30_000);
  let emu: Emulator;
  let c: ReturnType<typeof clients>;
  let ami: string;
  before(async () => {
    emu = await withEmulator();
    c = clients(emu);
  });
  after(async () => {
    await emu.stop();
  });
  beforeEach(async () => {
    await emu.control.reset();
    ami = (await c.ssm.send(new GetParameterCommand({ Name: WIN2022 }))).Parameter!.Value!;
  });

  const launch = (ebs: { Encrypted?: boolean; KmsKeyId?: string }) =>
    c.ec2.send(
      new RunInstancesCommand({
        ImageId: ami,
        MinCount: 1,
        MaxCount: 1,
        IamInstanceProfile: { Name: 'winami-builder' },
        BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { VolumeSize: 40, ...ebs } }],
      }),
    );
  const instance = async (ec2: EC2Client, id: string): Promise<Instance> =>
    (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!.Instances![0]!;
  const imageIn = async (ec2: EC2Client, id: string, states: string[]): Promise<Image> =>
    eventually(
      async () => {
        const img = (await ec2.send(new DescribeImagesCommand({ ImageIds: [id] }))).Images![0]!;
        return states.includes(img.State!) ? img : undefined;
      },
      5000,
      `${id} ${states.join('/')}`,
    );

  it('encrypts the root volume with the given key, and CreateImage carries the key ARN to snapshots and mappings', async () => {
    const key = (await c.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await c.kms.send(new CreateAliasCommand({ AliasName: 'alias/golden', TargetKeyId: key.KeyId! }));
    const id = (await launch({ Encrypted: true, KmsKeyId: 'alias/golden' })).Instances![0]!.InstanceId!;
    const vols = (await c.ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [id] }] }))).Volumes!;
    expect(vols.map((v) => [v.Encrypted, v.KmsKeyId, v.Size])).to.deep.equal([[true, key.Arn, 40]]);
    await eventually(async () => ((await instance(c.ec2, id)).State!.Name === 'running' ? true : undefined), 5000, 'running');
    const { ImageId } = await c.ec2.send(new CreateImageCommand({ InstanceId: id, Name: 'encrypted-golden', NoReboot: true }));
    const img = await imageIn(c.ec2, ImageId!, ['available']);
    const ebs = img.BlockDeviceMappings![0]!.Ebs!;
    expect([ebs.Encrypted, ebs.KmsKeyId]).to.deep.equal([true, key.Arn]);
    const snap = (await c.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [ebs.SnapshotId!] }))).Snapshots![0]!;
    expect([snap.Encrypted, snap.KmsKeyId]).to.deep.equal([true, key.Arn]);
    // Launching the encrypted image needs no key in the request: the snapshot's key is used.
    const child = (await c.ec2.send(new RunInstancesCommand({ ImageId: ImageId!, MinCount: 1, MaxCount: 1 }))).Instances![0]!.InstanceId!;
    const childVol = (await c.ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [child] }] }))).Volumes![0]!;
    expect([childVol.Encrypted, childVol.KmsKeyId]).to.deep.equal([true, key.Arn]);
  });

  it('uses the account alias/aws/ebs key when Encrypted has no KmsKeyId, and refuses KmsKeyId without Encrypted', async () => {
    const ebsKey = (await c.kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/ebs' }))).KeyMetadata!;
    const id = (await launch({ Encrypted: true })).Instances![0]!.InstanceId!;
    const vol = (await c.ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [id] }] }))).Volumes![0]!;
    expect([vol.Encrypted, vol.KmsKeyId]).to.deep.equal([true, ebsKey.Arn]);
    const err = await rejection(launch({ KmsKeyId: 'alias/aws/ebs' }));
    expect(err.name).to.equal('InvalidParameterDependency');
    expect(err.message).to.equal('The parameter KmsKeyId requires the parameter Encrypted to be set.');
  });

  it('terminates a launch whose key is disabled, pending deletion or unknown, with the StateReason EC2 gives', async () => {
    const disabled = (await c.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await c.kms.send(new DisableKeyCommand({ KeyId: disabled.KeyId! }));
    const pending = (await c.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await c.kms.send(new ScheduleKeyDeletionCommand({ KeyId: pending.KeyId!, PendingWindowInDays: 30 }));
    const cases: Array<[string, string]> = [
      [disabled.Arn!, 'Client.InternalError: Client.InvalidKMSKey.InvalidState: The KMS key provided is in an incorrect state'],
      [pending.KeyId!, 'Client.InternalError: Client.InvalidKMSKey.InvalidState: The KMS key provided is in an incorrect state'],
      ['alias/no-such-key', 'Client.InternalError: Client error on launch'],
    ];
    for (const [keyId, message] of cases) {
      const launched = (await launch({ Encrypted: true, KmsKeyId: keyId })).Instances![0]!;
      expect(launched.State!.Name, keyId).to.equal('pending');
      const done = await eventually(
        async () => {
          const i = await instance(c.ec2, launched.InstanceId!);
          return i.State!.Name === 'terminated' ? i : undefined;
        },
        5000,
        `${keyId} terminated`,
      );
      expect(done.StateReason, keyId).to.deep.equal({ Code: 'Client.InternalError', Message: message });
    }
  });

  it('CopyImage encrypts with the destination key by alias, defaults to the destination alias/aws/ebs, and fails the copy when the key is unusable', async () => {
    const eu = clients(emu, 0, 'eu-west-1');
    const key = (await eu.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await eu.kms.send(new CreateAliasCommand({ AliasName: 'alias/copies', TargetKeyId: key.KeyId! }));
    const euEbs = (await eu.kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/ebs' }))).KeyMetadata!;
    const copy = async (extra: { Encrypted?: boolean; KmsKeyId?: string }, name: string) =>
      (await eu.ec2.send(new CopyImageCommand({ Name: name, SourceImageId: ami, SourceRegion: 'us-east-1', ...extra }))).ImageId!;
    const byAlias = await imageIn(eu.ec2, await copy({ Encrypted: true, KmsKeyId: 'alias/copies' }, 'by-alias'), ['available']);
    expect(byAlias.BlockDeviceMappings![0]!.Ebs).to.include({ Encrypted: true, KmsKeyId: key.Arn });
    const snap = (await eu.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [byAlias.BlockDeviceMappings![0]!.Ebs!.SnapshotId!] }))).Snapshots![0]!;
    expect([snap.Encrypted, snap.KmsKeyId]).to.deep.equal([true, key.Arn]);
    const byDefault = await imageIn(eu.ec2, await copy({ Encrypted: true }, 'by-default'), ['available']);
    expect(byDefault.BlockDeviceMappings![0]!.Ebs).to.include({ Encrypted: true, KmsKeyId: euEbs.Arn });
    const plain = await imageIn(eu.ec2, await copy({}, 'plain'), ['available']);
    expect(plain.BlockDeviceMappings![0]!.Ebs!.Encrypted).to.equal(false);
    expect(plain.BlockDeviceMappings![0]!.Ebs!.KmsKeyId).to.equal(undefined);
    // A key of the source region does not exist in the destination: accepted, then failed (KMS is checked asynchronously).
    const usKey = (await c.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await eu.kms.send(new DisableKeyCommand({ KeyId: key.KeyId! }));
    for (const [kmsKeyId, name] of [
      [usKey.KeyId!, 'wrong-region'],
      ['alias/copies', 'disabled-key'],
    ] as const) {
      const failed = await imageIn(eu.ec2, await copy({ Encrypted: true, KmsKeyId: kmsKeyId }, name), ['failed', 'available']);
      expect(failed.State, name).to.equal('failed');
      expect(failed.StateReason, name).to.deep.equal({ Code: 'Client.InternalError', Message: 'Copy image failed with an internal error' });
    }
  });
});
