/**
 * What IAM decides for EC2 and SSM in the emulator, through the real SDK
 * clients: RunInstances refuses an instance profile that does not exist (or
 * has not propagated yet) with EC2's InvalidParameterValue, describes the
 * profile's ARN and id on the instance, and the SSM agent comes Online only
 * when the profile's role allows the agent's calls.
 */
import { expect } from 'chai';
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { DescribeInstanceInformationCommand, GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { EMULATOR_ACCOUNTS, type Emulator } from '../../emulator/index.js';
import { controlFetch, eventually, rejection, sleep, withEmulator, WIN2022 } from './helpers.js';

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const SSM_CORE = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';

function clients(emu: Emulator, n = 0) {
  const a = EMULATOR_ACCOUNTS[n]!;
  const config = {
    region: 'us-east-1',
    endpoint: emu.endpoint,
    credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
    maxAttempts: 1,
  };
  return { ec2: new EC2Client(config), ssm: new SSMClient(config), iam: new IAMClient(config) };
}

describe('emulator: instance profiles at launch and the SSM agent', function () {
  this.timeout(30_000);
  let emu: Emulator;
  let c: ReturnType<typeof clients>;
  let ami: string;
  before(async () => {
    emu = await withEmulator({ iamPropagationMs: 0 });
    c = clients(emu);
  });
  after(async () => {
    await emu.stop();
  });
  beforeEach(async () => {
    await emu.control.reset();
    emu.control.setIamPropagation(0);
    ami = (await c.ssm.send(new GetParameterCommand({ Name: WIN2022 }))).Parameter!.Value!;
  });

  const launch = (profile: { Name?: string; Arn?: string }) =>
    c.ec2.send(new RunInstancesCommand({ ImageId: ami, MinCount: 1, MaxCount: 1, IamInstanceProfile: profile }));
  const ping = async (id: string) =>
    (await c.ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [id] }] }))).InstanceInformationList?.[0]?.PingStatus;

  /** A role with these policies in a new profile of the same name. */
  async function profileWith(name: string, grant: { managed?: string[]; inline?: unknown[] }): Promise<string> {
    await c.iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST }));
    for (const arn of grant.managed ?? []) await c.iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: arn }));
    for (const [i, statement] of (grant.inline ?? []).entries()) {
      await c.iam.send(
        new PutRolePolicyCommand({ RoleName: name, PolicyName: `p${i}`, PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }) }),
      );
    }
    const p = (await c.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name }))).InstanceProfile!;
    await c.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: name }));
    return p.Arn!;
  }

  it('refuses an instance profile name or ARN that does not exist in the caller account', async () => {
    const byName = await rejection(launch({ Name: 'no-such-profile' }));
    expect(byName.name).to.equal('InvalidParameterValue');
    expect(byName.message).to.equal('Value (no-such-profile) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name');
    const arn = 'arn:aws:iam::111111111111:instance-profile/no-such-profile';
    const byArn = await rejection(launch({ Arn: arn }));
    expect(byArn.name).to.equal('InvalidParameterValue');
    expect(byArn.message).to.equal(`Value (${arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`);
    const otherAccount = 'arn:aws:iam::222222222222:instance-profile/winami-builder';
    expect((await rejection(launch({ Arn: otherAccount }))).message).to.equal(
      `Value (${otherAccount}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`,
    );
    expect(emu.control.resources().instances).to.deep.equal([]);
  });

  it('describes the profile ARN and id on the instance, by name or by ARN', async () => {
    const profile = (await c.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'described', Path: '/winami/' }))).InstanceProfile!;
    const byName = (await launch({ Name: 'described' })).Instances![0]!;
    expect(byName.IamInstanceProfile).to.deep.equal({ Arn: 'arn:aws:iam::111111111111:instance-profile/winami/described', Id: profile.InstanceProfileId });
    const byArn = (await launch({ Arn: profile.Arn! })).Instances![0]!;
    const described = (await c.ec2.send(new DescribeInstancesCommand({ InstanceIds: [byArn.InstanceId!] }))).Reservations![0]!.Instances![0]!;
    expect(described.IamInstanceProfile).to.deep.equal({ Arn: profile.Arn, Id: profile.InstanceProfileId });
  });

  it('refuses a profile created within the propagation window, and launches once it has passed', async () => {
    const set = await controlFetch(emu, 'POST', 'iam-propagation', { ms: 300 });
    expect(set.status).to.equal(200);
    // The window survives a reset.
    await emu.control.reset();
    ami = (await c.ssm.send(new GetParameterCommand({ Name: WIN2022 }))).Parameter!.Value!;
    await c.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'fresh' }));
    const early = await rejection(launch({ Name: 'fresh' }));
    expect(early.name).to.equal('InvalidParameterValue');
    expect(early.message).to.equal('Value (fresh) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name');
    // The seeded profile predates the window.
    expect((await launch({ Name: 'winami-builder' })).Instances).to.have.length(1);
    await sleep(350);
    expect((await launch({ Name: 'fresh' })).Instances![0]!.IamInstanceProfile!.Arn).to.equal('arn:aws:iam::111111111111:instance-profile/fresh');
    expect((await controlFetch(emu, 'POST', 'iam-propagation', { ms: -1 })).status).to.equal(400);
  });

  it('brings the agent Online for a role holding AmazonSSMManagedInstanceCore, or an inline policy with the agent calls', async () => {
    await profileWith('core', { managed: [SSM_CORE] });
    await profileWith('inline', { inline: [{ Effect: 'Allow', Action: ['ssm:UpdateInstanceInformation', 'ec2messages:*', 'ssmmessages:*'], Resource: '*' }] });
    for (const name of ['core', 'inline']) {
      const id = (await launch({ Name: name })).Instances![0]!.InstanceId!;
      await eventually(async () => ((await ping(id)) === 'Online' ? true : undefined), 5000, `${name} Online`);
    }
  });

  it("reports the profile's role, not the profile, as the instance's IamRole in SSM", async () => {
    await c.iam.send(new CreateRoleCommand({ RoleName: 'agent-role', AssumeRolePolicyDocument: TRUST }));
    await c.iam.send(new AttachRolePolicyCommand({ RoleName: 'agent-role', PolicyArn: SSM_CORE }));
    await c.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'agent-profile' }));
    await c.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'agent-profile', RoleName: 'agent-role' }));
    const id = (await launch({ Name: 'agent-profile' })).Instances![0]!.InstanceId!;
    const info = await eventually(
      async () => {
        const row = (await c.ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [id] }] })))
          .InstanceInformationList?.[0];
        return row?.PingStatus === 'Online' ? row : undefined;
      },
      5000,
      'Online',
    );
    expect(info.IamRole).to.equal('agent-role');
  });

  it('never brings the agent Online without the permissions it needs, an explicit Deny, or a role in the profile', async () => {
    await profileWith('s3-only', { managed: ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'] });
    await profileWith('no-messages', { inline: [{ Effect: 'Allow', Action: 'ssm:UpdateInstanceInformation', Resource: '*' }] });
    await profileWith('denied', { managed: [SSM_CORE], inline: [{ Effect: 'Deny', Action: 'ssm:UpdateInstanceInformation', Resource: '*' }] });
    await c.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'empty' }));
    const control = (await launch({ Name: 'winami-builder' })).Instances![0]!.InstanceId!;
    const ids: string[] = [];
    for (const name of ['s3-only', 'no-messages', 'denied', 'empty']) ids.push((await launch({ Name: name })).Instances![0]!.InstanceId!);
    await eventually(async () => ((await ping(control)) === 'Online' ? true : undefined), 5000, 'control Online');
    // Well past the agent's time to come online (timeScale 0.001: ~150 ms after launch).
    await sleep(400);
    for (const id of ids) expect(await ping(id), id).to.equal(undefined);
    expect(
      emu.control
        .resources()
        .instances.filter((i) => ids.includes(i.id))
        .map((i) => [i.state, i.agentOnline]),
    ).to.deep.equal(ids.map(() => ['running', false]));
  });
});
