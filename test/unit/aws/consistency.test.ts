import { expect } from 'chai';
import { CONSISTENCY_GRACE_MS, lookWithinGrace } from '../../../src/aws/consistency.js';

/** A clock that only moves when slept on, recording the pauses. */
function fakeClock() {
  let t = 1_000_000;
  const pauses: number[] = [];
  return {
    pauses,
    now: () => t,
    sleep: async (ms: number) => {
      pauses.push(ms);
      t += ms;
    },
  };
}

describe('lookWithinGrace', () => {
  it('returns what the first successful look finds, without pausing when it is there at once', async () => {
    const clock = fakeClock();
    expect(await lookWithinGrace(async () => 'i-1', { until: clock.now() + 10_000, clock })).to.equal('i-1');
    expect(clock.pauses).to.deep.equal([]);
  });

  it('looks again with doubling pauses until the resource shows up', async () => {
    const clock = fakeClock();
    let looks = 0;
    const found = await lookWithinGrace(async () => (++looks < 4 ? undefined : 'ami-1'), { until: clock.now() + 16_000, clock });
    expect(found).to.equal('ami-1');
    expect(clock.pauses).to.deep.equal([1_000, 2_000, 4_000]);
  });

  it('gives up at the end of the grace with a bounded number of looks, never pausing past it', async () => {
    const clock = fakeClock();
    const start = clock.now();
    let looks = 0;
    const found = await lookWithinGrace(
      async () => {
        looks++;
        return undefined;
      },
      { until: start + CONSISTENCY_GRACE_MS, clock },
    );
    expect(found).to.equal(undefined);
    expect(clock.now()).to.equal(start + CONSISTENCY_GRACE_MS);
    expect(looks).to.be.within(5, 7);
  });

  it('looks once when the grace is already over', async () => {
    const clock = fakeClock();
    let looks = 0;
    const found = await lookWithinGrace(
      async () => {
        looks++;
        return undefined;
      },
      { until: clock.now() - 1, clock },
    );
    expect([found, looks, clock.pauses]).to.deep.equal([undefined, 1, []]);
  });

  it('looks once when the end of the grace is unknown (NaN)', async () => {
    const clock = fakeClock();
    let looks = 0;
    const found = await lookWithinGrace(
      async () => {
        looks++;
        return undefined;
      },
      { until: Number.NaN, clock },
    );
    expect([found, looks, clock.pauses]).to.deep.equal([undefined, 1, []]);
  });

  it('a null result (seen gone) ends the looking at once', async () => {
    const clock = fakeClock();
    expect(await lookWithinGrace(async () => null, { until: clock.now() + 10_000, clock })).to.equal(null);
    expect(clock.pauses).to.deep.equal([]);
  });
});
