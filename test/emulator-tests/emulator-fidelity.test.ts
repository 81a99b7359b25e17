/**
 * Fidelity against independent clients: every element the emulator writes
 * must exist, with its type, in the operation's output shape of botocore's
 * JSON models; and the AWS CLI must get the expected results.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { EMULATOR_ACCOUNTS, type Emulator } from '../../emulator/index.js';
import { INSTANCE_TYPE_TABLE } from '../../emulator/instance-types-table.js';
import { awsCli, awsVersion } from './cli-session.js';
import { launchOnline, run, sessionFor, withEmulator } from './helpers.js';

interface Shape {
  type: string;
  members?: Record<string, { shape: string; locationName?: string }>;
  member?: { shape: string; locationName?: string };
}
type Model = { shapes: Record<string, Shape>; operations: Record<string, { output?: { shape: string } }> };

function botocoreDir(): string | undefined {
  if (existsSync('/usr/lib/python3/dist-packages/botocore/data')) return '/usr/lib/python3/dist-packages/botocore';
  try {
    return execFileSync('python3', ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__))'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

function loadModel(dir: string, service: string, version: string): Model | undefined {
  const base = `${dir}/data/${service}/${version}/service-2.json`;
  if (existsSync(base)) return JSON.parse(readFileSync(base, 'utf8')) as Model;
  if (existsSync(`${base}.gz`)) return JSON.parse(gunzipSync(readFileSync(`${base}.gz`)).toString('utf8')) as Model;
  return undefined;
}

const SCALAR: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean',
  boolean: (v) => v === 'true' || v === 'false' || typeof v === 'boolean',
  integer: (v) => Number.isInteger(Number(v)),
  long: (v) => Number.isInteger(Number(v)),
  double: (v) => Number.isFinite(Number(v)),
  float: (v) => Number.isFinite(Number(v)),
  timestamp: (v) => (typeof v === 'number' ? v > 1e9 : !Number.isNaN(Date.parse(String(v)))),
};

/** Problems found checking an EC2 XML element tree against a shape (locationName, lists as `item`). */
function checkXml(model: Model, shapeName: string, node: unknown, path: string, out: string[]): void {
  const shape = model.shapes[shapeName]!;
  if (shape.type === 'structure') {
    if (typeof node !== 'object' || node === null) return void out.push(`${path}: expected structure`);
    const byName = new Map(Object.entries(shape.members ?? {}).map(([k, m]) => [m.locationName ?? k.charAt(0).toLowerCase() + k.slice(1), m.shape]));
    for (const [k, v] of Object.entries(node)) {
      const member = byName.get(k);
      if (!member) out.push(`${path}.${k}: not in ${shapeName}`);
      else checkXml(model, member, v, `${path}.${k}`, out);
    }
  } else if (shape.type === 'list') {
    if (node === '') return;
    const items = (node as { item?: unknown }).item;
    for (const [i, v] of (Array.isArray(items) ? items : items === undefined ? [] : [items]).entries())
      checkXml(model, shape.member!.shape, v, `${path}[${i}]`, out);
  } else if (!SCALAR[shape.type]?.(node)) out.push(`${path}: ${JSON.stringify(node)} is not a ${shape.type}`);
}

/** The same for SSM JSON (member names as in the model). */
function checkJson(model: Model, shapeName: string, node: unknown, path: string, out: string[]): void {
  const shape = model.shapes[shapeName]!;
  if (shape.type === 'structure') {
    if (typeof node !== 'object' || node === null) return void out.push(`${path}: expected structure`);
    for (const [k, v] of Object.entries(node)) {
      const m = shape.members?.[k];
      if (!m) out.push(`${path}.${k}: not in ${shapeName}`);
      else checkJson(model, m.shape, v, `${path}.${k}`, out);
    }
  } else if (shape.type === 'list') {
    if (!Array.isArray(node)) return void out.push(`${path}: expected list`);
    node.forEach((v, i) => checkJson(model, shape.member!.shape, v, `${path}[${i}]`, out));
  } else if (shape.type === 'map') {
    if (typeof node !== 'object' || node === null) out.push(`${path}: expected map`);
  } else if (!SCALAR[shape.type]?.(node)) out.push(`${path}: ${JSON.stringify(node)} is not a ${shape.type}`);
}

describe('emulator: fidelity to botocore models and the AWS CLI', function () {
  this.timeout(60_000);
  let emu: Emulator;
  const dir = botocoreDir();
  const ec2Model = dir ? loadModel(dir, 'ec2', '2016-11-15') : undefined;
  const ssmModel = dir ? loadModel(dir, 'ssm', '2014-11-06') : undefined;
  before(async () => {
    emu = await withEmulator();
  });
  // The AWS CLI runners of the tests (Python processes), ended with the emulator.
  const clis: Array<{ close: () => void }> = [];
  after(async () => {
    for (const c of clis) c.close();
    await emu.stop();
  });

  async function ec2Raw(action: string, params: Record<string, string>): Promise<unknown> {
    const a = EMULATOR_ACCOUNTS[0]!;
    const body = new URLSearchParams({ Action: action, Version: '2016-11-15', ...params }).toString();
    const res = await fetch(emu.endpoint, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `AWS4-HMAC-SHA256 Credential=${a.accessKeyId}/20261123/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0`,
      },
    });
    const xml = await res.text();
    expect(res.status, xml).to.equal(200);
    const parsed = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'item' }).parse(xml) as Record<
      string,
      Record<string, unknown>
    >;
    const body2 = { ...parsed[`${action}Response`] };
    delete body2.requestId;
    return body2;
  }

  async function ssmRaw(action: string, payload: unknown): Promise<unknown> {
    const a = EMULATOR_ACCOUNTS[0]!;
    const res = await fetch(emu.endpoint, {
      method: 'POST',
      body: JSON.stringify(payload),
      headers: {
        'x-amz-target': `AmazonSSM.${action}`,
        'content-type': 'application/x-amz-json-1.1',
        authorization: `AWS4-HMAC-SHA256 Credential=${a.accessKeyId}/20261123/us-east-1/ssm/aws4_request, SignedHeaders=host, Signature=0`,
      },
    });
    expect(res.status).to.equal(200);
    return res.json();
  }

  it('writes only elements of the EC2 output shapes, with their types', async function () {
    if (!ec2Model) {
      console.log(`      skipped: no botocore ec2 model found (${dir ?? 'botocore not importable'})`);
      return this.skip();
    }
    const s = sessionFor(emu);
    const { instanceId, imageId } = await launchOnline(s);
    const { ImageId } = await s.ec2().createImage({
      InstanceId: instanceId,
      Name: 'fidelity-image',
      NoReboot: true,
      TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'k', Value: 'v' }] }],
    });
    const vol = (await s.ec2().describeVolumes({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] })).Volumes![0]!.VolumeId!;
    const calls: Array<[string, Record<string, string>]> = [
      ['DescribeImages', { 'ImageId.1': imageId }],
      ['DescribeImages', { 'ImageId.1': ImageId! }],
      ['DescribeInstances', { 'InstanceId.1': instanceId }],
      ['DescribeInstanceStatus', { 'InstanceId.1': instanceId }],
      ['DescribeVolumes', { 'VolumeId.1': vol }],
      ['DescribeSnapshots', { 'Owner.1': 'self' }],
      ['CreateSnapshot', { VolumeId: vol }],
      ['CreateSnapshots', { 'InstanceSpecification.InstanceId': instanceId }],
      ['DescribeTags', {}],
      ['DescribeRegions', {}],
      ['DescribeImageAttribute', { ImageId: ImageId!, Attribute: 'launchPermission' }],
      ['GetConsoleOutput', { InstanceId: instanceId }],
      ['GetPasswordData', { InstanceId: instanceId }],
      ['RebootInstances', { 'InstanceId.1': instanceId }],
      ['StopInstances', { 'InstanceId.1': instanceId }],
      ['TerminateInstances', { 'InstanceId.1': instanceId }],
      ['RunInstances', { ImageId: imageId, MinCount: '1', MaxCount: '1' }],
      ['CopyImage', { SourceImageId: imageId, SourceRegion: 'us-east-1', Name: 'copied' }],
      ['EnableImageDeprecation', { ImageId: ImageId!, DeprecateAt: new Date(Date.now() + 86_400_000).toISOString() }],
      ['DeregisterImage', { ImageId: ImageId! }],
    ];
    const problems: string[] = [];
    for (const [action, params] of calls) {
      const out = ec2Model.operations[action]!.output?.shape;
      const body = await ec2Raw(action, params);
      if (out) checkXml(ec2Model, out, body, action, problems);
    }
    expect(problems).to.deep.equal([]);
  });

  it('writes only elements of the EC2 output shapes for the VPC and instance-type actions, with their types', async function () {
    if (!ec2Model) {
      console.log(`      skipped: no botocore ec2 model found (${dir ?? 'botocore not importable'})`);
      return this.skip();
    }
    const problems: string[] = [];
    const call = async (action: string, params: Record<string, string>): Promise<Record<string, any>> => {
      const body = (await ec2Raw(action, params)) as Record<string, any>;
      const out = ec2Model.operations[action]!.output?.shape;
      if (out) checkXml(ec2Model, out, body, action, problems);
      return body;
    };
    const vpcId = (
      await call('CreateVpc', {
        CidrBlock: '10.9.0.0/16',
        'TagSpecification.1.ResourceType': 'vpc',
        'TagSpecification.1.Tag.1.Key': 'k',
        'TagSpecification.1.Tag.1.Value': 'v',
      })
    ).vpc.vpcId as string;
    await call('ModifyVpcAttribute', { VpcId: vpcId, 'EnableDnsHostnames.Value': 'true' });
    await call('DescribeVpcAttribute', { VpcId: vpcId, Attribute: 'enableDnsHostnames' });
    const subnetId = (await call('CreateSubnet', { VpcId: vpcId, CidrBlock: '10.9.1.0/24', AvailabilityZone: 'us-east-1a' })).subnet.subnetId as string;
    await call('ModifySubnetAttribute', { SubnetId: subnetId, 'MapPublicIpOnLaunch.Value': 'true' });
    const igw = (await call('CreateInternetGateway', {})).internetGateway.internetGatewayId as string;
    await call('AttachInternetGateway', { InternetGatewayId: igw, VpcId: vpcId });
    const rtb = (await call('CreateRouteTable', { VpcId: vpcId })).routeTable.routeTableId as string;
    await call('CreateRoute', { RouteTableId: rtb, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw });
    const assoc = (await call('AssociateRouteTable', { RouteTableId: rtb, SubnetId: subnetId })).associationId as string;
    const eip = (await call('AllocateAddress', { Domain: 'vpc' })).allocationId as string;
    const nat = (await call('CreateNatGateway', { SubnetId: subnetId, AllocationId: eip })).natGateway.natGatewayId as string;
    const sg = (await call('CreateSecurityGroup', { GroupName: 'fidelity', GroupDescription: 'fidelity', VpcId: vpcId })).groupId as string;
    await call('AuthorizeSecurityGroupIngress', {
      GroupId: sg,
      'IpPermissions.1.IpProtocol': 'tcp',
      'IpPermissions.1.FromPort': '443',
      'IpPermissions.1.ToPort': '443',
      'IpPermissions.1.IpRanges.1.CidrIp': '10.9.0.0/16',
      'IpPermissions.1.Groups.1.GroupId': sg,
    });
    await call('AuthorizeSecurityGroupEgress', {
      GroupId: sg,
      'IpPermissions.1.IpProtocol': 'udp',
      'IpPermissions.1.FromPort': '53',
      'IpPermissions.1.ToPort': '53',
      'IpPermissions.1.IpRanges.1.CidrIp': '0.0.0.0/0',
    });
    const vpce = (
      await call('CreateVpcEndpoint', {
        VpcId: vpcId,
        VpcEndpointType: 'Interface',
        ServiceName: 'com.amazonaws.us-east-1.ssm',
        'SubnetId.1': subnetId,
        'SecurityGroupId.1': sg,
      })
    ).vpcEndpoint.vpcEndpointId as string;
    await call('CreateVpcEndpoint', { VpcId: vpcId, VpcEndpointType: 'Gateway', ServiceName: 'com.amazonaws.us-east-1.s3', 'RouteTableId.1': rtb });
    const imageId = (await sessionFor(emu).ssm().getParameter({ Name: '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base' })).Parameter!
      .Value!;
    await call('RunInstances', { ImageId: imageId, MinCount: '1', MaxCount: '1', InstanceType: 'm6i.large', SubnetId: subnetId, 'SecurityGroupId.1': sg });
    for (const [action, params] of [
      ['DescribeVpcs', {}],
      ['DescribeSubnets', {}],
      ['DescribeRouteTables', {}],
      ['DescribeInternetGateways', {}],
      ['DescribeNatGateways', {}],
      ['DescribeAddresses', {}],
      ['DescribeSecurityGroups', {}],
      ['DescribeVpcEndpoints', {}],
      ['DescribeVpcEndpointServices', {}],
      ['DescribeAvailabilityZones', {}],
      ['DescribeInstances', { 'Filter.1.Name': 'subnet-id', 'Filter.1.Value.1': subnetId }],
      ['DescribeInstanceTypes', { 'InstanceType.1': 'm6i.large', 'InstanceType.2': 'mac1.metal', 'InstanceType.3': 't2.micro' }],
      ['DescribeInstanceTypeOfferings', { LocationType: 'availability-zone-id', 'Filter.1.Name': 'instance-type', 'Filter.1.Value.1': 'm6i.*' }],
      [
        'RevokeSecurityGroupEgress',
        {
          GroupId: sg,
          'IpPermissions.1.IpProtocol': 'udp',
          'IpPermissions.1.FromPort': '53',
          'IpPermissions.1.ToPort': '53',
          'IpPermissions.1.IpRanges.1.CidrIp': '0.0.0.0/0',
        },
      ],
      [
        'RevokeSecurityGroupIngress',
        {
          GroupId: sg,
          'IpPermissions.1.IpProtocol': 'tcp',
          'IpPermissions.1.FromPort': '443',
          'IpPermissions.1.ToPort': '443',
          'IpPermissions.1.IpRanges.1.CidrIp': '10.9.0.0/16',
        },
      ],
      ['DeleteVpcEndpoints', { 'VpcEndpointId.1': vpce, 'VpcEndpointId.2': 'vpce-0123456789abcdef0' }],
      ['DeleteNatGateway', { NatGatewayId: nat }],
      ['DisassociateRouteTable', { AssociationId: assoc }],
      ['DeleteRoute', { RouteTableId: rtb, DestinationCidrBlock: '0.0.0.0/0' }],
      ['DeleteRouteTable', { RouteTableId: rtb }],
    ] as Array<[string, Record<string, string>]>) {
      await call(action, params);
    }
    expect(problems).to.deep.equal([]);
  });

  it('writes only members of the SSM output shapes, with their types', async function () {
    if (!ssmModel) {
      console.log(`      skipped: no botocore ssm model found (${dir ?? 'botocore not importable'})`);
      return this.skip();
    }
    const s = sessionFor(emu);
    const { instanceId } = await launchOnline(s);
    const inv = await run(s, instanceId, ["Write-Output 'x'", "Write-Error 'y'"]);
    await s.ssm().putParameter({ Name: '/winami/secret', Value: 's3cret', Type: 'SecureString' });
    const calls: Array<[string, unknown]> = [
      ['DescribeInstanceInformation', {}],
      ['SendCommand', { DocumentName: 'AWS-RunPowerShellScript', InstanceIds: [instanceId], Parameters: { commands: ['hostname'] } }],
      ['GetCommandInvocation', { CommandId: inv.CommandId, InstanceId: instanceId }],
      ['ListCommands', {}],
      ['ListCommandInvocations', { CommandId: inv.CommandId, Details: true }],
      ['GetParameter', { Name: '/winami/secret', WithDecryption: true }],
      ['GetParameters', { Names: ['/winami/secret', '/nope'] }],
      ['GetParametersByPath', { Path: '/aws/service/ami-windows-latest', MaxResults: 10 }],
      ['GetParametersByPath', { Path: '/winami', Recursive: true, WithDecryption: true }],
      ['PutParameter', { Name: '/winami/plain', Value: 'v', Type: 'String' }],
      ['CancelCommand', { CommandId: inv.CommandId }],
      ['DeleteParameter', { Name: '/winami/plain' }],
    ];
    const problems: string[] = [];
    for (const [action, payload] of calls) {
      const out = ssmModel.operations[action]!.output?.shape;
      const body = await ssmRaw(action, payload);
      if (out) checkJson(ssmModel, out, body, action, problems);
    }
    expect(problems).to.deep.equal([]);
  });

  it('serves a scripted AWS CLI session', async function () {
    this.timeout(120_000);
    if (awsVersion() === undefined) {
      console.log('      skipped: the aws CLI is not installed');
      return this.skip();
    }
    const a = EMULATOR_ACCOUNTS[0]!;
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: a.accessKeyId,
      AWS_SECRET_ACCESS_KEY: a.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    };
    const cli = awsCli(env, 1);
    clis.push(cli);
    const aws = async (...args: string[]): Promise<string> => {
      const r = await cli.run(['--endpoint-url', emu.endpoint, '--output', 'json', ...args]);
      if (!r.ok) throw new Error(`${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const imageId = JSON.parse(await aws('ssm', 'get-parameter', '--name', '/aws/service/ami-windows-latest/Windows_Server-2025-English-Full-Base')).Parameter
      .Value as string;
    const ran = JSON.parse(
      await aws('ec2', 'run-instances', '--image-id', imageId, '--count', '1', '--instance-type', 't3.large', '--iam-instance-profile', 'Name=winami-builder'),
    );
    const iid = ran.Instances[0].InstanceId as string;
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // CLI waiters poll every 15 s (5 s for SSM) and check once at once: let the scaled lifecycle finish first.
    await pause(200);
    await aws('ec2', 'wait', 'instance-running', '--instance-ids', iid);
    const desc = JSON.parse(await aws('ec2', 'describe-instances', '--instance-ids', iid));
    expect(desc.Reservations[0].Instances[0].State.Name).to.equal('running');
    expect(desc.Reservations[0].Instances[0].PlatformDetails).to.equal('Windows');
    const created = JSON.parse(await aws('ec2', 'create-image', '--instance-id', iid, '--name', 'cli-golden', '--no-reboot'));
    await pause(500);
    await aws('ec2', 'wait', 'image-available', '--image-ids', created.ImageId);
    await aws('ec2', 'create-image', '--instance-id', iid, '--name', 'cli-golden-2', '--no-reboot');
    const byName = JSON.parse(await aws('ec2', 'describe-images', '--owners', 'self', '--filters', 'Name=name,Values=cli-golden*'));
    expect(byName.Images).to.have.length(2);
    const paged = JSON.parse(
      await aws('ec2', 'describe-images', '--owners', 'self', '--page-size', '5', '--max-items', '1', '--filters', 'Name=name,Values=cli-golden*'),
    );
    expect(paged.Images).to.have.length(1);
    expect(paged.NextToken).to.be.a('string');
    const snap = byName.Images.find((i: { ImageId: string }) => i.ImageId === created.ImageId).BlockDeviceMappings[0].Ebs.SnapshotId as string;
    const inUse = await aws('ec2', 'delete-snapshot', '--snapshot-id', snap).catch((e: Error) => e.message);
    expect(inUse).to.match(/InvalidSnapshot\.InUse/);
    await aws('ec2', 'deregister-image', '--image-id', created.ImageId);
    await aws('ec2', 'delete-snapshot', '--snapshot-id', snap);
    await pause(200);
    const sent = JSON.parse(
      await aws('ssm', 'send-command', '--document-name', 'AWS-RunPowerShellScript', '--instance-ids', iid, '--parameters', 'commands=["Write-Output hello"]'),
    );
    await pause(300);
    await aws('ssm', 'wait', 'command-executed', '--command-id', sent.Command.CommandId, '--instance-id', iid);
    const inv = JSON.parse(await aws('ssm', 'get-command-invocation', '--command-id', sent.Command.CommandId, '--instance-id', iid));
    expect(inv.Status).to.equal('Success');
    expect(inv.StandardOutputContent).to.equal('hello\n');
  });

  it('serves the AWS CLI the instance types (paginated), offerings, default subnets and launch refusals', async function () {
    this.timeout(120_000);
    if (awsVersion() === undefined) {
      console.log('      skipped: the aws CLI is not installed');
      return this.skip();
    }
    const a = EMULATOR_ACCOUNTS[0]!;
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: a.accessKeyId,
      AWS_SECRET_ACCESS_KEY: a.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    };
    const cli = awsCli(env, 1);
    clis.push(cli);
    const aws = async (...args: string[]): Promise<string> => {
      const r = await cli.run(['--endpoint-url', emu.endpoint, '--output', 'json', ...args]);
      if (!r.ok) throw new Error(`${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    // The CLI follows NextToken itself: every type, once.
    const types = JSON.parse(await aws('ec2', 'describe-instance-types', '--query', 'InstanceTypes[].InstanceType')) as string[];
    expect(types.length).to.equal(INSTANCE_TYPE_TABLE.length);
    expect(new Set(types).size).to.equal(types.length);
    const zones = JSON.parse(
      await aws(
        'ec2',
        'describe-instance-type-offerings',
        '--location-type',
        'availability-zone',
        '--filters',
        'Name=instance-type,Values=m8i.large',
        '--query',
        'InstanceTypeOfferings[].Location',
      ),
    ) as string[];
    expect(zones).to.deep.equal(['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1f']);
    const subnets = JSON.parse(
      await aws('ec2', 'describe-subnets', '--filters', 'Name=default-for-az,Values=true', '--query', 'Subnets[].AvailabilityZone'),
    ) as string[];
    expect(subnets.sort()).to.deep.equal(['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1e', 'us-east-1f']);
    const imageId = JSON.parse(await aws('ssm', 'get-parameter', '--name', '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base')).Parameter
      .Value as string;
    const refused = await aws('ec2', 'run-instances', '--image-id', imageId, '--count', '1', '--instance-type', 'm5.hyperlarge').catch((e: Error) => e.message);
    expect(refused).to.include(
      "An error occurred (InvalidParameterValue) when calling the RunInstances operation: Invalid value 'm5.hyperlarge' for InstanceType.",
    );
  });
});
