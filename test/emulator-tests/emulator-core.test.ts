import { expect } from 'chai';
import type { Emulator } from '../../emulator/index.js';
import { eventually, launchOnline, run, sessionFor, STATE_KEY, withEmulator, WIN2022 } from './helpers.js';

describe('emulator: core through the real SDK', () => {
  let emu: Emulator;
  before(async () => {
    emu = await withEmulator();
  });
  after(async () => {
    await emu.stop();
  });

  it('maps access keys to accounts, and AssumeRole to the target account', async () => {
    const s = sessionFor(emu);
    expect((await s.sts().getCallerIdentity({})).Account).to.equal('111111111111');
    const other = await s.assumeRole('arn:aws:iam::222222222222:role/audit');
    const id = await other.sts().getCallerIdentity({});
    expect(id.Account).to.equal('222222222222');
    expect(id.Arn).to.equal('arn:aws:sts::222222222222:assumed-role/audit/winami');
    emu.control.denyRole('arn:aws:iam::333333333333:role/nope');
    const err = await s.assumeRole('arn:aws:iam::333333333333:role/nope').catch((e: unknown) => e);
    expect(String(err)).to.match(/AccessDenied/);
  });

  it('resolves public parameters to seeded Windows images with billing fields per region', async () => {
    for (const region of ['us-east-1', 'eu-west-1']) {
      const s = sessionFor(emu, 0, region);
      const p = await s.ssm().getParameter({ Name: '/aws/service/ami-windows-latest/Windows_Server-2019-English-Full-SQL_2019_Standard' });
      const img = (await s.ec2().describeImages({ ImageIds: [p.Parameter!.Value!] })).Images![0]!;
      expect(img.Name).to.match(/^Windows_Server-2019-English-Full-SQL_2019_Standard-\d{4}\.\d{2}\.\d{2}$/);
      expect(img.Platform).to.equal('windows');
      expect(img.PlatformDetails).to.equal('Windows with SQL Server Standard');
      expect(img.UsageOperation).to.equal('RunInstances:0006');
      expect(img.OwnerId).to.equal('801119661308');
    }
  });

  it('answers EC2 errors with the real codes', async () => {
    const s = sessionFor(emu);
    const e1 = await s
      .ec2()
      .describeImages({ ImageIds: ['ami-0123456789abcdef0'] })
      .catch((e: unknown) => e);
    expect(String(e1)).to.match(/InvalidAMIID\.NotFound/);
    const e2 = await s
      .ec2()
      .describeInstances({ InstanceIds: ['i-0123456789abcdef0'] })
      .catch((e: unknown) => e);
    expect(String(e2)).to.match(/InvalidInstanceID\.NotFound/);
  });

  it('runs a bake: commands, files, sysprep, stopped, CreateImage with inherited billing, specialize on launch', async () => {
    const s = sessionFor(emu);
    const { instanceId } = await launchOnline(s, '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-SQL_2022_Web');
    const first = await run(s, instanceId, [
      '$p = "$env:ProgramData\\winami\\marker.txt"',
      'New-Item -ItemType Directory -Path "$env:ProgramData\\winami" -Force',
      "Set-Content -LiteralPath $p -Value 'baked' -NoNewline",
      'Get-Content -LiteralPath $p',
      'hostname',
    ]);
    expect(first.Status).to.equal('Success');
    const [marker, builderName] = first.StandardOutputContent!.trim().split('\n');
    expect(marker).to.equal('baked');
    expect(builderName).to.match(/^EC2AMAZ-[A-Z0-9]{7}$/);

    const failing = await run(s, instanceId, ["Write-Error 'bad thing'", 'exit 5']);
    expect(failing.Status).to.equal('Failed');
    expect(failing.ResponseCode).to.equal(5);
    expect(failing.StandardErrorContent).to.contain('bad thing');

    await s.ssm().sendCommand({
      DocumentName: 'AWS-RunPowerShellScript',
      InstanceIds: [instanceId],
      Parameters: { commands: ['& "$env:ProgramFiles\\Amazon\\EC2Launch\\ec2launch.exe" sysprep --shutdown'] },
    });
    await eventually(async () => {
      const d = await s.ec2().describeInstances({ InstanceIds: [instanceId] });
      return d.Reservations![0]!.Instances![0]!.State!.Name === 'stopped' ? true : undefined;
    });
    expect(emu.control.resources().instances.find((i) => i.id === instanceId)!.imageState).to.equal('IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE');

    const { ImageId } = await s.ec2().createImage({ InstanceId: instanceId, Name: 'winami-golden-test' });
    const img = await eventually(async () => {
      const i = (await s.ec2().describeImages({ ImageIds: [ImageId!] })).Images![0]!;
      return i.State === 'available' ? i : undefined;
    });
    expect(img.PlatformDetails).to.equal('Windows with SQL Server Web');
    expect(img.UsageOperation).to.equal('RunInstances:0202');

    const r = await s.ec2().runInstances({ ImageId: ImageId!, MinCount: 1, MaxCount: 1, IamInstanceProfile: { Name: 'winami-builder' } });
    const smokeId = r.Instances![0]!.InstanceId!;
    await eventually(async () => {
      const info = await s.ssm().describeInstanceInformation({ Filters: [{ Key: 'InstanceIds', Values: [smokeId] }] });
      return info.InstanceInformationList?.[0]?.PingStatus === 'Online' ? true : undefined;
    });
    const check = await run(s, smokeId, [
      `(Get-ItemProperty -Path '${STATE_KEY}' -Name ImageState).ImageState`,
      'hostname',
      "Get-Content -Raw -LiteralPath 'C:\\ProgramData\\winami\\marker.txt'",
    ]);
    const [state, smokeName, copied] = check.StandardOutputContent!.trim().split('\n');
    expect(state).to.equal('IMAGE_STATE_COMPLETE');
    expect(smokeName).to.not.equal(builderName);
    expect(copied).to.equal('baked');
  });

  it('rejects scripts that do not parse, as powershell.exe does', async () => {
    const s = sessionFor(emu);
    const { instanceId } = await launchOnline(s, WIN2022);
    const inv = await run(s, instanceId, ['if ($true) {', "  Write-Output 'x'"]);
    expect(inv.Status).to.equal('Failed');
    expect(inv.ResponseCode).to.equal(1);
    expect(inv.StandardErrorContent).to.contain('ParserError');
    expect(inv.StandardOutputContent).to.equal('');
  });

  it('keeps the agent offline without an instance profile', async () => {
    const s = sessionFor(emu);
    const p = await s.ssm().getParameter({ Name: WIN2022 });
    const r = await s.ec2().runInstances({ ImageId: p.Parameter!.Value!, MinCount: 1, MaxCount: 1 });
    const id = r.Instances![0]!.InstanceId!;
    await eventually(async () => {
      const d = await s.ec2().describeInstances({ InstanceIds: [id] });
      return d.Reservations![0]!.Instances![0]!.State!.Name === 'running' ? true : undefined;
    });
    await new Promise((res) => setTimeout(res, 200));
    const info = await s.ssm().describeInstanceInformation({ Filters: [{ Key: 'InstanceIds', Values: [id] }] });
    expect(info.InstanceInformationList).to.deep.equal([]);
    const err = await s
      .ssm()
      .sendCommand({ DocumentName: 'AWS-RunPowerShellScript', InstanceIds: [id], Parameters: { commands: ['hostname'] } })
      .catch((e: unknown) => e);
    expect(String(err)).to.match(/InvalidInstanceId/);
  });
});
