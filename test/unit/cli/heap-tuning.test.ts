/**
 * The audit's V8 heap tuning, run in child processes so the test process
 * keeps V8's defaults: the young generation stops growing at its size, the
 * user's own heap flags are left alone, and restore() gives V8's defaults back.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { heapFlagsGiven } from '../../../src/cli/heap-tuning.js';

const MODULE = fileURLToPath(new URL('../../../src/cli/heap-tuning.js', import.meta.url));

/** Allocation that keeps a few MB alive at a time (what makes V8 grow its young generation), run in the event loop. */
const CHURN = `
const { tuneHeap, youngGenerationBytes } = await import(${JSON.stringify(MODULE)});
const tuner = tuneHeap({ heapGrowingPercent: 50, youngGenerationMiB: 4 }, process.argv.includes('--given'));
let keep = [];
let most = 0;
for (let round = 0; round < 300; round++) {
  for (let i = 0; i < 5000; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 60000) keep = []; }
  tuner.check();
  most = Math.max(most, youngGenerationBytes());
  await new Promise((r) => setImmediate(r));
}
if (process.argv.includes('--restore')) {
  tuner.restore();
  for (let round = 0; round < 300; round++) for (let i = 0; i < 5000; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 200000) keep = []; }
}
console.log(JSON.stringify({ active: tuner.active, mostMiB: most / 2 ** 20, endMiB: youngGenerationBytes() / 2 ** 20 }));
`;

function churn(...args: string[]): { active: boolean; mostMiB: number; endMiB: number } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', CHURN, '--', ...args], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  expect(r.status, r.stderr).to.equal(0);
  return JSON.parse(r.stdout) as { active: boolean; mostMiB: number; endMiB: number };
}

describe('heap tuning for the audit', function () {
  this.timeout(60_000);

  it('stops the young generation growing at its size, where V8 alone grows it further', () => {
    const untuned = churn('--given');
    const tuned = churn();
    expect(untuned.active).to.equal(false);
    expect(untuned.mostMiB).to.be.greaterThan(4);
    expect(tuned.active).to.equal(true);
    expect(tuned.mostMiB).to.be.at.most(4);
  });

  it('restore() lets V8 grow it again', () => {
    const r = churn('--restore');
    expect(r.mostMiB).to.be.at.most(4);
    expect(r.endMiB).to.be.greaterThan(4);
  });

  it('leaves heap flags given in NODE_OPTIONS or to node alone', () => {
    expect(heapFlagsGiven([], '')).to.equal(false);
    expect(heapFlagsGiven([], '--require ./x.cjs --enable-source-maps')).to.equal(false);
    expect(heapFlagsGiven([], '--max-old-space-size=128 --max-semi-space-size=2')).to.equal(true);
    expect(heapFlagsGiven(['--max_old_space_size=512'], '')).to.equal(true);
    expect(heapFlagsGiven(['--heap-growing-percent=20'], '')).to.equal(true);
  });
});
