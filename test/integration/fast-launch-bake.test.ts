/**
 * `image.fastLaunch` through the real bake on the emulator: Fast Launch is
 * enabled on the image and on its copy, each in its region, after the smoke
 * test and the copy, and the bake waits for `enabled` and records the cost
 * estimate; a Fast Launch that fails fails the bake, and cleanup disables Fast
 * Launch before it deregisters each image, leaving nothing; `winami discard`'s
 * library call disables it first too.
 */
import { expect } from 'chai';
import type { Emulator } from '../../emulator/index.js';
import type { CallRecord } from '../../emulator/options.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discardImage } from '../../src/image/lifecycle.js';
import { cleanupBuild } from '../../src/bake/cleanup.js';
import { pruneFamily } from '../../src/billing/prune.js';
import { FAST_LAUNCH_PRICING_BASIS, fastLaunchMonthlyUsd } from '../../src/knowledge/fast-launch.js';
import { afterConsistencyWindow, consistencyGraceFor } from './billing-emulator.js';
import { bakeOn, leftovers, NOTHING, sessionOn, startBakeEmulator, writeConfig } from './bake-harness.js';

const config = (smoke: boolean, extra: string[] = []) =>
  writeConfig(
    [
      'name: fast',
      'region: us-east-1',
      'windows:',
      '  release: "2022"',
      'builder:',
      '  instanceProfile: winami-builder',
      `smokeTest: ${smoke}`,
      'image:',
      '  name: "fast-{{buildId}}"',
      '  regions:',
      '    - region: eu-west-1',
      '  fastLaunch:',
      '    targetResourceCount: 4',
      '    maxParallelLaunches: 6',
      ...extra,
    ].join('\n'),
  );

describe('bake: image.fastLaunch on the emulator', function () {
  this.timeout(120_000);
  let emu: Emulator;
  before(async () => {
    emu = await startBakeEmulator({ seed: { regions: ['us-east-1', 'eu-west-1'] } });
  });
  after(async () => emu?.stop());

  it('enables Fast Launch on the image and its copy after the smoke test and the copy, waits for enabled, and records the estimate', async () => {
    const { result, reporter } = await bakeOn(emu, config(true));
    if (!result.ok) throw new Error(`bake failed: ${result.error?.message}`);
    const order = result.steps.map((s) => s.name);
    expect(order.indexOf('enableFastLaunch')).to.be.greaterThan(order.indexOf('smokeTest'));
    expect(order.indexOf('enableFastLaunch')).to.be.greaterThan(order.indexOf('copyToRegions'));
    expect(result.images.map((i) => emu.control.fastLaunchState(i.imageId))).to.deep.equal(['enabled', 'enabled']);
    const fl = result.manifest.fastLaunch!;
    expect(fl.images.map((i) => [i.region, i.state, i.targetResourceCount, i.maxParallelLaunches])).to.deep.equal([
      ['us-east-1', 'enabled', 4, 6],
      ['eu-west-1', 'enabled', 4, 6],
    ]);
    // The seeded 2022 image's root volume is 30 GiB: 4 × 30 GiB × USD 0.05 = USD 6 per region.
    expect(fl.images.map((i) => i.estimatedMonthlyUsd)).to.deep.equal([fastLaunchMonthlyUsd(4, 30), fastLaunchMonthlyUsd(4, 30)]);
    expect(fl.estimatedMonthlyUsd).to.equal(12);
    expect(fl.pricingBasis).to.equal(FAST_LAUNCH_PRICING_BASIS);
    const event = reporter.events.find((e) => e.code === 'bake.fastLaunch')!;
    expect(event.message).to.contain('USD 12.00 a month');

    // The family tag `winami prune` works on, on the image and (through CopyImageTags) on the copy.
    const session = sessionOn(emu);
    for (const img of result.images) {
      const tags = (await session.ec2(img.region).describeImages({ ImageIds: [img.imageId] })).Images![0]!.Tags ?? [];
      expect(tags.find((t) => t.Key === 'winami:config')?.Value, img.region).to.equal('fast');
    }
    // winami discard disables Fast Launch before it deregisters.
    const before = emu.control.calls().length;
    const out = await discardImage(session.ec2('eu-west-1'), result.images[1]!.imageId, {
      fastLaunchWait: { timeoutMs: 5_000, minDelayMs: 10, maxDelayMs: 50 },
    });
    expect([out.status, out.fastLaunchDisabled]).to.deep.equal(['discarded', true]);
    const actions = (emu.control.calls().slice(before) as CallRecord[]).filter((c) => c.errorCode === undefined).map((c) => c.action);
    expect(actions.indexOf('DisableFastLaunch')).to.be.within(0, actions.indexOf('DeregisterImage'));
    expect(emu.control.fastLaunchState(result.images[1]!.imageId)).to.equal(undefined);
    await discardImage(session.ec2('us-east-1'), result.images[0]!.imageId, { fastLaunchWait: { timeoutMs: 5_000, minDelayMs: 10, maxDelayMs: 50 } });
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });

  it('fails the bake when Fast Launch ends enabling-failed, names the reason, and cleanup disables it before deregistering, leaving nothing', async () => {
    emu.control.failFastLaunch('*', 'Client.InvalidLaunchTemplate: no default VPC in this region');
    const before = emu.control.calls().length;
    const { result } = await bakeOn(emu, config(false));
    expect(result.ok).to.equal(false);
    expect(result.failedStep).to.equal('enableFastLaunch');
    expect(result.error!.message).to.contain('enabling-failed').and.to.contain('no default VPC');
    const calls = (emu.control.calls().slice(before) as CallRecord[]).filter((c) => c.errorCode === undefined);
    for (const region of ['us-east-1', 'eu-west-1']) {
      const inRegion = calls.filter((c) => c.region === region).map((c) => c.action);
      expect(inRegion.indexOf('DisableFastLaunch'), region).to.be.within(0, inRegion.lastIndexOf('DeregisterImage'));
    }
    // One per image: the one that failed and the one that was enabled.
    expect(calls.filter((c) => c.action === 'DisableFastLaunch').length).to.equal(2);
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });

  it("the bake's final sweep disables Fast Launch on an image the steps' cleanup could not discard, before deregistering it", async () => {
    emu.control.failFastLaunch('*', 'Client.InvalidLaunchTemplate: no default VPC in this region');
    // The first DisableFastLaunch (the image's cleanup, in whichever region comes first) is refused: that image outlives
    // the steps' cleanup and only the sweep can remove it.
    emu.control.addFault({ action: 'DisableFastLaunch', errorCode: 'InvalidParameterValue', message: 'refused once by the test', times: 1 });
    const before = emu.control.calls().length;
    const { result, reporter } = await bakeOn(emu, config(false));
    emu.control.clearFaults();
    expect(result.failedStep).to.equal('enableFastLaunch');
    const calls = emu.control.calls().slice(before) as CallRecord[];
    const refused = calls.find((c) => c.action === 'DisableFastLaunch' && c.errorCode !== undefined)!;
    expect(refused, 'the injected refusal').to.not.equal(undefined);
    const swept = reporter.events.filter((e) => e.code === 'bake.sweep.removed').map((e) => e.data as { kind: string; id: string; region: string });
    // The image, and with it its snapshot (the steps' cleanup would have deleted it after the image).
    expect(swept.map((s) => [s.kind, s.region])).to.deep.equal([
      ['image', refused.region],
      ['snapshot', refused.region],
    ]);
    const inRegion = calls.filter((c) => c.region === refused.region && c.errorCode === undefined).map((c) => c.action);
    // After the refusal: the sweep's DisableFastLaunch, then its DeregisterImage.
    expect(inRegion.lastIndexOf('DisableFastLaunch')).to.be.within(0, inRegion.lastIndexOf('DeregisterImage'));
    expect(emu.control.fastLaunchState(swept[0]!.id)).to.equal(undefined);
    expect(result.leftBehind).to.deep.equal([]);
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });

  it('winami prune disables Fast Launch on each image it retires before deregistering it, and keeps the newest', async () => {
    const first = (await bakeOn(emu, config(false))).result;
    if (!first.ok) throw new Error(`bake failed: ${first.error?.message}`);
    // CreationDate has a resolution of one second: the second bake's images must be the newer.
    await new Promise((r) => setTimeout(r, 1_100));
    const second = (await bakeOn(emu, config(false))).result;
    if (!second.ok) throw new Error(`bake failed: ${second.error?.message}`);
    const before = emu.control.calls().length;
    const out = await pruneFamily({
      session: sessionOn(emu),
      family: 'fast',
      keep: 1,
      regions: ['us-east-1', 'eu-west-1'],
      apply: true,
      discard: { fastLaunchWait: { timeoutMs: 5_000, minDelayMs: 10, maxDelayMs: 50 } },
    });
    expect(out.failed).to.deep.equal([]);
    expect(out.pruned.map((p) => [p.region, p.imageId, p.fastLaunchDisabled]).sort()).to.deep.equal(
      first.images.map((i) => [i.region, i.imageId, true]).sort(),
    );
    expect(out.kept.map((k) => k.imageId).sort()).to.deep.equal(second.images.map((i) => i.imageId).sort());
    const calls = (emu.control.calls().slice(before) as CallRecord[]).filter((c) => c.errorCode === undefined);
    for (const region of ['us-east-1', 'eu-west-1']) {
      const inRegion = calls.filter((c) => c.region === region).map((c) => c.action);
      expect(inRegion.indexOf('DisableFastLaunch'), region).to.be.within(0, inRegion.indexOf('DeregisterImage'));
    }
    for (const img of first.images) expect(emu.control.fastLaunchState(img.imageId)).to.equal(undefined);
    for (const img of second.images) {
      expect(emu.control.fastLaunchState(img.imageId)).to.equal('enabled');
      await discardImage(sessionOn(emu).ec2(img.region), img.imageId, { fastLaunchWait: { timeoutMs: 5_000, minDelayMs: 10, maxDelayMs: 50 } });
    }
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });

  it('winami cleanup of a crashed build disables Fast Launch on its image before deregistering it', async () => {
    const session = sessionOn(emu);
    const ec2 = session.ec2('us-east-1');
    const source = (await session.ssm().getParameter({ Name: '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base' })).Parameter!.Value!;
    const imageId = (await ec2.copyImage({ Name: 'crashed-fast', SourceImageId: source, SourceRegion: 'us-east-1' })).ImageId!;
    // A new image id answers NotFound for a while (EC2's eventual consistency).
    await afterConsistencyWindow();
    for (let i = 0; i < 400 && (await ec2.describeImages({ ImageIds: [imageId] })).Images?.[0]?.State !== 'available'; i++)
      await new Promise((r) => setTimeout(r, 20));
    const snapshots = ((await ec2.describeImages({ ImageIds: [imageId] })).Images![0]!.BlockDeviceMappings ?? []).map((m) => m.Ebs!.SnapshotId!);
    await ec2.createTags({ Resources: [imageId, ...snapshots], Tags: [{ Key: 'winami:build-id', Value: 'crashed-fast-1' }] });
    await ec2.enableFastLaunch({ ImageId: imageId, MaxParallelLaunches: 6, SnapshotConfiguration: { TargetResourceCount: 2 } });
    for (let i = 0; i < 400 && emu.control.fastLaunchState(imageId) !== 'enabled'; i++) await new Promise((r) => setTimeout(r, 20));
    expect(emu.control.fastLaunchState(imageId)).to.equal('enabled');
    const before = emu.control.calls().length;
    const out = await cleanupBuild({
      session,
      buildId: 'crashed-fast-1',
      regions: ['us-east-1'],
      pollMs: 10,
      timeoutMs: 5_000,
      journalDir: mkdtempSync(join(tmpdir(), 'winami-journal-')),
      consistencyGraceMs: consistencyGraceFor(emu),
    });
    expect(out.removed.map((r) => r.id)).to.include(imageId);
    const actions = (emu.control.calls().slice(before) as CallRecord[]).filter((c) => c.errorCode === undefined).map((c) => c.action);
    expect(actions.indexOf('DisableFastLaunch')).to.be.within(0, actions.indexOf('DeregisterImage'));
    expect(emu.control.fastLaunchState(imageId)).to.equal(undefined);
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });

  it('passes the launch template to EnableFastLaunch in each region, and fails the bake when a region lacks it', async () => {
    const session = sessionOn(emu);
    const lt = ['    launchTemplate:', '      name: fast-launch-template'];
    const { EC2Client, CreateLaunchTemplateCommand } = await import('@aws-sdk/client-ec2');
    const { EMULATOR_ACCOUNTS } = await import('../../emulator/index.js');
    const a = EMULATOR_ACCOUNTS[0]!;
    const create = async (region: string) => {
      const client = new EC2Client({ region, endpoint: emu.endpoint, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey } });
      await client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'fast-launch-template', LaunchTemplateData: { InstanceType: 't3.xlarge' } }));
      client.destroy();
    };
    await create('us-east-1');
    const missing = await bakeOn(emu, config(false, lt));
    expect(missing.result.failedStep).to.equal('enableFastLaunch');
    expect(missing.result.error!.message).to.contain('eu-west-1').and.to.contain('fast-launch-template');
    expect(leftovers(emu)).to.deep.equal(NOTHING);

    await create('eu-west-1');
    const { result } = await bakeOn(emu, config(false, lt));
    if (!result.ok) throw new Error(`bake failed: ${result.error?.message}`);
    for (const img of result.images) {
      const item = (await session.ec2(img.region).describeFastLaunchImages({ ImageIds: [img.imageId] })).FastLaunchImages![0]!;
      expect([item.State, item.LaunchTemplate?.LaunchTemplateName, item.LaunchTemplate?.Version], img.region).to.deep.equal([
        'enabled',
        'fast-launch-template',
        '$Default',
      ]);
      await discardImage(session.ec2(img.region), img.imageId, { fastLaunchWait: { timeoutMs: 5_000, minDelayMs: 10, maxDelayMs: 50 } });
    }
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });
});
