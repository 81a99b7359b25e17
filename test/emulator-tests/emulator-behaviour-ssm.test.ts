/**
 * SSM and Windows-guest behaviour of the emulator through the real SDK
 * clients: command visibility, parse failures, exit 3010, per-instance files,
 * output truncation (domain-facts §6.3), guest behaviours, every Sysprep
 * invocation form, SecureString parameters; and the HTTP control routes.
 */
import { expect } from 'chai';
import {
  DescribeInstancesCommand,
  GetConsoleOutputCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  type EC2Client,
  type Instance,
} from '@aws-sdk/client-ec2';
import {
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  GetParameterCommand,
  ListCommandInvocationsCommand,
  ListCommandsCommand,
  PutParameterCommand,
  SendCommandCommand,
  type GetCommandInvocationCommandOutput,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { Emulator } from '../../emulator/index.js';
import { controlFetch, eventually, rejection, sdk, sleep, STATE_KEY, withEmulator, WIN2022 } from './helpers.js';

const V1 = '/aws/service/ami-windows-latest/Windows_Server-2019-English-Full-Base';
const EC2CONFIG = '/aws/service/ami-windows-latest/Windows_Server-2012-R2_RTM-English-64Bit-Base';
const SETUPERR = 'C:\\Windows\\System32\\Sysprep\\Panther\\setuperr.log';

interface Clients {
  ec2: EC2Client;
  ssm: SSMClient;
}

async function describe1(ec2: EC2Client, id: string): Promise<Instance> {
  return (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!.Instances![0]!;
}

async function pingStatus(ssm: SSMClient, id: string): Promise<string | undefined> {
  const info = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [id] }] }));
  return info.InstanceInformationList?.[0]?.PingStatus;
}

async function launch(c: Clients, parameter = WIN2022, profile = true): Promise<string> {
  const ami = (await c.ssm.send(new GetParameterCommand({ Name: parameter }))).Parameter!.Value!;
  const r = await c.ec2.send(
    new RunInstancesCommand({ ImageId: ami, MinCount: 1, MaxCount: 1, ...(profile ? { IamInstanceProfile: { Name: 'winami-builder' } } : {}) }),
  );
  return r.Instances![0]!.InstanceId!;
}

async function launchOnline(c: Clients, parameter = WIN2022): Promise<string> {
  const id = await launch(c, parameter);
  await eventually(async () => ((await pingStatus(c.ssm, id)) === 'Online' ? true : undefined), 5000, `${id} Online`);
  return id;
}

async function send(c: Clients, id: string, commands: string[], document = 'AWS-RunPowerShellScript'): Promise<string> {
  const out = await c.ssm.send(
    new SendCommandCommand({ DocumentName: document, InstanceIds: [id], ...(document === 'AWS-RunPowerShellScript' ? { Parameters: { commands } } : {}) }),
  );
  return out.Command!.CommandId!;
}

async function finished(c: Clients, id: string, commandId: string, ms = 5000): Promise<GetCommandInvocationCommandOutput> {
  return eventually(
    async () => {
      const inv = await c.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: id }));
      return ['Success', 'Failed', 'TimedOut', 'Cancelled'].includes(inv.Status!) ? inv : undefined;
    },
    ms,
    `command ${commandId}`,
  );
}

async function run(c: Clients, id: string, commands: string[]): Promise<GetCommandInvocationCommandOutput> {
  return finished(c, id, await send(c, id, commands));
}

async function stopped(c: Clients, id: string): Promise<Instance> {
  return eventually(
    async () => {
      const i = await describe1(c.ec2, id);
      return i.State!.Name === 'stopped' ? i : undefined;
    },
    5000,
    `${id} stopped`,
  );
}

describe('emulator: SSM commands and the Windows guest', () => {
  let emu: Emulator;
  let c: Clients;
  before(async () => {
    emu = await withEmulator({ throttling: false });
    c = sdk(emu);
  });
  after(async () => {
    await emu.stop();
  });

  it('answers InvocationDoesNotExist right after SendCommand, then the invocation', async () => {
    const id = await launchOnline(c);
    emu.control.setDurations({ invocationVisible: 400_000 });
    try {
      const commandId = await send(c, id, ["Write-Output 'hello'"]);
      const err = await rejection(c.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: id })));
      expect(err.name).to.equal('InvocationDoesNotExist');
      const inv = await finished(c, id, commandId);
      expect(inv.Status).to.equal('Success');
      expect(inv.StandardOutputContent).to.equal('hello\n');
    } finally {
      emu.control.setDurations({ invocationVisible: 1_000 });
    }
  });

  it('reports a running command as InProgress in Status and StatusDetails, as SSM writes them', async () => {
    const id = await launchOnline(c);
    emu.control.setDurations({ command: 600_000 });
    try {
      const commandId = await send(c, id, ["Write-Output 'slow'"]);
      const inv = await eventually(async () => {
        const i = await c.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: id }));
        return i.Status === 'InProgress' ? i : undefined;
      });
      expect(inv.StatusDetails).to.equal('InProgress');
      const listed = (await c.ssm.send(new ListCommandsCommand({ CommandId: commandId }))).Commands![0]!;
      expect([listed.Status, listed.StatusDetails]).to.deep.equal(['InProgress', 'InProgress']);
      expect((await finished(c, id, commandId)).Status).to.equal('Success');
    } finally {
      emu.control.setDurations({ command: 2_000 });
    }
  });

  it('fails a script that does not parse as powershell.exe does, running none of it', async () => {
    const id = await launchOnline(c);
    const inv = await run(c, id, ["Set-Content -LiteralPath 'C:\\ran.txt' -Value 'ran'", "Write-Output 'unterminated"]);
    expect([inv.Status, inv.StatusDetails, inv.ResponseCode]).to.deep.equal(['Failed', 'Failed', 1]);
    expect(inv.StandardErrorContent).to.match(/ParserError/);
    expect(emu.control.readGuestFile(id, 'C:\\ran.txt')).to.equal(undefined);
  });

  it('reboots on exit 3010 and runs the whole script again', async () => {
    const id = await launchOnline(c);
    const inv = await run(c, id, [
      "Add-Content -LiteralPath 'C:\\runs.txt' -Value 'run'",
      "if (Test-Path -LiteralPath 'C:\\first.txt') { Write-Output 'second run'; exit 0 }",
      "Set-Content -LiteralPath 'C:\\first.txt' -Value 'x'",
      'exit 3010',
    ]);
    expect([inv.Status, inv.ResponseCode]).to.deep.equal(['Success', 0]);
    expect(inv.StandardOutputContent).to.contain('second run');
    expect(emu.control.readGuestFile(id, 'C:\\runs.txt')).to.equal('run\r\nrun\r\n');
    const consoleOut = await c.ec2.send(new GetConsoleOutputCommand({ InstanceId: id }));
    expect(Buffer.from(consoleOut.Output ?? '', 'base64').toString('utf8')).to.contain('Restarting');
  });

  it('keeps files per instance, across stop and start', async () => {
    const [a, b] = await Promise.all([launchOnline(c), launchOnline(c)]);
    await run(c, a!, [
      "New-Item -ItemType Directory -Path 'C:\\data' -Force | Out-Null",
      "Set-Content -LiteralPath 'C:\\data\\a.txt' -Value 'only on a' -NoNewline",
    ]);
    expect((await run(c, b!, ["Test-Path -LiteralPath 'C:\\data\\a.txt'"])).StandardOutputContent!.trim()).to.equal('False');
    await c.ec2.send(new StopInstancesCommand({ InstanceIds: [a!] }));
    await stopped(c, a!);
    await c.ec2.send(new StartInstancesCommand({ InstanceIds: [a!] }));
    await eventually(async () => ((await pingStatus(c.ssm, a!)) === 'Online' ? true : undefined), 5000, 'Online after start');
    expect((await run(c, a!, ["Get-Content -Raw -LiteralPath 'C:\\data\\a.txt'"])).StandardOutputContent).to.equal('only on a\n');
  });

  it('truncates GetCommandInvocation stdout at 24,000 and stderr at 8,000 characters, plugin Output at 2,500', async () => {
    const id = await launchOnline(c);
    const inv = await run(c, id, [`Write-Output '${'o'.repeat(30_000)}'`, `Write-Error '${'e'.repeat(10_000)}'`, 'exit 0']);
    expect(inv.Status).to.equal('Success');
    expect(inv.StandardOutputContent).to.equal('o'.repeat(24_000));
    expect(inv.StandardErrorContent!.length).to.equal(8_000);
    expect(inv.StandardErrorContent).to.contain('e'.repeat(5_000));
    const list = await c.ssm.send(new ListCommandInvocationsCommand({ CommandId: inv.CommandId!, Details: true }));
    const output = list.CommandInvocations![0]!.CommandPlugins![0]!.Output!;
    expect(output.length).to.equal(2_500);
    expect(output).to.equal('o'.repeat(2_500));
  });

  it('keeps the agent offline with agentNeverOnline, as default or per instance', async () => {
    emu.control.setGuestDefaults({ agentNeverOnline: true });
    let never: string;
    try {
      never = await launch(c);
    } finally {
      emu.control.setGuestDefaults({});
    }
    const later = await launchOnline(c);
    emu.control.setGuest(later, { agentNeverOnline: true });
    await eventually(async () => ((await describe1(c.ec2, never)).State!.Name === 'running' ? true : undefined));
    // Well past boot + ssmOnline (150 ms at this time scale).
    await sleep(300);
    // Never registered: SSM does not know the instance.
    expect(await pingStatus(c.ssm, never)).to.equal(undefined);
    expect((await rejection(send(c, never, ['hostname']))).name).to.equal('InvalidInstanceId');
    // Registered, then lost: SSM accepts the command and it times out undelivered.
    expect(await pingStatus(c.ssm, later)).to.equal('ConnectionLost');
    const sent = await c.ssm.send(
      new SendCommandCommand({ DocumentName: 'AWS-RunPowerShellScript', InstanceIds: [later], TimeoutSeconds: 30, Parameters: { commands: ['hostname'] } }),
    );
    const inv = await finished(c, later, sent.Command!.CommandId!);
    expect([inv.Status, inv.StatusDetails]).to.deep.equal(['TimedOut', 'Delivery Timed Out']);
  });

  it('fails matching commands with failCommand, `times` times', async () => {
    const id = await launchOnline(c);
    emu.control.setGuest(id, { failCommand: { match: 'Install-WindowsFeature', exitCode: 42, stdout: 'partial', stderr: 'feature store corrupt', times: 1 } });
    expect((await run(c, id, ["Write-Output 'unrelated'"])).Status).to.equal('Success');
    const failed = await run(c, id, ['Install-WindowsFeature Web-Server']);
    expect([failed.Status, failed.ResponseCode]).to.deep.equal(['Failed', 42]);
    expect(failed.StandardOutputContent).to.contain('partial');
    expect(failed.StandardErrorContent).to.contain('feature store corrupt');
    expect((await run(c, id, ['Install-WindowsFeature Web-Server'])).Status).to.equal('Success');
    // Over HTTP a regex travels as {regex, flags}.
    const http = await controlFetch(emu, 'POST', `guests/${id}`, { failCommand: { match: { regex: '^choco install', flags: 'im' }, exitCode: 7 } });
    expect(http.status).to.equal(200);
    expect((await run(c, id, ['CHOCO INSTALL git'])).ResponseCode).to.equal(7);
  });

  it('leaves the instance running and setuperr.log readable when Sysprep fails', async () => {
    const id = await launchOnline(c);
    emu.control.setGuest(id, { sysprepFails: { setuperr: 'Error SYSPRP Package Microsoft.Foo was installed for a user, but not provisioned for all users.' } });
    const inv = await run(c, id, ['& "$env:ProgramFiles\\Amazon\\EC2Launch\\ec2launch.exe" sysprep --shutdown']);
    expect(inv.Status).to.equal('Failed');
    expect(inv.StandardErrorContent).to.contain('setuperr.log');
    await sleep(200);
    expect((await describe1(c.ec2, id)).State!.Name).to.equal('running');
    const check = await run(c, id, [`(Get-ItemProperty -Path '${STATE_KEY}' -Name ImageState).ImageState`, `Get-Content -Raw -LiteralPath '${SETUPERR}'`]);
    expect(check.StandardOutputContent).to.match(/^IMAGE_STATE_UNDEPLOYABLE\n/);
    expect(check.StandardOutputContent).to.contain('was installed for a user, but not provisioned for all users');
  });

  it('terminates an instance from outside: SSM then refuses it', async () => {
    const id = await launchOnline(c);
    emu.control.terminateFromOutside(id);
    await eventually(async () => ((await describe1(c.ec2, id)).State!.Name === 'terminated' ? true : undefined));
    expect((await rejection(send(c, id, ['hostname']))).name).to.equal('InvalidInstanceId');
  });

  const forms: Array<[string, string, string[], string?]> = [
    ['EC2Launch v2 ec2launch.exe sysprep --shutdown', WIN2022, ['& "$env:ProgramFiles\\Amazon\\EC2Launch\\ec2launch.exe" sysprep --shutdown']],
    [
      'EC2Launch v1 InitializeInstance.ps1 -Schedule + SysprepInstance.ps1',
      V1,
      [
        '& "$env:ProgramData\\Amazon\\EC2-Windows\\Launch\\Scripts\\InitializeInstance.ps1" -Schedule',
        '& "$env:ProgramData\\Amazon\\EC2-Windows\\Launch\\Scripts\\SysprepInstance.ps1"',
      ],
    ],
    ['EC2Config ec2config.exe -sysprep', EC2CONFIG, ['& "$env:ProgramFiles\\Amazon\\Ec2ConfigService\\ec2config.exe" -sysprep']],
    ['sysprep.exe /generalize /oobe /shutdown', V1, ['& "C:\\Windows\\System32\\Sysprep\\sysprep.exe" /generalize /oobe /shutdown /quiet']],
    ['the AWSEC2-RunSysprep document', WIN2022, [], 'AWSEC2-RunSysprep'],
  ];
  for (const [form, parameter, commands, document] of forms) {
    it(`seals and stops the instance with ${form}`, async () => {
      const id = await launchOnline(c, parameter);
      const before = await run(c, id, [`(Get-ItemProperty -Path '${STATE_KEY}' -Name ImageState).ImageState`]);
      expect(before.StandardOutputContent!.trim()).to.equal('IMAGE_STATE_COMPLETE');
      await send(c, id, commands, document);
      const inst = await stopped(c, id);
      expect(inst.StateReason!.Code).to.equal('Client.InstanceInitiatedShutdown');
      const seen = emu.control.resources().instances.find((i) => i.id === id)!;
      expect(seen.imageState).to.equal('IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE');
      expect(emu.control.readGuestFile(id, 'C:\\Windows\\System32\\Sysprep\\Panther\\setupact.log')).to.be.a('string');
    });
  }

  it('ends a foreground Sysprep command Failed/Undeliverable once the instance has stopped', async () => {
    const id = await launchOnline(c);
    const commandId = await send(c, id, ['& "$env:ProgramFiles\\Amazon\\EC2Launch\\ec2launch.exe" sysprep --shutdown']);
    await stopped(c, id);
    const inv = await finished(c, id, commandId);
    expect([inv.Status, inv.StatusDetails, inv.ResponseCode]).to.deep.equal(['Failed', 'Undeliverable', -1]);
  });

  it("does not know another agent's executable", async () => {
    const id = await launchOnline(c, V1);
    const inv = await run(c, id, ['& "$env:ProgramFiles\\Amazon\\EC2Launch\\ec2launch.exe" sysprep --shutdown']);
    expect(inv.Status).to.equal('Failed');
    expect(inv.StandardErrorContent).to.match(/is not recognized as the name of a cmdlet/);
    expect((await describe1(c.ec2, id)).State!.Name).to.equal('running');
  });

  it('returns SecureString ciphertext unless WithDecryption', async () => {
    const secret = `p@ss<&>'"${'\u00e9'}`;
    await c.ssm.send(new PutParameterCommand({ Name: '/winami/test/admin-password', Type: 'SecureString', Value: secret }));
    const plain = await c.ssm.send(new GetParameterCommand({ Name: '/winami/test/admin-password' }));
    expect(plain.Parameter!.Type).to.equal('SecureString');
    expect(plain.Parameter!.Value).to.not.contain('p@ss');
    const decrypted = await c.ssm.send(new GetParameterCommand({ Name: '/winami/test/admin-password', WithDecryption: true }));
    expect(decrypted.Parameter!.Value).to.equal(secret);
    // Other accounts do not see it.
    expect((await rejection(sdk(emu, 1).ssm.send(new GetParameterCommand({ Name: '/winami/test/admin-password' })))).name).to.equal('ParameterNotFound');
    const reserved = await rejection(c.ssm.send(new PutParameterCommand({ Name: '/aws/service/mine', Type: 'String', Value: 'x' })));
    expect(reserved.name).to.match(/AccessDenied|ValidationException/);
  });
});

describe('emulator: HTTP control routes', () => {
  let emu: Emulator;
  before(async () => {
    emu = await withEmulator({ throttling: false });
  });
  after(async () => {
    await emu.stop();
  });

  it('serves resources, calls, faults, guests, files, termination and reset over HTTP', async () => {
    const c = sdk(emu);
    const id = await launchOnline(c);
    const res = await controlFetch(emu, 'GET', 'resources?account=111111111111&region=us-east-1');
    expect(res.status).to.equal(200);
    expect(res.json.instances.map((i: { id: string }) => i.id)).to.deep.equal([id]);
    expect(res.json.images).to.deep.equal([]);
    const other = await controlFetch(emu, 'GET', 'resources?account=222222222222');
    expect(other.json.instances).to.deep.equal([]);

    const calls = await controlFetch(emu, 'GET', 'calls');
    expect(calls.json.map((x: { action: string }) => x.action)).to.include.members(['GetParameter', 'RunInstances', 'DescribeInstanceInformation']);
    expect(calls.json.every((x: { account: string }) => x.account === '111111111111')).to.equal(true);

    expect((await controlFetch(emu, 'POST', 'faults', { action: 'DescribeInstances', errorCode: 'InternalError', times: 1 })).status).to.equal(200);
    expect((await rejection(describe1(c.ec2, id))).name).to.equal('InternalError');
    await controlFetch(emu, 'POST', 'faults', { action: 'DescribeInstances', errorCode: 'InternalError' });
    expect((await controlFetch(emu, 'DELETE', 'faults')).status).to.equal(200);
    await describe1(c.ec2, id);

    await run(c, id, ["Set-Content -LiteralPath 'C:\\note.txt' -Value 'hi' -NoNewline"]);
    expect((await controlFetch(emu, 'GET', `guests/${id}/file?path=${encodeURIComponent('c:\\NOTE.txt')}`)).json).to.deep.equal({
      exists: true,
      content: 'hi',
    });
    expect((await controlFetch(emu, 'GET', `guests/${id}/file?path=${encodeURIComponent('C:\\none.txt')}`)).json).to.deep.equal({ exists: false });

    expect((await controlFetch(emu, 'POST', 'guest-defaults', { agentNeverOnline: true })).status).to.equal(200);
    const offline = await launch(c);
    await controlFetch(emu, 'POST', 'guest-defaults', {});
    await sleep(300);
    expect(await pingStatus(c.ssm, offline)).to.equal(undefined);

    expect((await controlFetch(emu, 'POST', `instances/${id}/terminate`)).status).to.equal(200);
    await eventually(async () => ((await describe1(c.ec2, id)).State!.Name === 'terminated' ? true : undefined));
    const gone = await controlFetch(emu, 'GET', 'resources?account=111111111111&includeGone=true');
    expect(gone.json.instances.find((i: { id: string }) => i.id === id).state).to.equal('terminated');

    expect((await controlFetch(emu, 'POST', 'reset')).status).to.equal(200);
    expect((await controlFetch(emu, 'GET', 'resources?account=111111111111&includeGone=true')).json.instances).to.deep.equal([]);
    expect((await controlFetch(emu, 'GET', 'calls')).json).to.deep.equal([]);
    expect((await rejection(describe1(c.ec2, id))).name).to.equal('InvalidInstanceID.NotFound');
  });

  it('answers 404 naming an unknown route and 400 for a body that is not JSON or a bad target', async () => {
    const unknown = await controlFetch(emu, 'GET', 'nothing-here');
    expect(unknown.status).to.equal(404);
    expect(unknown.json.error).to.contain('/_emulator/nothing-here');
    const bad = await controlFetch(emu, 'POST', 'faults', '{not json');
    expect(bad.status).to.equal(400);
    expect(bad.json.error).to.match(/JSON/);
    const missing = await controlFetch(emu, 'POST', 'guests/i-0000000000000dead', { agentNeverOnline: true });
    expect(missing.status).to.equal(400);
    expect(missing.json.error).to.contain('i-0000000000000dead');
  });
});
