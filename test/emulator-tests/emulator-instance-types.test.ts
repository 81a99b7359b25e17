/**
 * Instance types in the emulator through the real EC2 SDK: DescribeInstanceTypes
 * and DescribeInstanceTypeOfferings, and RunInstances' refusals of an unknown
 * type, an architecture mismatch and a type the zone does not offer. The
 * committed table is checked against botocore's enum when botocore is installed.
 */
import {
  CreateSubnetCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand,
  DescribeSubnetsCommand,
  paginateDescribeInstanceTypeOfferings,
  paginateDescribeInstanceTypes,
  RunInstancesCommand,
  type EC2Client,
  type InstanceTypeInfo,
  type RunInstancesCommandInput,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Emulator } from '../../emulator/index.js';
import { deriveRows } from '../../emulator/instance-type-derive.js';
import { INSTANCE_TYPE_TABLE } from '../../emulator/instance-types-table.js';
import { rejection, sdk, WIN2022, withEmulator } from './helpers.js';

/** botocore's InstanceType enum, or a reason it is not available. */
function botocoreInstanceTypes(): string[] | string {
  let dir: string;
  try {
    dir = execFileSync('python3', ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__))'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'botocore is not importable by python3';
  }
  const base = `${dir}/data/ec2/2016-11-15/service-2.json`;
  const text = existsSync(base) ? readFileSync(base, 'utf8') : existsSync(`${base}.gz`) ? gunzipSync(readFileSync(`${base}.gz`)).toString('utf8') : undefined;
  if (!text) return `no ec2 model under ${dir}`;
  return (JSON.parse(text) as { shapes: { InstanceType: { enum: string[] } } }).shapes.InstanceType.enum;
}

describe('emulator: instance types', function () {
  this.timeout(30_000);
  let emu: Emulator;
  let ec2: EC2Client;
  let imageId: string;

  before(async () => {
    emu = await withEmulator({ throttling: false });
    const c = sdk(emu);
    ec2 = c.ec2;
    imageId = (await c.ssm.send(new GetParameterCommand({ Name: WIN2022 }))).Parameter!.Value!;
  });
  after(async () => {
    await emu.stop();
  });

  const describeOne = async (name: string): Promise<InstanceTypeInfo> =>
    (await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: [name as _InstanceType] }))).InstanceTypes![0]!;

  it('keeps the committed table equal to botocore\u2019s InstanceType enum and to the derivation from its names', function () {
    const names = botocoreInstanceTypes();
    if (typeof names === 'string') {
      console.log(`      skipped: ${names}`);
      return this.skip();
    }
    const table = INSTANCE_TYPE_TABLE.map((r) => r[0]);
    expect(
      table.filter((n) => !names.includes(n)),
      'in the table, not in botocore: regenerate with scripts/instance-types.ts',
    ).to.deep.equal([]);
    expect(
      names.filter((n) => !table.includes(n)),
      'in botocore, not in the table: regenerate with scripts/instance-types.ts',
    ).to.deep.equal([]);
    const derived = deriveRows(names).map((r) => [
      r.name,
      r.architectures.join(' '),
      r.vcpus,
      r.memoryMiB,
      r.currentGeneration ? 1 : 0,
      r.hypervisor ?? '',
      r.usageClasses.length === 1 ? 1 : 0,
    ]);
    expect(INSTANCE_TYPE_TABLE.map((r) => [...r])).to.deep.equal(derived);
  });

  it('describes types with the architecture of their family, vCPUs, memory, generation, hypervisor and usage classes', async () => {
    const m6i = await describeOne('m6i.large');
    expect(m6i).to.deep.include({
      InstanceType: 'm6i.large',
      CurrentGeneration: true,
      BareMetal: false,
      Hypervisor: 'nitro',
      SupportedUsageClasses: ['on-demand', 'spot'],
    });
    expect(m6i.ProcessorInfo!.SupportedArchitectures).to.deep.equal(['x86_64']);
    expect(m6i.VCpuInfo!.DefaultVCpus).to.equal(2);
    expect(m6i.MemoryInfo!.SizeInMiB).to.equal(8192);
    const arch = async (n: string) => (await describeOne(n)).ProcessorInfo!.SupportedArchitectures;
    expect(await arch('m6g.large')).to.deep.equal(['arm64']);
    expect(await arch('a1.medium')).to.deep.equal(['arm64']);
    expect(await arch('t4g.micro')).to.deep.equal(['arm64']);
    expect(await arch('im4gn.large')).to.deep.equal(['arm64']);
    expect(await arch('g4dn.xlarge')).to.deep.equal(['x86_64']);
    expect(await arch('t2.micro')).to.deep.equal(['i386', 'x86_64']);
    expect(await arch('mac1.metal')).to.deep.equal(['x86_64_mac']);
    expect(await arch('mac2.metal')).to.deep.equal(['arm64_mac']);
    const m1 = await describeOne('m1.small');
    expect([m1.CurrentGeneration, m1.Hypervisor]).to.deep.equal([false, 'xen']);
    const metal = await describeOne('m5.metal');
    expect([metal.BareMetal, metal.Hypervisor, metal.VCpuInfo!.DefaultVCpus]).to.deep.equal([true, undefined, 96]);
    expect((await describeOne('mac1.metal')).SupportedUsageClasses).to.deep.equal(['on-demand']);
  });

  it('refuses an unknown name with InvalidInstanceType, listing every unknown one', async () => {
    const err = await rejection(ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['m5.hyperlarge', 'm5.large', 'x9.tiny'] as _InstanceType[] })));
    expect([err.name, err.message]).to.deep.equal(['InvalidInstanceType', 'The following supplied instance types do not exist: [m5.hyperlarge, x9.tiny]']);
  });

  it('filters by architecture and instance-type wildcards, and pages every type once', async () => {
    const arm = await ec2.send(
      new DescribeInstanceTypesCommand({
        Filters: [
          { Name: 'processor-info.supported-architecture', Values: ['arm64'] },
          { Name: 'instance-type', Values: ['m6g.*', 'c7g.?xlarge'] },
        ],
      }),
    );
    const names = arm.InstanceTypes!.map((t) => t.InstanceType!).sort();
    expect(names).to.include.members(['m6g.large', 'm6g.medium', 'm6g.metal', 'c7g.2xlarge', 'c7g.4xlarge']);
    expect(names.every((n) => /^m6g\.|^c7g\.\dxlarge$/.test(n))).to.equal(true);
    expect(names).to.not.include('c7g.12xlarge');
    const first = await ec2.send(new DescribeInstanceTypesCommand({}));
    expect(first.InstanceTypes).to.have.length(100);
    expect(first.NextToken).to.be.a('string');
    const seen: string[] = [];
    for await (const page of paginateDescribeInstanceTypes({ client: ec2, pageSize: 100 }, {})) seen.push(...page.InstanceTypes!.map((t) => t.InstanceType!));
    expect(seen).to.have.length(INSTANCE_TYPE_TABLE.length);
    expect(new Set(seen).size).to.equal(seen.length);
    const err = await rejection(ec2.send(new DescribeInstanceTypesCommand({ MaxResults: 101 })));
    expect(err.name).to.equal('InvalidParameterValue');
  });

  it('offers every type in the region and each zone, except generation 8 and later in us-east-1e', async () => {
    const region = await ec2.send(new DescribeInstanceTypeOfferingsCommand({ Filters: [{ Name: 'instance-type', Values: ['m8i.large', 'm6i.large'] }] }));
    expect(region.InstanceTypeOfferings!.map((o) => [o.InstanceType, o.LocationType, o.Location]).sort()).to.deep.equal([
      ['m6i.large', 'region', 'us-east-1'],
      ['m8i.large', 'region', 'us-east-1'],
    ]);
    const byZone = await ec2.send(
      new DescribeInstanceTypeOfferingsCommand({ LocationType: 'availability-zone', Filters: [{ Name: 'instance-type', Values: ['m8i.large'] }] }),
    );
    expect(byZone.InstanceTypeOfferings!.map((o) => o.Location)).to.deep.equal(['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1f']);
    const byId = await ec2.send(
      new DescribeInstanceTypeOfferingsCommand({
        LocationType: 'availability-zone-id',
        Filters: [
          { Name: 'instance-type', Values: ['m6i.large', 'm8i.large'] },
          { Name: 'location', Values: ['use1-az5'] },
        ],
      }),
    );
    expect(byId.InstanceTypeOfferings!.map((o) => [o.InstanceType, o.LocationType, o.Location])).to.deep.equal([
      ['m6i.large', 'availability-zone-id', 'use1-az5'],
    ]);
    let count = 0;
    for await (const page of paginateDescribeInstanceTypeOfferings(
      { client: ec2, pageSize: 1000 },
      { LocationType: 'availability-zone', Filters: [{ Name: 'location', Values: ['us-east-1e'] }] },
    )) {
      count += page.InstanceTypeOfferings!.length;
    }
    const newest = INSTANCE_TYPE_TABLE.filter((r) => /^[a-z]+[89][a-z-]*\./.test(r[0])).length;
    expect(newest).to.be.greaterThan(50);
    expect(count).to.equal(INSTANCE_TYPE_TABLE.length - newest);
    const err = await rejection(ec2.send(new DescribeInstanceTypeOfferingsCommand({ LocationType: 'planet' as 'region' })));
    expect(err.name).to.equal('InvalidParameterValue');
  });

  describe('RunInstances', () => {
    const run = (extra: Partial<RunInstancesCommandInput>) => ec2.send(new RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1, ...extra }));

    it('refuses an unknown type as EC2 does', async () => {
      const err = await rejection(run({ InstanceType: 'm5.hyperlarge' as _InstanceType }));
      expect([err.name, err.message]).to.deep.equal(['InvalidParameterValue', "Invalid value 'm5.hyperlarge' for InstanceType."]);
    });

    it('refuses a type whose architecture is not the image\u2019s', async () => {
      const err = await rejection(run({ InstanceType: 'm6g.large' }));
      expect([err.name, err.message]).to.deep.equal([
        'InvalidParameterValue',
        "The architecture 'arm64' of the specified instance type does not match the architecture 'x86_64' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again. You can use 'describe-instance-types' or 'describe-images' to discover the architecture of the instance type or AMI.",
      ]);
    });

    it('refuses a type the subnet\u2019s zone does not offer, naming the zones that do; launches it elsewhere', async () => {
      const expected = [
        'Unsupported',
        'Your requested instance type (m8i.large) is not supported in your requested Availability Zone (us-east-1e). Please retry your request by not specifying an Availability Zone or choosing us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1f.',
      ];
      const subnet = (
        await ec2.send(
          new DescribeSubnetsCommand({
            Filters: [
              { Name: 'availability-zone', Values: ['us-east-1e'] },
              { Name: 'default-for-az', Values: ['true'] },
            ],
          }),
        )
      ).Subnets![0]!;
      let err = await rejection(run({ InstanceType: 'm8i.large', SubnetId: subnet.SubnetId! }));
      expect([err.name, err.message]).to.deep.equal(expected);
      err = await rejection(run({ InstanceType: 'm8i.large', Placement: { AvailabilityZone: 'us-east-1e' } }));
      expect([err.name, err.message]).to.deep.equal(expected);
      const ok = await run({ InstanceType: 'm6i.large', SubnetId: subnet.SubnetId! });
      expect(ok.Instances![0]!.Placement!.AvailabilityZone).to.equal('us-east-1e');
      const elsewhere = await run({ InstanceType: 'm8i.large' });
      const inst = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [elsewhere.Instances![0]!.InstanceId!] }))).Reservations![0]!.Instances![0]!;
      expect([inst.InstanceType, inst.Architecture, inst.Placement!.AvailabilityZone]).to.deep.equal(['m8i.large', 'x86_64', 'us-east-1a']);
    });

    it('defaults InstanceType to m1.small, as EC2 does', async () => {
      const r = await run({});
      expect(r.Instances![0]!.InstanceType).to.equal('m1.small');
    });
  });

  it('refuses CreateSubnet in a zone the region does not have, listing the zones it has', async () => {
    const err = await rejection(
      ec2.send(
        new CreateSubnetCommand({
          VpcId: (await ec2.send(new DescribeSubnetsCommand({}))).Subnets![0]!.VpcId!,
          CidrBlock: '172.31.200.0/24',
          AvailabilityZone: 'us-east-1z',
        }),
      ),
    );
    expect([err.name, err.message]).to.deep.equal([
      'InvalidParameterValue',
      'Value (us-east-1z) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f.',
    ]);
  });
});
