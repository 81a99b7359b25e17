import { expect } from 'chai';
import { leftBehind, type BakeState } from '../../../src/bake/state.js';
import { ExitCode, StepError, VerificationError } from '../../../src/errors.js';
import { verifyBilling } from '../../../src/bake/steps/verify-billing.js';
import { waitForSsm } from '../../../src/bake/steps/wait-for-ssm.js';
import { createImage } from '../../../src/bake/steps/create-image.js';
import { terminateBuilder } from '../../../src/bake/steps/terminate-builder.js';
import { launchBuilder } from '../../../src/bake/steps/launch-builder.js';
import { checkReadyToSeal } from '../../../src/bake/steps/check-ready-to-seal.js';
import { runSysprep, waitForStopped } from '../../../src/bake/steps/sysprep.js';
import { copyToRegions } from '../../../src/bake/steps/copy-to-regions.js';
import { track } from '../../../src/bake/context.js';
import { runSteps } from '../../../src/bake/runner.js';
import { answers, awsError, bundleOf, cleanupCtx, journalLines, rejection, stepCtx, stepState, stubSession } from './step-harness.js';

const WINDOWS = { platformDetails: 'Windows', usageOperation: 'RunInstances:0002', derivedFrom: 'the source image' };
const SQL_STANDARD = { platformDetails: 'Windows with SQL Server Standard', usageOperation: 'RunInstances:0006', derivedFrom: 'sql.edition standard' };

const reservation = (id: string, state: string) => ({ Reservations: [{ Instances: [{ InstanceId: id, State: { Name: state } }] }] });

/** A state whose builder is launched and tracked. */
function withBuilder(extra: Record<string, unknown> = {}): BakeState {
  const state = stepState(extra);
  state.builder = { instanceId: 'i-b1' };
  state.resources.push({ kind: 'instance', id: 'i-b1', region: 'us-east-1', role: 'builder' });
  return state;
}

describe('bake steps, each alone against stub ports', () => {
  describe('verifyBilling', () => {
    const imageState = (expectation = WINDOWS) => {
      const state = stepState();
      state.image = { region: 'us-east-1', imageId: 'ami-1', name: 'golden-b-1', snapshotIds: [] };
      state.expectation = expectation;
      return state;
    };
    const billedAs = (PlatformDetails: string | undefined, UsageOperation: string | undefined) =>
      stubSession({
        ec2: { describeImages: answers({ Images: [{ ImageId: 'ami-1', State: 'available', Platform: 'windows', PlatformDetails, UsageOperation }] }) },
      });

    it('passes when the fields match, and fills them into state.image', async () => {
      const stub = billedAs('Windows', 'RunInstances:0002');
      const { ctx, reporter } = stepCtx(stub.session, { step: 'verifyBilling' });
      const state = imageState();
      await verifyBilling.run(state, ctx);
      expect(stub.calls.map((c) => [c.method, c.region, c.input])).to.deep.equal([
        ['describeImages', 'us-east-1', { ImageIds: ['ami-1'], IncludeDeprecated: true }],
      ]);
      expect(state.image).to.include({ platformDetails: 'Windows', usageOperation: 'RunInstances:0002' });
      expect(reporter.codes()).to.deep.equal(['billing.verify.ok']);
    });

    it('fails with a VerificationError naming the expected and actual billing when UsageOperation differs', async () => {
      const stub = billedAs('Windows', 'RunInstances:0002');
      const { ctx, reporter } = stepCtx(stub.session, { step: 'verifyBilling' });
      const state = imageState(SQL_STANDARD);
      const err = await rejection(verifyBilling.run(state, ctx));
      expect(err).to.be.instanceOf(VerificationError);
      expect((err as VerificationError).exitCode).to.equal(ExitCode.VERIFICATION);
      expect(err.message).to.contain('image ami-1 is billed wrongly');
      expect(err.message).to.contain('billed as "Windows" / RunInstances:0002, expected "Windows with SQL Server Standard" / RunInstances:0006');
      expect(err.message).to.contain('from sql.edition standard');
      // What AWS said is kept, for the manifest and the report.
      expect(state.image).to.include({ platformDetails: 'Windows', usageOperation: 'RunInstances:0002' });
      expect(reporter.codes()).to.deep.equal(['billing.verify.failed']);
    });

    it('fails when AWS derived no billing (empty fields)', async () => {
      const stub = billedAs('', undefined);
      const { ctx } = stepCtx(stub.session, { step: 'verifyBilling' });
      const err = await rejection(verifyBilling.run(imageState(), ctx));
      expect(err).to.be.instanceOf(VerificationError);
      expect(err.message).to.contain('PlatformDetails is empty');
      expect(err.message).to.contain('UsageOperation is empty');
    });

    it('names the step that should have made the image when there is none', async () => {
      const stub = billedAs('Windows', 'RunInstances:0002');
      const { ctx } = stepCtx(stub.session, { step: 'verifyBilling' });
      const err = await rejection(verifyBilling.run(stepState(), ctx));
      expect(err).to.be.instanceOf(StepError);
      expect(err.message).to.match(/verifyBilling needs state\.image, which createImage sets/);
      expect(stub.calls).to.deep.equal([]);
    });
  });

  describe('waitForSsm', () => {
    const info = (PingStatus: string) => ({ InstanceInformationList: [{ InstanceId: 'i-b1', PingStatus, ComputerName: 'EC2AMAZ-GOLD' }] });

    it('waits until the agent is Online and records the computer name', async () => {
      const stub = stubSession({ ssm: { describeInstanceInformation: answers({ InstanceInformationList: [] }, info('ConnectionLost'), info('Online')) } });
      const { ctx, reporter, clock } = stepCtx(stub.session, { step: 'waitForSsm' });
      const state = withBuilder();
      await waitForSsm.run(state, ctx);
      expect(state.builder?.computerName).to.equal('EC2AMAZ-GOLD');
      const polls = stub.callsTo('describeInstanceInformation');
      expect(polls).to.have.length(3);
      expect(polls[0]!.input).to.deep.equal({ Filters: [{ Key: 'InstanceIds', Values: ['i-b1'] }] });
      // Fewer than four checks: the instance itself was not looked at.
      expect(stub.callsTo('describeInstances')).to.deep.equal([]);
      // No check in the first 30 s (30 ms at this time scale): Windows cannot have booted by then.
      expect(clock.sleeps[0]).to.equal(30);
      expect(reporter.events.filter((e) => e.code === 'bake.wait').map((e) => e.message)).to.deep.equal([
        'not registered with SSM',
        'PingStatus ConnectionLost',
      ]);
      expect(reporter.events.find((e) => e.code === 'bake.ssm.online')?.data).to.deep.equal({ instanceId: 'i-b1', computerName: 'EC2AMAZ-GOLD' });
    });

    it('fails fast with a StepError when the builder is found terminated while waiting', async () => {
      const stub = stubSession({
        ssm: { describeInstanceInformation: answers({ InstanceInformationList: [] }) },
        ec2: { describeInstances: answers(reservation('i-b1', 'terminated')) },
      });
      const { ctx } = stepCtx(stub.session, { step: 'waitForSsm' });
      const state = withBuilder();
      const err = await rejection(waitForSsm.run(state, ctx));
      expect(err).to.be.instanceOf(StepError);
      expect((err as StepError).step).to.equal('waitForSsm');
      expect((err as StepError).exitCode).to.equal(ExitCode.BUILD);
      expect(err.message).to.equal('the builder i-b1 is terminated: something outside winami terminated it');
      // The fourth check looks at the instance first, and stops there.
      expect(stub.calls.map((c) => c.method)).to.deep.equal([
        'describeInstanceInformation',
        'describeInstanceInformation',
        'describeInstanceInformation',
        'describeInstances',
      ]);
      expect(state.builder?.computerName).to.equal(undefined);
    });

    it('does not take InvalidInstanceID.NotFound right after launch for a gone builder', async () => {
      const stub = stubSession({
        ssm: {
          describeInstanceInformation: answers(
            { InstanceInformationList: [] },
            awsError('InvalidInstanceId', 'Instances [[i-b1]] not in a valid state for account'),
            { InstanceInformationList: [] },
            { InstanceInformationList: [] },
            info('Online'),
          ),
        },
        ec2: { describeInstances: answers(awsError('InvalidInstanceID.NotFound', "The instance ID 'i-b1' does not exist")) },
      });
      const { ctx, reporter } = stepCtx(stub.session, { step: 'waitForSsm' });
      const state = withBuilder();
      await waitForSsm.run(state, ctx);
      expect(state.builder?.computerName).to.equal('EC2AMAZ-GOLD');
      expect(stub.callsTo('describeInstances')).to.have.length(1);
      expect(stub.callsTo('describeInstanceInformation')).to.have.length(5);
      expect(reporter.events.filter((e) => e.code === 'bake.wait').map((e) => e.message)[1]).to.match(/^InvalidInstanceId: /);
    });

    it('at the deadline, says the agent never came Online with the console tail and the instance profile to check', async () => {
      const console = Buffer.from('boot 1\r\nEC2Launch: Windows is Ready to use\r\n').toString('base64');
      const stub = stubSession({
        ssm: { describeInstanceInformation: answers(info('Inactive')) },
        ec2: { describeInstances: answers(reservation('i-b1', 'running')), getConsoleOutput: answers({ Output: console }) },
      });
      const { ctx, clock } = stepCtx(stub.session, { step: 'waitForSsm' });
      const t0 = clock.now();
      const err = await rejection(waitForSsm.run(withBuilder(), ctx));
      expect(err).to.be.instanceOf(StepError);
      expect(err.message).to.match(
        /^SSM Agent on i-b1 never came Online within 1 s \(PingStatus Inactive\)\.\nConsole output \(tail\):\nboot 1\nEC2Launch: Windows is Ready to use$/,
      );
      expect((err as StepError).hint).to.contain('instance profile "p"');
      expect(stub.callsTo('getConsoleOutput')[0]!.input).to.deep.equal({ InstanceId: 'i-b1', Latest: true });
      // The deadline (20 min at this time scale) on the virtual clock.
      expect(clock.now() - t0).to.be.at.most(1_200);
    });

    it('at the deadline, says the builder is gone when EC2 no longer knows it', async () => {
      const stub = stubSession({
        ssm: { describeInstanceInformation: answers({ InstanceInformationList: [] }) },
        ec2: { describeInstances: answers(awsError('InvalidInstanceID.NotFound')), getConsoleOutput: answers({}) },
      });
      const { ctx } = stepCtx(stub.session, { step: 'waitForSsm' });
      const err = await rejection(waitForSsm.run(withBuilder(), ctx));
      expect(err).to.be.instanceOf(StepError);
      expect(err.message).to.equal('the builder i-b1 is gone: something outside winami terminated it');
      expect(stub.callsTo('getConsoleOutput')).to.deep.equal([]);
    });
  });

  describe('createImage', () => {
    const pending = { ImageId: 'ami-1', State: 'pending', BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { SnapshotId: 'snap-1' } }] };
    const available = { ...pending, State: 'available' };

    it('creates the image from the builder, journals the call before it and the id after, and waits for available', async () => {
      const stub = stubSession({
        ec2: {
          createImage: answers({ ImageId: 'ami-1' }),
          describeImages: answers({ Images: [pending] }, { Images: [available] }),
          describeSnapshots: answers({ Snapshots: [{ SnapshotId: 'snap-1', Progress: '40%' }] }),
        },
      });
      const { ctx, journal, reporter } = stepCtx(stub.session, { step: 'createImage' });
      const state = withBuilder();
      await createImage.run(state, ctx);
      const input = stub.callsTo('createImage')[0]!.input;
      expect(input).to.include({ InstanceId: 'i-b1', Name: 'golden-b-1' });
      expect(input.TagSpecifications.map((t: { ResourceType: string }) => t.ResourceType)).to.deep.equal(['image', 'snapshot']);
      expect(input.TagSpecifications[0].Tags).to.deep.include({ Key: 'winami:build-id', Value: 'b-1' });
      expect(input.TagSpecifications[0].Tags).to.deep.include({ Key: 'winami:config', Value: 'golden' });
      expect(stub.callsTo('describeSnapshots')[0]!.input).to.deep.equal({ SnapshotIds: ['snap-1'] });
      expect(state.image).to.deep.equal({ region: 'us-east-1', imageId: 'ami-1', name: 'golden-b-1', snapshotIds: ['snap-1'] });
      expect(journalLines(journal.records)).to.deep.equal([
        'creating image (image)@us-east-1',
        'created image ami-1 (image)@us-east-1',
        'created snapshot snap-1 (image-snapshot)@us-east-1',
      ]);
      expect(reporter.events.filter((e) => e.code === 'bake.wait').map((e) => e.message)).to.deep.equal(['image ami-1: state pending, snapshots 40%']);
      expect(reporter.codes()).to.include('bake.image');
      expect(state.unconfirmed).to.deep.equal([]);
    });

    it('fails with the StateReason when the image ends failed, and its cleanup discards the image and its snapshots', async () => {
      const failed = {
        ImageId: 'ami-1',
        State: 'failed',
        StateReason: { Code: 'Server.InternalError', Message: 'Server.InternalError: Internal error on launch' },
      };
      const stub = stubSession({
        ec2: {
          createImage: answers({ ImageId: 'ami-1' }),
          describeImages: (input: { ImageIds?: string[] }) => (input.ImageIds ? { Images: [failed] } : { Images: [] }),
          // A half-made image lists no snapshot; the build's tags find the one CreateImage started.
          describeSnapshots: answers({ Snapshots: [{ SnapshotId: 'snap-half' }] }),
          deregisterImage: answers({}),
          deleteSnapshot: answers({}),
        },
      });
      const { ctx, journal, reporter } = stepCtx(stub.session, { step: 'createImage' });
      const state = withBuilder();
      const err = await rejection(createImage.run(state, ctx));
      expect(err).to.be.instanceOf(StepError);
      expect(err.message).to.equal(
        'CreateImage failed for ami-1: gave up waiting for image ami-1 to be available: its state is failed (Server.InternalError: Internal error on launch)',
      );
      expect(state.image?.imageId).to.equal('ami-1');

      await createImage.cleanup!(state, cleanupCtx(ctx, 'failed'));
      expect(stub.callsTo('deregisterImage').map((c) => c.input)).to.deep.equal([{ ImageId: 'ami-1' }]);
      expect(stub.callsTo('describeSnapshots')[0]!.input).to.deep.equal({
        OwnerIds: ['self'],
        Filters: [
          { Name: 'tag:winami:build-id', Values: ['b-1'] },
          { Name: 'tag:winami:role', Values: ['image'] },
        ],
      });
      expect(stub.callsTo('deleteSnapshot').map((c) => c.input)).to.deep.equal([{ SnapshotId: 'snap-half' }]);
      // A failed image has no Fast Launch to disable.
      expect(stub.callsTo('describeFastLaunchImages')).to.deep.equal([]);
      expect(journalLines(journal.records)).to.deep.equal([
        'creating image (image)@us-east-1',
        'created image ami-1 (image)@us-east-1',
        'removed image ami-1@us-east-1',
        'created snapshot snap-half (image-snapshot)@us-east-1',
        'removed snapshot snap-half@us-east-1',
      ]);
      expect(reporter.events.find((e) => e.code === 'bake.image.discarded')?.data).to.deep.equal({ imageId: 'ami-1', snapshots: ['snap-half'] });
      expect(leftBehind(state).map((r) => r.id)).to.deep.equal(['i-b1']);
    });

    it('after a bake that succeeded, keeps the image and its snapshots as outputs and tags the image complete', async () => {
      const stub = stubSession({ ec2: { createTags: answers({}), deregisterImage: answers({}) } });
      const { ctx, journal, reporter } = stepCtx(stub.session, { step: 'createImage' });
      const state = stepState();
      state.image = { region: 'us-east-1', imageId: 'ami-1', name: 'golden-b-1', snapshotIds: ['snap-1'] };
      track(state, ctx, { kind: 'image', id: 'ami-1', region: 'us-east-1', role: 'image' });
      track(state, ctx, { kind: 'snapshot', id: 'snap-1', region: 'us-east-1', role: 'image-snapshot' });
      journal.records.length = 0;
      await createImage.cleanup!(state, cleanupCtx(ctx, 'ok'));
      expect(stub.callsTo('deregisterImage')).to.deep.equal([]);
      expect(stub.callsTo('createTags').map((c) => c.input)).to.deep.equal([{ Resources: ['ami-1'], Tags: [{ Key: 'winami:complete', Value: 'true' }] }]);
      expect(journalLines(journal.records)).to.deep.equal(['kept image ami-1@us-east-1 output', 'kept snapshot snap-1@us-east-1 output']);
      expect(leftBehind(state)).to.deep.equal([]);
      expect(reporter.codes()).to.not.include('bake.image.discarded');
    });

    it('adopts the image of its own name and build after InvalidAMIName.Duplicate (an earlier attempt made it)', async () => {
      const mine = { ImageId: 'ami-first', Name: 'golden-b-1', Tags: [{ Key: 'winami:build-id', Value: 'b-1' }] };
      const stub = stubSession({
        ec2: {
          createImage: answers(awsError('InvalidAMIName.Duplicate', 'AMI name golden-b-1 is already in use by AMI ami-first')),
          describeImages: (input: { ImageIds?: string[] }) => (input.ImageIds ? { Images: [{ ...mine, State: 'available' }] } : { Images: [mine] }),
        },
      });
      const { ctx } = stepCtx(stub.session, { step: 'createImage' });
      const state = withBuilder();
      await createImage.run(state, ctx);
      expect(state.image?.imageId).to.equal('ami-first');
      expect(stub.callsTo('describeImages')[0]!.input).to.deep.equal({ Owners: ['self'], Filters: [{ Name: 'name', Values: ['golden-b-1'] }] });
      expect(state.unconfirmed).to.deep.equal([]);
    });

    it('refuses a duplicate name that belongs to another build, and records nothing', async () => {
      const theirs = { ImageId: 'ami-other', Name: 'golden-b-1', Tags: [{ Key: 'winami:build-id', Value: 'b-0' }] };
      const stub = stubSession({
        ec2: { createImage: answers(awsError('InvalidAMIName.Duplicate')), describeImages: answers({ Images: [theirs] }) },
      });
      const { ctx } = stepCtx(stub.session, { step: 'createImage' });
      const state = withBuilder();
      const err = await rejection(createImage.run(state, ctx));
      expect(err).to.be.instanceOf(StepError);
      expect(err.message).to.equal('an image named "golden-b-1" already exists (ami-other) and is not from this build');
      expect(state.image).to.equal(undefined);
      expect(state.resources.map((r) => r.id)).to.deep.equal(['i-b1']);
    });

    it("through the runner, a wrongly billed image fails verifyBilling and createImage's cleanup discards it", async () => {
      const image = { ImageId: 'ami-1', State: 'available', Platform: 'windows', PlatformDetails: 'Windows', UsageOperation: 'RunInstances:0002' };
      const stub = stubSession({
        ec2: {
          createImage: answers({ ImageId: 'ami-1' }),
          describeImages: (input: { ImageIds?: string[] }) =>
            input.ImageIds ? { Images: [{ ...image, BlockDeviceMappings: [{ Ebs: { SnapshotId: 'snap-1' } }] }] } : { Images: [] },
          describeSnapshots: answers({ Snapshots: [] }),
          describeFastLaunchImages: answers({ FastLaunchImages: [] }),
          deregisterImage: answers({}),
          deleteSnapshot: answers({}),
        },
      });
      const { ctx, reporter } = stepCtx(stub.session, { step: 'none' });
      const state = withBuilder();
      state.expectation = SQL_STANDARD;
      const r = await runSteps([createImage, verifyBilling], state, ctx, { cleanupDeadlineMs: 1_000, eventPrefix: 'bake', reporter, leftBehind });
      expect(r.outcome).to.equal('failed');
      expect(r.failedStep).to.equal('verifyBilling');
      expect(r.error).to.be.instanceOf(VerificationError);
      expect(r.steps.map((x) => [x.name, x.status, x.cleanup?.status])).to.deep.equal([
        ['createImage', 'ok', 'ok'],
        ['verifyBilling', 'failed', undefined],
      ]);
      expect(stub.callsTo('deregisterImage').map((c) => c.input)).to.deep.equal([{ ImageId: 'ami-1' }]);
      expect(stub.callsTo('deleteSnapshot').map((c) => c.input)).to.deep.equal([{ SnapshotId: 'snap-1' }]);
      expect(r.leftBehind.map((x) => x.id)).to.deep.equal(['i-b1']);
      expect(reporter.codes()).to.include.members(['bake.step.failed', 'bake.image.discarded']);
    });
  });

  describe('terminateBuilder (and the builder cleanup that waits for it)', () => {
    it('starts terminating the builder and marks it terminating', async () => {
      const stub = stubSession({ ec2: { terminateInstances: answers({ TerminatingInstances: [{ InstanceId: 'i-b1' }] }) } });
      const { ctx } = stepCtx(stub.session, { step: 'terminateBuilder' });
      const state = withBuilder();
      await terminateBuilder.run(state, ctx);
      expect(stub.calls.map((c) => [c.method, c.input])).to.deep.equal([['terminateInstances', { InstanceIds: ['i-b1'] }]]);
      expect(state.builder?.terminating).to.equal(true);
    });

    it('leaves the builder unmarked when TerminateInstances is refused, so the cleanup terminates it', async () => {
      const stub = stubSession({ ec2: { terminateInstances: answers(awsError('UnauthorizedOperation', 'You are not authorized')) } });
      const { ctx } = stepCtx(stub.session, { step: 'terminateBuilder' });
      const state = withBuilder();
      const err = await rejection(terminateBuilder.run(state, ctx));
      expect(err.name).to.equal('UnauthorizedOperation');
      expect(state.builder?.terminating).to.equal(undefined);
    });

    it('after terminateBuilder, the cleanup does not call TerminateInstances again and waits until the builder is terminated', async () => {
      const stub = stubSession({ ec2: { describeInstances: answers(reservation('i-b1', 'shutting-down'), reservation('i-b1', 'terminated')) } });
      const { ctx, journal } = stepCtx(stub.session, { step: 'launchBuilder' });
      const state = withBuilder();
      state.builder!.terminating = true;
      await launchBuilder.cleanup!(state, cleanupCtx(ctx, 'ok'));
      expect(stub.calls.map((c) => [c.method, c.input])).to.deep.equal([
        ['describeInstances', { InstanceIds: ['i-b1'] }],
        ['describeInstances', { InstanceIds: ['i-b1'] }],
      ]);
      expect(journalLines(journal.records)).to.deep.equal(['removed instance i-b1@us-east-1']);
      expect(leftBehind(state)).to.deep.equal([]);
    });

    it('terminates and waits when the bake failed before terminateBuilder', async () => {
      const stub = stubSession({
        ec2: { terminateInstances: answers({}), describeInstances: answers(reservation('i-b1', 'shutting-down'), reservation('i-b1', 'terminated')) },
      });
      const { ctx } = stepCtx(stub.session, { step: 'launchBuilder' });
      const state = withBuilder();
      await launchBuilder.cleanup!(state, cleanupCtx(ctx, 'failed'));
      expect(stub.calls.map((c) => c.method)).to.deep.equal(['terminateInstances', 'describeInstances', 'describeInstances']);
      expect(state.resources[0]!.removed).to.equal(true);
    });

    it('takes an instance EC2 keeps answering InvalidInstanceID.NotFound for as gone, after retrying through the grace', async () => {
      const stub = stubSession({ ec2: { terminateInstances: answers(awsError('InvalidInstanceID.NotFound', "The instance ID 'i-b1' does not exist")) } });
      const { ctx, clock } = stepCtx(stub.session, { step: 'launchBuilder' });
      const state = withBuilder();
      await launchBuilder.cleanup!(state, cleanupCtx(ctx, 'failed'));
      // The grace is the cleanup deadline (10 min, 600 ms at this time scale), with a call every 500 ms.
      expect(stub.callsTo('terminateInstances')).to.have.length(3);
      expect(clock.sleeps).to.deep.equal([500, 500]);
      expect(stub.callsTo('describeInstances')).to.deep.equal([]);
      expect(state.resources[0]!.removed).to.equal(true);
    });

    it('keeps the builder for inspection after a failure with --on-error keep', async () => {
      const stub = stubSession({ ec2: {} });
      const { ctx, journal, reporter } = stepCtx(stub.session, { step: 'launchBuilder', onError: 'keep' });
      const state = withBuilder();
      await launchBuilder.cleanup!(state, cleanupCtx(ctx, 'failed'));
      expect(stub.calls).to.deep.equal([]);
      expect(journalLines(journal.records)).to.deep.equal(['kept instance i-b1@us-east-1 on-error-keep']);
      expect(reporter.codes()).to.deep.equal(['bake.builder.kept']);
    });

    it('with --on-error keep, does not keep a builder already terminating: it waits for it to go', async () => {
      const stub = stubSession({ ec2: { describeInstances: answers(reservation('i-b1', 'terminated')) } });
      const { ctx, journal } = stepCtx(stub.session, { step: 'launchBuilder', onError: 'keep' });
      const state = withBuilder();
      state.builder!.terminating = true;
      await launchBuilder.cleanup!(state, cleanupCtx(ctx, 'failed'));
      expect(stub.calls.map((c) => c.method)).to.deep.equal(['describeInstances']);
      expect(journalLines(journal.records)).to.deep.equal(['removed instance i-b1@us-east-1']);
    });

    it('with --on-error keep, still removes the builder after a bake that succeeded', async () => {
      const stub = stubSession({ ec2: { terminateInstances: answers({}), describeInstances: answers(reservation('i-b1', 'terminated')) } });
      const { ctx, journal, reporter } = stepCtx(stub.session, { step: 'launchBuilder', onError: 'keep' });
      const state = withBuilder();
      await launchBuilder.cleanup!(state, cleanupCtx(ctx, 'ok'));
      expect(stub.calls.map((c) => c.method)).to.deep.equal(['terminateInstances', 'describeInstances']);
      expect(journalLines(journal.records)).to.deep.equal(['removed instance i-b1@us-east-1']);
      expect(reporter.codes()).to.not.include('bake.builder.kept');
    });
  });

  describe('checkReadyToSeal', () => {
    const CHECK = "# check-ready\r\nWrite-Output 'WINAMI ready=true'\r\n";
    const sealState = () => {
      const state = withBuilder();
      state.bundle = bundleOf({ 'scripts/check-ready.ps1': CHECK });
      return state;
    };
    const done = (stdout: string, Status = 'Success', ResponseCode = 0) => ({
      Status,
      StatusDetails: Status,
      ResponseCode,
      StandardOutputContent: stdout,
      StandardErrorContent: '',
    });
    const READY = 'WINAMI imageState=IMAGE_STATE_COMPLETE\nWINAMI rebootPending=false\nWINAMI tiWorker=false\nWINAMI agent=ok\nWINAMI ready=true\n';

    it('sends the check script and reports ready (a missing invocation right after SendCommand is waited out)', async () => {
      const stub = stubSession({
        ssm: {
          sendCommand: answers({ Command: { CommandId: 'cmd-1' } }),
          getCommandInvocation: answers(awsError('InvocationDoesNotExist'), { Status: 'InProgress', StatusDetails: 'InProgress' }, done(READY)),
        },
      });
      const { ctx, reporter } = stepCtx(stub.session, { step: 'checkReadyToSeal' });
      await checkReadyToSeal.run(sealState(), ctx);
      expect(stub.callsTo('sendCommand').map((c) => c.input)).to.deep.equal([
        {
          DocumentName: 'AWS-RunPowerShellScript',
          InstanceIds: ['i-b1'],
          Comment: 'winami: readiness check',
          Parameters: { commands: [CHECK], executionTimeout: ['300'] },
        },
      ]);
      expect(stub.callsTo('getCommandInvocation').map((c) => c.input)).to.deep.equal(Array(3).fill({ CommandId: 'cmd-1', InstanceId: 'i-b1' }));
      const ready = reporter.events.find((e) => e.code === 'bake.ready');
      expect(ready?.message).to.equal('ready to seal (imageState=IMAGE_STATE_COMPLETE, rebootPending=false, tiWorker=false, agent=ok)');
    });

    it('reboots once through SSM for a pending reboot, then checks again', async () => {
      const stub = stubSession({
        ssm: {
          sendCommand: answers({ Command: { CommandId: 'cmd-1' } }, { Command: { CommandId: 'cmd-reboot' } }, { Command: { CommandId: 'cmd-2' } }),
          getCommandInvocation: (input: { CommandId: string }) =>
            input.CommandId === 'cmd-1' ? done('WINAMI rebootPending=true\nWINAMI tiWorker=false\nWINAMI ready=false\n', 'Failed', 1) : done(READY),
        },
      });
      const { ctx, reporter } = stepCtx(stub.session, { step: 'checkReadyToSeal' });
      await checkReadyToSeal.run(sealState(), ctx);
      const sent = stub.callsTo('sendCommand').map((c) => c.input);
      expect(sent.map((s) => s.Comment)).to.deep.equal(['winami: readiness check', 'winami: reboot for a pending reboot', 'winami: readiness check']);
      expect(sent[1].Parameters.executionTimeout).to.deep.equal(['900']);
      expect(sent[1].Parameters.commands[0]).to.contain("'C:\\ProgramData\\winami\\reboot-1.marker'").and.to.contain('exit 3010');
      expect(reporter.codes().filter((c) => c === 'bake.not-ready' || c === 'bake.ready')).to.deep.equal(['bake.not-ready', 'bake.ready']);
    });

    it('fails when the check did not run at all (Cancelled), after checking the builder is still there', async () => {
      const stub = stubSession({
        ssm: {
          sendCommand: answers({ Command: { CommandId: 'cmd-1' } }),
          getCommandInvocation: answers({
            Status: 'Cancelled',
            StatusDetails: 'Cancelled',
            ResponseCode: -1,
            StandardOutputContent: '',
            StandardErrorContent: '',
          }),
        },
        ec2: { describeInstances: answers(reservation('i-b1', 'running')) },
      });
      const { ctx } = stepCtx(stub.session, { step: 'checkReadyToSeal' });
      const err = await rejection(checkReadyToSeal.run(sealState(), ctx));
      expect(err).to.be.instanceOf(StepError);
      expect(err.message).to.equal('the readiness check did not run: Cancelled.\n(no output)');
      expect(stub.callsTo('describeInstances')).to.have.length(1);
    });

    it('fails at its deadline with the last check, when servicing keeps running', async () => {
      const busy = 'WINAMI imageState=IMAGE_STATE_UNDEPLOYABLE\nWINAMI rebootPending=true\nWINAMI tiWorker=true\nWINAMI agent=ok\nWINAMI ready=false\n';
      const stub = stubSession({
        ssm: { sendCommand: answers({ Command: { CommandId: 'cmd-1' } }), getCommandInvocation: answers(done(busy, 'Failed', 1)) },
      });
      // The runner's deadline for this step: readyToSeal (30 min) at this time scale.
      const { ctx, reporter } = stepCtx(stub.session, { step: 'checkReadyToSeal', deadlineMs: 1_800 });
      const err = await rejection(checkReadyToSeal.run(sealState(), ctx));
      expect(err).to.be.instanceOf(StepError);
      expect(err.message).to.equal(
        'the builder was not ready to seal within 2 s; last check: imageState=IMAGE_STATE_UNDEPLOYABLE, rebootPending=true, tiWorker=true, agent=ok',
      );
      // TiWorker running: no reboot is attempted while servicing works.
      expect(stub.callsTo('sendCommand').every((c) => c.input.Comment === 'winami: readiness check')).to.equal(true);
      expect(reporter.codes().filter((c) => c === 'bake.not-ready').length).to.be.greaterThan(1);
    });

    it('names the missing script when the bundle has none', async () => {
      const stub = stubSession({ ssm: {} });
      const { ctx } = stepCtx(stub.session, { step: 'checkReadyToSeal' });
      const state = withBuilder();
      state.bundle = bundleOf({ 'scripts/sysprep.ps1': '' });
      const err = await rejection(checkReadyToSeal.run(state, ctx));
      expect(err).to.be.instanceOf(StepError);
      expect(err.message).to.equal('the bundle has no scripts/check-ready.ps1');
    });
  });

  describe('runSysprep and waitForStopped', () => {
    const SYSPREP = "# sysprep\r\nWrite-Output 'WINAMI sysprep=started'\r\n";
    const sysprepState = () => {
      const state = withBuilder();
      state.bundle = bundleOf({ 'scripts/sysprep.ps1': SYSPREP });
      return state;
    };

    it('starts Sysprep through the bundle script', async () => {
      const stub = stubSession({
        ssm: {
          sendCommand: answers({ Command: { CommandId: 'cmd-s' } }),
          getCommandInvocation: answers({ Status: 'Success', ResponseCode: 0, StandardOutputContent: 'WINAMI sysprep=started\n' }),
        },
      });
      const { ctx, reporter } = stepCtx(stub.session, { step: 'runSysprep' });
      await runSysprep.run(sysprepState(), ctx);
      expect(stub.callsTo('sendCommand')[0]!.input.Parameters).to.deep.equal({ commands: [SYSPREP], executionTimeout: ['600'] });
      expect(reporter.codes()).to.include('bake.sysprep.started');
    });

    it('fails with the output when the scheduled task did not start', async () => {
      const stub = stubSession({
        ssm: {
          sendCommand: answers({ Command: { CommandId: 'cmd-s' } }),
          getCommandInvocation: answers({
            Status: 'Failed',
            ResponseCode: 1,
            StandardOutputContent: '',
            StandardErrorContent: 'Register-ScheduledTask : Access is denied.\n',
          }),
        },
      });
      const { ctx, reporter } = stepCtx(stub.session, { step: 'runSysprep' });
      const err = await rejection(runSysprep.run(sysprepState(), ctx));
      expect(err).to.be.instanceOf(StepError);
      expect(err.message).to.equal('the Sysprep task did not start: Failed, exit code 1.\nstderr (tail):\nRegister-ScheduledTask : Access is denied.');
      expect((err as StepError).hint).to.contain('built-in Administrator');
      expect(reporter.codes()).to.not.include('bake.sysprep.started');
    });

    it('waits for the builder to stop, not checking before Sysprep can have finished', async () => {
      const stub = stubSession({
        ec2: { describeInstances: answers(reservation('i-b1', 'running'), reservation('i-b1', 'stopping'), reservation('i-b1', 'stopped')) },
      });
      const { ctx, reporter, clock } = stepCtx(stub.session, { step: 'waitForStopped' });
      await waitForStopped.run(withBuilder(), ctx);
      expect(stub.callsTo('describeInstances')).to.have.length(3);
      expect(clock.sleeps[0]).to.equal(30);
      expect(reporter.codes()).to.include('bake.sealed');
    });

    it('fails when the builder is terminated during Sysprep', async () => {
      const stub = stubSession({ ec2: { describeInstances: answers(reservation('i-b1', 'terminated')) } });
      const { ctx } = stepCtx(stub.session, { step: 'waitForStopped' });
      const err = await rejection(waitForStopped.run(withBuilder(), ctx));
      expect(err).to.be.instanceOf(StepError);
      expect(err.message).to.match(/^the builder i-b1 went away during Sysprep: .*the instance is terminated; something outside winami terminated it$/);
    });

    it('at the deadline, reads the Sysprep logs of a builder still running into the error', async () => {
      const stub = stubSession({
        ec2: { describeInstances: answers(reservation('i-b1', 'running')) },
        ssm: {
          sendCommand: answers({ Command: { CommandId: 'cmd-logs' } }),
          getCommandInvocation: answers({
            Status: 'Success',
            ResponseCode: 0,
            StandardOutputContent: '--- setuperr.log ---\nError SYSPRP Package Foo was installed for a user\n--- setupact.log ---\nInfo start\n',
          }),
        },
      });
      const { ctx } = stepCtx(stub.session, { step: 'waitForStopped' });
      const err = await rejection(waitForStopped.run(withBuilder(), ctx));
      expect(err).to.be.instanceOf(StepError);
      expect(err.message).to.match(/^Sysprep did not stop i-b1 within 3 s \(state running\)\./);
      expect(err.message).to.contain('setuperr.log (tail):\nError SYSPRP Package Foo was installed for a user\nsetupact.log (tail):\nInfo start');
      expect(stub.callsTo('sendCommand')[0]!.input.Comment).to.equal('winami: read the Sysprep logs');
    });
  });

  describe('copyToRegions', () => {
    const copyState = () => {
      const state = stepState({ image: { regions: [{ region: 'eu-west-1' }, { region: 'ap-southeast-2' }] } });
      state.image = { region: 'us-east-1', imageId: 'ami-src', name: 'golden-b-1', snapshotIds: ['snap-src'] };
      state.expectation = WINDOWS;
      return state;
    };
    const copy = (ImageId: string, State: string, extra: Record<string, unknown> = {}) => ({
      ImageId,
      State,
      Platform: 'windows',
      PlatformDetails: 'Windows',
      UsageOperation: 'RunInstances:0002',
      ...extra,
    });

    it('fails naming the region whose copy failed, and its cleanup discards every copy made', async () => {
      const stub = stubSession({
        ec2: {
          'eu-west-1': {
            copyImage: answers({ ImageId: 'ami-eu' }),
            describeImages: (input: { ImageIds?: string[] }) =>
              input.ImageIds
                ? { Images: [copy('ami-eu', 'available', { BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { SnapshotId: 'snap-eu' } }] })] }
                : { Images: [] },
            describeFastLaunchImages: answers({ FastLaunchImages: [] }),
            deregisterImage: answers({}),
            describeSnapshots: answers({ Snapshots: [] }),
            deleteSnapshot: answers({}),
          },
          'ap-southeast-2': {
            copyImage: answers({ ImageId: 'ami-ap' }),
            describeImages: (input: { ImageIds?: string[] }) =>
              input.ImageIds ? { Images: [copy('ami-ap', 'failed', { StateReason: { Message: 'Copy failed: KMS key not usable' } })] } : { Images: [] },
            deregisterImage: answers({}),
            describeSnapshots: answers({ Snapshots: [{ SnapshotId: 'snap-ap-half' }] }),
            deleteSnapshot: answers({}),
          },
        },
      });
      const { ctx, journal } = stepCtx(stub.session, { step: 'copyToRegions' });
      const state = copyState();
      const err = await rejection(copyToRegions.run(state, ctx));
      expect(err).to.be.instanceOf(StepError);
      expect((err as StepError).exitCode).to.equal(ExitCode.BUILD);
      expect(err.message).to.equal(
        'copying the image failed in ap-southeast-2:\nap-southeast-2: gave up waiting for image ami-ap to be available: its state is failed (Copy failed: KMS key not usable)',
      );
      expect(stub.callsTo('copyImage', 'eu-west-1')[0]!.input).to.deep.include({
        Name: 'golden-b-1',
        SourceImageId: 'ami-src',
        SourceRegion: 'us-east-1',
        ClientToken: 'winami-b-1-eu-west-1',
        CopyImageTags: true,
      });
      expect(stub.callsTo('copyImage', 'ap-southeast-2')[0]!.input.ClientToken).to.equal('winami-b-1-ap-southeast-2');
      expect(state.copies.map((c) => `${c.region}:${c.imageId}`).sort()).to.deep.equal(['ap-southeast-2:ami-ap', 'eu-west-1:ami-eu']);

      await copyToRegions.cleanup!(state, cleanupCtx(ctx, 'failed'));
      expect(
        stub
          .callsTo('deregisterImage')
          .map((c) => `${c.region}:${c.input.ImageId}`)
          .sort(),
      ).to.deep.equal(['ap-southeast-2:ami-ap', 'eu-west-1:ami-eu']);
      expect(
        stub
          .callsTo('deleteSnapshot')
          .map((c) => `${c.region}:${c.input.SnapshotId}`)
          .sort(),
      ).to.deep.equal(['ap-southeast-2:snap-ap-half', 'eu-west-1:snap-eu']);
      // The available copy may have Fast Launch: it is looked at before it is deregistered.
      expect(stub.callsTo('describeFastLaunchImages').map((c) => c.region)).to.deep.equal(['eu-west-1']);
      expect(stub.callsTo('describeSnapshots', 'eu-west-1')[0]!.input.Filters).to.deep.include({ Name: 'tag:winami:role', Values: ['copy'] });
      expect(leftBehind(state)).to.deep.equal([]);
      const lines = journalLines(journal.records);
      for (const l of [
        'removed image ami-eu@eu-west-1',
        'removed image ami-ap@ap-southeast-2',
        'removed snapshot snap-eu@eu-west-1',
        'removed snapshot snap-ap-half@ap-southeast-2',
      ])
        expect(lines).to.include(l);
      expect(lines.filter((l) => l.startsWith('creating'))).to.have.members(['creating image (copy)@eu-west-1', 'creating image (copy)@ap-southeast-2']);
    });

    it('fails with a VerificationError when a copy is billed wrongly', async () => {
      const stub = stubSession({
        ec2: {
          'eu-west-1': {
            copyImage: answers({ ImageId: 'ami-eu' }),
            describeImages: answers({ Images: [copy('ami-eu', 'available', { UsageOperation: 'RunInstances' })] }),
          },
        },
      });
      const { ctx } = stepCtx(stub.session, { step: 'copyToRegions' });
      const state = stepState({ image: { regions: [{ region: 'eu-west-1' }] } });
      state.image = { region: 'us-east-1', imageId: 'ami-src', name: 'golden-b-1', snapshotIds: [] };
      state.expectation = WINDOWS;
      const err = await rejection(copyToRegions.run(state, ctx));
      expect(err).to.be.instanceOf(VerificationError);
      expect((err as VerificationError).exitCode).to.equal(ExitCode.VERIFICATION);
      expect(err.message).to.match(/^copies failed billing verification:\neu-west-1: the copy ami-eu in eu-west-1 is billed wrongly: /);
      expect(state.copies[0]).to.include({ imageId: 'ami-eu', usageOperation: 'RunInstances' });
    });

    it('copies to every other region and records each copy with its snapshots', async () => {
      const stub = stubSession({
        ec2: {
          'eu-west-1': {
            copyImage: answers({ ImageId: 'ami-eu' }),
            describeImages: answers(
              { Images: [copy('ami-eu', 'pending')] },
              { Images: [copy('ami-eu', 'available', { BlockDeviceMappings: [{ Ebs: { SnapshotId: 'snap-eu' } }] })] },
            ),
          },
        },
      });
      const { ctx, reporter } = stepCtx(stub.session, { step: 'copyToRegions' });
      const state = stepState({ image: { regions: [{ region: 'eu-west-1' }] } });
      state.image = { region: 'us-east-1', imageId: 'ami-src', name: 'golden-b-1', snapshotIds: [] };
      state.expectation = WINDOWS;
      await copyToRegions.run(state, ctx);
      expect(stub.callsTo('copyImage').map((c) => c.region)).to.deep.equal(['eu-west-1']);
      expect(state.copies).to.deep.equal([
        {
          region: 'eu-west-1',
          imageId: 'ami-eu',
          name: 'golden-b-1',
          snapshotIds: ['snap-eu'],
          platformDetails: 'Windows',
          usageOperation: 'RunInstances:0002',
        },
      ]);
      expect(state.resources.map((r) => `${r.kind} ${r.id} ${r.role}`)).to.deep.equal(['image ami-eu copy', 'snapshot snap-eu copy-snapshot']);
      expect(reporter.codes()).to.include('bake.copy');
    });
  });
});
