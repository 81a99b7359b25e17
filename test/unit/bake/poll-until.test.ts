import { expect } from 'chai';
import { nextDelay, pollUntil, PollTimeoutError, type Verdict } from '../../../src/aws/poll-until.js';

/** A clock that only moves when the poller sleeps; records each sleep. */
function fakeClock() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

/** Poll something that completes at `doneAt` ms; returns the times it was probed. */
async function probeTimes(
  doneAt: number,
  o: { minDelayMs: number; maxDelayMs: number; expectedMs?: number; initialDelayMs?: number; eta?: (t: number) => number | undefined },
) {
  const clock = fakeClock();
  const probes: number[] = [];
  await pollUntil<number>({
    what: 'the thing',
    probe: async () => {
      probes.push(clock.now());
      return clock.now();
    },
    acceptor: (t): Verdict<number> => {
      if (t >= doneAt) return { state: 'success', value: t };
      const eta = o.eta?.(t);
      return { state: 'retry', observed: `at ${t}`, ...(eta === undefined ? {} : { etaMs: eta }) };
    },
    timeoutMs: 3_600_000,
    minDelayMs: o.minDelayMs,
    maxDelayMs: o.maxDelayMs,
    ...(o.expectedMs === undefined ? {} : { expectedMs: o.expectedMs }),
    ...(o.initialDelayMs === undefined ? {} : { initialDelayMs: o.initialDelayMs }),
    clock,
  });
  return probes;
}

describe('pollUntil and its delays', () => {
  it('without an expected time: exponential between min and max', () => {
    expect(nextDelay(1, 0, { minDelayMs: 5_000, maxDelayMs: 30_000 }, () => 1)).to.equal(5_000);
    expect(nextDelay(3, 0, { minDelayMs: 5_000, maxDelayMs: 30_000 }, () => 1)).to.equal(20_000);
    expect(nextDelay(9, 0, { minDelayMs: 5_000, maxDelayMs: 30_000 }, () => 1)).to.equal(30_000);
    expect(nextDelay(9, 0, { minDelayMs: 5_000, maxDelayMs: 30_000 }, () => 0)).to.equal(5_000);
  });

  it('before the expected time it never sleeps more than a quarter of the time already waited', () => {
    const o = { minDelayMs: 5_000, maxDelayMs: 30_000, expectedMs: 300_000 };
    expect(nextDelay(1, 0, o)).to.equal(5_000);
    expect(nextDelay(2, 20_000, o)).to.equal(5_000);
    expect(nextDelay(3, 60_000, o)).to.equal(15_000);
    expect(nextDelay(5, 200_000, o)).to.equal(30_000);
    // Near the expected time: the minimum; long after it: back off again.
    expect(nextDelay(9, 298_000, o)).to.equal(5_000);
    expect(nextDelay(9, 700_000, o, () => 1)).to.equal(30_000);
  });

  it('an ETA from the observation wins, within min and max', () => {
    const o = { minDelayMs: 5_000, maxDelayMs: 60_000, expectedMs: 600_000 };
    expect(nextDelay(2, 10_000, o, Math.random, 42_000)).to.equal(42_000);
    expect(nextDelay(2, 10_000, o, Math.random, 1_000)).to.equal(5_000);
    expect(nextDelay(2, 10_000, o, Math.random, 900_000)).to.equal(60_000);
  });

  it('a phase far quicker than expected is seen within a quarter of its duration, not a max delay late', async () => {
    const probes = await probeTimes(55_000, { minDelayMs: 5_000, maxDelayMs: 30_000, expectedMs: 180_000, initialDelayMs: 30_000 });
    expect(probes[0]).to.equal(30_000);
    const last = probes[probes.length - 1]!;
    expect(last)
      .to.be.at.least(55_000)
      .and.at.most(55_000 * 1.25);
    expect(probes.length).to.be.at.most(5);
  });

  it('a phase as long as expected: few checks on the way, then often near the end', async () => {
    const probes = await probeTimes(301_000, { minDelayMs: 5_000, maxDelayMs: 30_000, expectedMs: 300_000, initialDelayMs: 30_000 });
    expect(probes[probes.length - 1]! - 301_000).to.be.at.most(5_000);
    // The AWS CLI's waiter (every 15 s) would check 21 times.
    expect(probes.length).to.be.at.most(18);
  });

  it('follows the ETA an observation gives', async () => {
    const probes = await probeTimes(67_000, { minDelayMs: 10_000, maxDelayMs: 60_000, expectedMs: 600_000, initialDelayMs: 10_000, eta: (t) => 67_000 - t });
    expect(probes).to.deep.equal([10_000, 67_000]);
  });

  it('times out saying what it kept seeing', async () => {
    const clock = fakeClock();
    const err = await pollUntil({
      what: 'the agent',
      probe: async () => 'Offline',
      acceptor: (s): Verdict<string> => ({ state: 'retry', observed: `PingStatus ${s}` }),
      timeoutMs: 60_000,
      minDelayMs: 5_000,
      maxDelayMs: 10_000,
      initialDelayMs: 5_000,
      clock,
    }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(PollTimeoutError);
    expect((err as Error).message).to.match(/the agent[\s\S]*PingStatus Offline/);
  });
});
