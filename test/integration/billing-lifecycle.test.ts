import { expect } from 'chai';
import { EMULATOR_ACCOUNTS, FAST_WAIT, liveResources, sessionFor, startEmulator, type Emulator } from './billing-emulator.js';
import { resolveExpectation } from '../../src/billing/expectations.js';
import { verifyImageBilling } from '../../src/billing/verify.js';
import { discardImage } from '../../src/image/lifecycle.js';
import { copyImageToRegions } from '../../src/billing/copy.js';
import { registerImageFromSnapshot } from '../../src/billing/register.js';
import { VerificationError, AwsError } from '../../src/errors.js';
import { MemoryReporter } from '../../src/reporter.js';

const ACCOUNT = EMULATOR_ACCOUNTS[0]!.accountId;

describe('billing on the emulator: verify, copy, discard, register', function () {
  this.timeout(60_000);
  let emu: Emulator;
  let sourceId: string;
  let baseline: { images: string[]; snapshots: string[] };

  before(async () => {
    emu = await startEmulator({ port: 0, timeScale: 0.001, seed: { regions: ['us-east-1', 'eu-west-1'], images: 1, imageAccounts: [ACCOUNT] } });
    const ec2 = sessionFor(emu).ec2('us-east-1');
    const owned = await ec2.describeImages({ Owners: ['self'] });
    sourceId = owned.Images![0]!.ImageId!;
    baseline = liveResources(emu, ACCOUNT);
  });
  after(async () => emu?.stop());
  const liveBaselineIn = (region: string) => ({
    images: baseline.images.filter((id) => emu.control.resources({ account: ACCOUNT, region }).images.some((i) => i.id === id)),
    snapshots: baseline.snapshots.filter((id) => emu.control.resources({ account: ACCOUNT, region }).snapshots.some((sn) => sn.id === id)),
  });

  it('verifies a seeded image against its own lineage, and fails a wrong expectation', async () => {
    const ec2 = sessionFor(emu).ec2('us-east-1');
    const source = (await ec2.describeImages({ ImageIds: [sourceId] })).Images![0]!;
    const ok = await verifyImageBilling(ec2, sourceId, resolveExpectation({ lineage: source }));
    expect(ok.ok, JSON.stringify(ok.check)).to.equal(true);
    const wrong = await verifyImageBilling(ec2, sourceId, resolveExpectation({ name: 'windows-sql-enterprise' }));
    expect(wrong.check.problems.map((p) => p.code)).to.deep.equal(['unexpected']);
  });

  it('names an unknown image id clearly', async () => {
    const ec2 = sessionFor(emu).ec2('us-east-1');
    const err = await verifyImageBilling(ec2, 'ami-00000000000000000', undefined).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(AwsError);
    expect((err as AwsError).awsCode).to.match(/^InvalidAMIID\./);
  });

  it('copies in parallel, verifies each copy, discards the one billed wrongly, and is idempotent', async () => {
    const session = sessionFor(emu);
    const source = (await session.ec2('us-east-1').describeImages({ ImageIds: [sourceId] })).Images![0]!;
    emu.control.setImageOutcome({ region: 'eu-west-1', actions: ['CopyImage'], billing: 'empty' });
    const created: string[] = [];
    const reporter = new MemoryReporter();
    const opts = {
      sourceImageId: sourceId,
      sourceRegion: 'us-east-1',
      name: 'golden-copy-test',
      expectation: resolveExpectation({ lineage: source }),
      clientTokenPrefix: 'test-copy-1',
      wait: FAST_WAIT,
      reporter,
      ownerAccountId: ACCOUNT,
      onCreated: (region: string, id: string) => void created.push(`${region}:${id}`),
    };
    const first = await copyImageToRegions(session, { ...opts, targets: [{ region: 'eu-west-1' }, { region: 'us-west-2' }] });
    const byRegion = Object.fromEntries(first.copies.map((c) => [c.region, c]));
    expect(byRegion['eu-west-1']!.status).to.equal('discarded');
    expect(byRegion['eu-west-1']!.error?.code).to.equal('BAD_BILLING');
    expect(byRegion['us-west-2']!.status, JSON.stringify(byRegion['us-west-2'])).to.equal('verified');
    expect(first.ok).to.equal(false);
    expect(created).to.have.length(2);
    expect(reporter.codes()).to.include('billing.copy.bad-billing');
    expect(liveResources(emu, ACCOUNT, 'eu-west-1')).to.deep.equal(liveBaselineIn('eu-west-1'), 'the bad copy and its snapshot are gone');

    const again = await copyImageToRegions(session, { ...opts, targets: [{ region: 'us-west-2' }] });
    expect(again.copies[0]!.imageId).to.equal(byRegion['us-west-2']!.imageId);
    expect(liveResources(emu, ACCOUNT, 'us-west-2').images).to.have.length(1);

    const plan = await discardImage(session.ec2('us-west-2'), again.copies[0]!.imageId!, { dryRun: true, ownerAccountId: ACCOUNT });
    expect(plan.status).to.equal('planned');
    expect(plan.deletedSnapshots).to.have.length(1);
    expect(liveResources(emu, ACCOUNT, 'us-west-2').images).to.have.length(1, 'a dry run deletes nothing');
    const done = await discardImage(session.ec2('us-west-2'), again.copies[0]!.imageId!, { ownerAccountId: ACCOUNT });
    expect(done.status).to.equal('discarded');
    expect(done.deletedSnapshots).to.deep.equal(plan.deletedSnapshots);
    expect(liveResources(emu, ACCOUNT, 'us-west-2')).to.deep.equal({ images: [], snapshots: [] });
    expect((await discardImage(session.ec2('us-west-2'), done.imageId)).status).to.equal('absent');
  });

  it('refuses to discard an image another account owns', async () => {
    const ec2 = sessionFor(emu).ec2('us-east-1');
    const amazon = (await ec2.describeImages({ Owners: ['amazon'], MaxResults: 5 })).Images![0]!;
    const r = await discardImage(ec2, amazon.ImageId!, { ownerAccountId: ACCOUNT });
    expect(r.status).to.equal('refused');
    expect(r.reason).to.contain(amazon.OwnerId!);
    expect((await ec2.describeImages({ ImageIds: [amazon.ImageId!] })).Images![0]!.State).to.equal('available');
  });

  it('discards an image registered from a snapshot with no billing origin, keeping the snapshot', async () => {
    const ec2 = sessionFor(emu).ec2('us-east-1');
    const source = (await ec2.describeImages({ ImageIds: [sourceId] })).Images![0]!;
    const snapshotId = source.BlockDeviceMappings![0]!.Ebs!.SnapshotId!;
    emu.control.setImageOutcome({ region: 'us-east-1', actions: ['RegisterImage'], billing: 'empty' });
    const created: string[] = [];
    const err = await registerImageFromSnapshot(ec2, {
      snapshotId,
      name: 'registered-from-snapshot',
      expectation: resolveExpectation({ name: 'windows' }),
      wait: FAST_WAIT,
      onCreated: (id) => void created.push(id),
    }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(VerificationError);
    expect((err as VerificationError).message).to.match(/PlatformDetails is empty/);
    expect((err as VerificationError).hint).to.match(/must be created from an instance/);
    expect(created).to.have.length(1);
    const registered = await ec2.describeImages({ Owners: ['self'], Filters: [{ Name: 'name', Values: ['registered-from-snapshot'] }] });
    expect(registered.Images ?? []).to.deep.equal([]);
    expect(liveResources(emu, ACCOUNT, 'us-east-1').snapshots).to.include(snapshotId);
    expect(liveResources(emu, ACCOUNT)).to.deep.equal(baseline, 'nothing left behind');
  });
});
