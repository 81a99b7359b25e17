/**
 * The preflight through the real bake on the emulator: each refusal stops the
 * bake with exit 10 before anything is created (no RunInstances, no Create*,
 * Put*, Register* or other writing call in the emulator's call log), listing
 * every problem at once; a dry run of a good config makes read-only calls only.
 */
import { expect } from 'chai';
import { mkdtempSync, readdirSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EC2Client,
  CreateSubnetCommand,
  CreateRouteTableCommand,
  AssociateRouteTableCommand,
  CreateSecurityGroupCommand,
  RevokeSecurityGroupEgressCommand,
  DescribeSubnetsCommand,
  CreateVpcEndpointCommand,
  DescribeVpcEndpointsCommand,
  AuthorizeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { IAMClient, CreateRoleCommand, CreateInstanceProfileCommand, AddRoleToInstanceProfileCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { KMSClient, CreateKeyCommand, DisableKeyCommand } from '@aws-sdk/client-kms';
import { EMULATOR_ACCOUNTS, type CallRecord, type Emulator } from '../../emulator/index.js';
import { ExitCode, PreflightError } from '../../src/errors.js';
import { ACCOUNT, bakeOn, cliEnv, configFor, CLI, leftovers, NOTHING, startBakeEmulator, TIME_SCALE } from './bake-harness.js';
import { spawn } from 'node:child_process';

/** Calls that write: none may appear before the preflight has passed. */
const WRITES =
  /^(Run|Create|Put|Register|Copy|Modify|Delete|Deregister|Terminate|Stop|Start|Reboot|Send|Authorize|Revoke|Associate|Attach|Allocate|Enable|Disable|Cancel)/;
const READS = /^(Describe|Get|List|Simulate)/;

function clientConfig(emu: Emulator, region = 'us-east-1') {
  const a = EMULATOR_ACCOUNTS[0]!;
  return { region, endpoint: emu.endpoint, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey } };
}
const ec2Client = (emu: Emulator) => new EC2Client(clientConfig(emu));

/** A profile whose role trusts `service` and has only `policy` inline (none: no permissions at all). */
async function profileWithRole(emu: Emulator, name: string, service: string, policy?: object): Promise<void> {
  const iam = new IAMClient(clientConfig(emu));
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] };
  await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }));
  if (policy) await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'inline', PolicyDocument: JSON.stringify(policy) }));
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: name }));
}

/** A subnet of the default VPC with its own route table that has no way out, and a security group with no egress. */
async function privateSubnet(emu: Emulator): Promise<{ subnetId: string; groupId: string }> {
  const ec2 = ec2Client(emu);
  const def = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))).Subnets![0]!;
  const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: def.VpcId!, CidrBlock: '172.31.200.0/24', AvailabilityZone: def.AvailabilityZone! })))
    .Subnet!;
  const table = (await ec2.send(new CreateRouteTableCommand({ VpcId: def.VpcId! }))).RouteTable!;
  await ec2.send(new AssociateRouteTableCommand({ RouteTableId: table.RouteTableId!, SubnetId: subnet.SubnetId! }));
  const group = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'closed', Description: 'no egress', VpcId: def.VpcId! }));
  await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: group.GroupId!, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
  return { subnetId: subnet.SubnetId!, groupId: group.GroupId! };
}

/** A `configFor` config file with more builder settings. */
function withBuilder(path: string, lines: string[]): string {
  const text = readFileSync(path, 'utf8');
  if (!text.includes('  instanceProfile: winami-builder\n')) throw new Error('configFor changed');
  writeFileSync(path, text.replace('  instanceProfile: winami-builder\n', ['  instanceProfile: winami-builder', ...lines, ''].join('\n')));
  return path;
}

const since = (emu: Emulator, mark: number): CallRecord[] => emu.control.calls().slice(mark);

function expectNothingWritten(emu: Emulator, mark: number): void {
  const writes = since(emu, mark).filter((c) => WRITES.test(c.action));
  expect(
    writes.map((c) => `${c.service}:${c.action}`),
    'no writing call',
  ).to.deep.equal([]);
  expect(leftovers(emu)).to.deep.equal(NOTHING);
}

describe('bake: preflight on the emulator', function () {
  this.timeout(60_000);
  let emu: Emulator;
  beforeEach(async () => {
    emu = await startBakeEmulator();
  });
  afterEach(async () => emu?.stop());

  it('refuses a config with many problems at once, listing every one, and creates nothing', async () => {
    const config = configFor(
      '2022',
      [
        '  publishParameter: /aws/golden/latest',
        '  regions: [{ region: us-west-2 }]',
        'windowsSettings:',
        '  productKey: env:WINAMI_TEST_UNSET_KEY',
        'licensing:',
        '  expect: windows-byol',
      ].join('\n'),
    );
    withBuilder(config, ['  instanceType: m7g.large']);
    const mark = emu.control.calls().length;
    const run = await bakeOn(emu, config, { env: {} });
    expect(run.result.ok).to.equal(false);
    expect(run.result.exitCode).to.equal(ExitCode.PREFLIGHT);
    expect(run.result.failedStep).to.equal('preflight');
    expect(run.result.error).to.be.instanceOf(PreflightError);
    const problems = run.result.preflight.filter((f) => f.level === 'problem');
    expect(problems.map((p) => p.check).sort()).to.deep.equal(['publish-parameter', 'secrets', 'source-image', 'source-image'].sort());
    const text = run.result.error!.message;
    expect(text).to.include('arm64').and.include('m7g.large');
    expect(text).to.include('"Windows BYOL"');
    expect(text).to.include('/aws/golden/latest');
    expect(text).to.include('WINAMI_TEST_UNSET_KEY');
    for (const p of problems) expect(text).to.include(p.hint);
    expect(run.result.steps.find((s) => s.name === 'launchBuilder')?.status).to.equal('not-run');
    expectNothingWritten(emu, mark);
  });

  it('refuses a subnet that cannot reach SSM and a security group without HTTPS out, before RunInstances', async () => {
    const { subnetId, groupId } = await privateSubnet(emu);
    const config = withBuilder(configFor('2022'), [`  subnetId: ${subnetId}`, `  securityGroupIds: [${groupId}]`]);
    const mark = emu.control.calls().length;
    const run = await bakeOn(emu, config);
    expect(run.result.exitCode).to.equal(ExitCode.PREFLIGHT);
    const messages = run.result.preflight.filter((f) => f.level === 'problem').map((f) => f.message);
    expect(messages).to.have.length(2);
    expect(messages[0]).to.include(`subnet ${subnetId} cannot reach SSM`).and.include('no 0.0.0.0/0 route').and.include('ssmmessages');
    expect(messages[1]).to.include(groupId).and.include('no outbound HTTPS (443)');
    expectNothingWritten(emu, mark);
  });

  it('refuses endpoints that do not let HTTPS in, then bakes through them once they do', async () => {
    const ec2 = ec2Client(emu);
    const { subnetId } = await privateSubnet(emu);
    const vpcId = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }))).Subnets![0]!.VpcId!;
    const endpointGroup = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'ssm-endpoints', Description: 'endpoints', VpcId: vpcId }))).GroupId!;
    for (const svc of ['ssm', 'ssmmessages', 'ec2messages']) {
      await ec2.send(
        new CreateVpcEndpointCommand({
          VpcId: vpcId,
          ServiceName: `com.amazonaws.us-east-1.${svc}`,
          VpcEndpointType: 'Interface',
          SubnetIds: [subnetId],
          SecurityGroupIds: [endpointGroup],
          PrivateDnsEnabled: true,
        }),
      );
    }
    const states = async () =>
      ((await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).VpcEndpoints ?? []).map((e) =>
        String(e.State).toLowerCase(),
      );
    for (let i = 0; i < 500 && !(await states()).every((x) => x === 'available'); i++) await new Promise((r) => setTimeout(r, 20));
    const config = withBuilder(configFor('2022'), [`  subnetId: ${subnetId}`]);
    const mark = emu.control.calls().length;
    const closed = await bakeOn(emu, config, { smokeTest: false });
    expect(closed.result.exitCode).to.equal(ExitCode.PREFLIGHT);
    const problems = closed.result.preflight.filter((f) => f.level === 'problem').map((f) => f.message);
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(
      new RegExp(
        `^subnet ${subnetId} cannot reach SSM, so SSM Agent would never come Online: its route table rtb-\\w+ has no 0\\.0\\.0\\.0/0 route to an internet or NAT gateway; the security groups of endpoints vpce-\\w+ \\(ssm\\), vpce-\\w+ \\(ssmmessages\\), vpce-\\w+ \\(ec2messages\\) do not let HTTPS \\(443\\) in from the builder$`,
      ),
    );
    expectNothingWritten(emu, mark);
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: endpointGroup,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '172.31.0.0/16' }] }],
      }),
    );
    const open = await bakeOn(emu, config, { smokeTest: false });
    expect(open.result.ok, open.result.error?.message).to.equal(true);
    expect(open.result.preflight.filter((f) => f.level === 'problem')).to.deep.equal([]);
  });

  it("refuses an instance type the subnet's zone does not offer, and a subnet that does not exist", async () => {
    const ec2 = ec2Client(emu);
    const e = (
      await ec2.send(
        new DescribeSubnetsCommand({
          Filters: [
            { Name: 'availability-zone', Values: ['us-east-1e'] },
            { Name: 'default-for-az', Values: ['true'] },
          ],
        }),
      )
    ).Subnets![0]!;
    const inE = withBuilder(configFor('2022'), ['  instanceType: m8i.large', `  subnetId: ${e.SubnetId}`]);
    const mark = emu.control.calls().length;
    const run = await bakeOn(emu, inE);
    expect(run.result.exitCode).to.equal(ExitCode.PREFLIGHT);
    expect(run.result.preflight.map((f) => f.message)).to.deep.include(
      `instance type m8i.large is not offered in Availability Zone us-east-1e (of ${e.SubnetId})`,
    );
    const missing = await bakeOn(emu, withBuilder(configFor('2022'), ['  subnetId: subnet-0123456789abcdef0']));
    expect(missing.result.preflight.map((f) => f.message)).to.deep.include('subnet subnet-0123456789abcdef0 not found in us-east-1');
    expectNothingWritten(emu, mark);
  });

  it('refuses an image name an earlier bake already used', async () => {
    const path = configFor('2022');
    writeFileSync(path, readFileSync(path, 'utf8').replace('  name: "golden-{{release}}-{{buildId}}"', '  name: "golden-fixed"'));
    const first = await bakeOn(emu, path, { smokeTest: false });
    expect(first.result.ok, first.result.error?.message).to.equal(true);
    const mark = emu.control.calls().length;
    const second = await bakeOn(emu, path, { smokeTest: false });
    expect(second.result.exitCode).to.equal(ExitCode.PREFLIGHT);
    expect(second.result.error!.message).to.include(
      `an image named "golden-fixed" already exists in us-east-1 (${first.result.images[0]!.imageId}, available)`,
    );
    expect(since(emu, mark).filter((c) => WRITES.test(c.action))).to.deep.equal([]);
  });

  it('a dry run of a good config exits 0 with read-only calls only, and writes no journal', async () => {
    const journalDir = mkdtempSync(join(tmpdir(), 'winami-journal-'));
    const mark = emu.control.calls().length;
    const run = await bakeOn(emu, configFor('2022', 'preSnapshot: true\n'), { dryRun: true, journalDir });
    expect(run.result.ok, run.result.error?.message).to.equal(true);
    expect(run.result.exitCode).to.equal(0);
    expect(run.result.outcome).to.equal('dry-run');
    expect(run.result.steps.filter((s) => s.status === 'ok').map((s) => s.name)).to.deep.equal([
      'checkCredentials',
      'resolveSource',
      'renderBundle',
      'preflight',
    ]);
    const calls = since(emu, mark);
    expect(calls.map((c) => c.action)).to.include.members(['GetCallerIdentity', 'DescribeSubnets', 'DescribeInstanceTypeOfferings']);
    expect(calls.filter((c) => !READS.test(c.action)).map((c) => c.action)).to.deep.equal([]);
    expect(existsSync(join(journalDir, '.winami')) ? readdirSync(join(journalDir, '.winami', 'builds')) : []).to.deep.equal([]);
  });

  it('a dry run refuses what prepare refuses (broken PowerShell): exit 4 at renderBundle', async () => {
    const config = configFor('2022', '', ['  - name: broken', '    powershell: "if ($true) {"']);
    const run = await bakeOn(emu, config, { dryRun: true });
    expect(run.result.ok).to.equal(false);
    expect(run.result.failedStep).to.equal('renderBundle');
    expect(run.result.exitCode).to.equal(ExitCode.VALIDATION);
  });

  describe('instance profile and KMS keys (emulator IAM and KMS)', () => {
    const withProfile = (name: string, extra = '') => {
      const path = configFor('2022', extra);
      writeFileSync(path, readFileSync(path, 'utf8').replace('  instanceProfile: winami-builder\n', `  instanceProfile: ${name}\n`));
      return path;
    };

    it('refuses a profile that does not exist, and keys that are missing or disabled, all at once', async () => {
      const kms = new KMSClient(clientConfig(emu));
      const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      await kms.send(new DisableKeyCommand({ KeyId: key }));
      const mark = emu.control.calls().length;
      const run = await bakeOn(
        emu,
        withProfile('no-such-profile', `  encrypted: true\n  kmsKeyId: ${key}\n  regions: [{ region: us-west-2, kmsKeyId: alias/no-such-key }]`),
      );
      expect(run.result.exitCode).to.equal(ExitCode.PREFLIGHT);
      const messages = run.result.preflight.filter((f) => f.level === 'problem').map((f) => f.message);
      expect(messages).to.deep.equal([
        'instance profile no-such-profile does not exist',
        `KMS key ${key} in us-east-1 is Disabled`,
        'KMS key alias/no-such-key does not exist in us-west-2',
      ]);
      expect(since(emu, mark).map((c) => c.action)).to.include.members(['GetInstanceProfile', 'DescribeKey']);
      expectNothingWritten(emu, mark);
    });

    it("refuses a role that does not trust EC2 and lacks SSM Agent's permissions and the secret's", async () => {
      await profileWithRole(emu, 'lambda-only', 'lambda.amazonaws.com');
      const mark = emu.control.calls().length;
      const run = await bakeOn(emu, withProfile('lambda-only', 'windowsSettings:\n  administrator:\n    password:\n      static: ssm:/golden/admin\n'));
      expect(run.result.exitCode).to.equal(ExitCode.PREFLIGHT);
      const messages = run.result.preflight.filter((f) => f.level === 'problem').map((f) => f.message);
      expect(messages[0]).to.equal('role lambda-only does not trust ec2.amazonaws.com, so EC2 cannot give it to the builder');
      expect(messages[1]).to.include('ssm:UpdateInstanceInformation').and.include('ec2messages:GetMessages');
      expect(messages[2]).to.include(`ssm:GetParameter on arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/golden/admin`);
      expect(since(emu, mark).map((c) => c.action)).to.include('SimulatePrincipalPolicy');
      expectNothingWritten(emu, mark);
    });

    it("reads the role's policies itself when SimulatePrincipalPolicy is denied, and finds the same", async () => {
      await profileWithRole(emu, 'agent-only', 'ec2.amazonaws.com', {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['ssm:UpdateInstanceInformation', 'ec2messages:*', 'ssmmessages:*'], Resource: '*' }],
      });
      emu.control.addFault({ service: 'iam', action: 'SimulatePrincipalPolicy', errorCode: 'AccessDenied', status: 403 });
      const mark = emu.control.calls().length;
      const run = await bakeOn(emu, withProfile('agent-only', 'windowsSettings:\n  administrator:\n    password:\n      static: ssm:/golden/admin\n'), {
        dryRun: true,
      });
      expect(run.result.exitCode).to.equal(ExitCode.PREFLIGHT);
      const problems = run.result.preflight.filter((f) => f.level === 'problem');
      expect(problems.map((p) => p.message)).to.deep.equal([
        `role agent-only does not allow ssm:GetParameter on arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/golden/admin: the builder reads this secret`,
      ]);
      expect(since(emu, mark).map((c) => c.action)).to.include.members(['ListAttachedRolePolicies', 'ListRolePolicies', 'GetRolePolicy']);
      emu.control.clearFaults();
      const simulated = await bakeOn(emu, withProfile('agent-only', 'windowsSettings:\n  administrator:\n    password:\n      static: ssm:/golden/admin\n'), {
        dryRun: true,
      });
      expect(simulated.result.preflight).to.deep.equal(run.result.preflight);
    });

    it('says it could not check the role when neither way is allowed, and the dry run passes with that warning', async () => {
      for (const action of ['SimulatePrincipalPolicy', 'ListAttachedRolePolicies'])
        emu.control.addFault({ service: 'iam', action, errorCode: 'AccessDenied', status: 403 });
      const run = await bakeOn(emu, configFor('2022'), { dryRun: true });
      expect(run.result.exitCode, run.result.error?.message).to.equal(0);
      expect(run.result.preflight.map((f) => `${f.level}: ${f.message}`)).to.deep.equal([
        'warning: could not check what role winami-builder allows (missing iam:SimulatePrincipalPolicy, and iam:ListAttachedRolePolicies, iam:GetPolicy, iam:GetPolicyVersion, iam:ListRolePolicies or iam:GetRolePolicy to read the policies instead)',
      ]);
      emu.control.clearFaults();
    });
  });

  describe('winami bake --dry-run (CLI)', () => {
    it('prints the findings naming the config region (not the CLI default), and exits 10 on problems', async () => {
      const config = configFor('2022', 'windowsSettings:\n  productKey: env:WINAMI_TEST_UNSET_KEY\n');
      const cwd = mkdtempSync(join(tmpdir(), 'winami-cli-'));
      const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const env: NodeJS.ProcessEnv = { ...cliEnv(emu), AWS_REGION: 'eu-west-1' };
        delete env.WINAMI_TEST_UNSET_KEY;
        const child = spawn(process.execPath, [CLI, 'bake', config, '--dry-run', '--time-scale', String(TIME_SCALE)], {
          cwd,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', (code) => resolve({ code, out }));
      });
      expect(r.code, r.out).to.equal(ExitCode.PREFLIGHT);
      expect(r.out).to.include(`dry run of golden: account ${ACCOUNT}, region us-east-1`);
      expect(r.out).to.include('problem: secret windowsProductKey refers to the environment variable WINAMI_TEST_UNSET_KEY, which is not set');
      expect(r.out).to.include('nothing was created');
      expect(r.out).to.not.include('region eu-west-1');
      expect(existsSync(join(cwd, '.winami'))).to.equal(false);
    });

    it('fails clearly with no credentials at all (exit 5)', async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'winami-cli-'));
      const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const env: NodeJS.ProcessEnv = {
          ...cliEnv(emu),
          HOME: cwd,
          AWS_SHARED_CREDENTIALS_FILE: join(cwd, 'none'),
          AWS_CONFIG_FILE: join(cwd, 'none'),
          AWS_EC2_METADATA_DISABLED: 'true',
        };
        for (const k of [
          'AWS_ACCESS_KEY_ID',
          'AWS_SECRET_ACCESS_KEY',
          'AWS_SESSION_TOKEN',
          'AWS_PROFILE',
          'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
          'AWS_CONTAINER_CREDENTIALS_FULL_URI',
          'AWS_WEB_IDENTITY_TOKEN_FILE',
        ])
          delete env[k];
        const child = spawn(process.execPath, [CLI, 'bake', configFor('2022'), '--dry-run'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', (code) => resolve({ code, out }));
      });
      expect(r.code, r.out).to.equal(ExitCode.AWS);
      expect(r.out).to.include('no usable AWS credentials').and.include('AWS_PROFILE');
      expect(emu.control.calls()).to.deep.equal([]);
    });

    it('fails clearly with credentials the account does not know (exit 5), creating nothing', async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'winami-cli-'));
      const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const env = { ...cliEnv(emu), AWS_ACCESS_KEY_ID: 'AKIAUNKNOWNUNKNOWN00', AWS_SECRET_ACCESS_KEY: 'x'.repeat(40) };
        const child = spawn(process.execPath, [CLI, 'bake', configFor('2022'), '--dry-run'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', (code) => resolve({ code, out }));
      });
      expect(r.code, r.out).to.equal(ExitCode.AWS);
      expect(r.out).to.include('no usable AWS credentials').and.include('InvalidClientTokenId');
      expect(r.out).to.include('AWS_PROFILE');
      expect(existsSync(join(cwd, '.winami'))).to.equal(false);
    });
  });
});
