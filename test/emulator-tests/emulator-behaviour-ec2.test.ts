/**
 * EC2 and STS behaviour of the emulator, seen through the real SDK clients:
 * throttling buckets, injected faults, eventual consistency, image lineage
 * and billing, DescribeImages filters and pagination, AssumeRole.
 */
import { expect } from 'chai';
import {
  CopyImageCommand,
  CreateImageCommand,
  CreateSnapshotCommand,
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeRegionsCommand,
  DescribeSnapshotsCommand,
  ModifyImageAttributeCommand,
  RegisterImageCommand,
  RunInstancesCommand,
  type EC2Client,
  type Image,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand, GetParametersCommand } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { EC2Client as Ec2 } from '@aws-sdk/client-ec2';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { EMULATOR_ACCOUNTS, type Emulator } from '../../emulator/index.js';
import { controlFetch, eventually, rejection, sdk, sleep, withEmulator, WIN2022 } from './helpers.js';

const WIN2019 = '/aws/service/ami-windows-latest/Windows_Server-2019-English-Full-Base';

async function publicImage(emu: Emulator, name = WIN2022, region = 'us-east-1'): Promise<string> {
  const { ssm } = sdk(emu, 0, region);
  return (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter!.Value!;
}

async function launch(ec2: EC2Client, imageId: string): Promise<string> {
  const r = await ec2.send(new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1, InstanceType: 't3.large' }));
  return r.Instances![0]!.InstanceId!;
}

async function instanceState(ec2: EC2Client, id: string): Promise<string> {
  const d = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return d.Reservations![0]!.Instances![0]!.State!.Name!;
}

async function available(ec2: EC2Client, imageId: string): Promise<Image> {
  return eventually(
    async () => {
      const img = (await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images![0]!;
      return img.State === 'available' ? img : undefined;
    },
    5000,
    `${imageId} available`,
  );
}

async function running(ec2: EC2Client, id: string): Promise<void> {
  await eventually(async () => ((await instanceState(ec2, id)) === 'running' ? true : undefined), 5000, `${id} running`);
}

/** CreateImage of a fresh instance launched from `parameter`; returns the available image. */
async function imageFromInstance(emu: Emulator, ec2: EC2Client, name: string, parameter = WIN2022): Promise<Image> {
  const id = await launch(ec2, await publicImage(emu, parameter));
  await running(ec2, id);
  const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: id, Name: name, NoReboot: true }));
  return available(ec2, ImageId!);
}

describe('emulator: throttling (domain-facts §8.2)', () => {
  let emu: Emulator;
  before(async () => {
    emu = await withEmulator({ throttling: true });
  });
  after(async () => {
    await emu.stop();
  });

  // Refill is held while a burst is sent, so a slow (loaded) burst still meets exactly the bucket's capacity.
  afterEach(() => emu.control.releaseRefill());

  it('answers RequestLimitExceeded (503, EC2 error XML) when the RunInstances bucket (5, +2/s) is empty, per account and region, then refills', async () => {
    const { ec2 } = sdk(emu);
    const ami = await publicImage(emu);
    emu.control.holdRefill();
    for (let i = 0; i < 5; i++) await launch(ec2, ami);
    const err = await rejection(launch(ec2, ami));
    expect(err.name).to.equal('RequestLimitExceeded');
    expect(err.$metadata?.httpStatusCode).to.equal(503);
    // Another action, another account and another region have their own buckets.
    await ec2.send(new DescribeRegionsCommand({}));
    await launch(sdk(emu, 1).ec2, ami);
    await launch(sdk(emu, 0, 'eu-west-1').ec2, await publicImage(emu, WIN2022, 'eu-west-1'));
    // The wire form, as the SDK received it.
    const raw = await fetch(emu.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: 'AWS4-HMAC-SHA256 Credential=AKIAEMULATOR000000001/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: `Action=RunInstances&Version=2016-11-15&ImageId=${ami}&MinCount=1&MaxCount=1`,
    });
    expect(raw.status).to.equal(503);
    expect(await raw.text()).to.match(
      /^<\?xml[^>]*>\s*<Response><Errors><Error><Code>RequestLimitExceeded<\/Code><Message>[^<]+<\/Message><\/Error><\/Errors><RequestID>[^<]+<\/RequestID><\/Response>$/,
    );
    // 2 tokens per second: 400 ms give 0.8 of a token, 500 ms one.
    emu.control.advanceRefill(400);
    expect((await rejection(launch(ec2, ami))).name).to.equal('RequestLimitExceeded');
    emu.control.advanceRefill(100);
    await launch(ec2, ami);
    expect((await rejection(launch(ec2, ami))).name).to.equal('RequestLimitExceeded');
    // And on the wall clock: one token is back after 500 ms.
    emu.control.releaseRefill();
    await sleep(600);
    await launch(ec2, ami);
  });

  it('uses the smaller bucket (50, +10/s) for unfiltered unpaginated DescribeInstances, not for filtered calls', async () => {
    const { ec2 } = sdk(emu, 2);
    emu.control.holdRefill();
    const results = await Promise.allSettled(Array.from({ length: 70 }, () => ec2.send(new DescribeInstancesCommand({}))));
    const throttled = results.filter((r) => r.status === 'rejected' && (r.reason as Error).name === 'RequestLimitExceeded').length;
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    expect(ok).to.equal(50);
    expect(throttled).to.equal(20);
    // A filtered call draws on the non-mutating bucket (100, +20/s), which is still full.
    const filtered = await Promise.all(
      Array.from({ length: 60 }, () => ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['running'] }] }))),
    );
    expect(filtered).to.have.length(60);
  });

  it('holds and advances refill over HTTP, and says what is wrong with an advance it cannot make', async () => {
    const { ec2 } = sdk(emu, 2, 'eu-west-1');
    const ami = await publicImage(emu, WIN2022, 'eu-west-1');
    expect((await controlFetch(emu, 'POST', 'refill/advance', { ms: 100 })).json.error).to.match(/needs holdRefill first/);
    expect((await controlFetch(emu, 'POST', 'refill/hold')).status).to.equal(200);
    expect((await controlFetch(emu, 'POST', 'refill/advance', { ms: -1 })).json.error).to.match(/milliseconds >= 0, not -1/);
    for (let i = 0; i < 5; i++) await launch(ec2, ami);
    expect((await rejection(launch(ec2, ami))).name).to.equal('RequestLimitExceeded');
    expect((await controlFetch(emu, 'POST', 'refill/advance', { ms: 1000 })).status).to.equal(200);
    await launch(ec2, ami);
    await launch(ec2, ami);
    expect((await rejection(launch(ec2, ami))).name).to.equal('RequestLimitExceeded');
    expect((await controlFetch(emu, 'POST', 'refill/release')).status).to.equal(200);
  });

  it('lets the SDK standard retry strategy ride out a short throttle', async () => {
    const { ec2 } = sdk(emu, 0, 'us-west-2', 3);
    emu.control.addFault({ action: 'DescribeImages', errorCode: 'RequestLimitExceeded', times: 2, region: 'us-west-2' });
    const out = await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }));
    expect(out.Images).to.deep.equal([]);
    expect(out.$metadata.attempts).to.equal(3);
  });
});

describe('emulator: faults', () => {
  let emu: Emulator;
  before(async () => {
    emu = await withEmulator({ throttling: false });
  });
  after(async () => {
    await emu.stop();
  });
  afterEach(() => emu.control.clearFaults());

  it('answers an error code and status for the next N calls only', async () => {
    const { ec2 } = sdk(emu);
    emu.control.addFault({ action: 'DescribeImages', errorCode: 'InternalError', times: 2 });
    for (let i = 0; i < 2; i++) {
      const err = await rejection(ec2.send(new DescribeImagesCommand({ Owners: ['self'] })));
      expect(err.name).to.equal('InternalError');
      expect(err.$metadata?.httpStatusCode).to.equal(500);
    }
    await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }));
    emu.control.addFault({ action: '*', service: 'ec2', errorCode: 'UnauthorizedOperation', status: 403, message: 'You are not authorized', times: 1 });
    const err = await rejection(ec2.send(new DescribeRegionsCommand({})));
    expect(err.name).to.equal('UnauthorizedOperation');
    expect(err.message).to.equal('You are not authorized');
    expect(err.$metadata?.httpStatusCode).to.equal(403);
  });

  it('limits a fault to its service, account and region', async () => {
    emu.control.addFault({ action: '*', service: 'ssm', errorCode: 'InternalServerError', status: 500, account: '222222222222', region: 'eu-west-1' });
    await sdk(emu, 0, 'eu-west-1').ssm.send(new GetParameterCommand({ Name: WIN2022 }));
    await sdk(emu, 1, 'us-east-1').ssm.send(new GetParameterCommand({ Name: WIN2022 }));
    await sdk(emu, 1, 'eu-west-1').ec2.send(new DescribeRegionsCommand({}));
    const err = await rejection(sdk(emu, 1, 'eu-west-1').ssm.send(new GetParameterCommand({ Name: WIN2022 })));
    expect(err.name).to.equal('InternalServerError');
  });

  it('applies a fault with its probability', async () => {
    const { ec2 } = sdk(emu);
    emu.control.addFault({ action: 'DescribeRegions', errorCode: 'Unavailable', status: 503, probability: 0.5 });
    const results = await Promise.allSettled(Array.from({ length: 200 }, () => ec2.send(new DescribeRegionsCommand({}))));
    const failed = results.filter((r) => r.status === 'rejected').length;
    // Binomial(200, 0.5): outside 60..140 has a probability below 1e-8.
    expect(failed).to.be.within(60, 140);
    emu.control.clearFaults();
    emu.control.addFault({ action: 'DescribeRegions', errorCode: 'Unavailable', status: 503, probability: 0 });
    const none = await Promise.allSettled(Array.from({ length: 50 }, () => ec2.send(new DescribeRegionsCommand({}))));
    expect(none.every((r) => r.status === 'fulfilled')).to.equal(true);
  });

  it('adds latency, then answers normally', async () => {
    const { ec2 } = sdk(emu);
    emu.control.addFault({ action: 'DescribeRegions', latencyMs: 300, times: 1 });
    const t0 = Date.now();
    const out = await ec2.send(new DescribeRegionsCommand({}));
    expect(Date.now() - t0).to.be.at.least(290);
    expect(out.Regions!.length).to.equal(17);
  });

  it('drops the connection: the SDK sees a socket error, and the call log records it', async () => {
    const { ec2 } = sdk(emu);
    emu.control.addFault({ action: 'DescribeRegions', drop: true, times: 1 });
    const err = await rejection(ec2.send(new DescribeRegionsCommand({})));
    expect(err.$metadata?.httpStatusCode).to.equal(undefined);
    expect(`${err.name} ${err.message} ${err.code ?? ''}`).to.match(/socket hang up|ECONNRESET/);
    expect(emu.control.calls().filter((c) => c.action === 'DescribeRegions' && c.errorCode === 'ConnectionDropped')).to.have.length(1);
    await ec2.send(new DescribeRegionsCommand({}));
  });
});

describe('emulator: eventual consistency', () => {
  let emu: Emulator;
  before(async () => {
    emu = await withEmulator({ throttling: false, consistencyWindowMs: 400 });
  });
  after(async () => {
    await emu.stop();
  });

  it('answers NotFound for a new instance and a new image within the window, and finds them after it', async () => {
    const { ec2 } = sdk(emu);
    const id = await launch(ec2, await publicImage(emu));
    expect((await rejection(instanceState(ec2, id))).name).to.equal('InvalidInstanceID.NotFound');
    await sleep(450);
    await running(ec2, id);
    const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: id, Name: 'consistency-check', NoReboot: true }));
    expect((await rejection(ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] })))).name).to.equal('InvalidAMIID.NotFound');
    const listed = await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }));
    expect(listed.Images!.map((i) => i.ImageId)).to.not.include(ImageId);
    await sleep(450);
    expect((await ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] }))).Images![0]!.ImageId).to.equal(ImageId);
  });
});

describe('emulator: image lineage and billing (domain-facts §7.2, §10)', () => {
  let emu: Emulator;
  let ec2: EC2Client;
  before(async () => {
    emu = await withEmulator({ throttling: false });
    ec2 = sdk(emu).ec2;
  });
  after(async () => {
    await emu.stop();
  });

  it('CreateImage inherits the billing of the source image, over two generations', async () => {
    const first = await imageFromInstance(emu, ec2, 'lineage-gen1', '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-SQL_2022_Enterprise');
    expect([first.Platform, first.PlatformDetails, first.UsageOperation]).to.deep.equal(['windows', 'Windows with SQL Server Enterprise', 'RunInstances:0102']);
    const id = await launch(ec2, first.ImageId!);
    await running(ec2, id);
    const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: id, Name: 'lineage-gen2', NoReboot: true }));
    const second = await available(ec2, ImageId!);
    expect([second.Platform, second.PlatformDetails, second.UsageOperation]).to.deep.equal([
      'windows',
      'Windows with SQL Server Enterprise',
      'RunInstances:0102',
    ]);
    expect(second.SourceInstanceId).to.equal(id);
    const plain = await imageFromInstance(emu, ec2, 'lineage-plain');
    expect([plain.PlatformDetails, plain.UsageOperation]).to.deep.equal(['Windows', 'RunInstances:0002']);
  });

  it('CopyImage keeps billing, encrypts with the given key, and is idempotent by ClientToken', async () => {
    const src = await imageFromInstance(emu, ec2, 'copy-source', WIN2019);
    const dest = sdk(emu, 0, 'eu-west-1').ec2;
    const a = EMULATOR_ACCOUNTS[0]!;
    const kms = new KMSClient({ region: 'eu-west-1', endpoint: emu.endpoint, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey } });
    const key = (await kms.send(new CreateKeyCommand({ Description: 'winami images' }))).KeyMetadata!;
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/winami', TargetKeyId: key.KeyId! }));
    const input = {
      Name: 'copy-dest',
      SourceImageId: src.ImageId!,
      SourceRegion: 'us-east-1',
      Encrypted: true,
      KmsKeyId: 'alias/winami',
      ClientToken: 'copy-token-1',
    };
    const first = await dest.send(new CopyImageCommand(input));
    const again = await dest.send(new CopyImageCommand(input));
    expect(again.ImageId).to.equal(first.ImageId);
    const other = await dest.send(new CopyImageCommand({ ...input, ClientToken: 'copy-token-2' }));
    expect(other.ImageId).to.not.equal(first.ImageId);
    const copy = await available(dest, first.ImageId!);
    expect([copy.Platform, copy.PlatformDetails, copy.UsageOperation]).to.deep.equal(['windows', 'Windows', 'RunInstances:0002']);
    expect(copy.SourceImageId).to.equal(src.ImageId);
    expect(copy.SourceImageRegion).to.equal('us-east-1');
    const ebs = copy.BlockDeviceMappings!.find((m) => m.Ebs)!.Ebs!;
    expect(ebs.Encrypted).to.equal(true);
    const snaps = await dest.send(new DescribeSnapshotsCommand({ SnapshotIds: [ebs.SnapshotId!] }));
    expect(snaps.Snapshots![0]!.Encrypted).to.equal(true);
    // EC2 reports the key's ARN, whatever form of it the request named.
    expect(snaps.Snapshots![0]!.KmsKeyId).to.equal(key.Arn);
    expect(ebs.KmsKeyId).to.equal(key.Arn);
    const bad = await rejection(
      dest.send(new CopyImageCommand({ Name: 'copy-bad', SourceImageId: src.ImageId!, SourceRegion: 'us-east-1', KmsKeyId: 'alias/winami' })),
    );
    expect(bad.name).to.equal('InvalidParameterCombination');
  });

  it('RegisterImage from a snapshot of a Windows root volume carries billing; from an imported snapshot it does not', async () => {
    const id = await launch(ec2, await publicImage(emu));
    await running(ec2, id);
    const vol = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!.Instances![0]!.BlockDeviceMappings![0]!.Ebs!.VolumeId!;
    const snap = await ec2.send(new CreateSnapshotCommand({ VolumeId: vol }));
    await eventually(async () =>
      (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snap.SnapshotId!] }))).Snapshots![0]!.State === 'completed' ? true : undefined,
    );
    const register = (name: string, snapshotId: string) =>
      ec2.send(
        new RegisterImageCommand({
          Name: name,
          RootDeviceName: '/dev/sda1',
          Architecture: 'x86_64',
          VirtualizationType: 'hvm',
          BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { SnapshotId: snapshotId } }],
        }),
      );
    const fromWindows = await available(ec2, (await register('from-windows-snapshot', snap.SnapshotId!)).ImageId!);
    expect([fromWindows.Platform, fromWindows.PlatformDetails, fromWindows.UsageOperation]).to.deep.equal(['windows', 'Windows', 'RunInstances:0002']);
    const imported = emu.control.importSnapshot({ account: '111111111111', region: 'us-east-1' });
    const fromImport = await available(ec2, (await register('from-imported-snapshot', imported)).ImageId!);
    expect(fromImport.Platform).to.equal(undefined);
    expect([fromImport.PlatformDetails, fromImport.UsageOperation]).to.deep.equal(['Linux/UNIX', 'RunInstances']);
    // RegisterImage's documented defaults (§10.2).
    const defaults = await available(
      ec2,
      (
        await ec2.send(
          new RegisterImageCommand({
            Name: 'defaults',
            RootDeviceName: '/dev/sda1',
            BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { SnapshotId: imported } }],
          }),
        )
      ).ImageId!,
    );
    expect([defaults.Architecture, defaults.VirtualizationType]).to.deep.equal(['i386', 'paravirtual']);
  });

  it('refuses DeleteSnapshot while an image uses the snapshot, allows it after DeregisterImage, then calls the image Unavailable', async () => {
    const img = await imageFromInstance(emu, ec2, 'snapshot-in-use');
    const snapshotId = img.BlockDeviceMappings!.find((m) => m.Ebs)!.Ebs!.SnapshotId!;
    const err = await rejection(ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })));
    expect(err.name).to.equal('InvalidSnapshot.InUse');
    expect(err.message).to.contain(img.ImageId!);
    await ec2.send(new DeregisterImageCommand({ ImageId: img.ImageId! }));
    expect((await rejection(launch(ec2, img.ImageId!))).name).to.equal('InvalidAMIID.Unavailable');
    expect((await rejection(ec2.send(new DeregisterImageCommand({ ImageId: img.ImageId! })))).name).to.equal('InvalidAMIID.Unavailable');
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
    expect((await rejection(ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] })))).name).to.equal('InvalidSnapshot.NotFound');
  });

  it('answers InvalidAction for an action EC2 does not have', async () => {
    const client = new Ec2({
      region: 'us-east-1',
      endpoint: emu.endpoint,
      credentials: { accessKeyId: 'AKIAEMULATOR000000001', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    // Rename the action on the wire (same length, so Content-Length holds) after the SDK has serialised a real one.
    client.middlewareStack.add(
      (next) => async (args) => {
        const req = args.request as { body?: string };
        if (typeof req.body === 'string') req.body = req.body.replace('Action=DescribeRegions', 'Action=DescribeUnicorn');
        return next(args);
      },
      { step: 'finalizeRequest' },
    );
    const err = await rejection(client.send(new DescribeRegionsCommand({})));
    expect(err.name).to.equal('InvalidAction');
    expect(err.message).to.contain('DescribeUnicorn');
    expect(err.$metadata?.httpStatusCode).to.equal(400);
  });
});

describe('emulator: DescribeImages filters, owners and pagination', () => {
  let emu: Emulator;
  let ec2: EC2Client;
  before(async () => {
    emu = await withEmulator({ throttling: false, seed: { regions: ['us-east-1'], images: 23, imageAccounts: ['111111111111', '222222222222'] } });
    ec2 = sdk(emu).ec2;
    const own = emu.control
      .resources({ account: '111111111111' })
      .images.map((i) => i.id)
      .sort();
    await ec2.send(new CreateTagsCommand({ Resources: own.slice(0, 3), Tags: [{ Key: 'team', Value: 'blue' }] }));
    await ec2.send(
      new CreateTagsCommand({
        Resources: own.slice(3, 5),
        Tags: [
          { Key: 'team', Value: 'red' },
          { Key: 'golden', Value: '' },
        ],
      }),
    );
  });
  after(async () => {
    await emu.stop();
  });

  const ids = (out: { Images?: Image[] }) => (out.Images ?? []).map((i) => i.ImageId!).sort();

  it('pages Owners=self with MaxResults/NextToken: every image once', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await ec2.send(new DescribeImagesCommand({ Owners: ['self'], MaxResults: 5, ...(token ? { NextToken: token } : {}) }));
      expect(out.Images!.length).to.be.at.most(5);
      seen.push(...ids(out));
      token = out.NextToken;
      pages++;
    } while (token);
    expect(pages).to.equal(5);
    expect(seen).to.have.length(23);
    expect(new Set(seen).size).to.equal(23);
    expect(seen.sort()).to.deep.equal(ids(await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))));
    const err = await rejection(ec2.send(new DescribeImagesCommand({ Owners: ['self'], MaxResults: 4 })));
    expect(err.name).to.equal('InvalidParameterValue');
    const combo = await rejection(ec2.send(new DescribeImagesCommand({ ImageIds: [seen[0]!], MaxResults: 5 })));
    expect(combo.name).to.equal('InvalidParameterCombination');
  });

  it('filters by name wildcard, tag:K, tag-key, state, is-public and owner-alias', async () => {
    const f = (Name: string, ...Values: string[]) => ({ Name, Values });
    const byName = await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [f('name', 'winami-synthetic-00000?')] }));
    expect(byName.Images!.map((i) => i.Name).sort()).to.deep.equal(Array.from({ length: 10 }, (_, i) => `winami-synthetic-00000${i}`));
    expect(ids(await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [f('tag:team', 'blue')] })))).to.have.length(3);
    expect(ids(await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [f('tag:team', 'blue', 'red')] })))).to.have.length(5);
    expect(ids(await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [f('tag-key', 'golden')] })))).to.have.length(2);
    expect(ids(await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [f('tag:team', 'b*'), f('tag-key', 'golden')] })))).to.have.length(0);
    expect(ids(await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [f('state', 'available')] })))).to.have.length(23);
    expect(ids(await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [f('state', 'pending', 'failed')] })))).to.have.length(0);
    expect(ids(await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [f('is-public', 'true')] })))).to.have.length(0);
    const amazon = await ec2.send(new DescribeImagesCommand({ Filters: [f('owner-alias', 'amazon'), f('name', 'Windows_Server-2022-English-Full-Base-*')] }));
    expect(amazon.Images).to.have.length(1);
    expect(amazon.Images![0]!.Public).to.equal(true);
    expect(amazon.Images![0]!.ImageOwnerAlias).to.equal('amazon');
    const pub = await ec2.send(new DescribeImagesCommand({ Filters: [f('is-public', 'true')] }));
    expect(pub.Images!.every((i) => i.OwnerId === '801119661308')).to.equal(true);
    expect(pub.Images!.length).to.equal((await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images!.length);
  });

  it('separates Owners self/amazon/account and shows shared images to ExecutableUsers', async () => {
    const mine = ids(await ec2.send(new DescribeImagesCommand({ Owners: ['self'] })));
    const theirs = ids(await sdk(emu, 1).ec2.send(new DescribeImagesCommand({ Owners: ['self'] })));
    expect(mine).to.have.length(23);
    expect(theirs).to.have.length(23);
    expect(mine.filter((i) => theirs.includes(i))).to.deep.equal([]);
    // Private images of another account are invisible, by owner or by id.
    expect(ids(await ec2.send(new DescribeImagesCommand({ Owners: ['222222222222'] })))).to.deep.equal([]);
    expect((await rejection(ec2.send(new DescribeImagesCommand({ ImageIds: [theirs[0]!] })))).name).to.equal('InvalidAMIID.NotFound');
    const amazon = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
    expect(amazon.Images!.length).to.be.greaterThan(20);
    expect(amazon.Images!.every((i) => i.OwnerId === '801119661308')).to.equal(true);
    // Share one image with account 2.
    await ec2.send(new ModifyImageAttributeCommand({ ImageId: mine[0]!, LaunchPermission: { Add: [{ UserId: '222222222222' }] } }));
    const other = sdk(emu, 1).ec2;
    expect(ids(await other.send(new DescribeImagesCommand({ ExecutableUsers: ['self'], Owners: ['111111111111'] })))).to.deep.equal([mine[0]]);
    expect(ids(await other.send(new DescribeImagesCommand({ Owners: ['111111111111'] })))).to.deep.equal([mine[0]]);
    expect(ids(await sdk(emu, 2).ec2.send(new DescribeImagesCommand({ Owners: ['111111111111'] })))).to.deep.equal([]);
    expect((await other.send(new DescribeImagesCommand({ ImageIds: [mine[0]!] }))).Images![0]!.OwnerId).to.equal('111111111111');
  });
});

describe('emulator: parameters and STS', () => {
  let emu: Emulator;
  before(async () => {
    emu = await withEmulator({ throttling: false, seed: { images: 2, imageAccounts: ['222222222222'] } });
  });
  after(async () => {
    await emu.stop();
  });

  it('resolves /aws/service/ami-windows-latest/ parameters to the seeded image of each region', async () => {
    const names = [
      WIN2022,
      WIN2019,
      '/aws/service/ami-windows-latest/Windows_Server-2016-English-Core-Base',
      '/aws/service/ami-windows-latest/Windows_Server-2012-R2_RTM-English-64Bit-Base',
    ];
    const perRegion: string[][] = [];
    for (const region of ['us-east-1', 'eu-west-1']) {
      const { ssm, ec2 } = sdk(emu, 0, region);
      const out = await ssm.send(new GetParametersCommand({ Names: [...names, '/aws/service/ami-windows-latest/Windows_Server-1999-Nope'] }));
      expect(out.InvalidParameters).to.deep.equal(['/aws/service/ami-windows-latest/Windows_Server-1999-Nope']);
      const values = names.map((n) => out.Parameters!.find((p) => p.Name === n)!.Value!);
      const imgs = (await ec2.send(new DescribeImagesCommand({ ImageIds: values }))).Images!;
      for (const [i, n] of names.entries()) {
        const img = imgs.find((m) => m.ImageId === values[i])!;
        expect(img.Name!.startsWith(`${n.split('/').pop()}-`), `${n} → ${img.Name}`).to.equal(true);
        expect(img.OwnerId).to.equal('801119661308');
      }
      perRegion.push(values);
    }
    expect(perRegion[0]!.filter((v) => perRegion[1]!.includes(v))).to.deep.equal([]);
    const err = await rejection(sdk(emu).ssm.send(new GetParameterCommand({ Name: '/aws/service/ami-windows-latest/Windows_Server-1999-Nope' })));
    expect(err.name).to.equal('ParameterNotFound');
  });

  it('AssumeRole returns keys of the target account: Owners=self then shows that account', async () => {
    const { sts } = sdk(emu);
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).to.equal('111111111111');
    const r = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::222222222222:role/winami-audit', RoleSessionName: 'audit' }));
    const c = r.Credentials!;
    expect(c.AccessKeyId).to.match(/^ASIA/);
    expect(r.AssumedRoleUser!.Arn).to.equal('arn:aws:sts::222222222222:assumed-role/winami-audit/audit');
    const assumed = new Ec2({
      region: 'us-east-1',
      endpoint: emu.endpoint,
      credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! },
      maxAttempts: 1,
    });
    const seen = (await assumed.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images!;
    expect(seen).to.have.length(2);
    expect(seen.every((i) => i.OwnerId === '222222222222')).to.equal(true);
    expect((await sdk(emu).ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images).to.deep.equal([]);
    const unknown = await rejection(sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::999999999999:role/x', RoleSessionName: 's' })));
    expect(unknown.name).to.equal('AccessDenied');
  });
});
