/**
 * RunInstances' ClientToken, and the network faults that need it: an answer
 * lost after the action ran, and an endpoint that accepts and never answers.
 */
import { expect } from 'chai';
import { RunInstancesCommand, DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { createAwsSession } from '../../src/aws/session.js';
import { AwsError } from '../../src/errors.js';
import { EMULATOR_ACCOUNTS, type Emulator } from '../../emulator/index.js';
import { rejection, sdk, withEmulator, WIN2022 } from './helpers.js';

describe('emulator: RunInstances ClientToken, lost answers and blackholes', function () {
  this.timeout(30_000);
  let emu: Emulator;
  let imageId: string;
  beforeEach(async () => {
    emu = await withEmulator();
    imageId = (await sdk(emu).ssm.send(new GetParameterCommand({ Name: WIN2022 }))).Parameter!.Value!;
  });
  afterEach(async () => emu?.stop());

  const live = () => emu.control.resources({ account: EMULATOR_ACCOUNTS[0]!.accountId }).instances.filter((i) => i.state !== 'terminated');
  const request = (over: Record<string, unknown> = {}) => ({
    ImageId: imageId,
    MinCount: 1,
    MaxCount: 1,
    InstanceType: 't3.large' as const,
    ClientToken: 'build-1-builder',
    ...over,
  });

  it('the same token and parameters: the same reservation, nothing more launched', async () => {
    const { ec2 } = sdk(emu);
    const first = await ec2.send(new RunInstancesCommand(request()));
    const again = await ec2.send(new RunInstancesCommand(request()));
    expect(again.ReservationId).to.equal(first.ReservationId);
    expect(again.Instances!.map((i) => i.InstanceId)).to.deep.equal(first.Instances!.map((i) => i.InstanceId));
    expect(again.Instances![0]!.ClientToken).to.equal('build-1-builder');
    expect(live()).to.have.length(1);
    // Another token launches another instance; no token never deduplicates.
    await ec2.send(new RunInstancesCommand(request({ ClientToken: 'build-2-builder' })));
    await ec2.send(new RunInstancesCommand(request({ ClientToken: undefined })));
    await ec2.send(new RunInstancesCommand(request({ ClientToken: undefined })));
    expect(live()).to.have.length(4);
  });

  it('the same token with other parameters: IdempotentParameterMismatch, nothing launched; a token over 64 characters is refused', async () => {
    const { ec2 } = sdk(emu);
    await ec2.send(new RunInstancesCommand(request()));
    const err = await rejection(ec2.send(new RunInstancesCommand(request({ InstanceType: 'm6i.large' }))));
    expect(err.name).to.equal('IdempotentParameterMismatch');
    const long = await rejection(ec2.send(new RunInstancesCommand(request({ ClientToken: 'x'.repeat(65) }))));
    expect(long.name).to.equal('InvalidParameterValue');
    expect(live()).to.have.length(1);
  });

  it('the token is per account and region', async () => {
    await sdk(emu, 0).ec2.send(new RunInstancesCommand(request()));
    await sdk(emu, 1).ec2.send(new RunInstancesCommand(request()));
    expect(emu.control.resources({ account: EMULATOR_ACCOUNTS[1]!.accountId }).instances).to.have.length(1);
    expect(live()).to.have.length(1);
  });

  it('loseResponse: the action runs, the answer never comes; the retry with the same token gets the same instance', async () => {
    emu.control.addFault({ action: 'RunInstances', loseResponse: true, times: 1 });
    const once = sdk(emu, 0, 'us-east-1', 1).ec2;
    const err = await rejection(once.send(new RunInstancesCommand(request())));
    expect(err.message).to.match(/socket hang up|ECONNRESET|closed/i);
    expect(live()).to.have.length(1);
    const retried = await sdk(emu, 0, 'us-east-1', 1).ec2.send(new RunInstancesCommand(request()));
    expect(retried.Instances![0]!.InstanceId).to.equal(live()[0]!.id);
    expect(
      emu.control
        .calls()
        .filter((c) => c.action === 'RunInstances')
        .map((c) => `${c.status} ${c.errorCode ?? ''}`.trim()),
    ).to.deep.equal(['200 ResponseLost', '200']);
    // Through the SDK's own retry the lost answer is invisible: one instance, one answer.
    emu.control.addFault({ action: 'RunInstances', loseResponse: true, times: 1 });
    const viaRetry = await sdk(emu, 0, 'us-east-1', 3).ec2.send(new RunInstancesCommand(request({ ClientToken: 'build-3-builder' })));
    expect(live().map((i) => i.id)).to.include(viaRetry.Instances![0]!.InstanceId!);
    expect(live()).to.have.length(2);
  });

  it('blackhole: the request is accepted and never answered; the session gives up at its request timeout', async () => {
    emu.control.addFault({ action: 'DescribeImages', blackhole: true });
    const a = EMULATOR_ACCOUNTS[0]!;
    const session = createAwsSession({
      region: 'us-east-1',
      endpoint: emu.endpoint,
      credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
      maxAttempts: 2,
      timeouts: { requestMs: 300, callMs: 5_000 },
    });
    const t0 = Date.now();
    const err = (await session
      .ec2()
      .describeImages({ Owners: ['self'] })
      .catch((e: unknown) => e)) as AwsError;
    const took = Date.now() - t0;
    expect(err).to.be.instanceOf(AwsError);
    expect(err.awsCode).to.equal('ETIMEDOUT');
    expect(err.hint).to.match(/did not answer in time/);
    expect(took).to.be.within(500, 3_000);
    expect(emu.control.calls().filter((c) => c.errorCode === 'Blackholed')).to.have.length(2);
    // The call deadline ends a call whose attempts would take longer, through its AbortSignal.
    const short = createAwsSession({
      region: 'us-east-1',
      endpoint: emu.endpoint,
      credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
      timeouts: { requestMs: 10_000, callMs: 400 },
    });
    const t1 = Date.now();
    const err2 = (await short
      .ec2()
      .describeImages({ Owners: ['self'] })
      .catch((e: unknown) => e)) as AwsError;
    expect(err2.awsCode).to.equal('CallTimeout');
    expect(Date.now() - t1).to.be.below(1_500);
    emu.control.clearFaults();
    expect((await sdk(emu).ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))).Images).to.have.length(1);
  });
});
