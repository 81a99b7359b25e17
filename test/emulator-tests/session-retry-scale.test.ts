import { expect } from 'chai';
import { createAwsSession } from '../../src/aws/session.js';
import { EMULATOR_ACCOUNTS, type Emulator } from '../../emulator/index.js';
import { withEmulator } from './helpers.js';

/** A session on the emulator whose SDK retries run at `retryTimeScale`. */
function scaledSession(emu: Emulator, retryMode: 'adaptive' | 'standard', maxAttempts: number) {
  const a = EMULATOR_ACCOUNTS[0]!;
  return createAwsSession({
    region: 'us-east-1',
    endpoint: emu.endpoint,
    credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
    maxAttempts,
    retryMode,
    retryTimeScale: 0.001,
  });
}

describe('session: the SDK retry strategy at the emulator time scale', () => {
  let emu: Emulator;
  before(async () => {
    emu = await withEmulator({ throttling: false });
  });
  after(async () => emu?.stop());
  afterEach(() => emu.control.clearFaults());

  const attemptsOf = (action: string) => emu.control.calls().filter((c) => c.action === action).length;

  for (const mode of ['adaptive', 'standard'] as const) {
    it(`${mode}: still retries throttling and 5xx answers, up to maxAttempts`, async () => {
      const before = attemptsOf('DescribeRegions');
      emu.control.addFault({ action: 'DescribeRegions', errorCode: 'RequestLimitExceeded', times: 2 });
      emu.control.addFault({ action: 'DescribeRegions', errorCode: 'InternalError', times: 1 });
      const out = await scaledSession(emu, mode, 4).ec2().describeRegions({});
      expect(out.Regions?.length).to.be.greaterThan(0);
      expect(attemptsOf('DescribeRegions') - before).to.equal(4);
    });

    it(`${mode}: gives up after maxAttempts with the last error`, async () => {
      const before = attemptsOf('DescribeRegions');
      emu.control.addFault({ action: 'DescribeRegions', errorCode: 'RequestLimitExceeded', times: 5 });
      const err = await scaledSession(emu, mode, 3)
        .ec2()
        .describeRegions({})
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(String((err as { awsCode?: string; name?: string })?.awsCode ?? (err as Error)?.name)).to.match(/RequestLimitExceeded/);
      expect(attemptsOf('DescribeRegions') - before).to.equal(3);
    });
  }
});
