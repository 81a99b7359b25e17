/**
 * The emulator's IAM through the real @aws-sdk/client-iam: the seeded builder
 * role and profile, role / instance profile / policy lifecycles with IAM's
 * refusals, and SimulatePrincipalPolicy's evaluation.
 */
import { expect } from 'chai';
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteInstanceProfileCommand,
  DeletePolicyCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetInstanceProfileCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  PutRolePolicyCommand,
  RemoveRoleFromInstanceProfileCommand,
  SimulatePrincipalPolicyCommand,
} from '@aws-sdk/client-iam';
import { EMULATOR_ACCOUNTS, type Emulator } from '../../emulator/index.js';
import { rejection, withEmulator } from './helpers.js';

const SSM_CORE = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const allow = (actions: string | string[], resource: string | string[] = '*') =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: resource }] });

function iamFor(emu: Emulator, n = 0): IAMClient {
  const a = EMULATOR_ACCOUNTS[n]!;
  return new IAMClient({
    region: 'us-east-1',
    endpoint: emu.endpoint,
    credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
    maxAttempts: 1,
  });
}

async function expectError(p: Promise<unknown>, name: string, message: string | RegExp, status?: number): Promise<void> {
  const err = await rejection(p);
  expect(err.name, err.message).to.equal(name);
  if (typeof message === 'string') expect(err.message).to.equal(message);
  else expect(err.message).to.match(message);
  if (status !== undefined) expect(err.$metadata?.httpStatusCode).to.equal(status);
}

describe('emulator: IAM', function () {
  this.timeout(30_000);
  let emu: Emulator;
  let iam: IAMClient;
  before(async () => {
    emu = await withEmulator();
    iam = iamFor(emu);
  });
  after(async () => {
    await emu.stop();
  });
  beforeEach(async () => {
    await emu.control.reset();
  });

  it('seeds the winami-builder role (EC2 trust, AmazonSSMManagedInstanceCore) and instance profile in every account', async () => {
    for (const [n, a] of EMULATOR_ACCOUNTS.entries()) {
      const c = iamFor(emu, n);
      const role = (await c.send(new GetRoleCommand({ RoleName: 'winami-builder' }))).Role!;
      expect(role.Arn).to.equal(`arn:aws:iam::${a.accountId}:role/winami-builder`);
      expect(role.RoleId).to.match(/^AROA[A-Z2-7]{17}$/);
      const trust = JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!));
      expect(trust.Statement[0]).to.deep.include({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });
      const attached = (await c.send(new ListAttachedRolePoliciesCommand({ RoleName: 'winami-builder' }))).AttachedPolicies;
      expect(attached).to.deep.equal([{ PolicyName: 'AmazonSSMManagedInstanceCore', PolicyArn: SSM_CORE }]);
      const profile = (await c.send(new GetInstanceProfileCommand({ InstanceProfileName: 'winami-builder' }))).InstanceProfile!;
      expect(profile.Arn).to.equal(`arn:aws:iam::${a.accountId}:instance-profile/winami-builder`);
      expect(profile.InstanceProfileId).to.match(/^AIPA[A-Z2-7]{17}$/);
      expect(profile.Roles!.map((r) => r.RoleName)).to.deep.equal(['winami-builder']);
    }
  });

  it('knows AmazonSSMManagedInstanceCore with its statements (v2)', async () => {
    const p = (await iam.send(new GetPolicyCommand({ PolicyArn: SSM_CORE }))).Policy!;
    expect(p).to.include({ PolicyName: 'AmazonSSMManagedInstanceCore', DefaultVersionId: 'v2', IsAttachable: true, AttachmentCount: 1, Path: '/' });
    const v = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: SSM_CORE, VersionId: 'v2' }))).PolicyVersion!;
    const doc = JSON.parse(decodeURIComponent(v.Document!));
    const actions = doc.Statement.flatMap((s: { Action: string[] }) => s.Action);
    expect(actions).to.include.members([
      'ssm:UpdateInstanceInformation',
      'ssm:GetParameters',
      'ec2messages:GetMessages',
      'ssmmessages:CreateControlChannel',
      'ssm:PutInventory',
    ]);
    expect(actions).to.have.length(25);
    await expectError(
      iam.send(new GetPolicyVersionCommand({ PolicyArn: SSM_CORE, VersionId: 'v1' })),
      'NoSuchEntityException',
      `Policy ${SSM_CORE} version v1 does not exist or is not attachable.`,
      404,
    );
    await expectError(
      iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/NoSuchPolicy' })),
      'NoSuchEntityException',
      'Policy arn:aws:iam::aws:policy/NoSuchPolicy was not found.',
      404,
    );
  });

  it('creates, lists and deletes a role, refusing duplicates, bad names, bad trust policies and unknown roles', async () => {
    const created = (
      await iam.send(new CreateRoleCommand({ RoleName: 'builder-2', Path: '/winami/', AssumeRolePolicyDocument: TRUST, Description: 'second builder' }))
    ).Role!;
    expect(created).to.include({
      RoleName: 'builder-2',
      Path: '/winami/',
      Arn: 'arn:aws:iam::111111111111:role/winami/builder-2',
      Description: 'second builder',
      MaxSessionDuration: 3600,
    });
    expect(created.CreateDate).to.be.instanceOf(Date);
    expect(JSON.parse(decodeURIComponent(created.AssumeRolePolicyDocument!))).to.deep.equal(JSON.parse(TRUST));
    await expectError(
      iam.send(new CreateRoleCommand({ RoleName: 'BUILDER-2', AssumeRolePolicyDocument: TRUST })),
      'EntityAlreadyExistsException',
      'Role with name BUILDER-2 already exists.',
      409,
    );
    await expectError(
      iam.send(new CreateRoleCommand({ RoleName: 'bad name', AssumeRolePolicyDocument: TRUST })),
      'ValidationError',
      "1 validation error detected: Value 'bad name' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
      400,
    );
    await expectError(
      iam.send(new CreateRoleCommand({ RoleName: 'x'.repeat(65), AssumeRolePolicyDocument: TRUST })),
      'ValidationError',
      /Member must have length less than or equal to 64/,
    );
    await expectError(
      iam.send(new CreateRoleCommand({ RoleName: 'r1', AssumeRolePolicyDocument: allow('sts:AssumeRole') })),
      'MalformedPolicyDocumentException',
      'Has prohibited field Resource',
      400,
    );
    await expectError(
      iam.send(new CreateRoleCommand({ RoleName: 'r1', AssumeRolePolicyDocument: '{"Version":' })),
      'MalformedPolicyDocumentException',
      'Syntax errors in policy.',
    );
    const listed = (await iam.send(new ListRolesCommand({}))).Roles!.map((r) => r.RoleName);
    expect(listed).to.deep.equal(['builder-2', 'winami-builder']);
    expect((await iam.send(new ListRolesCommand({ PathPrefix: '/winami/' }))).Roles!.map((r) => r.RoleName)).to.deep.equal(['builder-2']);
    await iam.send(new DeleteRoleCommand({ RoleName: 'builder-2' }));
    await expectError(iam.send(new GetRoleCommand({ RoleName: 'builder-2' })), 'NoSuchEntityException', 'The role with name builder-2 cannot be found.', 404);
    await expectError(
      iam.send(new DeleteRoleCommand({ RoleName: 'builder-2' })),
      'NoSuchEntityException',
      'The role with name builder-2 cannot be found.',
      404,
    );
  });

  it('keeps IAM per account', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'only-in-1', AssumeRolePolicyDocument: TRUST }));
    await expectError(
      iamFor(emu, 1).send(new GetRoleCommand({ RoleName: 'only-in-1' })),
      'NoSuchEntityException',
      'The role with name only-in-1 cannot be found.',
    );
  });

  it('pages ListRoles with MaxItems and Marker', async () => {
    for (const n of ['a', 'b', 'c']) await iam.send(new CreateRoleCommand({ RoleName: `page-${n}`, AssumeRolePolicyDocument: TRUST }));
    const first = await iam.send(new ListRolesCommand({ MaxItems: 2 }));
    expect(first.IsTruncated).to.equal(true);
    expect(first.Roles!.map((r) => r.RoleName)).to.deep.equal(['page-a', 'page-b']);
    const second = await iam.send(new ListRolesCommand({ MaxItems: 2, Marker: first.Marker! }));
    expect(second.IsTruncated).to.equal(false);
    expect(second.Marker).to.equal(undefined);
    expect(second.Roles!.map((r) => r.RoleName)).to.deep.equal(['page-c', 'winami-builder']);
  });

  it('runs an instance profile through its lifecycle with the delete conflicts and the one-role quota', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'r-a', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new CreateRoleCommand({ RoleName: 'r-b', AssumeRolePolicyDocument: TRUST }));
    const p = (await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'prof' }))).InstanceProfile!;
    expect(p).to.include({ InstanceProfileName: 'prof', Path: '/', Arn: 'arn:aws:iam::111111111111:instance-profile/prof' });
    expect(p.Roles).to.deep.equal([]);
    await expectError(
      iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'prof' })),
      'EntityAlreadyExistsException',
      'Instance Profile prof already exists.',
      409,
    );
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'prof', RoleName: 'r-a' }));
    await expectError(
      iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'prof', RoleName: 'r-b' })),
      'LimitExceededException',
      'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1',
      409,
    );
    await expectError(
      iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'prof', RoleName: 'nope' })),
      'NoSuchEntityException',
      'The role with name nope cannot be found.',
    );
    await expectError(
      iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'prof' })),
      'DeleteConflictException',
      'Cannot delete entity, must remove roles from instance profile first.',
      409,
    );
    await expectError(
      iam.send(new DeleteRoleCommand({ RoleName: 'r-a' })),
      'DeleteConflictException',
      'Cannot delete entity, must remove roles from instance profile first.',
      409,
    );
    const listed = (await iam.send(new ListInstanceProfilesCommand({}))).InstanceProfiles!;
    expect(listed.map((x) => [x.InstanceProfileName, x.Roles!.map((r) => r.RoleName)])).to.deep.equal([
      ['prof', ['r-a']],
      ['winami-builder', ['winami-builder']],
    ]);
    await iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'prof', RoleName: 'r-a' }));
    await expectError(
      iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'prof', RoleName: 'r-a' })),
      'NoSuchEntityException',
      'The role with name r-a cannot be found.',
    );
    await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'prof' }));
    await expectError(
      iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'prof' })),
      'NoSuchEntityException',
      'Instance Profile prof cannot be found.',
      404,
    );
  });

  it('attaches managed policies with its refusals and counts attachments', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: TRUST }));
    const pol = (await iam.send(new CreatePolicyCommand({ PolicyName: 'read-params', PolicyDocument: allow('ssm:GetParameter'), Description: 'd' }))).Policy!;
    expect(pol).to.include({
      PolicyName: 'read-params',
      Arn: 'arn:aws:iam::111111111111:policy/read-params',
      DefaultVersionId: 'v1',
      AttachmentCount: 0,
      IsAttachable: true,
    });
    expect(pol.PolicyId).to.match(/^ANPA[A-Z2-7]{17}$/);
    await expectError(
      iam.send(new CreatePolicyCommand({ PolicyName: 'read-params', PolicyDocument: allow('ssm:GetParameter') })),
      'EntityAlreadyExistsException',
      'A policy called read-params already exists. Duplicate names are not allowed.',
      409,
    );
    await expectError(
      iam.send(
        new CreatePolicyCommand({
          PolicyName: 'p2',
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'GetParameter', Resource: '*' }] }),
        }),
      ),
      'MalformedPolicyDocumentException',
      'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
    );
    await expectError(
      iam.send(
        new CreatePolicyCommand({
          PolicyName: 'p2',
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject' }] }),
        }),
      ),
      'MalformedPolicyDocumentException',
      'Policy statement must contain resources.',
    );
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'r', PolicyArn: pol.Arn! }));
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: pol.Arn! }))).Policy).to.include({ AttachmentCount: 1, Description: 'd' });
    await expectError(
      iam.send(new DeletePolicyCommand({ PolicyArn: pol.Arn! })),
      'DeleteConflictException',
      'Cannot delete a policy attached to entities.',
      409,
    );
    await expectError(
      iam.send(new DeleteRoleCommand({ RoleName: 'r' })),
      'DeleteConflictException',
      'Cannot delete entity, must detach all policies first.',
      409,
    );
    await expectError(
      iam.send(new AttachRolePolicyCommand({ RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/NotAPolicy' })),
      'NoSuchEntityException',
      'Policy arn:aws:iam::aws:policy/NotAPolicy does not exist or is not attachable.',
      404,
    );
    await expectError(
      iam.send(new AttachRolePolicyCommand({ RoleName: 'r', PolicyArn: 'not-an-arn' })),
      'InvalidInputException',
      'ARN not-an-arn is not valid.',
      400,
    );
    for (let i = 0; i < 9; i++) {
      const p = (await iam.send(new CreatePolicyCommand({ PolicyName: `fill-${i}`, PolicyDocument: allow('s3:GetObject') }))).Policy!;
      await iam.send(new AttachRolePolicyCommand({ RoleName: 'r', PolicyArn: p.Arn! }));
    }
    await expectError(
      iam.send(new AttachRolePolicyCommand({ RoleName: 'r', PolicyArn: SSM_CORE })),
      'LimitExceededException',
      'Cannot exceed quota for PoliciesPerRole: 10',
      409,
    );
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'r', PolicyArn: pol.Arn! }));
    await expectError(
      iam.send(new DetachRolePolicyCommand({ RoleName: 'r', PolicyArn: pol.Arn! })),
      'NoSuchEntityException',
      `Policy ${pol.Arn} was not found.`,
      404,
    );
    await iam.send(new DeletePolicyCommand({ PolicyArn: pol.Arn! }));
    await expectError(iam.send(new GetPolicyCommand({ PolicyArn: pol.Arn! })), 'NoSuchEntityException', `Policy ${pol.Arn} was not found.`);
  });

  it('stores inline role policies, refusing principals in permission policies', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: TRUST }));
    await expectError(
      iam.send(new PutRolePolicyCommand({ RoleName: 'r', PolicyName: 'p', PolicyDocument: TRUST })),
      'MalformedPolicyDocumentException',
      'Policy document should not specify a principal.',
      400,
    );
    await expectError(
      iam.send(new PutRolePolicyCommand({ RoleName: 'nope', PolicyName: 'p', PolicyDocument: allow('s3:*') })),
      'NoSuchEntityException',
      'The role with name nope cannot be found.',
    );
    await iam.send(new PutRolePolicyCommand({ RoleName: 'r', PolicyName: 'p', PolicyDocument: allow('s3:*') }));
    const got = await iam.send(new GetRolePolicyCommand({ RoleName: 'r', PolicyName: 'p' }));
    expect(got).to.include({ RoleName: 'r', PolicyName: 'p' });
    expect(JSON.parse(decodeURIComponent(got.PolicyDocument!))).to.deep.equal(JSON.parse(allow('s3:*')));
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'r' }))).PolicyNames).to.deep.equal(['p']);
    await expectError(iam.send(new DeleteRoleCommand({ RoleName: 'r' })), 'DeleteConflictException', 'Cannot delete entity, must delete policies first.');
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'r', PolicyName: 'p' }));
    await expectError(
      iam.send(new GetRolePolicyCommand({ RoleName: 'r', PolicyName: 'p' })),
      'NoSuchEntityException',
      'The role policy with name p cannot be found.',
      404,
    );
    await iam.send(new DeleteRoleCommand({ RoleName: 'r' }));
  });

  describe('SimulatePrincipalPolicy', () => {
    const simulate = (arn: string, actions: string[], extra: Record<string, unknown> = {}) =>
      iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: arn, ActionNames: actions, ...extra })).then((r) => r.EvaluationResults!);
    const builder = 'arn:aws:iam::111111111111:role/winami-builder';

    it('allows what AmazonSSMManagedInstanceCore grants, naming the matched policy, and implicitly denies the rest', async () => {
      const [online, launch] = await simulate(builder, ['ssm:UpdateInstanceInformation', 'ec2:RunInstances']);
      expect(online).to.deep.include({ EvalActionName: 'ssm:UpdateInstanceInformation', EvalResourceName: '*', EvalDecision: 'allowed' });
      expect(online!.MatchedStatements).to.deep.equal([{ SourcePolicyId: 'AmazonSSMManagedInstanceCore', SourcePolicyType: 'aws-managed' }]);
      expect(launch).to.deep.include({ EvalActionName: 'ec2:RunInstances', EvalDecision: 'implicitDeny', MatchedStatements: [] });
    });

    it('lets an explicit Deny win over an Allow, and honours NotAction and wildcards', async () => {
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'winami-builder',
          PolicyName: 'no-inventory',
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'ssm:Put*', Resource: '*' }] }),
        }),
      );
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'winami-builder',
          PolicyName: 'all-but-iam',
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }] }),
        }),
      );
      const [put, get, iamCall, other] = await simulate(builder, ['ssm:PutInventory', 'SSM:getparameter', 'iam:PassRole', 'ec2:DescribeImages']);
      expect(put).to.deep.include({ EvalDecision: 'explicitDeny', MatchedStatements: [{ SourcePolicyId: 'no-inventory', SourcePolicyType: 'role' }] });
      expect(get!.EvalDecision).to.equal('allowed');
      expect(iamCall!.EvalDecision).to.equal('implicitDeny');
      expect(other).to.deep.include({ EvalDecision: 'allowed', MatchedStatements: [{ SourcePolicyId: 'all-but-iam', SourcePolicyType: 'role' }] });
    });

    it('matches Resource wildcards per resource and reports condition keys it cannot evaluate', async () => {
      await iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: TRUST }));
      await iam.send(new PutRolePolicyCommand({ RoleName: 'r', PolicyName: 'bucket', PolicyDocument: allow('s3:GetObject', 'arn:aws:s3:::media-*/*') }));
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'r',
          PolicyName: 'cond',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } } },
            ],
          }),
        }),
      );
      const results = await simulate('arn:aws:iam::111111111111:role/r', ['s3:GetObject', 'kms:Decrypt'], {
        ResourceArns: ['arn:aws:s3:::media-eu/a.iso', 'arn:aws:s3:::other/a.iso'],
      });
      expect(results.map((r) => [r.EvalActionName, r.EvalResourceName, r.EvalDecision])).to.deep.equal([
        ['s3:GetObject', 'arn:aws:s3:::media-eu/a.iso', 'allowed'],
        ['s3:GetObject', 'arn:aws:s3:::other/a.iso', 'implicitDeny'],
        ['kms:Decrypt', 'arn:aws:s3:::media-eu/a.iso', 'implicitDeny'],
        ['kms:Decrypt', 'arn:aws:s3:::other/a.iso', 'implicitDeny'],
      ]);
      expect(results[2]!.MissingContextValues).to.deep.equal(['kms:ViaService']);
    });

    it('simulates the calling user (AdministratorAccess) and extra PolicyInputList documents', async () => {
      const [admin] = await simulate('arn:aws:iam::111111111111:user/emulator', ['iam:PassRole']);
      expect(admin).to.deep.include({
        EvalDecision: 'allowed',
        MatchedStatements: [{ SourcePolicyId: 'AdministratorAccess', SourcePolicyType: 'aws-managed' }],
      });
      const [denied] = await simulate('arn:aws:iam::111111111111:user/emulator', ['iam:PassRole'], {
        PolicyInputList: [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:*', Resource: '*' }] })],
      });
      expect(denied).to.deep.include({ EvalDecision: 'explicitDeny', MatchedStatements: [{ SourcePolicyId: 'PolicyInputList.1', SourcePolicyType: 'none' }] });
    });

    it('refuses unknown principals and malformed ARNs', async () => {
      await expectError(
        simulate('arn:aws:iam::111111111111:role/ghost', ['s3:GetObject']),
        'NoSuchEntityException',
        'The role with name ghost cannot be found.',
        404,
      );
      await expectError(simulate('ghost', ['s3:GetObject']), 'InvalidInputException', 'Invalid ARN: ghost', 400);
    });
  });

  it('answers an unknown action as IAM does', async () => {
    const a = EMULATOR_ACCOUNTS[0]!;
    const res = await fetch(emu.endpoint, {
      method: 'POST',
      body: 'Action=CreateUserGroup&Version=2010-05-08',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `AWS4-HMAC-SHA256 Credential=${a.accessKeyId}/20261123/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0`,
      },
    });
    const text = await res.text();
    expect(res.status).to.equal(400);
    expect(text).to.contain('<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">').and.contain('<Code>InvalidAction</Code>');
  });
});
