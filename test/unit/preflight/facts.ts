/** Plain preflight facts for the check tests: a good baseline that passes every check, and ways to break it. */
import type { Image, RouteTable, SecurityGroup, Subnet, VpcEndpoint } from '@aws-sdk/client-ec2';
import type { ResolvedConfig } from '../../../src/config/types.js';
import type { Lookup, NetworkFacts, PreflightFacts, RoleDecision } from '../../../src/preflight/types.js';
import { roleRequirements } from '../../../src/preflight/role-requirements.js';
import { config } from '../render/fixtures.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '111122223333';

export function written(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'golden', region: REGION, windows: { release: '2022' }, builder: { instanceProfile: 'winami-builder' }, ...extra };
}

export const WINDOWS_IMAGE: Image = {
  ImageId: 'ami-0123456789abcdef0',
  Name: 'Windows_Server-2022-English-Full-Base-2025.01.15',
  Platform: 'windows' as Image['Platform'],
  PlatformDetails: 'Windows',
  UsageOperation: 'RunInstances:0002',
  Architecture: 'x86_64',
  State: 'available',
};

export const SUBNET: Subnet = {
  SubnetId: 'subnet-0a',
  VpcId: 'vpc-1',
  CidrBlock: '172.31.0.0/20',
  AvailabilityZone: 'us-east-1a',
  MapPublicIpOnLaunch: true,
  DefaultForAz: true,
};

export const MAIN_TABLE: RouteTable = {
  RouteTableId: 'rtb-main',
  VpcId: 'vpc-1',
  Associations: [{ Main: true, RouteTableId: 'rtb-main' }],
  Routes: [
    { DestinationCidrBlock: '172.31.0.0/16', GatewayId: 'local', State: 'active' },
    { DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-1', State: 'active' },
  ],
};

export const DEFAULT_GROUP: SecurityGroup = {
  GroupId: 'sg-0def',
  GroupName: 'default',
  VpcId: 'vpc-1',
  IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
};

export function endpoint(service: string, o: Partial<VpcEndpoint> = {}): VpcEndpoint {
  return {
    VpcEndpointId: `vpce-${service}`,
    VpcId: 'vpc-1',
    ServiceName: `com.amazonaws.${REGION}.${service}`,
    VpcEndpointType: 'Interface',
    State: 'available' as VpcEndpoint['State'],
    PrivateDnsEnabled: true,
    ...o,
  };
}

export const ok = <T>(value: T): Lookup<T> => ({ ok: true, value });
export const denied = (action: string): Lookup<never> => ({ ok: false, denied: true, action, message: `AccessDenied: not authorized to perform ${action}` });

export function allowAll(c: ResolvedConfig): RoleDecision[] {
  return roleRequirements(c, { region: REGION, account: ACCOUNT, buildId: 'b1' }).map((r) => ({ ...r, allowed: true }));
}

export const TRUST_EC2 = encodeURIComponent(
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
);

/** Facts for which every check passes; `patch` changes them. */
export function facts(extra: Record<string, unknown> = {}, patch: (f: PreflightFacts) => void = () => {}): PreflightFacts {
  const c = config(written(extra));
  const network: NetworkFacts = { subnets: [SUBNET], routeTables: [MAIN_TABLE], endpoints: [], securityGroups: [DEFAULT_GROUP], endpointGroups: [] };
  const regions = [...new Set([REGION, ...c.image.regions.map((r) => r.region)])];
  const f: PreflightFacts = {
    config: c,
    buildId: 'b1',
    region: REGION,
    account: ACCOUNT,
    imageName: 'golden-1',
    source: { image: WINDOWS_IMAGE, problem: undefined },
    expectation: c.expectation,
    instanceType: ok({ InstanceType: 'm6i.large', ProcessorInfo: { SupportedArchitectures: ['x86_64'] } }),
    offering: ok({ locationType: 'region', locations: [REGION], offeredIn: [REGION] }),
    network: ok(network),
    regions: ok([...regions, 'eu-west-1'].map((RegionName) => ({ RegionName, OptInStatus: 'opt-in-not-required' }))),
    kmsKeys: [],
    imagesNamed: regions.map((region) => ({ region, images: ok([]) })),
    publishParameter: c.image.publishParameter ? regions.map((region) => ({ region, parameter: ok(undefined) })) : [],
    profile: c.builder.instanceProfile
      ? {
          name: c.builder.instanceProfile,
          profile: ok({
            InstanceProfileName: c.builder.instanceProfile,
            Arn: '',
            Path: '/',
            InstanceProfileId: 'AIPA1',
            CreateDate: new Date(0),
            Roles: [
              {
                RoleName: 'winami-builder',
                Arn: `arn:aws:iam::${ACCOUNT}:role/winami-builder`,
                Path: '/',
                RoleId: 'AROA1',
                CreateDate: new Date(0),
                AssumeRolePolicyDocument: TRUST_EC2,
              },
            ],
          }),
          permissions: { method: 'simulate', decisions: allowAll(c) },
        }
      : undefined,
    env: {},
  };
  patch(f);
  return f;
}
