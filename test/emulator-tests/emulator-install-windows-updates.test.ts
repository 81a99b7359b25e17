/**
 * AWS-InstallWindowsUpdates in the emulator: on the seeded catalogue, with
 * AllowReboot=True it installs the servicing stack and the cumulative update,
 * exits 3010 so SSM reboots and runs it again, then installs .NET; without
 * AllowReboot the restart is left pending and .NET is not offered; Scan
 * installs nothing; bad parameter values are refused.
 */
import { expect } from 'chai';
import type { AwsSession } from '../../src/aws/ports.js';
import type { Emulator } from '../../emulator/index.js';
import { catalogue, WU_STATE } from '../../emulator/windows-update.js';
import { eventually, launchOnline, rejection, sessionFor, withEmulator } from './helpers.js';

const month = catalogue('2022', 0).slice(0, 3);
const kb = (kind: string) => month.find((u) => u.kind === kind)!.kb;

async function document(s: AwsSession, instanceId: string, Parameters: Record<string, string[]>) {
  const sent = await s.ssm().sendCommand({ DocumentName: 'AWS-InstallWindowsUpdates', InstanceIds: [instanceId], Parameters });
  const commandId = sent.Command!.CommandId!;
  return eventually(
    async () => {
      const inv = await s.ssm().getCommandInvocation({ CommandId: commandId, InstanceId: instanceId });
      return ['Success', 'Failed', 'TimedOut', 'Cancelled'].includes(inv.Status ?? '') ? inv : undefined;
    },
    10_000,
    `command ${commandId}`,
  );
}

describe('emulator: AWS-InstallWindowsUpdates', function () {
  this.timeout(60_000);
  let emu: Emulator;
  let s: AwsSession;
  before(async () => {
    emu = await withEmulator();
    s = sessionFor(emu);
  });
  after(async () => emu?.stop());
  const installed = (id: string) => (JSON.parse(emu.control.readGuestFile(id, WU_STATE) ?? '{}') as { installed: { kb: string }[] }).installed.map((i) => i.kb);

  it('AllowReboot=True installs the month across a reboot; Scan afterwards finds nothing', async () => {
    const { instanceId } = await launchOnline(s);
    const inv = await document(s, instanceId, { Action: ['Install'], AllowReboot: ['True'], Categories: ['SecurityUpdates,CriticalUpdates'] });
    expect(inv.Status).to.equal('Success');
    expect(installed(instanceId)).to.include.members([kb('ssu'), kb('lcu'), kb('dotnet')]);
    expect(inv.StandardOutputContent).to.contain(`Installed ${kb('dotnet')}`);
    const scan = await document(s, instanceId, { Action: ['Scan'] });
    expect(scan.StandardOutputContent).to.contain('Found 0 update(s).');
  });

  it('without AllowReboot leaves the restart pending and .NET not offered; ExcludeKbs and SeverityLevels filter', async () => {
    const { instanceId } = await launchOnline(s);
    const inv = await document(s, instanceId, { SeverityLevels: ['Critical,Unspecified'], ExcludeKbs: [kb('dotnet')] });
    expect(inv.Status).to.equal('Success');
    expect(inv.StandardOutputContent).to.contain('AllowReboot is False');
    expect(installed(instanceId))
      .to.include.members([kb('ssu'), kb('lcu')])
      .and.not.to.include(kb('dotnet'));
  });

  it('refuses values outside the allowed ones: Action at SendCommand, a category when it runs', async () => {
    const { instanceId } = await launchOnline(s);
    const err = await rejection(
      s.ssm().sendCommand({ DocumentName: 'AWS-InstallWindowsUpdates', InstanceIds: [instanceId], Parameters: { Action: ['Reboot'] } }),
    );
    expect((err as { awsCode?: string }).awsCode ?? err.name).to.equal('InvalidParameters');
    const inv = await document(s, instanceId, { Categories: ['SecurityPatches'] });
    expect([inv.Status, inv.StandardErrorContent]).to.deep.equal(['Failed', 'Invalid category: SecurityPatches\n']);
  });
});
