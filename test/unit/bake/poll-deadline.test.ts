import { expect } from 'chai';
import { pollUntil, PollTimeoutError } from '../../../src/aws/poll-until.js';
import { retryLater } from '../../../src/aws/retry.js';
import { withCallDeadline, CallTimeoutError } from '../../../src/aws/timeouts.js';
import { AwsError } from '../../../src/errors.js';

describe('deadlines whatever the network does', () => {
  it('a check that never answers is aborted at the deadline, and the wait ends then', async () => {
    let aborted = false;
    const t0 = Date.now();
    const err = await pollUntil({
      what: 'a thing',
      probe: (signal) => {
        signal.addEventListener('abort', () => (aborted = true));
        return new Promise<string>(() => undefined);
      },
      acceptor: () => ({ state: 'retry', observed: 'x' }),
      timeoutMs: 200,
      minDelayMs: 10,
      maxDelayMs: 20,
    }).catch((e: unknown) => e);
    const took = Date.now() - t0;
    expect(err).to.be.instanceOf(PollTimeoutError);
    expect((err as Error).message).to.match(/the last check got no answer before the deadline/);
    expect(aborted).to.equal(true);
    expect(took).to.be.within(195, 400);
  });

  it('a call past its deadline is abandoned through its signal', async () => {
    let signal: AbortSignal | undefined;
    const err = await withCallDeadline(50, undefined, (s) => {
      signal = s;
      return new Promise(() => undefined);
    }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(CallTimeoutError);
    expect(signal?.aborted).to.equal(true);
  });

  it('retryLater outlasts throttling until its deadline, and throws anything else at once', async () => {
    let n = 0;
    const throttled = () => new AwsError('DeregisterImage', 'throttled', { awsCode: 'RequestLimitExceeded' });
    const v = await retryLater(async () => (++n < 4 ? Promise.reject(throttled()) : 'done'), { deadlineMs: 1_000, minDelayMs: 1 });
    expect([v, n]).to.deep.equal(['done', 4]);
    let m = 0;
    const denied = await retryLater(async () => (m++, Promise.reject(new AwsError('DeregisterImage', 'no', { awsCode: 'UnauthorizedOperation' }))), {
      deadlineMs: 1_000,
      minDelayMs: 1,
    }).catch((e: unknown) => e);
    expect((denied as AwsError).awsCode).to.equal('UnauthorizedOperation');
    expect(m).to.equal(1);
    const t0 = Date.now();
    const gaveUp = await retryLater(() => Promise.reject(throttled()), { deadlineMs: 100, minDelayMs: 5 }).catch((e: unknown) => e);
    expect((gaveUp as AwsError).awsCode).to.equal('RequestLimitExceeded');
    expect(Date.now() - t0).to.be.below(300);
  });
});
