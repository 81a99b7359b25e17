/**
 * EC2 Fast Launch in the emulator, through the real SDK client: the state
 * transitions (enabling → enabled, enabling-failed, disabling → gone) and the
 * refusals (not Windows, not owned, out-of-range settings, both template
 * keys, a template that does not exist, enabling while disabling, disabling what is not enabled, DryRun).
 */
import { expect } from 'chai';
import {
  CopyImageCommand,
  DescribeFastLaunchImagesCommand,
  DescribeImagesCommand,
  DisableFastLaunchCommand,
  EnableFastLaunchCommand,
  RegisterImageCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { Emulator } from '../../emulator/index.js';
import { eventually, rejection, sdk, withEmulator, WIN2022 } from './helpers.js';

async function available(ec2: EC2Client, imageId: string): Promise<string> {
  await eventually(
    async () => ((await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images?.[0]?.State === 'available' ? true : undefined),
    5000,
    `${imageId} available`,
  );
  return imageId;
}

async function fastLaunchState(ec2: EC2Client, imageId: string): Promise<string | undefined> {
  const out = await ec2.send(new DescribeFastLaunchImagesCommand({ ImageIds: [imageId] }));
  return out.FastLaunchImages?.find((i) => i.ImageId === imageId)?.State;
}

describe('emulator: EC2 Fast Launch', function () {
  this.timeout(30_000);
  let emu: Emulator;
  let ec2: EC2Client;
  let publicWindows: string;
  let own: string;
  before(async () => {
    emu = await withEmulator();
    // EnableFastLaunch's bucket holds 5 (domain-facts §8): let the SDK retry the throttled ones.
    const c = sdk(emu, 0, 'us-east-1', 6);
    ec2 = c.ec2;
    publicWindows = (await c.ssm.send(new GetParameterCommand({ Name: WIN2022 }))).Parameter!.Value!;
    own = await available(
      ec2,
      (await ec2.send(new CopyImageCommand({ Name: 'fast-launch-own', SourceImageId: publicWindows, SourceRegion: 'us-east-1' }))).ImageId!,
    );
  });
  after(async () => emu?.stop());

  const enable = (ImageId: string, extra: Partial<ConstructorParameters<typeof EnableFastLaunchCommand>[0]> = {}) =>
    ec2.send(
      new EnableFastLaunchCommand({ ImageId, ResourceType: 'snapshot', SnapshotConfiguration: { TargetResourceCount: 5 }, MaxParallelLaunches: 6, ...extra }),
    );

  it('refuses what AWS refuses: fewer than 6 parallel launches, both template keys, an image not owned or shared, a non-Windows image, DryRun', async () => {
    const few = await rejection(enable(own, { MaxParallelLaunches: 5 }));
    expect([few.name, few.message]).to.deep.equal([
      'InvalidParameterValue',
      'Value (5) for parameter MaxParallelLaunches is invalid. The value must be 6 or greater.',
    ]);
    const both = await rejection(enable(own, { LaunchTemplate: { LaunchTemplateId: 'lt-0123456789abcdef0', LaunchTemplateName: 'x', Version: '1' } }));
    expect(both.name).to.equal('InvalidParameterCombination');
    expect((await rejection(enable(publicWindows))).name).to.equal('AuthFailure');
    const missing = await rejection(enable(own, { LaunchTemplate: { LaunchTemplateName: 'no-such-template', Version: '$Default' } }));
    expect(missing.name).to.equal('InvalidLaunchTemplateName.NotFoundException');
    const imported = emu.control.importSnapshot({ account: '111111111111', region: 'us-east-1' });
    const linux = await available(
      ec2,
      (
        await ec2.send(
          new RegisterImageCommand({
            Name: 'not-windows',
            RootDeviceName: '/dev/sda1',
            BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { SnapshotId: imported } }],
          }),
        )
      ).ImageId!,
    );
    expect((await rejection(enable(linux))).name).to.equal('InvalidParameterValue');
    const dry = await rejection(enable(own, { DryRun: true }));
    expect([dry.name, dry.$metadata?.httpStatusCode]).to.deep.equal(['DryRunOperation', 412]);
    expect(await fastLaunchState(ec2, own)).to.equal(undefined);
    expect((await rejection(ec2.send(new DisableFastLaunchCommand({ ImageId: own })))).name).to.equal('InvalidParameterValue');
  });

  it('goes enabling → enabled, echoes the settings, and disabling removes it; enabling again while disabling is refused', async () => {
    const out = await enable(own, { SnapshotConfiguration: { TargetResourceCount: 7 }, MaxParallelLaunches: 8 });
    expect([out.State, out.ResourceType, out.SnapshotConfiguration?.TargetResourceCount, out.MaxParallelLaunches, out.OwnerId]).to.deep.equal([
      'enabling',
      'snapshot',
      7,
      8,
      '111111111111',
    ]);
    await eventually(async () => ((await fastLaunchState(ec2, own)) === 'enabled' ? true : undefined), 5000, 'enabled');
    const listed = await ec2.send(new DescribeFastLaunchImagesCommand({ Filters: [{ Name: 'state', Values: ['enabled'] }] }));
    expect(listed.FastLaunchImages!.map((i) => i.ImageId)).to.deep.equal([own]);
    // Disabling lasts half a snapshot's time: two seconds here, so the refusal below is met however loaded the machine.
    emu.control.setDurations({ snapshot: 4_000_000 });
    const off = await ec2.send(new DisableFastLaunchCommand({ ImageId: own }));
    expect(off.State).to.equal('disabling');
    expect((await rejection(enable(own))).name).to.equal('IncorrectState');
    emu.control.setDurations({ snapshot: 120_000 });
    await eventually(async () => ((await fastLaunchState(ec2, own)) === undefined ? true : undefined), 5000, 'gone');
  });

  it('ends in enabling-failed with the injected reason', async () => {
    emu.control.failFastLaunch(own, 'Client.InternalError: the launch template names a subnet that does not exist');
    expect((await enable(own)).State).to.equal('enabling');
    await eventually(async () => ((await fastLaunchState(ec2, own)) === 'enabling-failed' ? true : undefined), 5000, 'enabling-failed');
    const item = (await ec2.send(new DescribeFastLaunchImagesCommand({ ImageIds: [own] }))).FastLaunchImages![0]!;
    expect(item.StateTransitionReason).to.contain('subnet that does not exist');
  });
});
