/**
 * A `windowsFeatures` step through the real bake: a feature that needs a
 * restart makes the step exit 3010, SSM reboots the builder and reruns the
 * step, which then finds nothing to do (the first run's RestartNeeded Yes is
 * tested on the guest directly, guest-model.test.ts); the features are in the
 * image. A
 * feature name Windows does not know stops the bake with Windows's error.
 */
import { EC2Client, RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { expect } from 'chai';
import { EMULATOR_ACCOUNTS, type Emulator } from '../../emulator/index.js';
import { afterConsistencyWindow } from './billing-emulator.js';
import { bakeOn, leftovers, NOTHING, startBakeEmulator, writeConfig } from './bake-harness.js';

const features = (names: string[]) =>
  writeConfig(
    [
      'name: features',
      'region: us-east-1',
      'windows:',
      '  release: "2022"',
      'builder:',
      '  instanceProfile: winami-builder',
      'customize:',
      '  - name: roles',
      `    windowsFeatures: [${names.join(', ')}]`,
      'image:',
      '  name: "features-{{buildId}}"',
    ].join('\n'),
  );

describe('bake: windowsFeatures on the emulator', function () {
  this.timeout(120_000);
  let emu: Emulator;
  const outputs: string[] = [];
  before(async () => {
    emu = await startBakeEmulator({ seed: { regions: ['us-east-1'] } });
  });
  after(async () => emu?.stop());

  it('installs them (Containers needs a restart: exit 3010, SSM reboots and reruns the step), and the image has them', async () => {
    const { result, reporter } = await bakeOn(emu, features(['Web-Server', 'Containers']), { smokeTest: false });
    if (!result.ok) throw new Error(`bake failed: ${result.error?.message}`);
    outputs.push(...result.images.map((i) => i.imageId));
    const output = reporter.events
      .filter((e) => e.code === 'bake.customize.output')
      .map((e) => JSON.stringify(e.data ?? {}) + e.message)
      .join('\n');
    // SSM keeps the rerun's output: the features were in place, nothing left to install or restart.
    expect(output).to.contain('WINAMI restartNeeded=No');
    const a = EMULATOR_ACCOUNTS[0]!;
    const ec2 = new EC2Client({ region: 'us-east-1', endpoint: emu.endpoint, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey } });
    try {
      const id = (
        await ec2.send(
          new RunInstancesCommand({
            ImageId: result.images[0]!.imageId,
            InstanceType: 'm6i.large',
            MinCount: 1,
            MaxCount: 1,
            IamInstanceProfile: { Name: 'winami-builder' },
          }),
        )
      ).Instances![0]!.InstanceId!;
      expect(JSON.parse(emu.control.readGuestFile(id, 'C:\\Windows\\.emulator\\features.json') ?? '[]')).to.deep.equal(['Containers', 'Web-Server']);
      // Launched moments ago: EC2 may not know the id yet (eventual consistency).
      await afterConsistencyWindow();
      await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
      for (let i = 0; i < 200 && leftovers(emu, outputs).instances.length > 0; i++) await new Promise((r) => setTimeout(r, 25));
    } finally {
      ec2.destroy();
    }
    expect(leftovers(emu, outputs)).to.deep.equal(NOTHING);
  });

  it('a feature name Windows does not know stops the bake with its error (exit 7), nothing left', async () => {
    const { result } = await bakeOn(emu, features(['Web-Server', 'OpenSSH-Server']), { smokeTest: false });
    expect(result.exitCode).to.equal(7);
    expect(result.failedStep).to.equal('customize');
    expect(result.error!.message).to.contain("ArgumentNotValid: The role, role service, or feature name is not valid: 'OpenSSH-Server'");
    expect(leftovers(emu, outputs)).to.deep.equal(NOTHING);
  });
});
