import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Emulator } from '../../emulator/index.js';
import { ExitCode } from '../../src/errors.js';
import { EMULATOR_ACCOUNTS } from '../../emulator/index.js';
import { afterConsistencyWindow } from './billing-emulator.js';
import { ACCOUNT, bakeOn, configFor, leftovers, NOTHING, sessionOn, startBakeEmulator, type BakeRun } from './bake-harness.js';

/** Every fault case ends with its exit code, a message that says why, and nothing left behind. */
describe('bake: fault matrix (emulator)', function () {
  this.timeout(120_000);
  let emu: Emulator;
  beforeEach(async () => {
    emu = await startBakeEmulator({ seed: { regions: ['us-east-1', 'eu-west-1'] } });
  });
  afterEach(async () => emu?.stop());

  const failedWith = (run: BakeRun, code: number, message: RegExp) => {
    const { result } = run;
    expect(result.ok, 'the bake should fail').to.equal(false);
    expect(result.error?.message, result.error?.message).to.match(message);
    expect(result.exitCode, result.error?.message).to.equal(code);
    const left = leftovers(emu);
    expect(left, JSON.stringify(left)).to.deep.equal(NOTHING);
    expect(result.leftBehind).to.deep.equal([]);
  };

  it('copies to a second region in parallel, verified, tagged, with nothing else left', async () => {
    const run = await bakeOn(emu, configFor('2022', '  regions: [{region: eu-west-1}]\n'));
    if (!run.result.ok) throw new Error(run.result.error?.message);
    expect(run.result.images.map((i) => i.region)).to.deep.equal(['us-east-1', 'eu-west-1']);
    for (const i of run.result.images) expect([i.platformDetails, i.usageOperation]).to.deep.equal(['Windows', 'RunInstances:0002']);
    expect(run.result.packerManifest.builds[0]!.artifact_id).to.equal(run.result.images.map((i) => `${i.region}:${i.imageId}`).join(','));
    const left = leftovers(
      emu,
      run.result.images.map((i) => i.imageId),
    );
    expect(left, JSON.stringify(left)).to.deep.equal(NOTHING);
  });

  it('a customization step failing: exit 7 with the output tail', async () => {
    emu.control.setGuestDefaults({ failCommand: { match: 'inline ran', exitCode: 4, stderr: 'the thing broke' } });
    const run = await bakeOn(emu, configFor('2022'));
    failedWith(run, ExitCode.BUILD, /customize step 2 of 2 \(inline\) failed[\s\S]*exit code 4[\s\S]*the thing broke/);
  });

  it('a reboot mid-customization: the step is rerun and the bake succeeds', async () => {
    const run = await bakeOn(
      emu,
      configFor('2022', '', ['  - name: restart', '    reboot: true', '  - name: after', '    powershell: "Write-Output \'after the reboot\'"']),
    );
    expect(run.reporter.events.filter((e) => e.code === 'bake.customize.output').map((e) => e.data?.exitCode)).to.deep.equal([0, 0, 0, 0]);
    if (!run.result.ok) throw new Error(run.result.error?.message);
    expect(run.result.ok).to.equal(true);
  });

  it('SSM agent never online: exit 7 naming the likely causes and the console tail', async () => {
    emu.control.setGuestDefaults({ agentNeverOnline: true });
    const run = await bakeOn(emu, configFor('2022', 'deadlines:\n  ssmOnline: 5m\n'));
    failedWith(run, ExitCode.BUILD, /never came Online[\s\S]*Console output/);
    expect(run.result.error?.hint)
      .to.match(/AmazonSSMManagedInstanceCore/)
      .and.match(/route to SSM/);
  });

  it('sysprep failing: exit 7 with the tail of setuperr.log', async () => {
    emu.control.setGuestDefaults({ sysprepFails: { setuperr: 'SYSPRP Package Microsoft.Foo was installed for a user, but not provisioned for all users' } });
    const run = await bakeOn(emu, configFor('2022', 'deadlines:\n  sysprep: 10m\n'));
    failedWith(run, ExitCode.BUILD, /Sysprep did not stop[\s\S]*setuperr\.log[\s\S]*not provisioned for all users/);
  });

  it('image creation failing: exit 7 with the StateReason, half-made image and snapshots removed', async () => {
    emu.control.setImageOutcome({ actions: ['CreateImage'], fail: { code: 'Server.InternalError', message: 'Internal error creating snapshot' } });
    const run = await bakeOn(emu, configFor('2022'));
    failedWith(run, ExitCode.BUILD, /CreateImage failed[\s\S]*Internal error creating snapshot/);
  });

  it('billing fields empty: exit 6, image discarded', async () => {
    emu.control.setImageOutcome({ actions: ['CreateImage'], billing: 'empty' });
    const run = await bakeOn(emu, configFor('2022'));
    failedWith(run, ExitCode.VERIFICATION, /billed wrongly[\s\S]*PlatformDetails is empty/);
  });

  it('billing fields wrong: exit 6, image discarded', async () => {
    emu.control.setImageOutcome({ actions: ['CreateImage'], billing: { platformDetails: 'Linux/UNIX', usageOperation: 'RunInstances' } });
    const run = await bakeOn(emu, configFor('2022'));
    failedWith(run, ExitCode.VERIFICATION, /billed wrongly/);
  });

  it("one region's copy failing: exit 7, the image and every copy discarded", async () => {
    emu.control.setImageOutcome({ region: 'eu-west-1', actions: ['CopyImage'], fail: { code: 'Client.InvalidKMSKey', message: 'KMS key not usable' } });
    const run = await bakeOn(emu, configFor('2022', '  regions: [{region: eu-west-1}]\n'));
    failedWith(run, ExitCode.BUILD, /copying the image failed in eu-west-1[\s\S]*KMS key not usable/);
  });

  /** The config at `path` with a fixed image name. */
  function withImageName(path: string, name: string): string {
    writeFileSync(path, readFileSync(path, 'utf8').replace('golden-{{release}}-{{buildId}}', name));
    return path;
  }

  /** An image named `name` made outside the bake from a fresh Windows instance (which is then terminated), tagged as `tags` say. */
  async function imageNamed(name: string, tags: Record<string, string>): Promise<string> {
    const ec2 = sessionOn(emu).ec2();
    const source = emu.control
      .resources({ account: '801119661308', region: 'us-east-1' })
      .images.find((i) => /^Windows_Server-2022-English-Full-Base/.test(i.name))!;
    const run = await ec2.runInstances({ ImageId: source.id, InstanceType: 'm6i.large', MinCount: 1, MaxCount: 1 });
    const instanceId = run.Instances![0]!.InstanceId!;
    await afterConsistencyWindow();
    while (emu.control.resources({ account: ACCOUNT }).instances.find((i) => i.id === instanceId)?.state !== 'running')
      await new Promise((r) => setTimeout(r, 20));
    const out = await ec2.createImage({
      InstanceId: instanceId,
      Name: name,
      NoReboot: true,
      TagSpecifications: [{ ResourceType: 'image', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }],
    });
    await ec2.terminateInstances({ InstanceIds: [instanceId] });
    return out.ImageId!;
  }

  it('an image name taken by someone else after the preflight: exit 7 saying so, their image untouched, nothing left', async () => {
    // Taken while the builder runs: the preflight saw the name free (a name taken before it is its refusal).
    let taking: Promise<string> | undefined;
    const reporter = {
      emit: (e: { code: string }) => void (e.code === 'bake.builder' ? (taking = imageNamed('golden-fixed', { owner: 'someone else' })) : undefined),
    };
    const run = await bakeOn(emu, withImageName(configFor('2022'), 'golden-fixed'), { smokeTest: false, reporter });
    const theirs = await taking!;
    expect(run.result.error?.message).to.match(new RegExp(`an image named "golden-fixed" already exists \\(${theirs}\\) and is not from this build`));
    expect(run.result.error?.hint).to.match(/\{\{buildId\}\}/);
    expect(run.result.exitCode).to.equal(ExitCode.BUILD);
    const left = leftovers(emu, [theirs]);
    expect(left, JSON.stringify(left)).to.deep.equal(NOTHING);
    expect(emu.control.resources({ account: ACCOUNT }).images.map((i) => i.id)).to.deep.equal([theirs]);
  });

  it('CreateImage answered "duplicate name" because an earlier attempt of the same request made the image: that image is adopted', async () => {
    const earlier = await imageNamed('golden-adopted', { 'winami:build-id': 'build-adopt-1', 'winami:role': 'image' });
    const run = await bakeOn(emu, withImageName(configFor('2022'), 'golden-adopted'), { smokeTest: false, buildId: 'build-adopt-1' });
    if (!run.result.ok) throw new Error(run.result.error?.message);
    expect(run.result.images.map((i) => i.imageId)).to.deep.equal([earlier]);
    expect(
      emu.control
        .calls()
        .filter((c) => c.action === 'CreateImage')
        .map((c) => c.errorCode ?? 'ok'),
    ).to.deep.equal(['ok', 'InvalidAMIName.Duplicate']);
    const left = leftovers(emu, [earlier]);
    expect(left, JSON.stringify(left)).to.deep.equal(NOTHING);
  });

  it('RunInstances ran but its answer was lost: the SDK retries with the same ClientToken, one builder, success with nothing left', async () => {
    emu.control.addFault({ action: 'RunInstances', loseResponse: true, times: 1 });
    const run = await bakeOn(emu, configFor('2022'), { smokeTest: false });
    if (!run.result.ok) throw new Error(run.result.error?.message);
    expect(
      emu.control
        .calls()
        .filter((c) => c.action === 'RunInstances')
        .map((c) => c.errorCode ?? 'ok'),
    ).to.deep.equal(['ResponseLost', 'ok']);
    expect(emu.control.resources({ account: ACCOUNT, includeGone: true }).instances, 'builders launched').to.have.length(1);
    const left = leftovers(
      emu,
      run.result.images.map((i) => i.imageId),
    );
    expect(left, JSON.stringify(left)).to.deep.equal(NOTHING);
    expect(run.result.leftBehind).to.deep.equal([]);
  });

  it('CreateImage ran but its answer was lost: the retry is answered "duplicate name", the image is adopted, success with nothing left', async () => {
    emu.control.addFault({ action: 'CreateImage', loseResponse: true, times: 1 });
    const run = await bakeOn(emu, configFor('2022'), { smokeTest: false });
    if (!run.result.ok) throw new Error(run.result.error?.message);
    expect(
      emu.control
        .calls()
        .filter((c) => c.action === 'CreateImage')
        .map((c) => c.errorCode ?? 'ok'),
    ).to.deep.equal(['ResponseLost', 'InvalidAMIName.Duplicate']);
    expect(emu.control.resources({ account: ACCOUNT }).images.map((i) => i.id)).to.deep.equal(run.result.images.map((i) => i.imageId));
    const left = leftovers(
      emu,
      run.result.images.map((i) => i.imageId),
    );
    expect(left, JSON.stringify(left)).to.deep.equal(NOTHING);
    expect(run.result.leftBehind).to.deep.equal([]);
  });

  it('an HTML page (a captive portal) answering a wait mid-bake: exit 5 naming the endpoint, everything cleaned up', async () => {
    const run = await bakeOn(emu, configFor('2022'), {
      smokeTest: false,
      reporter: {
        emit: (e) => {
          if (e.code === 'bake.step.start' && (e.data as { step?: string }).step === 'createImage')
            emu.control.addFault({ action: 'DescribeImages', htmlPage: true, times: 1 });
        },
      },
    });
    failedWith(
      run,
      ExitCode.AWS,
      /DescribeImages on ami-\w+ failed: NotAnAwsResponse: the endpoint http:\/\/127\.0\.0\.1:\d+\/ answered HTTP 200[\s\S]*text\/html[\s\S]*captive portal/,
    );
    expect(run.result.failedStep).to.equal('createImage');
  });

  it('the builder terminated from outside: exit 7 saying so', async () => {
    const cfg = configFor('2022');
    const run = bakeOn(emu, cfg, {
      onState: (s) => {
        const timer = setInterval(() => {
          if (s.builder?.computerName) {
            clearInterval(timer);
            emu.control.terminateFromOutside(s.builder.instanceId);
          }
        }, 5);
      },
    });
    failedWith(await run, ExitCode.BUILD, /terminated/);
  });

  it('cancelled (SIGINT in the library: abort) during customize: exit 130, everything cleaned', async () => {
    const ac = new AbortController();
    const run = bakeOn(emu, configFor('2022'), {
      abortSignal: ac.signal,
      reporter: { emit: (e) => (e.code === 'bake.customize.start' ? ac.abort() : undefined) },
    });
    failedWith(await run, ExitCode.CANCELLED, /cancel/);
  });

  it('--on-error keep: the builder stays, reported with the cleanup command', async () => {
    emu.control.setGuestDefaults({ failCommand: { match: 'inline ran', exitCode: 2 } });
    const { result } = await bakeOn(emu, configFor('2022'), { onError: 'keep' });
    expect(result.exitCode).to.equal(ExitCode.BUILD);
    expect(result.leftBehind.map((r) => r.role)).to.deep.equal(['builder']);
    expect(result.cleanupCommand).to.match(/^winami cleanup --build-id \S+ --region us-east-1$/);
    expect(leftovers(emu).instances).to.have.length(1);
  });

  it('a throttling storm and a dropped connection on each waited action, injected as its wait starts: every bake still succeeds', async () => {
    // The step whose wait polls each action; the faults start with that step. One
    // account per bake (faults are scoped to it), all at once: the SDK's backoff
    // and its adaptive rate limiter's recovery take real seconds.
    const storms: { account: string; step: string; action: string; code: string }[] = [
      { account: EMULATOR_ACCOUNTS[0]!.accountId, step: 'waitForSsm', action: 'DescribeInstanceInformation', code: 'ThrottlingException' },
      { account: EMULATOR_ACCOUNTS[1]!.accountId, step: 'waitForStopped', action: 'DescribeInstances', code: 'RequestLimitExceeded' },
      { account: EMULATOR_ACCOUNTS[1]!.accountId, step: 'customize', action: 'GetCommandInvocation', code: 'ThrottlingException' },
      { account: EMULATOR_ACCOUNTS[2]!.accountId, step: 'createImage', action: 'DescribeImages', code: 'RequestLimitExceeded' },
    ];
    const accounts = [...new Set(storms.map((x) => x.account))];
    // The SDK's back-off is real time while deadlines shrink with the time scale: each wait
    // gets about 30 s of real time, and every wait must end within its deadline.
    const roomy = 'deadlines:\n  ssmOnline: 2h\n  customize: 2h\n  sysprep: 2h\n  createImage: 2h\n';
    const runs = await Promise.all(
      accounts.map((account) =>
        bakeOn(emu, configFor('2022', roomy), {
          session: sessionOn(emu, 'us-east-1', account),
          reporter: {
            emit: (e) => {
              const storm =
                e.code === 'bake.step.start' ? storms.find((x) => x.account === account && x.step === (e.data as { step?: string }).step) : undefined;
              if (!storm) return;
              emu.control.addFault({ action: storm.action, account, drop: true, times: 1 });
              emu.control.addFault({ action: storm.action, account, errorCode: storm.code, times: 3 });
            },
          },
        }),
      ),
    );
    const calls = emu.control.calls();
    for (const [i, run] of runs.entries()) {
      if (!run.result.ok) throw new Error(run.result.error?.message);
      const left = leftovers(
        emu,
        run.result.images.map((img) => img.imageId),
        accounts[i],
      );
      expect(left, JSON.stringify(left)).to.deep.equal(NOTHING);
    }
    for (const { account, action, code } of storms) {
      const mine = calls.filter((c) => c.account === account && c.action === action);
      expect(mine.filter((c) => c.errorCode === code).length, `${action} throttled`).to.equal(3);
      expect(mine.filter((c) => c.errorCode === 'ConnectionDropped').length, `${action} dropped`).to.equal(1);
    }
  });

  it('throttling storms and 5xx on the waited actions: the bake still succeeds', async () => {
    for (const action of ['DescribeInstances', 'DescribeImages', 'DescribeInstanceInformation', 'GetCommandInvocation']) {
      emu.control.addFault({
        action,
        errorCode: action.startsWith('Describe') && action !== 'DescribeInstanceInformation' ? 'RequestLimitExceeded' : 'ThrottlingException',
        probability: 0.3,
      });
    }
    emu.control.addFault({ action: 'SendCommand', errorCode: 'InternalError', status: 500, times: 2 });
    emu.control.addFault({ action: 'RunInstances', drop: true, times: 1 });
    // Real-time SDK back-off against scaled deadlines, as above.
    const run = await bakeOn(
      emu,
      configFor(
        '2022',
        'deadlines:\n  launch: 2h\n  ssmOnline: 2h\n  deliver: 2h\n  customize: 2h\n  readyToSeal: 2h\n  sysprep: 2h\n  createImage: 2h\n  smokeTest: 2h\n',
      ),
    );
    if (!run.result.ok) throw new Error(run.result.error?.message);
    const running = leftovers(
      emu,
      run.result.images.map((i) => i.imageId),
    );
    expect(running, JSON.stringify(running)).to.deep.equal(NOTHING);
    expect(emu.control.calls().filter((c) => c.action === 'RunInstances' && c.status === 200).length).to.be.at.most(2);
  });
});
