/**
 * Differential test against moto (an independent EC2 implementation): the
 * same plain-EC2 call sequence through the real SDK against both servers,
 * compared after normalising ids and timestamps. Where moto is known to
 * differ from AWS, the difference is listed in MOTO_DIFFERS_FROM_AWS and the
 * AWS behaviour is asserted on the emulator instead.
 */
import { expect } from 'chai';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import {
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateImageCommand,
  CreateInternetGatewayCommand,
  CreateRouteCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteInternetGatewayCommand,
  DeleteRouteCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteVpcCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand,
  DescribeInternetGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  type _InstanceType,
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeTagsCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type Image,
  type Instance,
} from '@aws-sdk/client-ec2';
import type { Emulator } from '../../emulator/index.js';
import { eventually, rejection, withEmulator } from './helpers.js';

/** A step's observable outcome: a normalised value, or the error code. */
type Outcome = { ok: unknown } | { error: string };
type Transcript = Record<string, Outcome>;

/**
 * Steps where moto 5.x answers differently from AWS. The emulator must give
 * the AWS answer (`aws`); moto's answer is checked too, so this list goes
 * stale loudly when moto changes.
 */
const MOTO_DIFFERS_FROM_AWS: Record<string, { aws: Outcome; moto: Outcome; why: string }> = {
  'error:describe-images-malformed-id': {
    aws: { error: 'InvalidAMIID.Malformed' },
    moto: { error: 'InvalidAMIID.NotFound' },
    why: 'EC2 checks the id format first (ec2 API error codes: InvalidAMIID.Malformed "The specified AMI ID is malformed"); moto only looks the id up.',
  },
  'create-image-duplicate-name': {
    aws: { error: 'InvalidAMIName.Duplicate' },
    moto: { ok: 'accepted' },
    why: 'image names are unique per account and region (CreateImage: "AMI name ... already in use"); moto does not check.',
  },
  'image-root-device-type': {
    aws: { ok: 'ebs' },
    moto: { ok: 'standard' },
    why: 'an image made by CreateImage from an EBS-backed instance is EBS-backed (RootDeviceType ebs); moto reports the volume type "standard".',
  },
  'error:run-instances-unknown-image': {
    aws: { error: 'InvalidAMIID.NotFound' },
    moto: { ok: 'accepted' },
    why: 'RunInstances checks the image; moto launches from any id.',
  },
  'error:describe-instances-malformed-id': {
    aws: { error: 'InvalidInstanceID.Malformed' },
    moto: { error: 'InvalidInstanceID.NotFound' },
    why: 'EC2 answers InvalidInstanceID.Malformed for an id that is not i- plus 8 or 17 hex digits; moto only looks the id up.',
  },
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** The error code of a call, or `accepted` when it succeeds. */
async function attempt(f: () => Promise<unknown>): Promise<Outcome> {
  try {
    await f();
    return { ok: 'accepted' };
  } catch (err) {
    return { error: (err as Error).name };
  }
}

const sortTags = (tags: Array<{ Key?: string; Value?: string }> | undefined) =>
  (tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value })).sort((a, b) => String(a.Key).localeCompare(String(b.Key)));

/** The fields of an instance both implementations must agree on. */
function instanceView(i: Instance, base: string) {
  return {
    imageIsBase: i.ImageId === base,
    instanceType: i.InstanceType,
    state: i.State?.Name,
    stateCode: i.State?.Code,
    platform: i.Platform,
    rootDeviceName: i.RootDeviceName,
    rootDeviceType: i.RootDeviceType,
    tags: sortTags(i.Tags),
    idShape: /^i-[0-9a-f]{17}$/.test(i.InstanceId ?? ''),
    hasLaunchTime: i.LaunchTime instanceof Date,
    hasPlacement: typeof i.Placement?.AvailabilityZone === 'string' && i.Placement.AvailabilityZone.startsWith('us-east-1'),
    hasPrivateIp: /^\d+\.\d+\.\d+\.\d+$/.test(i.PrivateIpAddress ?? ''),
    rootVolume: i.BlockDeviceMappings?.find((m) => m.DeviceName === i.RootDeviceName)?.Ebs?.VolumeId?.startsWith('vol-') ?? false,
  };
}

/** The fields of an owned image both must agree on. */
function imageView(i: Image) {
  return {
    name: i.Name,
    state: i.State,
    description: i.Description,
    platform: i.Platform,
    public: i.Public,
    imageType: i.ImageType,
    rootDeviceName: i.RootDeviceName,
    architecture: i.Architecture,
    tags: sortTags(i.Tags),
    idShape: /^ami-[0-9a-f]{8,17}$/.test(i.ImageId ?? ''),
    ownerIsCaller: /^\d{12}$/.test(i.OwnerId ?? '') && !i.ImageOwnerAlias,
    hasCreationDate: !Number.isNaN(Date.parse(i.CreationDate ?? '')),
    rootSnapshot: i.BlockDeviceMappings?.find((m) => m.DeviceName === i.RootDeviceName)?.Ebs?.SnapshotId?.startsWith('snap-') ?? false,
  };
}

/** Run the sequence against one endpoint; returns the transcript (ids and times normalised away). */
async function scenario(ec2: EC2Client): Promise<Transcript> {
  const t: Transcript = {};
  const wait = <T>(f: () => Promise<T | undefined>, what: string) => eventually(f, 20_000, what);

  const bases = await ec2.send(
    new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['Windows_Server-2012-R2_RTM-English-64Bit-Base-*'] }] }),
  );
  const base = bases.Images![0]!;
  t['base-image'] = {
    ok: { count: bases.Images!.length > 0, platform: base.Platform, state: base.State, public: base.Public, alias: base.ImageOwnerAlias, owner: base.OwnerId },
  };

  const run = await ec2.send(
    new RunInstancesCommand({
      ImageId: base.ImageId!,
      MinCount: 1,
      MaxCount: 1,
      InstanceType: 't3.micro',
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'diff-builder' }] }],
    }),
  );
  const launched = run.Instances![0]!;
  const id = launched.InstanceId!;
  t['run-instances'] = { ok: { count: run.Instances!.length, ...instanceView(launched, base.ImageId!), state: 'pending|running', stateCode: undefined } };
  // moto launches straight into running; EC2 (and the emulator) start pending.
  t['run-instances-state'] = { ok: ['pending', 'running'].includes(launched.State!.Name!) };

  const runningNow = await wait(async () => {
    const i = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!.Instances![0]!;
    return i.State!.Name === 'running' ? i : undefined;
  }, 'running');
  t['describe-running'] = { ok: instanceView(runningNow, base.ImageId!) };

  const filtered = async (Filters: Array<{ Name: string; Values: string[] }>) =>
    (await ec2.send(new DescribeInstancesCommand({ Filters }))).Reservations!.flatMap((r) =>
      r.Instances!.map((i) => (i.InstanceId === id ? 'builder' : 'other')),
    );
  t['filter-state-and-tag'] = {
    ok: await filtered([
      { Name: 'instance-state-name', Values: ['running'] },
      { Name: 'tag:Name', Values: ['diff-builder'] },
    ]),
  };
  t['filter-image-id'] = { ok: await filtered([{ Name: 'image-id', Values: [base.ImageId!] }]) };
  t['filter-tag-wildcard'] = { ok: await filtered([{ Name: 'tag:Name', Values: ['diff-*'] }]) };
  t['filter-no-match'] = { ok: await filtered([{ Name: 'tag:Name', Values: ['nothing'] }]) };
  t['filter-stopped'] = { ok: await filtered([{ Name: 'instance-state-name', Values: ['stopped'] }]) };

  await ec2.send(
    new CreateTagsCommand({
      Resources: [id],
      Tags: [
        { Key: 'team', Value: 'blue' },
        { Key: 'empty', Value: '' },
      ],
    }),
  );
  const tags = await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [id] }] }));
  t['describe-tags'] = {
    ok: tags
      .Tags!.map((x) => ({ Key: x.Key, Value: x.Value, ResourceType: x.ResourceType, same: x.ResourceId === id }))
      .sort((a, b) => a.Key!.localeCompare(b.Key!)),
  };
  const byKey = await ec2.send(
    new DescribeTagsCommand({
      Filters: [
        { Name: 'key', Values: ['team'] },
        { Name: 'resource-type', Values: ['instance'] },
      ],
    }),
  );
  t['describe-tags-by-key'] = { ok: byKey.Tags!.map((x) => ({ Key: x.Key, Value: x.Value, same: x.ResourceId === id })) };

  const created = await ec2.send(
    new CreateImageCommand({
      InstanceId: id,
      Name: 'diff-image',
      Description: 'differential',
      NoReboot: true,
      TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'purpose', Value: 'diff' }] }],
    }),
  );
  const imageId = created.ImageId!;
  t['create-image'] = { ok: /^ami-[0-9a-f]{8,17}$/.test(imageId) };
  const image = await wait(async () => {
    const i = (await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images![0]!;
    return i.State === 'available' ? i : undefined;
  }, 'image available');
  t['image'] = { ok: imageView(image) };
  t['image-root-device-type'] = { ok: image.RootDeviceType };

  const own = async (Filters?: Array<{ Name: string; Values: string[] }>) =>
    (await ec2.send(new DescribeImagesCommand({ Owners: ['self'], ...(Filters ? { Filters } : {}) }))).Images!.map((i) =>
      i.ImageId === imageId ? 'mine' : i.Name,
    );
  t['owners-self'] = { ok: await own() };
  t['owners-self-name-wildcard'] = { ok: await own([{ Name: 'name', Values: ['diff-*'] }]) };
  t['owners-self-tag'] = { ok: await own([{ Name: 'tag:purpose', Values: ['diff'] }]) };
  t['owners-self-tag-key'] = { ok: await own([{ Name: 'tag-key', Values: ['purpose'] }]) };
  t['owners-self-state-pending'] = { ok: await own([{ Name: 'state', Values: ['pending'] }]) };
  t['owners-self-platform'] = { ok: await own([{ Name: 'platform', Values: ['windows'] }]) };

  let duplicate: string | undefined;
  t['create-image-duplicate-name'] = await attempt(async () => {
    duplicate = (await ec2.send(new CreateImageCommand({ InstanceId: id, Name: 'diff-image', NoReboot: true }))).ImageId;
  });
  // Where the duplicate was accepted, remove it so the rest of the sequence sees the same world.
  if (duplicate) await ec2.send(new DeregisterImageCommand({ ImageId: duplicate }));

  const snapshotId = image.BlockDeviceMappings!.find((m) => m.DeviceName === image.RootDeviceName)!.Ebs!.SnapshotId!;
  const snap = (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }))).Snapshots![0]!;
  t['snapshot'] = {
    ok: {
      state: snap.State,
      encrypted: snap.Encrypted,
      size: typeof snap.VolumeSize === 'number',
      volume: snap.VolumeId?.startsWith('vol-'),
      owner: /^\d{12}$/.test(snap.OwnerId ?? ''),
    },
  };
  const mine = (await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots!.map((s) => s.SnapshotId);
  t['snapshots-owner-self'] = { ok: mine.includes(snapshotId) };
  t['delete-snapshot-in-use'] = await attempt(() => ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })));

  await ec2.send(new DeregisterImageCommand({ ImageId: imageId }));
  t['owners-self-after-deregister'] = { ok: await own() };
  t['delete-snapshot'] = await attempt(() => ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })));
  t['describe-deleted-snapshot'] = await attempt(() => ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] })));
  t['deregister-again'] = await attempt(() => ec2.send(new DeregisterImageCommand({ ImageId: imageId })));

  const term = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
  const change = term.TerminatingInstances![0]!;
  t['terminate'] = { ok: { previous: change.PreviousState?.Name, current: ['shutting-down', 'terminated'].includes(change.CurrentState?.Name ?? '') } };
  const gone = await wait(async () => {
    const i = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!.Instances![0]!;
    return i.State!.Name === 'terminated' ? i : undefined;
  }, 'terminated');
  t['terminated'] = { ok: { state: gone.State!.Name, code: gone.State!.Code } };
  t['filter-running-after-terminate'] = {
    ok: await filtered([
      { Name: 'instance-state-name', Values: ['running'] },
      { Name: 'tag:Name', Values: ['diff-builder'] },
    ]),
  };

  t['error:describe-instances-unknown'] = await attempt(() => ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })));
  t['error:terminate-unknown'] = await attempt(() => ec2.send(new TerminateInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })));
  t['error:create-image-unknown-instance'] = await attempt(() => ec2.send(new CreateImageCommand({ InstanceId: 'i-0123456789abcdef0', Name: 'x-image' })));
  t['error:describe-images-unknown'] = await attempt(() => ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-0123456789abcdef0'] })));
  t['error:deregister-unknown'] = await attempt(() => ec2.send(new DeregisterImageCommand({ ImageId: 'ami-0123456789abcdef0' })));
  t['error:describe-snapshots-unknown'] = await attempt(() => ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: ['snap-0123456789abcdef0'] })));
  t['error:describe-images-malformed-id'] = await attempt(() => ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-bogus'] })));
  t['error:describe-instances-malformed-id'] = await attempt(() => ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-bogus'] })));
  t['error:run-instances-unknown-image'] = await attempt(() =>
    ec2.send(new RunInstancesCommand({ ImageId: 'ami-0123456789abcdef0', MinCount: 1, MaxCount: 1 })),
  );
  return t;
}

/**
 * Steps of the VPC and instance-type sequence where moto differs from AWS (same shape as
 * MOTO_DIFFERS_FROM_AWS).
 */
const VPC_MOTO_DIFFERS_FROM_AWS: Record<string, { aws: Outcome; moto: Outcome; why: string }> = {
  'default-igw': {
    aws: { ok: [['available']] },
    moto: { ok: [] },
    why: 'AWS creates an internet gateway and attaches it to the default VPC (VPC User Guide, "Default VPCs"); moto attaches none.',
  },
  'default-main-table': {
    aws: {
      ok: [
        [
          ['172.31.0.0/16', 'local', 'active'],
          ['0.0.0.0/0', 'igw', 'active'],
        ],
      ],
    },
    moto: { ok: [[['172.31.0.0/16', 'local', 'active']]] },
    why: 'the default VPC\'s main route table sends 0.0.0.0/0 to its internet gateway (VPC User Guide, "Default VPCs"); moto has only the local route.',
  },
  'default-group': {
    aws: { ok: [{ egress: [['-1', ['0.0.0.0/0']]], ingressFromSelf: true }] },
    moto: { ok: [{ egress: [['-1', ['0.0.0.0/0']]], ingressFromSelf: false }] },
    why: 'a default security group allows inbound traffic from its own members (VPC User Guide, "Default security groups for your VPCs"); moto lists no inbound rule.',
  },
  'delete-main-table': {
    aws: { error: 'DependencyViolation' },
    moto: { ok: 'accepted' },
    why: 'the main route table cannot be deleted (VPC User Guide, "Route tables": you cannot delete the main route table); moto deletes it.',
  },
  'delete-default-group': {
    aws: { error: 'CannotDelete' },
    moto: { ok: 'accepted' },
    why: 'a default security group cannot be deleted (EC2 error code CannotDelete); moto deletes it.',
  },
  'run-group-of-other-vpc': {
    aws: { error: 'InvalidParameter' },
    moto: { ok: 'accepted' },
    why: 'EC2 answers "Security group sg-… and subnet subnet-… belong to different networks." (QT-DevOps/DevOpsIssues#256); moto launches.',
  },
  'run-unknown-type': {
    aws: { error: 'InvalidParameterValue' },
    moto: { ok: 'accepted' },
    why: 'EC2 answers "Invalid value \'t3.nano\' for InstanceType." for a type it does not know (getmoto/moto#1695); moto launches.',
  },
  'run-arm-type-x86-image': {
    aws: { error: 'InvalidParameterValue' },
    moto: { ok: 'accepted' },
    why: 'EC2 refuses an arm64 type with an x86_64 image ("The architecture \'arm64\' of the specified instance type does not match …", skypilot-org/skypilot#6315); moto launches.',
  },
};

/** The VPC and instance-type sequence: the default VPC, resources, refusals and placement. */
async function vpcScenario(ec2: EC2Client, imageId: string): Promise<Transcript> {
  const t: Transcript = {};
  const vpcs = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))).Vpcs!;
  const def = vpcs[0]!;
  t['default-vpc'] = { ok: { count: vpcs.length, cidr: def.CidrBlock, isDefault: def.IsDefault, state: def.State } };
  const subnets = (
    await ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [def.VpcId!] },
          { Name: 'default-for-az', Values: ['true'] },
        ],
      }),
    )
  ).Subnets!;
  t['default-subnets'] = {
    ok: subnets.map((s) => ({ zone: s.AvailabilityZone, cidr: s.CidrBlock, public: s.MapPublicIpOnLaunch })).sort((a, b) => a.zone!.localeCompare(b.zone!)),
  };
  const igws = (await ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [def.VpcId!] }] }))).InternetGateways!;
  t['default-igw'] = { ok: igws.map((g) => g.Attachments!.map((a) => a.State)) };
  const main = (
    await ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [
          { Name: 'vpc-id', Values: [def.VpcId!] },
          { Name: 'association.main', Values: ['true'] },
        ],
      }),
    )
  ).RouteTables!;
  t['default-main-table'] = {
    ok: main.map((r) =>
      r.Routes!.map((x) => [
        x.DestinationCidrBlock,
        x.GatewayId === 'local' ? 'local' : x.GatewayId === igws[0]?.InternetGatewayId ? 'igw' : x.GatewayId,
        x.State,
      ]),
    ),
  };
  const sg = (
    await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [def.VpcId!] },
          { Name: 'group-name', Values: ['default'] },
        ],
      }),
    )
  ).SecurityGroups!;
  t['default-group'] = {
    ok: sg.map((g) => ({
      egress: g.IpPermissionsEgress!.map((p) => [p.IpProtocol, p.IpRanges!.map((r) => r.CidrIp)]),
      ingressFromSelf: g.IpPermissions!.some((p) => p.UserIdGroupPairs!.some((u) => u.GroupId === g.GroupId)),
    })),
  };

  t['create-vpc-too-large'] = await attempt(() => ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/8' })));
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
  const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.20.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
  const subnet = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }))).Subnets![0]!;
  t['subnet'] = {
    ok: {
      zone: subnet.AvailabilityZone,
      cidr: subnet.CidrBlock,
      public: subnet.MapPublicIpOnLaunch,
      default: subnet.DefaultForAz,
      free: subnet.AvailableIpAddressCount,
    },
  };
  t['create-subnet-conflict'] = await attempt(() => ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.20.1.0/25' })));
  t['create-subnet-outside'] = await attempt(() => ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.99.0.0/24' })));
  t['delete-vpc-with-subnet'] = await attempt(() => ec2.send(new DeleteVpcCommand({ VpcId: vpcId })));
  const newMain = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).RouteTables!;
  t['new-vpc-tables'] = {
    ok: newMain.map((r) => ({ routes: r.Routes!.map((x) => [x.DestinationCidrBlock, x.GatewayId]), main: r.Associations!.map((a) => a.Main) })),
  };
  t['subnet-explicit-table'] = {
    ok: (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }))).RouteTables!.length,
  };

  const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  t['detach-not-attached'] = await attempt(() => ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId })));
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  t['attach-twice'] = await attempt(() => ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId })));
  t['delete-attached-igw'] = await attempt(() => ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw })));
  const table = newMain[0]!.RouteTableId!;
  await ec2.send(new CreateRouteCommand({ RouteTableId: table, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }));
  t['route-exists'] = await attempt(() => ec2.send(new CreateRouteCommand({ RouteTableId: table, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw })));
  await ec2.send(new DeleteRouteCommand({ RouteTableId: table, DestinationCidrBlock: '0.0.0.0/0' }));
  t['delete-missing-route'] = await attempt(() => ec2.send(new DeleteRouteCommand({ RouteTableId: table, DestinationCidrBlock: '0.0.0.0/0' })));
  t['delete-main-table'] = await attempt(() => ec2.send(new DeleteRouteTableCommand({ RouteTableId: table })));

  const group = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'diff', Description: 'diff', VpcId: vpcId }))).GroupId!;
  t['group-duplicate'] = await attempt(() => ec2.send(new CreateSecurityGroupCommand({ GroupName: 'diff', Description: 'again', VpcId: vpcId })));
  const https = [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }];
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: group, IpPermissions: https }));
  t['authorize-duplicate'] = await attempt(() => ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: group, IpPermissions: https })));
  const created = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [group] }))).SecurityGroups![0]!;
  t['new-group'] = {
    ok: {
      ingress: created.IpPermissions!.map((p) => [p.IpProtocol, p.FromPort, p.ToPort, p.IpRanges!.map((r) => r.CidrIp)]),
      egress: created.IpPermissionsEgress!.map((p) => [p.IpProtocol, p.IpRanges!.map((r) => r.CidrIp)]),
    },
  };
  t['delete-default-group'] = await attempt(() => ec2.send(new DeleteSecurityGroupCommand({ GroupId: sg[0]!.GroupId! })));

  const inst = (
    await ec2.send(
      new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1, InstanceType: 't3.micro', SubnetId: subnetId, SecurityGroupIds: [group] }),
    )
  ).Instances![0]!;
  t['placed'] = {
    ok: {
      vpc: inst.VpcId === vpcId,
      subnet: inst.SubnetId === subnetId,
      zone: inst.Placement?.AvailabilityZone,
      inCidr: inst.PrivateIpAddress?.startsWith('10.20.1.'),
      groups: inst.SecurityGroups!.map((g) => g.GroupName),
      publicIp: inst.PublicIpAddress !== undefined,
    },
  };
  t['run-unknown-subnet'] = await attempt(() =>
    ec2.send(new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1, SubnetId: 'subnet-0123456789abcdef0' })),
  );
  t['run-group-of-other-vpc'] = await attempt(() =>
    ec2.send(new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1, SecurityGroupIds: [group] })),
  );
  t['run-unknown-type'] = await attempt(() =>
    ec2.send(new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1, InstanceType: 'm5.hyperlarge' as _InstanceType })),
  );
  t['run-arm-type-x86-image'] = await attempt(() =>
    ec2.send(new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1, InstanceType: 'm6g.large' })),
  );

  t['error:describe-vpc-unknown'] = await attempt(() => ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-0123456789abcdef0'] })));
  t['error:describe-subnet-unknown'] = await attempt(() => ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-0123456789abcdef0'] })));
  t['error:describe-group-unknown'] = await attempt(() => ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-0123456789abcdef0'] })));
  t['error:describe-table-unknown'] = await attempt(() => ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: ['rtb-0123456789abcdef0'] })));
  t['error:describe-igw-unknown'] = await attempt(() => ec2.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: ['igw-0123456789abcdef0'] })));

  const types = (await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['m6i.large', 'm6g.large', 't2.micro'] }))).InstanceTypes!;
  t['instance-types'] = {
    ok: types
      .map((x) => ({ name: x.InstanceType, arch: x.ProcessorInfo!.SupportedArchitectures, vcpus: x.VCpuInfo!.DefaultVCpus }))
      .sort((a, b) => a.name!.localeCompare(b.name!)),
  };
  t['error:describe-type-unknown'] = await attempt(() => ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['m5.hyperlarge' as _InstanceType] })));
  const offered = (await ec2.send(new DescribeInstanceTypeOfferingsCommand({ Filters: [{ Name: 'instance-type', Values: ['m6i.large'] }] })))
    .InstanceTypeOfferings!;
  t['offering-region'] = { ok: offered.map((o) => [o.InstanceType, o.LocationType, o.Location]) };
  return t;
}

function client(endpoint: string, accessKeyId: string): EC2Client {
  return new EC2Client({ region: 'us-east-1', endpoint, credentials: { accessKeyId, secretAccessKey: 'differential' }, maxAttempts: 1 });
}

/**
 * Every step gives the same observable result on both servers, except where the table lists how moto
 * differs from AWS: there the emulator must give AWS's answer, and moto must still differ as listed.
 */
function expectSameAsMoto(
  ours: Record<string, unknown>,
  theirs: Record<string, unknown>,
  knownDiffs: Readonly<Record<string, { aws: unknown; moto: unknown; why: string }>>,
): void {
  expect(Object.keys(ours)).to.deep.equal(Object.keys(theirs));
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const mismatches: string[] = [];
  for (const step of Object.keys(ours)) {
    const known = knownDiffs[step];
    if (known) {
      if (!same(ours[step], known.aws)) mismatches.push(`${step}: emulator ${JSON.stringify(ours[step])}, AWS ${JSON.stringify(known.aws)}`);
      if (!same(theirs[step], known.moto)) mismatches.push(`${step}: moto ${JSON.stringify(theirs[step])} no longer differs as listed (${known.why})`);
    } else if (!same(ours[step], theirs[step])) {
      mismatches.push(`${step}: emulator ${JSON.stringify(ours[step])}, moto ${JSON.stringify(theirs[step])}`);
    }
  }
  expect(mismatches, mismatches.join('\n')).to.deep.equal([]);
}

describe('emulator: differential test against moto', function () {
  this.timeout(90_000);
  let moto: ChildProcess | undefined;
  let motoEndpoint = '';
  let emu: Emulator;

  before(async function () {
    if (spawnSync('python3', ['-c', 'import moto.server'], { stdio: 'ignore' }).status !== 0) {
      console.log('    skipped: python3 cannot import moto.server (pip install "moto[server]" to run this test)');
      this.skip();
    }
    const port = await freePort();
    motoEndpoint = `http://127.0.0.1:${port}`;
    moto = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
      stdio: 'ignore',
      env: { ...process.env, MOTO_CALL_RESET_API: 'false' },
    });
    await eventually(async () => ((await fetch(`${motoEndpoint}/moto-api/`).catch(() => undefined))?.ok ? true : undefined), 30_000, 'moto server');
    emu = await withEmulator({ throttling: false, timeScale: 0.0005 });
  });

  after(async () => {
    if (moto && moto.exitCode === null) {
      const exited = new Promise((r) => moto!.once('exit', r));
      moto.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (moto.exitCode === null) moto.kill('SIGKILL');
    }
    await emu?.stop();
  });

  it('gives the same observable results for the same EC2 call sequence', async () => {
    const [ours, theirs] = await Promise.all([scenario(client(emu.endpoint, 'AKIAEMULATOR000000001')), scenario(client(motoEndpoint, 'AKIAMOTODIFFERENTIAL'))]);
    expectSameAsMoto(ours, theirs, MOTO_DIFFERS_FROM_AWS);
  });

  it('gives the same observable results for the same VPC and instance-type sequence', async () => {
    const image = async (c: EC2Client) =>
      (
        await c.send(
          new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['Windows_Server-2012-R2_RTM-English-64Bit-Base-*'] }] }),
        )
      ).Images![0]!.ImageId!;
    const mine = client(emu.endpoint, 'AKIAEMULATOR000000002');
    const motos = client(motoEndpoint, 'AKIAMOTODIFFERENTIA2');
    const [ours, theirs] = await Promise.all([vpcScenario(mine, await image(mine)), vpcScenario(motos, await image(motos))]);
    expectSameAsMoto(ours, theirs, VPC_MOTO_DIFFERS_FROM_AWS);
  });
});
