import { expect } from 'chai';
import type { Emulator } from '../../emulator/index.js';
import { startBakeEmulator } from './bake-harness.js';
import { runSeries } from './chaos-series.js';

/** A small random series (scripts/chaos-bakes.ts runs the long one): nothing left, nothing misreported. */
describe('bake: a random series of killed and faulted bakes (emulator)', function () {
  this.timeout(300_000);
  let emu: Emulator;
  before(async () => {
    emu = await startBakeEmulator();
  });
  after(async () => emu?.stop());

  it('3 bakes killed at random moments and cleaned up, 3 bakes under random faults: no leftovers, what is reported is what exists', async () => {
    const seed = Date.now() % 2 ** 31;
    const lines: string[] = [];
    const { summary, killRuns, faultRuns } = await runSeries(emu, { seed, kills: 3, faultRuns: 3, maxKillMs: 5_000, log: (l) => lines.push(l) });
    const context = `seed ${seed}\n${lines.join('\n')}`;
    expect(summary.kills.runs).to.equal(3);
    expect(summary.faults.runs).to.equal(3);
    for (const r of killRuns) expect(r.leftovers, context).to.deep.equal([]);
    for (const r of faultRuns) {
      expect(r.exists, context).to.deep.equal(r.reported);
      expect(r.exists, context).to.deep.equal([]);
    }
    expect(summary.faults.faultsInjected, context).to.be.greaterThan(0);
  });
});
