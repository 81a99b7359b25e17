import { expect } from 'chai';
import type { AwsSession } from '../../../src/aws/ports.js';
import { gatherFacts, type GatherInput } from '../../../src/preflight/gather.js';
import { config } from '../render/fixtures.js';
import { TRUST_EC2, WINDOWS_IMAGE, written } from './facts.js';

type Handler = (input: Record<string, unknown>) => unknown;

/** A session whose calls answer from `answers` (a thrown Error's name is its AWS code) and are recorded. */
function stubSession(answers: Record<string, Handler>): {
  session: AwsSession;
  calls: { op: string; region: string | undefined; input: Record<string, unknown> }[];
} {
  const calls: { op: string; region: string | undefined; input: Record<string, unknown> }[] = [];
  const port = (service: string, region?: string) =>
    new Proxy(
      {},
      {
        get: (_t, method: string) => async (input: Record<string, unknown>) => {
          const op = `${service}:${method}`;
          calls.push({ op, region, input });
          const h = answers[op];
          if (!h) throw Object.assign(new Error(`no answer for ${op}`), { name: 'Unanswered' });
          return h(input);
        },
      },
    );
  const session = {
    defaultRegion: 'us-east-1',
    ec2: (r?: string) => port('ec2', r),
    ssm: (r?: string) => port('ssm', r),
    sts: (r?: string) => port('sts', r),
    iam: () => port('iam'),
    kms: (r?: string) => port('kms', r),
    assumeRole: async () => session,
  } as unknown as AwsSession;
  return { session, calls };
}

const fail = (name: string) => () => {
  throw Object.assign(new Error(`${name}: refused`), { name });
};

const NETWORK: Record<string, Handler> = {
  'ec2:describeSubnets': () => ({
    Subnets: [{ SubnetId: 'subnet-0a', VpcId: 'vpc-1', AvailabilityZone: 'us-east-1c', CidrBlock: '172.31.0.0/20', MapPublicIpOnLaunch: true }],
  }),
  'ec2:describeRouteTables': () => ({ RouteTables: [] }),
  'ec2:describeVpcEndpoints': () => ({ VpcEndpoints: [] }),
  'ec2:describeSecurityGroups': () => ({ SecurityGroups: [] }),
  'ec2:describeInstanceTypes': () => ({ InstanceTypes: [{ InstanceType: 'm6i.large' }] }),
  'ec2:describeInstanceTypeOfferings': () => ({ InstanceTypeOfferings: [] }),
  'ec2:describeRegions': () => ({ Regions: [] }),
  'ec2:describeImages': () => ({ Images: [] }),
};

const PROFILE = {
  'iam:getInstanceProfile': () => ({
    InstanceProfile: {
      InstanceProfileName: 'winami-builder',
      Roles: [{ RoleName: 'winami-builder', Arn: 'arn:aws:iam::111122223333:role/winami-builder', AssumeRolePolicyDocument: TRUST_EC2 }],
    },
  }),
};

function input(session: AwsSession, extra: Record<string, unknown> = {}): GatherInput {
  const c = config(written(extra));
  return {
    session,
    config: c,
    buildId: 'b1',
    region: 'us-east-1',
    account: '111122223333',
    imageName: 'golden-1',
    source: { image: WINDOWS_IMAGE, problem: undefined },
    expectation: undefined,
    env: {},
  };
}

describe('preflight: what gatherFacts asks AWS', () => {
  it("asks for the offering in the configured subnet's zone, and in the region without a subnet", async () => {
    const a = stubSession({ ...NETWORK, ...PROFILE, 'iam:simulatePrincipalPolicy': () => ({ EvaluationResults: [] }) });
    await gatherFacts(input(a.session, { builder: { subnetId: 'subnet-0a', instanceProfile: 'winami-builder' } }));
    const inZone = a.calls.find((c) => c.op === 'ec2:describeInstanceTypeOfferings')!.input;
    expect(inZone).to.deep.include({ LocationType: 'availability-zone' });
    expect(inZone.Filters).to.deep.include({ Name: 'location', Values: ['us-east-1c'] });
    expect(a.calls.find((c) => c.op === 'ec2:describeSubnets')!.input).to.deep.equal({ SubnetIds: ['subnet-0a'] });
    const b = stubSession({ ...NETWORK, ...PROFILE, 'iam:simulatePrincipalPolicy': () => ({ EvaluationResults: [] }) });
    await gatherFacts(input(b.session));
    expect(b.calls.find((c) => c.op === 'ec2:describeInstanceTypeOfferings')!.input).to.deep.include({ LocationType: 'region' });
    expect(b.calls.find((c) => c.op === 'ec2:describeSubnets')!.input).to.deep.equal({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] });
  });

  it('simulates once per resource, with the SSM context for kms:Decrypt, and reads the answers per action', async () => {
    const s = stubSession({
      ...NETWORK,
      ...PROFILE,
      'iam:simulatePrincipalPolicy': (i) => ({
        EvaluationResults: (i.ActionNames as string[]).map((a) => ({
          EvalActionName: a,
          EvalDecision: a === 'ec2messages:SendReply' ? 'implicitDeny' : 'allowed',
        })),
      }),
    });
    const f = await gatherFacts(input(s.session, { windowsSettings: { administrator: { password: { static: 'ssm:/golden/admin' } } } }));
    const sims = s.calls.filter((c) => c.op === 'iam:simulatePrincipalPolicy').map((c) => c.input);
    expect(sims).to.have.length(3);
    expect(sims[0]).to.not.have.property('ResourceArns');
    expect(sims[1]!.ResourceArns).to.deep.equal(['arn:aws:ssm:us-east-1:111122223333:parameter/golden/admin']);
    expect(sims[2]!.ContextEntries).to.deep.equal([
      { ContextKeyName: 'kms:ViaService', ContextKeyValues: ['ssm.us-east-1.amazonaws.com'], ContextKeyType: 'string' },
    ]);
    expect(sims.every((x) => x.PolicySourceArn === 'arn:aws:iam::111122223333:role/winami-builder')).to.equal(true);
    const perms = f.profile!.permissions;
    if (perms.method !== 'simulate') throw new Error(perms.method);
    expect(perms.decisions.filter((d) => !d.allowed).map((d) => d.action)).to.deep.equal(['ec2messages:SendReply']);
  });

  it('maps NotFound codes to "not there" and denials to could-not-check lookups naming the action', async () => {
    const s = stubSession({
      ...NETWORK,
      'ec2:describeInstanceTypes': fail('InvalidInstanceType'),
      'ec2:describeRegions': fail('UnauthorizedOperation'),
      'iam:getInstanceProfile': fail('NoSuchEntity'),
      'kms:describeKey': fail('NotFoundException'),
      'ssm:getParameter': fail('ParameterNotFound'),
    });
    const f = await gatherFacts(input(s.session, { image: { kmsKeyId: 'alias/gone', encrypted: true, publishParameter: '/golden/latest' } }));
    expect(f.instanceType).to.deep.equal({ ok: true, value: undefined });
    expect(f.regions).to.deep.include({ ok: false, denied: true, action: 'ec2:DescribeRegions' });
    expect(f.profile!.profile).to.deep.equal({ ok: true, value: undefined });
    expect(f.kmsKeys[0]!.key).to.deep.equal({ ok: true, value: undefined });
    expect(f.publishParameter[0]!.parameter).to.deep.equal({ ok: true, value: undefined });
    expect(s.calls.filter((c) => c.op === 'iam:simulatePrincipalPolicy')).to.deep.equal([]);
  });

  it("reads the role's policies when simulation is denied, and gives up saying why when that is denied too", async () => {
    const docs = {
      'iam:listAttachedRolePolicies': () => ({ AttachedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' }] }),
      'iam:getPolicy': () => ({ Policy: { DefaultVersionId: 'v2' } }),
      'iam:getPolicyVersion': () => ({
        PolicyVersion: {
          Document: encodeURIComponent(
            JSON.stringify({ Statement: [{ Effect: 'Allow', Action: ['ssm:*', 'ec2messages:*', 'ssmmessages:*'], Resource: '*' }] }),
          ),
        },
      }),
      'iam:listRolePolicies': () => ({ PolicyNames: [] }),
    };
    const s = stubSession({ ...NETWORK, ...PROFILE, ...docs, 'iam:simulatePrincipalPolicy': fail('AccessDenied') });
    const f = await gatherFacts(input(s.session));
    expect(f.profile!.permissions.method).to.equal('policies');
    if (f.profile!.permissions.method === 'policies') expect(f.profile!.permissions.decisions.every((d) => d.allowed)).to.equal(true);
    expect(s.calls.find((c) => c.op === 'iam:getPolicyVersion')!.input).to.deep.equal({
      PolicyArn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
      VersionId: 'v2',
    });
    const none = stubSession({
      ...NETWORK,
      ...PROFILE,
      'iam:simulatePrincipalPolicy': fail('AccessDenied'),
      'iam:listAttachedRolePolicies': fail('AccessDenied'),
    });
    const g = await gatherFacts(input(none.session));
    expect(g.profile!.permissions).to.deep.include({ method: 'none' });
  });

  it('makes read-only calls only', async () => {
    const s = stubSession({
      ...NETWORK,
      ...PROFILE,
      'iam:simulatePrincipalPolicy': () => ({ EvaluationResults: [] }),
      'kms:describeKey': () => ({ KeyMetadata: {} }),
      'ssm:getParameter': () => ({}),
    });
    await gatherFacts(input(s.session, { image: { encrypted: true, regions: [{ region: 'eu-west-1' }], publishParameter: '/golden/latest' } }));
    expect(s.calls.map((c) => c.op.split(':')[1]).filter((m) => !/^(describe|get|list|simulate)/.test(m!))).to.deep.equal([]);
    expect(s.calls.filter((c) => c.op === 'kms:describeKey').map((c) => `${c.region} ${String(c.input.KeyId)}`)).to.deep.equal([
      'us-east-1 alias/aws/ebs',
      'eu-west-1 alias/aws/ebs',
    ]);
  });
});
