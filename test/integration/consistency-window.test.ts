/**
 * Paths that must find what was just made, under an EC2 consistency window of
 * a few seconds: new instance and image ids answer NotFound, and are missing
 * from listings, for that long. Each test first shows the window is in
 * effect (the plain read misses the resource), then that winami still finds
 * and removes it.
 */
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { createAwsSession } from '../../src/aws/session.js';
import type { Ec2Port } from '../../src/aws/ports.js';
import { cleanupBuild } from '../../src/bake/cleanup.js';
import { journalPath, openJournal, readJournal } from '../../src/bake/journal.js';
import { discardImage } from '../../src/image/lifecycle.js';
import { EMULATOR_ACCOUNTS, type Emulator } from '../../emulator/index.js';
import { consistencyGraceFor } from './billing-emulator.js';
import { ACCOUNT, bakeOn, configFor, leftovers, NOTHING, sessionOn, startBakeEmulator } from './bake-harness.js';

/** Long enough that a bake's cleanup and sweep run well inside it. */
const WINDOW_MS = 2_500;
const BUILD_TAG = 'winami:build-id';

describe('eventual consistency: finding what was just made (emulator, 2.5 s window)', function () {
  this.timeout(120_000);
  let emu: Emulator;
  beforeEach(async () => {
    emu = await startBakeEmulator({ consistencyWindowMs: WINDOW_MS });
  });
  afterEach(async () => emu?.stop());

  const source = () =>
    emu.control.resources({ account: '801119661308', region: 'us-east-1' }).images.find((i) => /^Windows_Server-2022-English-Full-Base/.test(i.name))!.id;

  /** Launch an instance tagged with `buildId`, as a bake would; its id. */
  async function launchTagged(ec2: Ec2Port | EC2Client, buildId: string): Promise<string> {
    const out = await (ec2 as Ec2Port).runInstances({
      ImageId: source(),
      InstanceType: 'm6i.large',
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: [
            { Key: BUILD_TAG, Value: buildId },
            { Key: 'winami:role', Value: 'builder' },
          ],
        },
      ],
    });
    return out.Instances![0]!.InstanceId!;
  }

  /** What a tag listing shows for the build right now. */
  async function listedNow(ec2: Ec2Port, buildId: string): Promise<string[]> {
    const out = await ec2.describeInstances({ Filters: [{ Name: `tag:${BUILD_TAG}`, Values: [buildId] }] });
    return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId!);
  }

  const cleanupOptions = () => ({ regions: ['us-east-1'], pollMs: 20, timeoutMs: 30_000, consistencyGraceMs: consistencyGraceFor(emu) });

  it('winami cleanup --build-id right after a launch, with no journal: lists again after the grace and terminates the instance', async () => {
    const session = sessionOn(emu);
    const id = await launchTagged(session.ec2(), 'fresh-build-1');
    expect(await listedNow(session.ec2(), 'fresh-build-1'), 'the window hides the new instance').to.deep.equal([]);
    const r = await cleanupBuild({ session, buildId: 'fresh-build-1', journalDir: mkdtempSync(join(tmpdir(), 'winami-nojournal-')), ...cleanupOptions() });
    expect(r.failed).to.deep.equal([]);
    expect(r.removed).to.deep.equal([{ kind: 'instance', id, region: 'us-east-1' }]);
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });

  it('winami cleanup --build-id right after a CreateImage, with no journal: the snapshot the unlisted image holds is deleted once the image is deregistered', async () => {
    const session = sessionOn(emu);
    const ec2 = session.ec2();
    const instanceId = await launchTagged(ec2, 'fresh-build-image');
    await new Promise((r) => setTimeout(r, WINDOW_MS + 200));
    const tags = [{ Key: BUILD_TAG, Value: 'fresh-build-image' }];
    const { ImageId } = await ec2.createImage({
      InstanceId: instanceId,
      Name: 'fresh-build-image',
      NoReboot: true,
      TagSpecifications: [
        { ResourceType: 'image', Tags: tags },
        { ResourceType: 'snapshot', Tags: tags },
      ],
    });
    const held = emu.control.resources({ account: ACCOUNT }).images.find((i) => i.id === ImageId)!;
    const images = await ec2.describeImages({ Owners: ['self'], Filters: [{ Name: `tag:${BUILD_TAG}`, Values: ['fresh-build-image'] }] });
    expect(images.Images ?? [], 'the window hides the new image').to.deep.equal([]);
    const r = await cleanupBuild({ session, buildId: 'fresh-build-image', journalDir: mkdtempSync(join(tmpdir(), 'winami-nojournal-')), ...cleanupOptions() });
    expect(r.failed).to.deep.equal([]);
    expect(r.removed.filter((x) => x.kind !== 'instance')).to.deep.equal([
      { kind: 'image', id: ImageId, region: 'us-east-1' },
      ...held.snapshotIds.map((id) => ({ kind: 'snapshot', id, region: 'us-east-1' })),
    ]);
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });

  it('cleanup by a journal that names an instance launched moments ago: looks it up by id until EC2 knows it, and terminates it', async () => {
    const session = sessionOn(emu);
    const id = await launchTagged(session.ec2(), 'fresh-build-2');
    const journal = openJournal(journalPath(mkdtempSync(join(tmpdir(), 'winami-journal-')), 'fresh-build-2'));
    const now = new Date().toISOString();
    journal.append({ type: 'build', buildId: 'fresh-build-2', region: 'us-east-1', regions: ['us-east-1'], name: 'golden', time: now });
    journal.append({ type: 'creating', kind: 'instance', region: 'us-east-1', role: 'builder', time: now });
    journal.append({ type: 'created', kind: 'instance', id, region: 'us-east-1', role: 'builder', time: now });
    expect(await listedNow(session.ec2(), 'fresh-build-2'), 'the window hides the new instance').to.deep.equal([]);
    const r = await cleanupBuild({ session, journal: journal.path, ...cleanupOptions() });
    expect(r.removed).to.deep.equal([{ kind: 'instance', id, region: 'us-east-1' }]);
    const lookups = emu.control.calls().filter((c) => c.action === 'DescribeInstances' && c.errorCode === 'InvalidInstanceID.NotFound');
    expect(lookups.length, 'looked up by id while EC2 did not know it').to.be.within(1, 10);
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });

  it('cleanup by a journal whose last RunInstances has no answer: lists again once the grace has passed, and terminates what it made', async () => {
    const session = sessionOn(emu);
    const journal = openJournal(journalPath(mkdtempSync(join(tmpdir(), 'winami-journal-')), 'fresh-build-3'));
    const now = new Date().toISOString();
    journal.append({ type: 'build', buildId: 'fresh-build-3', region: 'us-east-1', regions: ['us-east-1'], name: 'golden', time: now });
    journal.append({ type: 'creating', kind: 'instance', region: 'us-east-1', role: 'builder', time: now });
    const id = await launchTagged(session.ec2(), 'fresh-build-3');
    const started = Date.now();
    const r = await cleanupBuild({ session, journal: journal.path, ...cleanupOptions() });
    expect(r.removed).to.deep.equal([{ kind: 'instance', id, region: 'us-east-1' }]);
    expect(Date.now() - started, 'the second listing waited for the grace').to.be.at.least(consistencyGraceFor(emu) - 1_000);
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });

  it('a bake whose RunInstances answer was lost: the final sweep waits out the grace and terminates the instance it never heard of', async () => {
    emu.control.addFault({ action: 'RunInstances', loseResponse: true, times: 1 });
    const a = EMULATOR_ACCOUNTS[0]!;
    const brief = createAwsSession({
      region: 'us-east-1',
      endpoint: emu.endpoint,
      credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
      maxAttempts: 1,
    });
    const run = await bakeOn(emu, configFor('2022'), { session: brief, smokeTest: false });
    expect(run.result.failedStep).to.equal('launchBuilder');
    expect(run.reporter.events.filter((e) => e.code === 'bake.sweep.removed').map((e) => (e.data as { kind: string }).kind)).to.deep.equal(['instance']);
    expect(leftovers(emu)).to.deep.equal(NOTHING);
    expect(run.result.leftBehind).to.deep.equal([]);
  });

  it('a bake whose RunInstances AWS refused outright: its journal answers the call, so cleanup by it lists once and does not wait for the grace', async () => {
    emu.control.addFault({ action: 'RunInstances', errorCode: 'InsufficientInstanceCapacity', status: 400, times: 1 });
    const run = await bakeOn(emu, configFor('2022'), { smokeTest: false });
    expect(run.result.failedStep).to.equal('launchBuilder');
    const journal = run.result.journalPath;
    expect(readJournal(journal).unconfirmed, 'nothing was made, and the journal says so').to.deep.equal([]);
    const listings = () => emu.control.calls().filter((c) => c.action === 'DescribeInstances' && c.status === 200).length;
    const before = listings();
    const r = await cleanupBuild({ session: sessionOn(emu), journal, ...cleanupOptions() });
    expect(r.removed).to.deep.equal([]);
    expect(listings() - before, 'one listing pass, no second one after a grace').to.equal(1);
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });

  it('a bake whose CreateImage answer was lost: the name is looked up again until EC2 lists the image, which is adopted', async () => {
    emu.control.addFault({ action: 'CreateImage', loseResponse: true, times: 1 });
    const run = await bakeOn(emu, configFor('2022'), { smokeTest: false });
    if (!run.result.ok) throw new Error(run.result.error?.message);
    const creates = emu.control.calls().filter((c) => c.action === 'CreateImage');
    expect(creates.map((c) => c.errorCode ?? 'ok')).to.deep.equal(['ResponseLost', 'InvalidAMIName.Duplicate']);
    // The name was first looked up well inside the window, when no listing showed the image yet.
    expect(Date.parse(creates[1]!.time) - Date.parse(creates[0]!.time)).to.be.below(WINDOW_MS / 2);
    expect(emu.control.resources({ account: ACCOUNT }).images.map((i) => i.id)).to.deep.equal(run.result.images.map((i) => i.imageId));
    expect(
      leftovers(
        emu,
        run.result.images.map((i) => i.imageId),
      ),
    ).to.deep.equal(NOTHING);
  });

  it('a bake failing right after CreateImage: the image EC2 does not know yet is discarded with its snapshots, not taken for absent', async () => {
    const run = await bakeOn(emu, configFor('2022'), {
      smokeTest: false,
      reporter: {
        emit: (e) => {
          // An answer that is not AWS's fails the image wait at its first check, well inside the window.
          if (e.code === 'bake.step.start' && (e.data as { step?: string }).step === 'createImage')
            emu.control.addFault({ action: 'DescribeImages', htmlPage: true, times: 1 });
        },
      },
    });
    expect(run.result.failedStep).to.equal('createImage');
    expect(emu.control.calls().some((c) => c.action === 'DeregisterImage' && c.errorCode === undefined)).to.equal(true);
    expect(leftovers(emu)).to.deep.equal(NOTHING);
    expect(run.result.leftBehind).to.deep.equal([]);
  });

  it('discardImage of an image made moments ago: with a grace it deregisters it and deletes its snapshots; without, it would take it for absent', async () => {
    const ec2 = sessionOn(emu).ec2();
    const instanceId = await launchTagged(ec2, 'discard-build');
    await new Promise((r) => setTimeout(r, WINDOW_MS + 200));
    const { ImageId } = await ec2.createImage({ InstanceId: instanceId, Name: 'fresh-image', NoReboot: true });
    const held = emu.control.resources({ account: ACCOUNT }).images.find((i) => i.id === ImageId)!;
    expect(held.snapshotIds.length).to.be.greaterThan(0);
    const blind = await discardImage(ec2, ImageId!);
    expect(blind.status, 'without a grace the new image reads as absent').to.equal('absent');
    expect(emu.control.resources({ account: ACCOUNT }).images.map((i) => i.id)).to.include(ImageId);
    const r = await discardImage(ec2, ImageId!, {
      notFoundGraceMs: consistencyGraceFor(emu),
      pendingWait: { timeoutMs: 20_000, minDelayMs: 20, maxDelayMs: 100 },
    });
    expect(r.status).to.equal('discarded');
    expect([...r.deletedSnapshots].sort()).to.deep.equal([...held.snapshotIds].sort());
    await ec2.terminateInstances({ InstanceIds: [instanceId] });
    for (let i = 0; i < 200 && leftovers(emu).instances.length; i++) await new Promise((res) => setTimeout(res, 25));
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });
});
