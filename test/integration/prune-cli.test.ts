/**
 * `winami prune` through the CLI against the emulator: a family of six
 * complete images (tag winami:config); the newest is kept by --keep, one by a
 * running instance, one by a launch template's default version, one by an SSM
 * parameter of data type aws:ec2:image; the plan lists the other two with
 * their snapshots; off a terminal without --yes nothing is deleted; with --yes
 * exactly those two go; lifting each protection lets the next prune take that
 * image; --older-than keeps young images; another family is never touched.
 */
import { expect } from 'chai';
import {
  CopyImageCommand,
  CreateLaunchTemplateCommand,
  CreateTagsCommand,
  DeleteLaunchTemplateCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { EMULATOR_ACCOUNTS, type Emulator } from '../../emulator/index.js';
import { afterConsistencyWindow } from './billing-emulator.js';
import { runWinami, startBakeEmulator } from './bake-harness.js';
import { PRUNE_ACTIONS } from '../../src/bake/iam-policy.js';

const WIN2022 = '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base';

describe('winami prune (CLI, emulator)', function () {
  this.timeout(120_000);
  let emu: Emulator;
  let ec2: EC2Client;
  let ssm: SSMClient;
  const fam: string[] = []; // newest first
  let other: string;
  let instanceId: string;

  async function available(imageId: string): Promise<void> {
    for (let i = 0; i < 400; i++) {
      if ((await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images?.[0]?.State === 'available') return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`${imageId} never became available`);
  }
  async function member(source: string, family: string, name: string): Promise<string> {
    const id = (await ec2.send(new CopyImageCommand({ Name: name, SourceImageId: source, SourceRegion: 'us-east-1' }))).ImageId!;
    // A new image id answers NotFound for a while (EC2's eventual consistency), as it would to a person looking it up.
    await afterConsistencyWindow();
    await available(id);
    await ec2.send(
      new CreateTagsCommand({
        Resources: [id],
        Tags: [
          { Key: 'winami:config', Value: family },
          { Key: 'winami:complete', Value: 'true' },
        ],
      }),
    );
    await new Promise((r) => setTimeout(r, 15)); // distinct creation times
    return id;
  }
  const exists = async (id: string) =>
    (await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'image-id', Values: [id] }] }))).Images!.length === 1;
  const snapshotsOf = async (id: string) =>
    ((await ec2.send(new DescribeImagesCommand({ ImageIds: [id] }))).Images![0]!.BlockDeviceMappings ?? []).map((m) => m.Ebs!.SnapshotId!);
  const prune = (...extra: string[]) => runWinami(emu, ['prune', '--family', 'golden', '--keep', '1', '--regions', 'us-east-1', ...extra]);

  before(async () => {
    emu = await startBakeEmulator({ seed: { regions: ['us-east-1'] } });
    const a = EMULATOR_ACCOUNTS[0]!;
    const credentials = { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey };
    ec2 = new EC2Client({ region: 'us-east-1', endpoint: emu.endpoint, credentials, maxAttempts: 6 });
    ssm = new SSMClient({ region: 'us-east-1', endpoint: emu.endpoint, credentials });
    const source = (await ssm.send(new GetParameterCommand({ Name: WIN2022 }))).Parameter!.Value!;
    const made: string[] = [];
    for (let i = 0; i < 6; i++) made.push(await member(source, 'golden', `golden-${i}`));
    fam.push(...made.reverse());
    other = await member(source, 'another', 'another-0');
    instanceId = (await ec2.send(new RunInstancesCommand({ ImageId: fam[1]!, InstanceType: 'm6i.large', MinCount: 1, MaxCount: 1 }))).Instances![0]!
      .InstanceId!;
    await ec2.send(
      new CreateLaunchTemplateCommand({ LaunchTemplateName: 'golden-fleet', LaunchTemplateData: { ImageId: fam[2]!, InstanceType: 'm6i.large' } }),
    );
    await ssm.send(new PutParameterCommand({ Name: '/golden/windows-2022/latest', Type: 'String', DataType: 'aws:ec2:image', Value: fam[3]! }));
    // The instance must be listed by the time prune looks for instances launched from the family.
    await afterConsistencyWindow();
  });
  after(async () => {
    ec2?.destroy();
    ssm?.destroy();
    await emu?.stop();
  });

  it('lists what it would deregister with its snapshots and why it keeps the rest, and deletes nothing off a terminal without --yes', async () => {
    const snaps4 = await snapshotsOf(fam[4]!);
    const r = await prune();
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stderr).to.contain('refusing to deregister 2 image(s) of golden');
    expect(r.stdout).to.contain(`would deregister ${fam[4]} (us-east-1)`).and.to.contain(`would deregister ${fam[5]} (us-east-1)`);
    expect(r.stdout).to.contain(`  would delete ${snaps4[0]}`);
    expect(r.stdout).to.match(new RegExp(`kept ${fam[0]} .*one of the 1 newest`));
    expect(r.stdout).to.match(new RegExp(`kept ${fam[1]} .*instance ${instanceId} \\(running\\) was launched from it`));
    expect(r.stdout).to.match(new RegExp(`kept ${fam[2]} .*launch template golden-fleet \\(version 1\\) names it`));
    expect(r.stdout).to.match(new RegExp(`kept ${fam[3]} .*SSM parameter /golden/windows-2022/latest holds its id`));
    expect(r.stdout).not.to.contain(other);
    for (const id of [...fam, other]) expect(await exists(id), id).to.equal(true);
  });

  it('--older-than keeps images younger than the limit', async () => {
    const r = await runWinami(emu, ['prune', '--family', 'golden', '--keep', '0', '--older-than', '90d', '--regions', 'us-east-1', '--dry-run', '--json']);
    expect(r.code, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout) as { pruned: unknown[]; kept: { imageId: string; reasons: string[] }[] };
    expect(out.pruned).to.deep.equal([]);
    expect(out.kept.map((k) => k.imageId)).to.deep.equal(fam);
    expect(out.kept.every((k) => k.reasons.some((x) => x.includes('not older than')))).to.equal(true);
  });

  it('with --yes deregisters exactly the unprotected old images and their snapshots; lifting each protection lets the next prune take it', async () => {
    const snaps = [...(await snapshotsOf(fam[4]!)), ...(await snapshotsOf(fam[5]!))];
    const r = await prune('--yes');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain(`deregistered ${fam[4]}`).and.to.contain(`deregistered ${fam[5]}`);
    expect(await Promise.all(fam.map(exists))).to.deep.equal([true, true, true, true, false, false]);
    expect(await exists(other)).to.equal(true);
    const left = (await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots!.map((s) => s.SnapshotId);
    for (const s of snaps) expect(left).not.to.include(s);

    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
    for (let i = 0; i < 200; i++) {
      const again = await prune('--dry-run');
      if (again.stdout.includes(`would deregister ${fam[1]}`)) break;
      await new Promise((res) => setTimeout(res, 25));
    }
    await ec2.send(new DeleteLaunchTemplateCommand({ LaunchTemplateName: 'golden-fleet' }));
    await ssm.send(new DeleteParameterCommand({ Name: '/golden/windows-2022/latest' }));
    const before = emu.control.calls().length;
    const last = await prune('--yes');
    expect(last.code, last.stderr).to.equal(0);
    // `winami iam-policy --include-prune` grants every call prune made (GetCallerIdentity needs no permission).
    const called = new Set(
      emu.control
        .calls()
        .slice(before)
        .filter((c) => c.service !== 'sts')
        .map((c) => `${c.service}:${c.action}`),
    );
    expect([...called].filter((a) => !(PRUNE_ACTIONS as readonly string[]).includes(a))).to.deep.equal([]);
    expect(called).to.include('ec2:DescribeLaunchTemplateVersions').and.to.include('ssm:DescribeParameters').and.to.include('ec2:DeregisterImage');
    expect(await Promise.all(fam.map(exists))).to.deep.equal([true, false, false, false, false, false]);
    expect(await exists(other)).to.equal(true);
  });
});
