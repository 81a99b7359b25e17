/**
 * SSM and image fidelity of the emulator through the real SDK clients:
 * GetParametersByPath over own and public parameters with AWS's errors, the
 * public Windows parameter names, Run Command statuses (Pending, Delayed,
 * delivery timeout), SSM throttling, and image details (deregistered images
 * by id, DeleteAssociatedSnapshots results, CreationDate, DeprecateAt,
 * PlatformName per release).
 */
import { expect } from 'chai';
import {
  CreateImageCommand,
  CreateSnapshotCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  DescribeImagesCommand,
  EnableImageDeprecationCommand,
  RegisterImageCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  PutParameterCommand,
  SendCommandCommand,
  type Parameter,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { Emulator } from '../../emulator/index.js';
import { eventually, rejection, sdk, WIN2022, withEmulator } from './helpers.js';

const PUBLIC = '/aws/service/ami-windows-latest';

async function allByPath(
  ssm: SSMClient,
  input: { Path: string; Recursive?: boolean; MaxResults?: number; WithDecryption?: boolean },
): Promise<{ params: Parameter[]; pages: number }> {
  const params: Parameter[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const out = await ssm.send(new GetParametersByPathCommand({ ...input, ...(token ? { NextToken: token } : {}) }));
    pages += 1;
    expect(out.Parameters!.length).to.be.at.most(input.MaxResults ?? 10);
    params.push(...out.Parameters!);
    token = out.NextToken;
  } while (token);
  return { params, pages };
}

async function launch(c: { ec2: EC2Client; ssm: SSMClient }, parameter = `${PUBLIC}/Windows_Server-2022-English-Full-Base`): Promise<string> {
  const ami = (await c.ssm.send(new GetParameterCommand({ Name: parameter }))).Parameter!.Value!;
  const r = await c.ec2.send(new RunInstancesCommand({ ImageId: ami, MinCount: 1, MaxCount: 1, IamInstanceProfile: { Name: 'winami-builder' } }));
  return r.Instances![0]!.InstanceId!;
}

async function online(ssm: SSMClient, id: string): Promise<Record<string, unknown>> {
  return eventually(
    async () => {
      const info = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [id] }] }));
      const row = info.InstanceInformationList?.[0];
      return row?.PingStatus === 'Online' ? (row as Record<string, unknown>) : undefined;
    },
    8000,
    `${id} Online`,
  );
}

/** Poll an invocation until it is terminal, recording every distinct status seen. */
async function statuses(ssm: SSMClient, commandId: string, id: string, ms = 8000): Promise<{ seen: string[]; details: string }> {
  const seen: string[] = [];
  let details = '';
  await eventually(
    async () => {
      const inv = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: id }));
      if (seen[seen.length - 1] !== inv.Status) seen.push(inv.Status!);
      details = inv.StatusDetails ?? '';
      return ['Success', 'Failed', 'TimedOut', 'Cancelled'].includes(inv.Status ?? '') ? true : undefined;
    },
    ms,
    `command ${commandId} on ${id}`,
  );
  return { seen, details };
}

describe('emulator: GetParametersByPath', function () {
  this.timeout(20000);
  let emu: Emulator;
  before(async () => {
    emu = await withEmulator();
  });
  after(async () => emu.stop());

  it('lists the public Windows parameters one level under the path, 10 a page at most, each an Amazon image of the region', async () => {
    const { ssm, ec2 } = sdk(emu);
    const { params, pages } = await allByPath(ssm, { Path: PUBLIC });
    const names = params.map((p) => p.Name!.slice(PUBLIC.length + 1));
    expect(pages).to.be.greaterThan(5);
    expect(new Set(names).size).to.equal(names.length);
    // Names as AWS publishes them (a captured get-parameters-by-path listing).
    for (const n of [
      'Windows_Server-2012-R2_RTM-English-64Bit-Base',
      'Windows_Server-2012-R2_RTM-English-64Bit-Core',
      'Windows_Server-2012-R2_RTM-English-64Bit-SQL_2016_SP3_Enterprise',
      'Windows_Server-2016-English-Full-Base',
      'Windows_Server-2016-English-Core-Base',
      'EC2LaunchV2-Windows_Server-2016-English-Full-Base',
      'EC2LaunchV2-Windows_Server-2016-English-Core-Base',
      'EC2LaunchV2-Windows_Server-2019-English-Core-Base',
      'Windows_Server-2016-English-Full-SQL_2016_SP3_Web',
      'Windows_Server-2016-English-Core-SQL_2016_SP3_Standard',
      'Windows_Server-2016-English-Full-SQL_2019_Express',
      'Windows_Server-2019-English-Full-SQL_2016_SP3_Enterprise',
      'Windows_Server-2019-English-Full-SQL_2017_Standard',
      'Windows_Server-2019-English-Full-SQL_2019_Enterprise',
      'Windows_Server-2022-English-Full-SQL_2017_Express',
      'Windows_Server-2022-English-Full-SQL_2022_Standard',
      'Windows_Server-2022-English-Core-Base',
    ]) {
      expect(names, n).to.include(n);
    }
    expect(names.filter((n) => /Containers|ECS_Optimized|EKS_Optimized|STIG|TPM-|amzn2/.test(n))).to.deep.equal([]);
    const p = params.find((x) => x.Name === `${PUBLIC}/Windows_Server-2019-English-Full-SQL_2017_Standard`)!;
    expect(p.ARN).to.equal(`arn:aws:ssm:us-east-1::parameter${p.Name}`);
    expect(p.Type).to.equal('String');
    const img = (await ec2.send(new DescribeImagesCommand({ ImageIds: [p.Value!] }))).Images![0]!;
    expect(img.Name).to.match(/^Windows_Server-2019-English-Full-SQL_2017_Standard-\d{4}\.\d{2}\.\d{2}$/);
    expect(img.PlatformDetails).to.equal('Windows with SQL Server Standard');
    expect((await allByPath(ssm, { Path: `${PUBLIC}/` })).params.length, 'a trailing slash lists the same').to.equal(params.length);
  });

  it('lists own parameters one level deep, or all levels with Recursive; filters by Type; decrypts on request', async () => {
    // PutParameter is throttled at 3 a second: let the SDK retry.
    const { ssm } = sdk(emu, 1, 'us-east-1', 5);
    for (const [name, type, value] of [
      ['/app/db/host', 'String', 'db.local'],
      ['/app/db/password', 'SecureString', 's3cret'],
      ['/app/db/replica/host', 'String', 'r.local'],
      ['/app/name', 'String', 'winami'],
      ['/other/x', 'String', 'x'],
    ] as const) {
      await ssm.send(new PutParameterCommand({ Name: name, Type: type, Value: value }));
    }
    const level = (await allByPath(ssm, { Path: '/app/db' })).params.map((p) => p.Name).sort();
    expect(level).to.deep.equal(['/app/db/host', '/app/db/password']);
    const all = (await allByPath(ssm, { Path: '/app', Recursive: true, MaxResults: 2 })).params.map((p) => p.Name).sort();
    expect(all).to.deep.equal(['/app/db/host', '/app/db/password', '/app/db/replica/host', '/app/name']);
    const secure = await ssm.send(
      new GetParametersByPathCommand({ Path: '/app', Recursive: true, ParameterFilters: [{ Key: 'Type', Option: 'Equals', Values: ['SecureString'] }] }),
    );
    expect(secure.Parameters!.map((p) => p.Name)).to.deep.equal(['/app/db/password']);
    expect(secure.Parameters![0]!.Value).to.not.equal('s3cret');
    const plain = await ssm.send(
      new GetParametersByPathCommand({ Path: '/app/db', WithDecryption: true, ParameterFilters: [{ Key: 'Type', Values: ['SecureString'] }] }),
    );
    expect(plain.Parameters![0]!.Value).to.equal('s3cret');
    // Another account sees none of them.
    expect((await sdk(emu, 2).ssm.send(new GetParametersByPathCommand({ Path: '/app', Recursive: true }))).Parameters).to.deep.equal([]);
  });

  it('refuses reserved names as SSM does: aws… AccessDeniedException, ssm… ValidationException, with or without a slash, in any case', async () => {
    const { ssm } = sdk(emu, 0, 'eu-west-1', 5);
    for (const name of ['/aws/service/mine', 'awslimits', '/AWS/x']) {
      const e = await rejection(ssm.send(new PutParameterCommand({ Name: name, Type: 'String', Value: 'x' })));
      expect([e.name, e.message], name).to.deep.equal(['AccessDeniedException', `No access to reserved parameter name: ${name}.`]);
    }
    for (const name of ['/ssm/mine', 'SSMthing']) {
      const e = await rejection(ssm.send(new PutParameterCommand({ Name: name, Type: 'String', Value: 'x' })));
      expect(e.name, name).to.equal('ValidationException');
      expect(e.message).to.match(/^Parameter name: can't be prefixed with "ssm" \(case-insensitive\)/);
    }
  });

  it('refuses what SSM refuses: MaxResults outside 1..10, a filter key GetParametersByPath does not take, a bad option or value, a bad token', async () => {
    const { ssm } = sdk(emu);
    for (const max of [0, 11]) {
      const e = await rejection(ssm.send(new GetParametersByPathCommand({ Path: PUBLIC, MaxResults: max })));
      expect(e.name).to.equal('ValidationException');
      expect(e.message).to.match(/at 'maxResults' failed to satisfy constraint: Member must have value (less|greater) than or equal to (10|1)/);
    }
    for (const key of ['Name', 'Path', 'Tier', 'DataType', 'tag:team']) {
      expect((await rejection(ssm.send(new GetParametersByPathCommand({ Path: PUBLIC, ParameterFilters: [{ Key: key, Values: ['x'] }] })))).name, key).to.equal(
        'InvalidFilterKey',
      );
    }
    expect(
      (await rejection(ssm.send(new GetParametersByPathCommand({ Path: PUBLIC, ParameterFilters: [{ Key: 'Label', Option: 'BeginsWith', Values: ['x'] }] }))))
        .name,
    ).to.equal('InvalidFilterOption');
    expect(
      (await rejection(ssm.send(new GetParametersByPathCommand({ Path: PUBLIC, ParameterFilters: [{ Key: 'Type', Values: ['Number'] }] })))).name,
    ).to.equal('InvalidFilterValue');
    expect((await rejection(ssm.send(new GetParametersByPathCommand({ Path: PUBLIC, NextToken: 'not-a-token' })))).name).to.equal('InvalidNextToken');
  });
});

describe('emulator: Run Command statuses (domain-facts §6.4)', function () {
  this.timeout(30000);
  let emu: Emulator;
  before(async () => {
    emu = await withEmulator({ timeScale: 0.01 });
  });
  after(async () => emu.stop());
  afterEach(() => emu.control.setDurations({ commandDelivery: 1_500, command: 2_000 }));

  it('goes Pending → InProgress → Success on an online instance', async () => {
    const c = sdk(emu);
    const id = await launch(c);
    await online(c.ssm, id);
    emu.control.setDurations({ commandDelivery: 40_000, command: 40_000 });
    const sent = await c.ssm.send(
      new SendCommandCommand({ DocumentName: 'AWS-RunPowerShellScript', InstanceIds: [id], Parameters: { commands: ["Write-Output 'hi'"] } }),
    );
    const { seen, details } = await statuses(c.ssm, sent.Command!.CommandId!, id);
    expect(seen).to.deep.equal(['Pending', 'InProgress', 'Success']);
    expect(details).to.equal('Success');
  });

  it('reads Delayed while the agent is away at delivery, then runs once the instance is back within the delivery timeout', async () => {
    const c = sdk(emu);
    const id = await launch(c);
    await online(c.ssm, id);
    await c.ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    const sent = await c.ssm.send(
      new SendCommandCommand({ DocumentName: 'AWS-RunPowerShellScript', InstanceIds: [id], Parameters: { commands: ["Write-Output 'late'"] } }),
    );
    const commandId = sent.Command!.CommandId!;
    await eventually(
      async () => {
        const inv = await c.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: id }));
        return inv.Status === 'Delayed' && inv.StatusDetails === 'Delayed' && inv.ResponseCode === -1 ? true : undefined;
      },
      5000,
      'Delayed',
    );
    await eventually(
      async () => ((await emu.control.resources({})).instances.find((i) => i.id === id)?.state === 'stopped' ? true : undefined),
      5000,
      'stopped',
    );
    await c.ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
    const { seen } = await statuses(c.ssm, commandId, id);
    expect(seen.filter((x) => x !== 'Pending')[0]).to.equal('Delayed');
    expect(seen.slice(-1)).to.deep.equal(['Success']);
  });

  it('ends Delayed in TimedOut / Delivery Timed Out when the agent does not come back in time', async () => {
    const c = sdk(emu);
    const id = await launch(c);
    await online(c.ssm, id);
    await c.ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    const sent = await c.ssm.send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunPowerShellScript',
        InstanceIds: [id],
        TimeoutSeconds: 30,
        Parameters: { commands: ["Write-Output 'never'"] },
      }),
    );
    const { seen, details } = await statuses(c.ssm, sent.Command!.CommandId!, id);
    // Pending shows only between the invocation becoming visible and the first delivery attempt.
    expect(seen.filter((x, i) => !(i === 0 && x === 'Pending'))).to.deep.equal(['Delayed', 'TimedOut']);
    expect(details).to.equal('Delivery Timed Out');
  });
});

describe('emulator: SSM throttling', function () {
  this.timeout(20000);

  it('answers ThrottlingException "Rate exceeded" (HTTP 400) past 40 parameter reads a second, per account and region', async () => {
    const emu = await withEmulator();
    try {
      const { ssm } = sdk(emu);
      // Refill held: the burst meets exactly the bucket of 40 however slowly the machine sends it.
      emu.control.holdRefill();
      const results = await Promise.allSettled(
        Array.from({ length: 60 }, () => ssm.send(new GetParameterCommand({ Name: `${PUBLIC}/Windows_Server-2022-English-Full-Base` }))),
      );
      const failed = results
        .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
        .map((r) => r.reason as Error & { $metadata: { httpStatusCode: number } });
      expect(failed).to.have.length(20);
      expect(failed[0]!.name).to.equal('ThrottlingException');
      expect(failed[0]!.message).to.equal('Rate exceeded');
      expect(failed[0]!.$metadata.httpStatusCode).to.equal(400);
      // GetParametersByPath shares the quota; another account and another region do not.
      const byPath = await Promise.allSettled(Array.from({ length: 5 }, () => ssm.send(new GetParametersByPathCommand({ Path: PUBLIC }))));
      expect(byPath.filter((r) => r.status === 'fulfilled')).to.have.length(0);
      // 40 a second: 250 ms of refill give 10 calls.
      emu.control.advanceRefill(250);
      const refilled = await Promise.allSettled(Array.from({ length: 15 }, () => ssm.send(new GetParametersByPathCommand({ Path: PUBLIC }))));
      expect(refilled.filter((r) => r.status === 'fulfilled')).to.have.length(10);
      await sdk(emu, 1).ssm.send(new GetParameterCommand({ Name: `${PUBLIC}/Windows_Server-2022-English-Full-Base` }));
      await sdk(emu, 0, 'eu-west-1').ssm.send(new GetParameterCommand({ Name: `${PUBLIC}/Windows_Server-2022-English-Full-Base` }));
      const calls = emu.control.calls().filter((x) => x.errorCode === 'ThrottlingException');
      expect(calls).to.have.length(30);
      expect(calls.every((x) => x.service === 'ssm' && x.status === 400)).to.equal(true);
    } finally {
      await emu.stop();
    }
  });

  it('does not throttle SSM with throttling off', async () => {
    const emu = await withEmulator({ throttling: false });
    try {
      const { ssm } = sdk(emu);
      const results = await Promise.allSettled(
        Array.from({ length: 60 }, () => ssm.send(new GetParameterCommand({ Name: `${PUBLIC}/Windows_Server-2022-English-Full-Base` }))),
      );
      expect(results.filter((r) => r.status === 'rejected')).to.have.length(0);
    } finally {
      await emu.stop();
    }
  });
});

describe('emulator: image and instance details', function () {
  this.timeout(20000);
  let emu: Emulator;
  before(async () => {
    emu = await withEmulator({ timeScale: 0.001 });
  });
  after(async () => emu.stop());

  async function madeImage(c: { ec2: EC2Client; ssm: SSMClient }, name: string): Promise<{ imageId: string; instanceId: string }> {
    const instanceId = await launch(c);
    await online(c.ssm, instanceId);
    const imageId = (await c.ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: name, NoReboot: true }))).ImageId!;
    await eventually(
      async () => ((await c.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images![0]!.State === 'available' ? true : undefined),
      5000,
      'available',
    );
    return { imageId, instanceId };
  }

  it('lists a deregistered image by id for a short while, then answers empty, then NotFound once its instances are gone', async () => {
    const c = sdk(emu);
    const { imageId } = await madeImage(c, 'dereg-visibility');
    const ami = imageId;
    const child = (await c.ec2.send(new RunInstancesCommand({ ImageId: ami, MinCount: 1, MaxCount: 1 }))).Instances![0]!.InstanceId!;
    emu.control.setDurations({ imageDeregisteredVisible: 300_000 });
    await c.ec2.send(new DeregisterImageCommand({ ImageId: ami }));
    expect((await c.ec2.send(new DescribeImagesCommand({ ImageIds: [ami] }))).Images!.map((i) => i.State)).to.deep.equal(['deregistered']);
    emu.control.setDurations({ imageDeregisteredVisible: 0 });
    expect((await c.ec2.send(new DescribeImagesCommand({ ImageIds: [ami] }))).Images).to.deep.equal([]);
    await c.ec2.send(new TerminateInstancesCommand({ InstanceIds: [child] }));
    await eventually(
      async () => ((await rejection(c.ec2.send(new DescribeImagesCommand({ ImageIds: [ami] })))).name === 'InvalidAMIID.NotFound' ? true : undefined),
      5000,
      'NotFound',
    );
    emu.control.setDurations({ imageDeregisteredVisible: 60_000 });
  });

  it('reports each snapshot of DeregisterImage DeleteAssociatedSnapshots: success, or skipped while another image uses it', async () => {
    const c = sdk(emu);
    const { imageId } = await madeImage(c, 'dereg-snapshots');
    const snap = (await c.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images![0]!.BlockDeviceMappings![0]!.Ebs!.SnapshotId!;
    const twin = (
      await c.ec2.send(
        new RegisterImageCommand({
          Name: 'dereg-twin',
          RootDeviceName: '/dev/sda1',
          Architecture: 'x86_64',
          VirtualizationType: 'hvm',
          BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { SnapshotId: snap } }],
        }),
      )
    ).ImageId!;
    const first = await c.ec2.send(new DeregisterImageCommand({ ImageId: imageId, DeleteAssociatedSnapshots: true }));
    expect(first.DeleteSnapshotResults).to.deep.equal([{ SnapshotId: snap, ReturnCode: 'skipped' }]);
    const second = await c.ec2.send(new DeregisterImageCommand({ ImageId: twin, DeleteAssociatedSnapshots: true }));
    expect(second.DeleteSnapshotResults).to.deep.equal([{ SnapshotId: snap, ReturnCode: 'success' }]);
  });

  it('writes CreationDate in whole seconds and rounds DeprecateAt to the nearest minute', async () => {
    const c = sdk(emu);
    const { imageId } = await madeImage(c, 'dates');
    const img = (await c.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images![0]!;
    expect(img.CreationDate).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
    const base = Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 3_600_000;
    await c.ec2.send(new EnableImageDeprecationCommand({ ImageId: imageId, DeprecateAt: new Date(base + 40_000) }));
    expect((await c.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images![0]!.DeprecationTime).to.equal(new Date(base + 60_000).toISOString());
    await c.ec2.send(new EnableImageDeprecationCommand({ ImageId: imageId, DeprecateAt: new Date(base + 20_000) }));
    expect((await c.ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images![0]!.DeprecationTime).to.equal(new Date(base).toISOString());
  });

  it('reports PlatformName and PlatformVersion of each release in DescribeInstanceInformation', async () => {
    const c = sdk(emu);
    const cases: [string, string, string][] = [
      ['Windows_Server-2012-R2_RTM-English-64Bit-Base', 'Microsoft Windows Server 2012 R2 Datacenter', '6.3.9600'],
      ['Windows_Server-2016-English-Full-Base', 'Microsoft Windows Server 2016 Datacenter', '10.0.14393'],
      ['Windows_Server-2019-English-Full-Base', 'Microsoft Windows Server 2019 Datacenter', '10.0.17763'],
      [WIN2022.slice(PUBLIC.length + 1), 'Microsoft Windows Server 2022 Datacenter', '10.0.20348'],
    ];
    for (const [param, name, version] of cases) {
      const id = await launch(c, `${PUBLIC}/${param}`);
      const row = await online(c.ssm, id);
      expect([row.PlatformName, row.PlatformVersion], param).to.deep.equal([name, version]);
    }
  });
});

describe('emulator: eventual consistency of new snapshots', function () {
  this.timeout(20000);

  it('answers InvalidSnapshot.NotFound for a new snapshot id within the window and leaves it out of listings, then shows it', async () => {
    const emu = await withEmulator({ timeScale: 0.001, consistencyWindowMs: 600 });
    try {
      const c = sdk(emu);
      const id = await launch(c);
      const vol = await eventually(
        async () => (await c.ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [id] }] }))).Volumes?.[0]?.VolumeId,
        5000,
        'volume',
      );
      const snap = (await c.ec2.send(new CreateSnapshotCommand({ VolumeId: vol }))).SnapshotId!;
      const started = Date.now();
      expect((await rejection(c.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snap] })))).name).to.equal('InvalidSnapshot.NotFound');
      expect((await rejection(c.ec2.send(new DeleteSnapshotCommand({ SnapshotId: snap })))).name).to.equal('InvalidSnapshot.NotFound');
      const listed = (await c.ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots!.map((s) => s.SnapshotId);
      expect(Date.now() - started, 'the checks ran inside the window').to.be.below(600);
      expect(listed).to.not.include(snap);
      await eventually(
        async () => ((await c.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snap] }))).Snapshots?.[0]?.SnapshotId === snap ? true : undefined),
        5000,
        'visible',
      );
    } finally {
      await emu.stop();
    }
  });
});
