/**
 * The emulator's VPC model through the real EC2 SDK: the default VPC, VPC
 * resources and AWS's refusals, instance placement, and the network paths
 * over which the SSM agent reaches Systems Manager (SPEC.md, "VPC and SSM
 * reachability").
 */
import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  DeleteInternetGatewayCommand,
  DeleteRouteCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeAvailabilityZonesCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeTagsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  ModifySubnetAttributeCommand,
  ModifyVpcAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
  type Instance,
  type RunInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand, DescribeInstanceInformationCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { expect } from 'chai';
import type { Emulator } from '../../emulator/index.js';
import { eventually, rejection, sdk, sleep, WIN2022, withEmulator } from './helpers.js';

const ALL_HTTPS = { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] };

describe('emulator: VPC networking and SSM reachability', function () {
  this.timeout(30_000);
  let emu: Emulator;
  let ec2: EC2Client;
  let ssm: SSMClient;
  let imageId: string;

  before(async () => {
    emu = await withEmulator({ throttling: false });
    ({ ec2, ssm } = sdk(emu));
  });
  after(async () => {
    await emu.stop();
  });
  beforeEach(async () => {
    await emu.control.reset();
    imageId = (await ssm.send(new GetParameterCommand({ Name: WIN2022 }))).Parameter!.Value!;
  });

  async function launch(extra: Partial<RunInstancesCommandInput> = {}): Promise<Instance> {
    const r = await ec2.send(
      new RunInstancesCommand({
        ImageId: imageId,
        MinCount: 1,
        MaxCount: 1,
        InstanceType: 't3.large',
        IamInstanceProfile: { Name: 'winami-builder' },
        ...extra,
      }),
    );
    return r.Instances![0]!;
  }

  async function describeInstance(id: string): Promise<Instance> {
    return (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!.Instances![0]!;
  }

  /** Whether the agent reports Online within `ms` (the world runs at time scale 0.001: boot 60 ms, agent 90 ms). */
  async function onlineWithin(id: string, ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const info = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [id] }] }));
      if (info.InstanceInformationList?.[0]?.PingStatus === 'Online') return true;
      await sleep(25);
    }
    return false;
  }

  /** A new VPC with one subnet in us-east-1a and nothing else: no gateway, no route out. */
  async function isolatedVpc(): Promise<{ vpcId: string; subnetId: string; mainTable: string }> {
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
    const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    const tables = await ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'association.main', Values: ['true'] },
        ],
      }),
    );
    return { vpcId, subnetId, mainTable: tables.RouteTables![0]!.RouteTableId! };
  }

  /** An internet gateway attached to the VPC and a public subnet (us-east-1b) routing 0.0.0.0/0 to it. */
  async function publicSubnet(vpcId: string): Promise<{ subnetId: string; igwId: string }> {
    const igwId = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
    const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.0.0/24', AvailabilityZone: 'us-east-1b' }))).Subnet!.SubnetId!;
    const table = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
    await ec2.send(new CreateRouteCommand({ RouteTableId: table, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId }));
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: table, SubnetId: subnetId }));
    return { subnetId, igwId };
  }

  describe('the default VPC', () => {
    it('seeds 172.31.0.0/16 with a public default subnet per zone, an attached internet gateway, the main route to it and the default group', async () => {
      const vpcs = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))).Vpcs!;
      expect(vpcs).to.have.length(1);
      const vpc = vpcs[0]!;
      expect(vpc).to.include({ CidrBlock: '172.31.0.0/16', IsDefault: true, State: 'available' });
      const zones = (await ec2.send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones!;
      expect(zones.map((z) => z.ZoneName)).to.deep.equal(['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1e', 'us-east-1f']);
      expect(zones[0]).to.include({ ZoneId: 'use1-az1', State: 'available', RegionName: 'us-east-1' });
      const subnets = (
        await ec2.send(
          new DescribeSubnetsCommand({
            Filters: [
              { Name: 'vpc-id', Values: [vpc.VpcId!] },
              { Name: 'default-for-az', Values: ['true'] },
            ],
          }),
        )
      ).Subnets!;
      expect(subnets.map((s) => s.AvailabilityZone).sort()).to.deep.equal(zones.map((z) => z.ZoneName));
      expect(subnets.map((s) => s.CidrBlock)).to.include.members(['172.31.0.0/20', '172.31.16.0/20', '172.31.80.0/20']);
      expect(subnets.every((s) => s.MapPublicIpOnLaunch === true && s.DefaultForAz === true)).to.equal(true);
      const igws = (await ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpc.VpcId!] }] }))).InternetGateways!;
      expect(igws).to.have.length(1);
      const main = (
        await ec2.send(
          new DescribeRouteTablesCommand({
            Filters: [
              { Name: 'vpc-id', Values: [vpc.VpcId!] },
              { Name: 'association.main', Values: ['true'] },
            ],
          }),
        )
      ).RouteTables!;
      expect(main).to.have.length(1);
      expect(main[0]!.Routes!.map((r) => [r.DestinationCidrBlock, r.GatewayId, r.State])).to.deep.equal([
        ['172.31.0.0/16', 'local', 'active'],
        ['0.0.0.0/0', igws[0]!.InternetGatewayId, 'active'],
      ]);
      const sg = (
        await ec2.send(
          new DescribeSecurityGroupsCommand({
            Filters: [
              { Name: 'vpc-id', Values: [vpc.VpcId!] },
              { Name: 'group-name', Values: ['default'] },
            ],
          }),
        )
      ).SecurityGroups!;
      expect(sg).to.have.length(1);
      expect(sg[0]!.IpPermissionsEgress).to.deep.equal([
        { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], UserIdGroupPairs: [], Ipv6Ranges: [], PrefixListIds: [] },
      ]);
      expect(sg[0]!.IpPermissions![0]!.UserIdGroupPairs![0]!.GroupId).to.equal(sg[0]!.GroupId);
    });

    it('keeps each account and region its own default VPC', async () => {
      const mine = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs!.map((v) => v.VpcId);
      const other = (await sdk(emu, 1).ec2.send(new DescribeVpcsCommand({}))).Vpcs!.map((v) => v.VpcId);
      const eu = (await sdk(emu, 0, 'eu-west-1').ec2.send(new DescribeSubnetsCommand({}))).Subnets!;
      expect(mine).to.have.length(1);
      expect(other).to.have.length(1);
      expect(other[0]).to.not.equal(mine[0]);
      expect(eu.map((s) => s.AvailabilityZone).sort()).to.deep.equal(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    });
  });

  describe('RunInstances placement', () => {
    it('puts an instance without SubnetId in the default subnet of the first zone, or of Placement.AvailabilityZone, with a public IP and the default group', async () => {
      const inst = await describeInstance((await launch()).InstanceId!);
      const subnet = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [inst.SubnetId!] }))).Subnets![0]!;
      expect(subnet.AvailabilityZone).to.equal('us-east-1a');
      expect(inst.Placement!.AvailabilityZone).to.equal('us-east-1a');
      expect(inst.VpcId).to.equal(subnet.VpcId);
      expect(inst.PrivateIpAddress).to.match(/^172\.31\.\d+\.\d+$/);
      expect(inst.PublicIpAddress).to.match(/^\d+\.\d+\.\d+\.\d+$/);
      expect(inst.SecurityGroups!.map((g) => g.GroupName)).to.deep.equal(['default']);
      const eni = inst.NetworkInterfaces![0]!;
      expect([eni.SubnetId, eni.VpcId, eni.PrivateIpAddress, eni.Association!.PublicIp, eni.Attachment!.DeviceIndex]).to.deep.equal([
        inst.SubnetId,
        inst.VpcId,
        inst.PrivateIpAddress,
        inst.PublicIpAddress,
        0,
      ]);
      expect(eni.Groups).to.deep.equal(inst.SecurityGroups);
      expect(inst.InstanceType).to.equal('t3.large');
      expect(inst.Architecture).to.equal('x86_64');
      const c = await describeInstance((await launch({ Placement: { AvailabilityZone: 'us-east-1c' } })).InstanceId!);
      expect(c.Placement!.AvailabilityZone).to.equal('us-east-1c');
      expect(c.PrivateIpAddress).to.match(/^172\.31\.(3[2-9]|4[0-7])\./);
      const byFilter = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'subnet-id', Values: [c.SubnetId!] }] }));
      expect(byFilter.Reservations!.flatMap((r) => r.Instances!).map((i) => i.InstanceId)).to.deep.equal([c.InstanceId]);
    });

    it('gives a public IP per the subnet MapPublicIpOnLaunch, or the interface AssociatePublicIpAddress', async () => {
      const { subnetId } = await isolatedVpc();
      const none = await describeInstance((await launch({ SubnetId: subnetId })).InstanceId!);
      expect(none.PublicIpAddress).to.equal(undefined);
      expect(none.PrivateIpAddress).to.equal('10.0.1.4');
      const nic = await describeInstance(
        (await launch({ NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnetId, AssociatePublicIpAddress: true }] })).InstanceId!,
      );
      expect(nic.PublicIpAddress).to.match(/^\d+\.\d+\.\d+\.\d+$/);
      await ec2.send(new ModifySubnetAttributeCommand({ SubnetId: subnetId, MapPublicIpOnLaunch: { Value: true } }));
      const mapped = await describeInstance((await launch({ SubnetId: subnetId })).InstanceId!);
      expect(mapped.PublicIpAddress).to.match(/^\d+\.\d+\.\d+\.\d+$/);
      const optedOut = await describeInstance(
        (await launch({ NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnetId, AssociatePublicIpAddress: false }] })).InstanceId!,
      );
      expect(optedOut.PublicIpAddress).to.equal(undefined);
    });

    it('refuses a subnet or security group that does not exist, groups of another VPC, and interfaces with an instance-level subnet, as EC2 does', async () => {
      const { vpcId, subnetId } = await isolatedVpc();
      let err = await rejection(launch({ SubnetId: 'subnet-0123456789abcdef0' }));
      expect([err.name, err.message]).to.deep.equal(['InvalidSubnetID.NotFound', "The subnet ID 'subnet-0123456789abcdef0' does not exist"]);
      err = await rejection(launch({ SubnetId: subnetId, SecurityGroupIds: ['sg-0123456789abcdef0'] }));
      expect([err.name, err.message]).to.deep.equal(['InvalidGroup.NotFound', `The security group 'sg-0123456789abcdef0' does not exist in VPC '${vpcId}'`]);
      err = await rejection(launch({ SubnetId: subnetId, SecurityGroups: ['default'] }));
      expect([err.name, err.message]).to.deep.equal(['InvalidParameterCombination', 'The parameter groupName cannot be used with the parameter subnet']);
      const byName = await launch({ SecurityGroups: ['default'] });
      expect(byName.SecurityGroups!.map((g) => g.GroupName)).to.deep.equal(['default']);
      const own = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'builders', Description: 'builders', VpcId: vpcId }))).GroupId!;
      err = await rejection(launch({ SecurityGroupIds: [own] }));
      expect(err.name).to.equal('InvalidParameter');
      expect(err.message).to.match(new RegExp(`^Security group ${own} and subnet subnet-[0-9a-f]+ belong to different networks\\.$`));
      const ok = await launch({ SubnetId: subnetId, SecurityGroupIds: [own] });
      expect(ok.SecurityGroups!.map((g) => g.GroupId)).to.deep.equal([own]);
      err = await rejection(launch({ SubnetId: subnetId, NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnetId }] }));
      expect([err.name, err.message]).to.deep.equal([
        'InvalidParameterCombination',
        'Network interfaces and an instance-level subnet ID may not be specified on the same request',
      ]);
      err = await rejection(launch({ Placement: { AvailabilityZone: 'us-east-1z' } }));
      expect([err.name, err.message]).to.deep.equal(['InvalidParameterValue', 'Invalid availability zone: [us-east-1z]']);
    });
    it('without a default VPC, refuses a launch that names no subnet; with a public address mapped, refuses to detach the gateway', async () => {
      const vpc = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))).Vpcs![0]!.VpcId!;
      const igw = (await ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpc] }] }))).InternetGateways![0]!
        .InternetGatewayId!;
      const inst = await launch();
      let err = await rejection(ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc })));
      expect([err.name, err.message]).to.deep.equal([
        'DependencyViolation',
        `Network ${vpc} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`,
      ]);
      await ec2.send(new TerminateInstancesCommand({ InstanceIds: [inst.InstanceId!] }));
      await eventually(async () => ((await describeInstance(inst.InstanceId!)).State!.Name === 'terminated' ? true : undefined), 3000, 'terminated');
      await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc }));
      await ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw }));
      for (const s of (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }] }))).Subnets!) {
        await ec2.send(new DeleteSubnetCommand({ SubnetId: s.SubnetId! }));
      }
      await ec2.send(new DeleteVpcCommand({ VpcId: vpc }));
      err = await rejection(launch());
      expect([err.name, err.message]).to.deep.equal(['VPCIdNotSpecified', 'No default VPC for this user']);
    });
    it('releases the public IP at stop and gives a new one at start, after which the agent is Online again', async () => {
      const inst = await launch();
      const first = (await describeInstance(inst.InstanceId!)).PublicIpAddress;
      expect(first).to.match(/^\d+\.\d+\.\d+\.\d+$/);
      expect(await onlineWithin(inst.InstanceId!, 3000)).to.equal(true);
      await ec2.send(new StopInstancesCommand({ InstanceIds: [inst.InstanceId!] }));
      const stopped = await eventually(
        async () => {
          const i = await describeInstance(inst.InstanceId!);
          return i.State!.Name === 'stopped' ? i : undefined;
        },
        3000,
        'stopped',
      );
      expect(stopped.PublicIpAddress).to.equal(undefined);
      expect(stopped.PrivateIpAddress).to.equal((await describeInstance(inst.InstanceId!)).PrivateIpAddress);
      await ec2.send(new StartInstancesCommand({ InstanceIds: [inst.InstanceId!] }));
      const started = await describeInstance(inst.InstanceId!);
      expect(started.PublicIpAddress).to.match(/^\d+\.\d+\.\d+\.\d+$/);
      expect(await onlineWithin(inst.InstanceId!, 3000)).to.equal(true);
    });
  });

  describe('VPC resources and their refusals', () => {
    it('creates and deletes a VPC with a subnet, refusing bad CIDRs, overlaps and a VPC that still has subnets', async () => {
      let err = await rejection(ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/8' })));
      expect([err.name, err.message]).to.deep.equal(['InvalidVpc.Range', "The CIDR '10.0.0.0/8' is invalid."]);
      const { vpcId, subnetId } = await isolatedVpc();
      const vpc = (await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs![0]!;
      expect(vpc).to.include({ CidrBlock: '10.0.0.0/16', IsDefault: false });
      err = await rejection(ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.128/25' })));
      expect([err.name, err.message]).to.deep.equal(['InvalidSubnet.Conflict', "The CIDR '10.0.1.128/25' conflicts with another subnet"]);
      err = await rejection(ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '192.168.0.0/24' })));
      expect([err.name, err.message]).to.deep.equal(['InvalidSubnet.Range', "The CIDR '192.168.0.0/24' is invalid."]);
      const subnet = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }))).Subnets![0]!;
      expect(subnet).to.include({
        VpcId: vpcId,
        AvailabilityZone: 'us-east-1a',
        AvailabilityZoneId: 'use1-az1',
        MapPublicIpOnLaunch: false,
        DefaultForAz: false,
        AvailableIpAddressCount: 251,
      });
      err = await rejection(ec2.send(new DeleteVpcCommand({ VpcId: vpcId })));
      expect([err.name, err.message]).to.deep.equal(['DependencyViolation', `The vpc '${vpcId}' has dependencies and cannot be deleted.`]);
      const inst = await launch({ SubnetId: subnetId });
      err = await rejection(ec2.send(new DeleteSubnetCommand({ SubnetId: subnetId })));
      expect([err.name, err.message]).to.deep.equal(['DependencyViolation', `The subnet '${subnetId}' has dependencies and cannot be deleted.`]);
      await ec2.send(new TerminateInstancesCommand({ InstanceIds: [inst.InstanceId!] }));
      // A shutting-down instance still holds its interface in the subnet: wait for terminated.
      await eventually(async () => ((await describeInstance(inst.InstanceId!)).State!.Name === 'terminated' ? true : undefined), 3000, 'terminated');
      await ec2.send(new DeleteSubnetCommand({ SubnetId: subnetId }));
      await ec2.send(new DeleteVpcCommand({ VpcId: vpcId }));
      err = await rejection(ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] })));
      expect([err.name, err.message]).to.deep.equal(['InvalidVpcID.NotFound', `The vpc ID '${vpcId}' does not exist`]);
      err = await rejection(ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] })));
      expect([err.name, err.message]).to.deep.equal(['InvalidSubnetID.NotFound', `The subnet ID '${subnetId}' does not exist`]);
    });

    it('routes a subnet through the main table until it is associated with another, and refuses duplicate or missing routes', async () => {
      const { vpcId, subnetId, mainTable } = await isolatedVpc();
      const explicit = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }))).RouteTables!;
      expect(explicit).to.deep.equal([]);
      const table = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
      const assoc = (await ec2.send(new AssociateRouteTableCommand({ RouteTableId: table, SubnetId: subnetId }))).AssociationId!;
      const now = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }))).RouteTables!;
      expect(now.map((t) => t.RouteTableId)).to.deep.equal([table]);
      expect(now[0]!.Associations).to.deep.equal([
        { Main: false, RouteTableAssociationId: assoc, RouteTableId: table, SubnetId: subnetId, AssociationState: { State: 'associated' } },
      ]);
      await ec2.send(new DisassociateRouteTableCommand({ AssociationId: assoc }));
      expect((await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [table] }))).RouteTables![0]!.Associations).to.deep.equal([]);
      const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
      let err = await rejection(ec2.send(new CreateRouteCommand({ RouteTableId: mainTable, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw })));
      expect([err.name, err.message]).to.deep.equal([
        'InvalidParameterValue',
        `route table ${mainTable} and network gateway ${igw} belong to different networks`,
      ]);
      await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
      await ec2.send(new CreateRouteCommand({ RouteTableId: mainTable, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }));
      err = await rejection(ec2.send(new CreateRouteCommand({ RouteTableId: mainTable, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw })));
      expect([err.name, err.message]).to.deep.equal(['RouteAlreadyExists', 'The route identified by 0.0.0.0/0 already exists.']);
      await ec2.send(new DeleteRouteCommand({ RouteTableId: mainTable, DestinationCidrBlock: '0.0.0.0/0' }));
      err = await rejection(ec2.send(new DeleteRouteCommand({ RouteTableId: mainTable, DestinationCidrBlock: '0.0.0.0/0' })));
      expect([err.name, err.message]).to.deep.equal(['InvalidRoute.NotFound', `no route with destination-cidr-block 0.0.0.0/0 in route table ${mainTable}`]);
      err = await rejection(ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: ['rtb-0123456789abcdef0'] })));
      expect([err.name, err.message]).to.deep.equal(['InvalidRouteTableID.NotFound', "The routeTable ID 'rtb-0123456789abcdef0' does not exist"]);
    });

    it('tags VPC resources with CreateTags, filters them by tag and lists them in DescribeTags', async () => {
      const { vpcId, subnetId } = await isolatedVpc();
      const sg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'tagged', Description: 'tagged', VpcId: vpcId }))).GroupId!;
      await ec2.send(new CreateTagsCommand({ Resources: [vpcId, subnetId, sg], Tags: [{ Key: 'Name', Value: 'builders' }] }));
      const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'tag:Name', Values: ['builders'] }] }))).Subnets!;
      expect(subnets.map((s) => [s.SubnetId, s.Tags])).to.deep.equal([[subnetId, [{ Key: 'Name', Value: 'builders' }]]]);
      const tags = (await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'value', Values: ['builders'] }] }))).Tags!;
      expect(tags.map((t) => [t.ResourceId, t.ResourceType]).sort()).to.deep.equal(
        [
          [sg, 'security-group'],
          [subnetId, 'subnet'],
          [vpcId, 'vpc'],
        ].sort(),
      );
      const err = await rejection(ec2.send(new CreateTagsCommand({ Resources: ['subnet-0123456789abcdef0'], Tags: [{ Key: 'k', Value: 'v' }] })));
      expect([err.name, err.message]).to.deep.equal(['InvalidSubnetID.NotFound', "The subnet ID 'subnet-0123456789abcdef0' does not exist"]);
    });

    it('attaches and detaches internet gateways as EC2 allows, and lists them by attachment', async () => {
      const { vpcId } = await isolatedVpc();
      const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
      let err = await rejection(ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId })));
      expect([err.name, err.message]).to.deep.equal(['Gateway.NotAttached', `resource ${igw} is not attached to network ${vpcId}`]);
      await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
      err = await rejection(ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId })));
      expect([err.name, err.message]).to.deep.equal(['Resource.AlreadyAssociated', `resource ${igw} is already attached to network ${vpcId}`]);
      const listed = (await ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }] }))).InternetGateways!;
      expect(listed.map((g) => [g.InternetGatewayId, g.Attachments])).to.deep.equal([[igw, [{ VpcId: vpcId, State: 'available' }]]]);
      await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
      expect(
        (await ec2.send(new DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpcId] }] }))).InternetGateways,
      ).to.deep.equal([]);
    });

    it('authorizes and revokes security group rules, refusing duplicates, unknown rules and the default group deletion', async () => {
      const { vpcId } = await isolatedVpc();
      const sg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web', VpcId: vpcId }))).GroupId!;
      let err = await rejection(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'again', VpcId: vpcId })));
      expect([err.name, err.message]).to.deep.equal(['InvalidGroup.Duplicate', `The security group 'web' already exists for VPC '${vpcId}'`]);
      await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: sg, IpPermissions: [ALL_HTTPS] }));
      err = await rejection(ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: sg, IpPermissions: [ALL_HTTPS] })));
      expect([err.name, err.message]).to.deep.equal([
        'InvalidPermission.Duplicate',
        'the specified rule "peer: 0.0.0.0/0, TCP, from port: 443, to port: 443, ALLOW" already exists',
      ]);
      await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: sg, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
      err = await rejection(
        ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: sg, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] })),
      );
      expect([err.name, err.message]).to.deep.equal(['InvalidPermission.NotFound', 'The specified rule does not exist in this security group.']);
      const byRule = await ec2.send(
        new DescribeSecurityGroupsCommand({
          Filters: [
            { Name: 'ip-permission.to-port', Values: ['443'] },
            { Name: 'ip-permission.cidr', Values: ['0.0.0.0/0'] },
          ],
        }),
      );
      expect(byRule.SecurityGroups!.map((x) => x.GroupId)).to.deep.equal([sg]);
      const g = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [sg] }))).SecurityGroups![0]!;
      expect(g.IpPermissions!.map((p) => [p.IpProtocol, p.FromPort, p.ToPort, p.IpRanges])).to.deep.equal([['tcp', 443, 443, [{ CidrIp: '0.0.0.0/0' }]]]);
      expect(g.IpPermissionsEgress).to.deep.equal([]);
      const def = (
        await ec2.send(
          new DescribeSecurityGroupsCommand({
            Filters: [
              { Name: 'vpc-id', Values: [vpcId] },
              { Name: 'group-name', Values: ['default'] },
            ],
          }),
        )
      ).SecurityGroups![0]!;
      err = await rejection(ec2.send(new DeleteSecurityGroupCommand({ GroupId: def.GroupId! })));
      expect([err.name, err.message]).to.deep.equal(['CannotDelete', `the specified group: "${def.GroupId}" name: "default" cannot be deleted by a user`]);
      await ec2.send(new DeleteSecurityGroupCommand({ GroupId: sg }));
      err = await rejection(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [sg] })));
      expect([err.name, err.message]).to.deep.equal(['InvalidGroup.NotFound', `The security group '${sg}' does not exist`]);
    });
  });

  describe('SSM reachability (the agent comes Online only over a path to Systems Manager)', () => {
    it('internet gateway and public IP: Online; the same subnet without a public IP: never', async () => {
      const { vpcId } = await isolatedVpc();
      const { subnetId } = await publicSubnet(vpcId);
      const withIp = await launch({ NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnetId, AssociatePublicIpAddress: true }] });
      const withoutIp = await launch({ SubnetId: subnetId });
      expect(await onlineWithin(withIp.InstanceId!, 3000)).to.equal(true);
      expect(await onlineWithin(withoutIp.InstanceId!, 600)).to.equal(false);
    });

    it('no route out: never Online; once the subnet routes to an attached gateway, the waiting agent comes Online', async () => {
      const { vpcId, subnetId, mainTable } = await isolatedVpc();
      const inst = await launch({ NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnetId, AssociatePublicIpAddress: true }] });
      expect(await onlineWithin(inst.InstanceId!, 800)).to.equal(false);
      const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
      await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
      expect(await onlineWithin(inst.InstanceId!, 300)).to.equal(false);
      await ec2.send(new CreateRouteCommand({ RouteTableId: mainTable, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }));
      expect(await onlineWithin(inst.InstanceId!, 2000)).to.equal(true);
    });

    it('a private subnet routing 0.0.0.0/0 to a NAT gateway: Online once the NAT gateway is available', async () => {
      const { vpcId, subnetId, mainTable } = await isolatedVpc();
      const pub = await publicSubnet(vpcId);
      emu.control.setDurations({ natGateway: 1_500_000 });
      const eip = (await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId!;
      const nat = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: pub.subnetId, AllocationId: eip }))).NatGateway!;
      expect(nat.State).to.equal('pending');
      await ec2.send(new CreateRouteCommand({ RouteTableId: mainTable, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat.NatGatewayId! }));
      const inst = await launch({ SubnetId: subnetId });
      expect((await describeInstance(inst.InstanceId!)).PublicIpAddress).to.equal(undefined);
      expect(await onlineWithin(inst.InstanceId!, 700)).to.equal(false);
      const described = (await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'vpc-id', Values: [vpcId] }] }))).NatGateways!;
      expect(described.map((g) => [g.NatGatewayId, g.State, g.SubnetId])).to.deep.equal([[nat.NatGatewayId, 'pending', pub.subnetId]]);
      expect(await onlineWithin(inst.InstanceId!, 2500)).to.equal(true);
      expect((await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [nat.NatGatewayId!] }))).NatGateways![0]!.State).to.equal('available');
    });

    it('interface endpoints for ssm, ssmmessages and ec2messages with private DNS: Online; two of the three: never', async () => {
      const { vpcId, subnetId } = await isolatedVpc();
      const endpoint = (svc: string) =>
        ec2.send(
          new CreateVpcEndpointCommand({
            VpcId: vpcId,
            VpcEndpointType: 'Interface',
            ServiceName: `com.amazonaws.us-east-1.${svc}`,
            SubnetIds: [subnetId],
            PrivateDnsEnabled: true,
          }),
        );
      const err = await rejection(endpoint('ssm'));
      expect([err.name, err.message]).to.deep.equal([
        'InvalidParameter',
        `Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for ${vpcId}`,
      ]);
      await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
      await endpoint('ssm');
      await endpoint('ec2messages');
      const two = await launch({ SubnetId: subnetId });
      expect(await onlineWithin(two.InstanceId!, 700)).to.equal(false);
      await endpoint('ssmmessages');
      const listed = (await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).VpcEndpoints!;
      expect(listed.map((e) => e.ServiceName).sort()).to.deep.equal([
        'com.amazonaws.us-east-1.ec2messages',
        'com.amazonaws.us-east-1.ssm',
        'com.amazonaws.us-east-1.ssmmessages',
      ]);
      expect(listed.every((e) => e.VpcEndpointType === 'Interface' && e.PrivateDnsEnabled === true)).to.equal(true);
      const three = await launch({ SubnetId: subnetId });
      expect(await onlineWithin(three.InstanceId!, 3000)).to.equal(true);
      // The agent that found only two endpoints keeps retrying, and connects once the third exists.
      expect(await onlineWithin(two.InstanceId!, 3000)).to.equal(true);
    });

    it('endpoints whose security group does not let the instance in on 443: never Online', async () => {
      const { vpcId, subnetId } = await isolatedVpc();
      await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
      const builders = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'builders', Description: 'builders', VpcId: vpcId }))).GroupId!;
      for (const svc of ['ssm', 'ssmmessages', 'ec2messages']) {
        // No SecurityGroupIds: the endpoints get the VPC's default group, which admits only its own members.
        await ec2.send(
          new CreateVpcEndpointCommand({ VpcId: vpcId, VpcEndpointType: 'Interface', ServiceName: `com.amazonaws.us-east-1.${svc}`, SubnetIds: [subnetId] }),
        );
      }
      const inst = await launch({ SubnetId: subnetId, SecurityGroupIds: [builders] });
      expect(await onlineWithin(inst.InstanceId!, 800)).to.equal(false);
    });

    it('a security group without outbound 443: never Online, even with a public IP and an internet gateway', async () => {
      const sg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'closed', Description: 'no egress' }))).GroupId!;
      await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: sg, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
      await ec2.send(
        new AuthorizeSecurityGroupEgressCommand({
          GroupId: sg,
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        }),
      );
      const closed = await launch({ SecurityGroupIds: [sg] });
      expect((await describeInstance(closed.InstanceId!)).PublicIpAddress).to.match(/^\d+\./);
      expect(await onlineWithin(closed.InstanceId!, 800)).to.equal(false);
      await ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: sg, IpPermissions: [ALL_HTTPS] }));
      expect(await onlineWithin(closed.InstanceId!, 2000)).to.equal(true);
    });

    it('a change that takes the path away: the Online agent reads ConnectionLost, and Online again once the path is back', async () => {
      const inst = await launch();
      expect(await onlineWithin(inst.InstanceId!, 3000)).to.equal(true);
      const subnet = (await describeInstance(inst.InstanceId!)).SubnetId!;
      const main = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.main', Values: ['true'] }] }))).RouteTables![0]!;
      const igw = main.Routes!.find((r) => r.DestinationCidrBlock === '0.0.0.0/0')!.GatewayId!;
      await ec2.send(new DeleteRouteCommand({ RouteTableId: main.RouteTableId!, DestinationCidrBlock: '0.0.0.0/0' }));
      const status = async () =>
        (await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [inst.InstanceId!] }] }))).InstanceInformationList?.[0]
          ?.PingStatus;
      expect(await status()).to.equal('ConnectionLost');
      const table = (await ec2.send(new CreateRouteTableCommand({ VpcId: main.VpcId! }))).RouteTable!.RouteTableId!;
      await ec2.send(new CreateRouteCommand({ RouteTableId: table, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }));
      expect(await status()).to.equal('ConnectionLost');
      await ec2.send(new AssociateRouteTableCommand({ RouteTableId: table, SubnetId: subnet }));
      expect(await status()).to.equal('Online');
    });
  });
});
