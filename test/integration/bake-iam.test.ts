/**
 * A bake against the emulator's IAM and KMS: the instance profile must exist
 * and give the agent its permissions, and the image is encrypted with the
 * configured key, whose ARN its snapshots carry. Each failure leaves nothing
 * behind.
 */
import { expect } from 'chai';
import { DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  DetachRolePolicyCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { CreateAliasCommand, CreateKeyCommand, DisableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { EMULATOR_ACCOUNTS, type Emulator } from '../../emulator/index.js';
import { bakeOn, configFor, leftovers, NOTHING, startBakeEmulator, writeConfig } from './bake-harness.js';
import { MemoryReporter, type WinamiEvent } from '../../src/reporter.js';
import { readFileSync } from 'node:fs';

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

function config(emu: Emulator) {
  const a = EMULATOR_ACCOUNTS[0]!;
  return { region: 'us-east-1', endpoint: emu.endpoint, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey } };
}

/** configFor's config with another instance profile. */
function withProfile(path: string, profile: string): string {
  return writeConfig(readFileSync(path, 'utf8').replace('instanceProfile: winami-builder', `instanceProfile: ${profile}`));
}

describe('bake: instance profiles and KMS keys (emulator)', function () {
  this.timeout(120_000);
  let emu: Emulator;
  beforeEach(async () => {
    emu = await startBakeEmulator({ iamPropagationMs: 0 });
  });
  afterEach(async () => emu?.stop());

  const nothingLeft = () => {
    const left = leftovers(emu);
    expect(left, JSON.stringify(left)).to.deep.equal(NOTHING);
  };

  it('fails without launching anything when the instance profile does not exist', async () => {
    const run = await bakeOn(emu, withProfile(configFor('2022'), 'no-such-profile'));
    expect(run.result.ok).to.equal(false);
    expect(run.result.error?.message).to.contain('no-such-profile');
    expect(emu.control.resources({ includeGone: true }).instances).to.deep.equal([]);
    nothingLeft();
  });

  const s3Reader = async (emu: Emulator, extraPolicy?: string) => {
    const iam = new IAMClient(config(emu));
    await iam.send(new CreateRoleCommand({ RoleName: 's3-reader', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 's3-reader', PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' }));
    if (extraPolicy) await iam.send(new AttachRolePolicyCommand({ RoleName: 's3-reader', PolicyArn: extraPolicy }));
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 's3-reader' }));
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 's3-reader', RoleName: 's3-reader' }));
    return iam;
  };
  const launches = () => emu.control.calls().filter((c) => c.action === 'RunInstances').length;

  it('refuses at preflight, launching nothing, a profile whose role lacks the SSM permissions', async () => {
    await s3Reader(emu);
    const run = await bakeOn(emu, withProfile(configFor('2022'), 's3-reader'));
    expect(run.result.exitCode).to.equal(10);
    expect(run.result.error?.message)
      .to.contain('s3-reader')
      .and.match(/ssm:UpdateInstanceInformation|AmazonSSMManagedInstanceCore/);
    expect(launches()).to.equal(0);
    nothingLeft();
  });

  it('waits for the agent until its deadline when the role loses the SSM permissions after preflight, then cleans up', async () => {
    const core = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';
    const iam = await s3Reader(emu, core);
    // The role passes preflight; someone detaches the SSM policy while the builder launches.
    let detached: Promise<unknown> | undefined;
    const reporter = new (class extends MemoryReporter {
      override emit(e: WinamiEvent): void {
        super.emit(e);
        if (e.code === 'bake.step.start' && (e.data as { step?: string } | undefined)?.step === 'launchBuilder') {
          detached ??= iam.send(new DetachRolePolicyCommand({ RoleName: 's3-reader', PolicyArn: core }));
        }
      }
    })();
    const run = await bakeOn(emu, withProfile(configFor('2022', 'deadlines:\n  ssmOnline: 5m\n'), 's3-reader'), { reporter });
    await detached;
    expect(detached, 'the policy was detached at launch').to.not.equal(undefined);
    expect(run.result.ok).to.equal(false);
    expect(run.result.failedStep).to.equal('waitForSsm');
    expect(run.result.error?.message).to.match(/never came Online/);
    nothingLeft();
  });

  it('encrypts the image with the configured key, and its snapshots carry the key ARN', async () => {
    const kms = new KMSClient(config(emu));
    const key = (await kms.send(new CreateKeyCommand({ Description: 'golden images' }))).KeyMetadata!;
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/golden', TargetKeyId: key.KeyId! }));
    const run = await bakeOn(emu, configFor('2022', '  encrypted: true\n  kmsKeyId: alias/golden\n'), { smokeTest: false });
    if (!run.result.ok) throw new Error(run.result.error?.message);
    const snapshotIds = run.result.images.flatMap((i) => i.snapshotIds);
    expect(snapshotIds).to.not.be.empty;
    const snaps = (await new EC2Client(config(emu)).send(new DescribeSnapshotsCommand({ SnapshotIds: snapshotIds }))).Snapshots!;
    expect(snaps.map((s) => [s.Encrypted, s.KmsKeyId])).to.deep.equal(snapshotIds.map(() => [true, key.Arn]));
  });

  it('refuses at preflight, launching nothing, a configured key that is disabled', async () => {
    const kms = new KMSClient(config(emu));
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/golden', TargetKeyId: key.KeyId! }));
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId! }));
    const run = await bakeOn(emu, configFor('2022', '  encrypted: true\n  kmsKeyId: alias/golden\n'), { smokeTest: false });
    expect(run.result.exitCode).to.equal(10);
    expect(run.result.error?.message)
      .to.contain('alias/golden')
      .and.match(/disabled|Disabled/);
    expect(launches()).to.equal(0);
    nothingLeft();
  });
});
