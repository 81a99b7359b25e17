import { expect } from 'chai';
import { createAwsSession } from '../../src/aws/session.js';
import { cleanupBuild } from '../../src/bake/cleanup.js';
import { discardImage } from '../../src/image/lifecycle.js';
import { waitForImageAvailable } from '../../src/image/lifecycle.js';
import { ExitCode } from '../../src/errors.js';
import type { WinamiEvent } from '../../src/reporter.js';
import type { Emulator } from '../../emulator/index.js';
import { EMULATOR_ACCOUNTS } from '../../emulator/index.js';
import { afterConsistencyWindow, consistencyGraceFor } from './billing-emulator.js';
import { ACCOUNT, bakeOn, configFor, leftovers, NOTHING, startBakeEmulator, TIME_SCALE } from './bake-harness.js';

/** A session whose SDK gives up after `maxAttempts`, so a storm outlasts it quickly. */
function briefSession(emu: Emulator, maxAttempts: number) {
  const a = EMULATOR_ACCOUNTS[0]!;
  return createAwsSession({
    region: 'us-east-1',
    endpoint: emu.endpoint,
    credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
    maxAttempts,
    retryMode: 'standard',
    retryTimeScale: TIME_SCALE,
  });
}

describe('bake: deadlines, lost answers and throttled discards (emulator)', function () {
  this.timeout(120_000);
  let emu: Emulator;
  beforeEach(async () => {
    emu = await startBakeEmulator();
  });
  afterEach(async () => emu?.stop());

  it('a network blackholed during Sysprep: the wait ends at its deadline plus a small bound, and cleanup removes everything', async () => {
    // deadlines.sysprep 10 min at the test time scale: 2.4 s.
    const deadlineMs = 10 * 60_000 * TIME_SCALE;
    let startedAt = 0;
    let endedAt = 0;
    const run = await bakeOn(emu, configFor('2022', 'deadlines:\n  sysprep: 10m\n'), {
      smokeTest: false,
      reporter: {
        emit: (e) => {
          const step = (e.data as { step?: string } | undefined)?.step;
          if (step !== 'waitForStopped') return;
          if (e.code === 'bake.step.start') {
            startedAt = Date.now();
            emu.control.addFault({ action: '*', blackhole: true });
          } else if (e.code === 'bake.step.failed') {
            endedAt = Date.now();
            emu.control.clearFaults();
          }
        },
      },
    });
    expect(run.result.exitCode, run.result.error?.message).to.equal(ExitCode.BUILD);
    expect(run.result.error?.message).to.match(/Sysprep did not stop|timed out/);
    expect(endedAt - startedAt, 'the wait overran its deadline').to.be.within(deadlineMs, deadlineMs + 1_000);
    expect(emu.control.calls().some((c) => c.errorCode === 'Blackholed')).to.equal(true);
    const left = leftovers(emu);
    expect(left, JSON.stringify(left)).to.deep.equal(NOTHING);
    expect(run.result.leftBehind).to.deep.equal([]);
  });

  it('RunInstances ran but its answer was lost and the SDK could not retry: the bake fails, and the instance it never heard of is found and removed', async () => {
    emu.control.addFault({ action: 'RunInstances', loseResponse: true, times: 1 });
    const run = await bakeOn(emu, configFor('2022'), { session: briefSession(emu, 1), smokeTest: false });
    expect(run.result.ok).to.equal(false);
    expect(run.result.failedStep).to.equal('launchBuilder');
    expect(
      emu.control
        .calls()
        .filter((c) => c.action === 'RunInstances')
        .map((c) => c.errorCode),
    ).to.deep.equal(['ResponseLost']);
    expect(run.reporter.events.filter((e) => e.code === 'bake.sweep.removed').map((e) => (e.data as { kind: string }).kind)).to.deep.equal(['instance']);
    const left = leftovers(emu);
    expect(left, JSON.stringify(left)).to.deep.equal(NOTHING);
    expect(run.result.leftBehind).to.deep.equal([]);
  });

  it('a throttling storm during the discard of a wrongly billed image: the discard outlasts it, nothing is left', async () => {
    emu.control.setImageOutcome({ actions: ['CreateImage'], billing: 'empty' });
    // A cleanup deadline (14 s at the test time scale) the SDK's real-time back-off fits in.
    const run = await bakeOn(emu, configFor('2022', 'deadlines:\n  cleanup: 1h\n'), {
      session: briefSession(emu, 2),
      smokeTest: false,
      reporter: {
        emit: (e) => {
          if (e.code !== 'bake.step.failed') return;
          // More throttles than the SDK's attempts: each call fails several times over before it passes.
          for (const action of ['DeregisterImage', 'DeleteSnapshot', 'DescribeSnapshots'])
            emu.control.addFault({ action, account: ACCOUNT, errorCode: 'RequestLimitExceeded', times: 6 });
        },
      },
    });
    expect(run.result.exitCode).to.equal(ExitCode.VERIFICATION);
    const throttled = emu.control.calls().filter((c) => c.errorCode === 'RequestLimitExceeded').length;
    expect(throttled).to.equal(18);
    const left = leftovers(emu);
    expect(left, JSON.stringify(left)).to.deep.equal(NOTHING);
    expect(run.result.leftBehind).to.deep.equal([]);
  });

  it('winami discard under a throttling storm longer than the SDK’s attempts: the image and its snapshots are still discarded', async () => {
    const ec2 = briefSession(emu, 2).ec2();
    const source = emu.control
      .resources({ account: '801119661308', region: 'us-east-1' })
      .images.find((i) => /^Windows_Server-2022-English-Full-Base/.test(i.name))!;
    const launched = await ec2.runInstances({ ImageId: source.id, InstanceType: 'm6i.large', MinCount: 1, MaxCount: 1 });
    const instanceId = launched.Instances![0]!.InstanceId!;
    while (emu.control.resources({ account: ACCOUNT }).instances.find((i) => i.id === instanceId)?.state !== 'running')
      await new Promise((r) => setTimeout(r, 20));
    await afterConsistencyWindow();
    const { ImageId } = await ec2.createImage({ InstanceId: instanceId, Name: 'to-discard', NoReboot: true });
    await ec2.terminateInstances({ InstanceIds: [instanceId] });
    const image = await waitForImageAvailable(ec2, ImageId!, { timeoutMs: 20_000, minDelayMs: 20, maxDelayMs: 100 });
    const snapshots = (image.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : []));
    for (const action of ['DeregisterImage', 'DeleteSnapshot']) emu.control.addFault({ action, errorCode: 'RequestLimitExceeded', times: 6 });
    const r = await discardImage(ec2, ImageId!, { retry: { deadlineMs: 30_000, minDelayMs: 10 } });
    expect(r.status).to.equal('discarded');
    expect(r.deletedSnapshots).to.deep.equal(snapshots);
    expect(emu.control.calls().filter((c) => c.errorCode === 'RequestLimitExceeded').length).to.equal(12);
    const left = leftovers(emu);
    expect([left.images, left.snapshots]).to.deep.equal([[], []]);
  });

  it('winami cleanup under a throttling storm longer than the SDK’s attempts: still removes the build’s instance', async () => {
    const session = briefSession(emu, 2);
    const source = emu.control
      .resources({ account: '801119661308', region: 'us-east-1' })
      .images.find((i) => /^Windows_Server-2022-English-Full-Base/.test(i.name))!;
    await session.ec2().runInstances({
      ImageId: source.id,
      InstanceType: 'm6i.large',
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'winami:build-id', Value: 'build-storm-1' }] }],
    });
    for (const action of ['DescribeInstances', 'TerminateInstances']) emu.control.addFault({ action, errorCode: 'RequestLimitExceeded', times: 5 });
    // Run at once, with no journal: the instance is not listed yet, and the cleanup lists again after the grace.
    const r = await cleanupBuild({
      session,
      buildId: 'build-storm-1',
      regions: ['us-east-1'],
      pollMs: 20,
      timeoutMs: 30_000,
      consistencyGraceMs: consistencyGraceFor(emu),
    });
    expect(r.failed).to.deep.equal([]);
    expect(r.removed.map((x) => x.kind)).to.deep.equal(['instance']);
    expect(leftovers(emu).instances).to.deep.equal([]);
  });

  it('a throttling storm that outlasts the cleanup deadline: what is reported left behind is exactly what exists', async () => {
    emu.control.setImageOutcome({ actions: ['CreateImage'], billing: 'empty' });
    const events: WinamiEvent[] = [];
    const run = await bakeOn(emu, configFor('2022', 'deadlines:\n  cleanup: 5m\n'), {
      session: briefSession(emu, 2),
      smokeTest: false,
      reporter: {
        emit: (e) => {
          events.push(e);
          if (e.code === 'bake.step.failed') emu.control.addFault({ action: 'DeleteSnapshot', account: ACCOUNT, errorCode: 'RequestLimitExceeded' });
        },
      },
    });
    expect(run.result.exitCode).to.equal(ExitCode.VERIFICATION);
    const left = leftovers(emu);
    expect(left.images, 'the image itself was deregistered').to.deep.equal([]);
    expect(left.snapshots).to.have.length.greaterThan(0);
    expect(run.result.leftBehind.map((r) => `${r.kind} ${r.id}`).sort()).to.deep.equal(left.snapshots.map((id) => `snapshot ${id}`).sort());
    expect(events.find((e) => e.code === 'bake.left-behind')?.message).to.contain(left.snapshots[0]!);
  });
});
