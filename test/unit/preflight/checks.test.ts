import { expect } from 'chai';
import type { RouteTable } from '@aws-sdk/client-ec2';
import { PREFLIGHT_CHECKS, runChecks } from '../../../src/preflight/checks/index.js';
import { sourceImageCheck } from '../../../src/preflight/checks/source-image.js';
import { instanceTypeCheck } from '../../../src/preflight/checks/instance-type.js';
import { instanceProfileCheck } from '../../../src/preflight/checks/instance-profile.js';
import { cidrContains, networkCheck } from '../../../src/preflight/checks/network.js';
import { kmsKeysCheck } from '../../../src/preflight/checks/kms-keys.js';
import { regionsCheck } from '../../../src/preflight/checks/regions.js';
import { imageNameCheck } from '../../../src/preflight/checks/image-name.js';
import { publishParameterCheck } from '../../../src/preflight/checks/publish-parameter.js';
import { secretsCheck } from '../../../src/preflight/checks/secrets.js';
import { kmsKeysOf, preflightActions, profileName } from '../../../src/preflight/gather.js';
import type { Finding, PreflightCheck, PreflightFacts } from '../../../src/preflight/types.js';
import { ACCOUNT, DEFAULT_GROUP, denied, endpoint, facts, MAIN_TABLE, ok, REGION, SUBNET, TRUST_EC2, WINDOWS_IMAGE } from './facts.js';

const problems = (c: PreflightCheck, f: PreflightFacts): Finding[] => c.run(f).filter((x) => x.level === 'problem');
const warnings = (c: PreflightCheck, f: PreflightFacts): Finding[] => c.run(f).filter((x) => x.level === 'warning');
const net = (f: PreflightFacts) => {
  if (!f.network.ok || !f.network.value) throw new Error('fixture network');
  return f.network.value;
};

describe('preflight checks', () => {
  it('find nothing for a good config, each check and all together', () => {
    const f = facts({ image: { encrypted: true, regions: [{ region: 'eu-west-1' }], publishParameter: '/golden/win/latest' } }, (x) => {
      x.kmsKeys = kmsKeysOf(x.config).map((k) => ({
        ...k,
        key: ok({ KeyId: 'k', KeyState: 'Enabled', KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'SYMMETRIC_DEFAULT' }),
      }));
    });
    for (const c of PREFLIGHT_CHECKS) expect(c.run(f), c.id).to.deep.equal([]);
    expect(runChecks(f)).to.deep.equal([]);
  });

  it('turn a check that throws into a warning, not a crash', () => {
    const boom: PreflightCheck = {
      id: 'boom',
      title: 'throws',
      run: () => {
        throw new Error('bad data');
      },
    };
    const out = runChecks(facts(), [boom, regionsCheck]);
    expect(out).to.have.length(1);
    expect(out[0]).to.include({ check: 'boom', level: 'warning' });
    expect(out[0]!.message).to.include('bad data');
  });

  describe('source-image', () => {
    it('refuses a missing source, saying what resolveSource found', () => {
      const p = problems(
        sourceImageCheck,
        facts({}, (f) => (f.source = { image: undefined, problem: 'SSM parameter /x does not exist in us-east-1 (ParameterNotFound)' })),
      );
      expect(p).to.have.length(1);
      expect(p[0]!.message).to.include('/x does not exist');
      expect(p[0]!.path).to.equal('source');
    });
    it('refuses an image that is not Windows', () => {
      const p = problems(
        sourceImageCheck,
        facts({}, (f) => (f.source.image = { ...WINDOWS_IMAGE, Platform: undefined, PlatformDetails: 'Linux/UNIX', UsageOperation: 'RunInstances' })),
      );
      expect(p.map((x) => x.message).join()).to.include('is not Windows');
    });
    it('refuses empty billing fields', () => {
      const p = problems(
        sourceImageCheck,
        facts({}, (f) => (f.source.image = { ...WINDOWS_IMAGE, PlatformDetails: undefined, UsageOperation: '' })),
      );
      expect(p[0]!.message).to.include('empty billing fields');
    });
    it('refuses a source billed other than licensing.expect says (the image keeps the source billing)', () => {
      const p = problems(sourceImageCheck, facts({ licensing: { expect: 'windows-byol' } }));
      expect(p).to.have.length(1);
      expect(p[0]!.message).to.include('bills as "Windows" (RunInstances:0002)').and.include('"Windows BYOL" (RunInstances:0800');
      expect(p[0]!.path).to.equal('licensing.expect');
    });
    it('refuses a source that contradicts the sql section', () => {
      const f = facts({ source: { ami: 'ami-0123456789abcdef0' }, sql: { mode: 'license-included', version: '2022', edition: 'enterprise' } }, (x) => {
        x.source.image = {
          ...WINDOWS_IMAGE,
          Name: 'Windows_Server-2022-English-Full-SQL_2022_Standard-2025.01.15',
          PlatformDetails: 'Windows with SQL Server Standard',
          UsageOperation: 'RunInstances:0006',
        };
      });
      const msgs = problems(sourceImageCheck, f)
        .map((x) => x.message)
        .join('\n');
      expect(msgs).to.include('declares SQL Server 2022 enterprise').and.include('standard');
    });
    it('refuses an architecture the instance type does not run', () => {
      const p = problems(
        sourceImageCheck,
        facts({}, (f) => (f.source.image = { ...WINDOWS_IMAGE, Architecture: 'arm64' })),
      );
      expect(p).to.have.length(1);
      expect(p[0]!.message).to.include('arm64').and.include('m6i.large runs x86_64');
      expect(p[0]!.path).to.equal('builder.instanceType');
    });
  });

  describe('instance-type', () => {
    it('refuses a type that does not exist', () => {
      const p = problems(
        instanceTypeCheck,
        facts({ builder: { instanceType: 'm9z.huge' } }, (f) => (f.instanceType = ok(undefined))),
      );
      expect(p[0]!.message).to.equal('instance type m9z.huge does not exist in us-east-1');
    });
    it("refuses a type not offered in the subnet's Availability Zone", () => {
      const f = facts(
        { builder: { instanceProfile: 'winami-builder', subnetId: 'subnet-0a' } },
        (x) => (x.offering = ok({ locationType: 'availability-zone', locations: ['us-east-1e'], offeredIn: [] })),
      );
      const p = problems(instanceTypeCheck, f);
      expect(p[0]!.message).to.include('not offered in Availability Zone us-east-1e (of subnet-0a)');
    });
    it('refuses a type not offered in the region', () => {
      const p = problems(
        instanceTypeCheck,
        facts({}, (x) => (x.offering = ok({ locationType: 'region', locations: [REGION], offeredIn: [] }))),
      );
      expect(p[0]!.message).to.include('not offered in region us-east-1');
    });
    it('says it could not check when DescribeInstanceTypes is denied (a warning)', () => {
      const w = warnings(
        instanceTypeCheck,
        facts({}, (x) => (x.instanceType = denied('ec2:DescribeInstanceTypes'))),
      );
      expect(w[0]!.message).to.equal('could not check instance type m6i.large (missing ec2:DescribeInstanceTypes)');
      expect(
        problems(
          instanceTypeCheck,
          facts({}, (x) => (x.instanceType = denied('ec2:DescribeInstanceTypes'))),
        ),
      ).to.deep.equal([]);
    });
  });

  describe('instance-profile', () => {
    it('refuses a profile that does not exist', () => {
      const p = problems(
        instanceProfileCheck,
        facts({}, (f) => (f.profile!.profile = ok(undefined))),
      );
      expect(p[0]!.message).to.equal('instance profile winami-builder does not exist');
    });
    it('refuses a profile without a role', () => {
      const p = problems(
        instanceProfileCheck,
        facts({}, (f) => {
          if (f.profile!.profile.ok) f.profile!.profile.value!.Roles = [];
        }),
      );
      expect(p[0]!.message).to.include('has no role');
    });
    it('refuses a role that does not trust ec2.amazonaws.com', () => {
      const lambda = encodeURIComponent(
        JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
      );
      const p = problems(
        instanceProfileCheck,
        facts({}, (f) => {
          if (f.profile!.profile.ok) f.profile!.profile.value!.Roles![0]!.AssumeRolePolicyDocument = lambda;
        }),
      );
      expect(p[0]!.message).to.include('does not trust ec2.amazonaws.com');
    });
    it('refuses a role without what SSM Agent needs, naming the actions', () => {
      const p = problems(
        instanceProfileCheck,
        facts({}, (f) => {
          if (f.profile!.permissions.method !== 'none')
            for (const d of f.profile!.permissions.decisions) if (d.action.startsWith('ec2messages:')) d.allowed = false;
        }),
      );
      expect(p).to.have.length(1);
      expect(p[0]!.message).to.include('ec2messages:GetMessages').and.include('SSM Agent');
      expect(p[0]!.hint).to.include('AmazonSSMManagedInstanceCore');
    });
    it('refuses a role that cannot read an ssm: secret, naming its ARN', () => {
      const f = facts({ windowsSettings: { administrator: { password: { static: 'ssm:/golden/admin' } } } }, (x) => {
        if (x.profile!.permissions.method !== 'none') for (const d of x.profile!.permissions.decisions) if (d.kind === 'secret') d.allowed = false;
      });
      const p = problems(instanceProfileCheck, f);
      expect(p[0]!.message).to.include(`ssm:GetParameter on arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/golden/admin`);
    });
    it('only warns when kms:Decrypt through SSM is not allowed (the key policy may grant it)', () => {
      const f = facts({ windowsSettings: { administrator: { password: { static: 'ssm:/golden/admin' } } } }, (x) => {
        if (x.profile!.permissions.method !== 'none') for (const d of x.profile!.permissions.decisions) if (d.kind === 'decrypt') d.allowed = false;
      });
      expect(problems(instanceProfileCheck, f)).to.deep.equal([]);
      expect(warnings(instanceProfileCheck, f)[0]!.message).to.include('kms:Decrypt');
    });
    it('says it could not check, as a warning, when neither simulation nor reading policies was allowed', () => {
      const f = facts(
        {},
        (x) => (x.profile!.permissions = { method: 'none', reason: 'missing iam:SimulatePrincipalPolicy, and iam:ListAttachedRolePolicies' }),
      );
      expect(problems(instanceProfileCheck, f)).to.deep.equal([]);
      expect(warnings(instanceProfileCheck, f)[0]!.message).to.include('could not check what role winami-builder allows (missing iam:SimulatePrincipalPolicy');
    });
    it('says it could not check the profile when GetInstanceProfile is denied', () => {
      const f = facts({}, (x) => (x.profile!.profile = denied('iam:GetInstanceProfile')));
      expect(warnings(instanceProfileCheck, f)[0]!.message).to.equal('could not check instance profile winami-builder (missing iam:GetInstanceProfile)');
    });
    it('reads the profile name out of an ARN', () => {
      expect(profileName('arn:aws:iam::111122223333:instance-profile/team/winami-builder')).to.equal('winami-builder');
      expect(profileName('winami-builder')).to.equal('winami-builder');
      expect(TRUST_EC2).to.include('ec2.amazonaws.com');
    });
  });

  describe('network', () => {
    it('passes a private subnet with a NAT route, and one with the three endpoints', () => {
      const nat = facts(
        {},
        (f) => (net(f).routeTables = [{ ...MAIN_TABLE, Routes: [{ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1', State: 'active' }] }]),
      );
      expect(networkCheck.run(nat)).to.deep.equal([]);
      const endpoints = facts({}, (f) => {
        net(f).routeTables = [{ ...MAIN_TABLE, Routes: [] }];
        net(f).endpoints = ['ssm', 'ssmmessages', 'ec2messages'].map((s) => endpoint(s));
      });
      expect(networkCheck.run(endpoints)).to.deep.equal([]);
    });
    it("refuses endpoints whose security groups do not let HTTPS in from the builder, and accepts the VPC's range or the builder's group", () => {
      const withIngress = (rule: Record<string, unknown>) =>
        facts({}, (f) => {
          net(f).routeTables = [{ ...MAIN_TABLE, Routes: [] }];
          net(f).endpoints = ['ssm', 'ssmmessages', 'ec2messages'].map((s) => endpoint(s, { Groups: [{ GroupId: 'sg-0e9', GroupName: 'endpoints' }] }));
          net(f).endpointGroups = [{ GroupId: 'sg-0e9', VpcId: 'vpc-1', IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, ...rule }] }];
        });
      const closed = problems(networkCheck, withIngress({ IpRanges: [{ CidrIp: '10.0.0.0/8' }] }));
      expect(closed).to.have.length(1);
      expect(closed[0]!.message).to.include('vpce-ssm (ssm), vpce-ssmmessages (ssmmessages), vpce-ec2messages (ec2messages) do not let HTTPS (443) in');
      expect(networkCheck.run(withIngress({ IpRanges: [{ CidrIp: '172.31.0.0/16' }] }))).to.deep.equal([]);
      expect(networkCheck.run(withIngress({ UserIdGroupPairs: [{ GroupId: 'sg-0def' }] }))).to.deep.equal([]);
    });
    it('compares IPv4 ranges', () => {
      expect(cidrContains('172.31.0.0/16', '172.31.16.0/20')).to.equal(true);
      expect(cidrContains('0.0.0.0/0', '10.1.2.0/24')).to.equal(true);
      expect(cidrContains('172.31.16.0/20', '172.31.0.0/16')).to.equal(false);
      expect(cidrContains('10.0.0.0/8', '172.31.0.0/20')).to.equal(false);
    });
    it('refuses a subnet with no way to SSM, naming what is missing', () => {
      const f = facts({}, (x) => {
        net(x).routeTables = [{ ...MAIN_TABLE, Routes: [] }];
        net(x).endpoints = [endpoint('ssm'), endpoint('ec2messages', { PrivateDnsEnabled: false })];
      });
      const p = problems(networkCheck, f);
      expect(p).to.have.length(1);
      expect(p[0]!.message)
        .to.include('default subnet subnet-0a')
        .and.include('no 0.0.0.0/0 route')
        .and.include('ssmmessages')
        .and.include('ec2messages')
        .and.not.include('.ssm,');
    });
    it('refuses an internet gateway route without a public IP, and accepts it with associatePublicIp', () => {
      const f = (extra: Record<string, unknown>) => facts(extra, (x) => (net(x).subnets = [{ ...SUBNET, MapPublicIpOnLaunch: false }]));
      expect(problems(networkCheck, f({}))[0]!.message).to.include('no public IP');
      expect(networkCheck.run(f({ builder: { instanceProfile: 'winami-builder', associatePublicIp: true } }))).to.deep.equal([]);
    });
    it("uses the subnet's own route table over the main one", () => {
      const own: RouteTable = {
        RouteTableId: 'rtb-own',
        VpcId: 'vpc-1',
        Associations: [{ SubnetId: 'subnet-0a' }],
        Routes: [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-1', State: 'blackhole' }],
      };
      const p = problems(
        networkCheck,
        facts({}, (x) => net(x).routeTables.push(own)),
      );
      expect(p[0]!.message).to.include('rtb-own');
    });
    it('refuses a configured subnet that does not exist, and a region without default subnets', () => {
      expect(
        problems(
          networkCheck,
          facts({ builder: { subnetId: 'subnet-0f' } }, (x) => (x.network = ok(undefined))),
        )[0]!.message,
      ).to.equal('subnet subnet-0f not found in us-east-1');
      expect(
        problems(
          networkCheck,
          facts({}, (x) => (net(x).subnets = [])),
        )[0]!.message,
      ).to.include('no default VPC subnets');
    });
    it('warns, not refuses, when 0.0.0.0/0 goes to a transit gateway', () => {
      const f = facts(
        {},
        (x) => (net(x).routeTables = [{ ...MAIN_TABLE, Routes: [{ DestinationCidrBlock: '0.0.0.0/0', TransitGatewayId: 'tgw-1', State: 'active' }] }]),
      );
      expect(problems(networkCheck, f)).to.deep.equal([]);
      expect(warnings(networkCheck, f)[0]!.message).to.include('tgw-1');
    });
    it('refuses security groups with no outbound 443, and names missing ones', () => {
      const closed = facts(
        {},
        (x) =>
          (net(x).securityGroups = [
            { ...DEFAULT_GROUP, IpPermissionsEgress: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] },
          ]),
      );
      expect(problems(networkCheck, closed)[0]!.message).to.include('allow no outbound HTTPS (443)');
      const missing = facts({ builder: { instanceProfile: 'winami-builder', securityGroupIds: ['sg-0aa', 'sg-0def'] } });
      expect(problems(networkCheck, missing)[0]!.message).to.equal('security group sg-0aa not found in us-east-1');
      const narrow = facts(
        {},
        (x) =>
          (net(x).securityGroups = [
            { ...DEFAULT_GROUP, IpPermissionsEgress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }] },
          ]),
      );
      expect(problems(networkCheck, narrow)).to.deep.equal([]);
      expect(warnings(networkCheck, narrow)).to.have.length(1);
    });
    it('says it could not check when a network call is denied', () => {
      expect(
        warnings(
          networkCheck,
          facts({}, (x) => (x.network = denied('ec2:DescribeRouteTables'))),
        )[0]!.message,
      ).to.equal('could not check the builder network (missing ec2:DescribeRouteTables)');
    });
  });

  describe('kms-keys', () => {
    const key = (state: string, extra = {}) =>
      ok({ KeyId: '1234abcd', KeyState: state, KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'SYMMETRIC_DEFAULT', ...extra } as never);
    const withKeys = (keys: PreflightFacts['kmsKeys']) => facts({}, (x) => (x.kmsKeys = keys));
    it('lists the configured keys per region, and alias/aws/ebs where encrypted names none', () => {
      const f = facts({
        image: { encrypted: true, kmsKeyId: 'alias/golden', regions: [{ region: 'eu-west-1', kmsKeyId: 'alias/golden-eu' }, { region: 'us-west-2' }] },
      });
      expect(kmsKeysOf(f.config).map((k) => `${k.region} ${k.keyId} ${k.path}`)).to.deep.equal([
        'us-east-1 alias/golden image.kmsKeyId',
        'eu-west-1 alias/golden-eu image.regions[0].kmsKeyId',
        'us-west-2 alias/aws/ebs image.encrypted',
      ]);
      expect(kmsKeysOf(facts().config)).to.deep.equal([]);
    });
    it('refuses a missing key and a disabled one, naming the region', () => {
      const p = problems(
        kmsKeysCheck,
        withKeys([
          { keyId: 'alias/gone', region: 'eu-west-1', path: 'image.regions[0].kmsKeyId', awsManaged: false, key: ok(undefined) },
          { keyId: 'alias/off', region: REGION, path: 'image.kmsKeyId', awsManaged: false, key: key('Disabled') },
        ]),
      );
      expect(p.map((x) => x.message)).to.deep.equal(['KMS key alias/gone does not exist in eu-west-1', 'KMS key alias/off in us-east-1 is Disabled']);
      expect(p[1]!.hint).to.include('enable-key');
    });
    it('refuses an asymmetric key, and accepts a not-yet-created alias/aws/ebs', () => {
      expect(
        problems(
          kmsKeysCheck,
          withKeys([{ keyId: 'k', region: REGION, path: 'image.kmsKeyId', awsManaged: false, key: key('Enabled', { KeySpec: 'RSA_2048' }) }]),
        )[0]!.message,
      ).to.include('symmetric');
      expect(
        kmsKeysCheck.run(withKeys([{ keyId: 'alias/aws/ebs', region: REGION, path: 'image.encrypted', awsManaged: true, key: ok(undefined) }])),
      ).to.deep.equal([]);
    });
    it('refuses a key ARN of another region than the one it encrypts in', () => {
      const arn = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
      const p = problems(
        kmsKeysCheck,
        withKeys([{ keyId: arn, region: 'eu-west-1', path: 'image.regions[0].kmsKeyId', awsManaged: false, key: key('Enabled') }]),
      );
      expect(p[0]!.message).to.equal(`KMS key ${arn} is in us-east-1, but it encrypts in eu-west-1`);
      expect(kmsKeysCheck.run(withKeys([{ keyId: arn, region: 'us-east-1', path: 'image.kmsKeyId', awsManaged: false, key: key('Enabled') }]))).to.deep.equal(
        [],
      );
    });
    it('says it could not check a key when DescribeKey is denied', () => {
      expect(
        warnings(kmsKeysCheck, withKeys([{ keyId: 'k', region: REGION, path: 'image.kmsKeyId', awsManaged: false, key: denied('kms:DescribeKey') }]))[0]!
          .message,
      ).to.equal('could not check KMS key k in us-east-1 (missing kms:DescribeKey)');
    });
  });

  describe('regions', () => {
    // A region the config loader knows (src/knowledge/regions.ts) may still be missing from the account's DescribeRegions.
    it('refuses a target region that is not enabled, and one that does not exist for the account', () => {
      const f = facts({ image: { regions: [{ region: 'ap-east-1' }, { region: 'us-isob-east-1' }] } }, (x) => {
        x.regions = ok([
          { RegionName: REGION, OptInStatus: 'opt-in-not-required' },
          { RegionName: 'ap-east-1', OptInStatus: 'not-opted-in' },
        ]);
      });
      const p = problems(regionsCheck, f);
      expect(p.map((x) => x.region)).to.deep.equal(['ap-east-1', 'us-isob-east-1']);
      expect(p[0]!.message).to.include('ap-east-1 is not enabled for account');
      expect(regionsCheck.run(facts({}, (x) => (x.regions = ok([{ RegionName: REGION, OptInStatus: 'opted-in' }]))))).to.deep.equal([]);
    });
  });

  describe('image-name', () => {
    it('refuses a name an own image already has, in any target region', () => {
      const f = facts(
        { image: { regions: [{ region: 'eu-west-1' }] } },
        (x) => (x.imagesNamed[1]!.images = ok([{ ImageId: 'ami-0old', Name: 'golden-1', State: 'available' }])),
      );
      const p = problems(imageNameCheck, f);
      expect(p).to.have.length(1);
      expect(p[0]!.message).to.equal('an image named "golden-1" already exists in eu-west-1 (ami-0old, available)');
    });
    it('accepts an image of this very build (an earlier attempt, which createImage adopts)', () => {
      const f = facts(
        {},
        (x) => (x.imagesNamed[0]!.images = ok([{ ImageId: 'ami-0mine', Name: 'golden-1', State: 'pending', Tags: [{ Key: 'winami:build-id', Value: 'b1' }] }])),
      );
      expect(imageNameCheck.run(f)).to.deep.equal([]);
      expect(problems(imageNameCheck, { ...f, buildId: 'b2' })).to.have.length(1);
    });
  });

  describe('publish-parameter', () => {
    it('refuses a name SSM reserves (aws or ssm prefix, any case)', () => {
      for (const name of ['/aws/golden/latest', '/SSM/golden', '/awsgolden/x']) {
        expect(problems(publishParameterCheck, facts({ image: { publishParameter: name } })), name).to.have.length(1);
      }
      expect(publishParameterCheck.run(facts({ image: { publishParameter: '/golden/aws/latest' } }))).to.deep.equal([]);
    });
    it('refuses an existing parameter of another type, and accepts an existing String', () => {
      const f = (Type: 'String' | 'SecureString') =>
        facts({ image: { publishParameter: '/golden/latest' } }, (x) => (x.publishParameter[0]!.parameter = ok({ Name: '/golden/latest', Type })));
      expect(problems(publishParameterCheck, f('SecureString'))[0]!.message).to.equal(
        'parameter /golden/latest in us-east-1 is a SecureString, not a String holding an image id',
      );
      expect(publishParameterCheck.run(f('String'))).to.deep.equal([]);
    });
  });

  describe('secrets', () => {
    it('refuses an env: secret whose variable is not set', () => {
      const f = facts({ windowsSettings: { productKey: 'env:WINAMI_KEY' } });
      expect(problems(secretsCheck, f)[0]!.message).to.include('WINAMI_KEY, which is not set');
      expect(secretsCheck.run({ ...f, env: { WINAMI_KEY: 'x' } })).to.deep.equal([]);
    });
  });

  describe('preflightActions', () => {
    it('lists IAM, KMS and SSM reads only when the config needs them', () => {
      expect(preflightActions(facts({ builder: {} }).config)).to.not.include.members(['iam:GetInstanceProfile']);
      const all = preflightActions(facts({ image: { encrypted: true, publishParameter: '/golden/latest' } }).config);
      expect(all).to.include.members([
        'iam:GetInstanceProfile',
        'iam:SimulatePrincipalPolicy',
        'kms:DescribeKey',
        'ssm:GetParameter',
        'ec2:DescribeVpcEndpoints',
      ]);
      expect(all.every((a) => /:(Describe|Get|Simulate)/.test(a))).to.equal(true);
    });
  });
});
