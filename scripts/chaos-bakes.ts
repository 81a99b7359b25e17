/**
 * `node dist/scripts/chaos-bakes.js [--kills N] [--faults N] [--seed S] [--window-ms N]`
 * (after `npm run build`): the long random series against a local emulator.
 * Bakes killed with SIGKILL at random moments, then cleaned up by journal or
 * build id; bakes under random faults (throttling, 5xx, dropped connections,
 * lost answers), with EC2's eventual consistency on (`--window-ms`, the
 * emulator's consistency window; default that of the integration tests).
 * Prints one line per run and the figures: runs, faults injected, leftovers,
 * and faulted runs whose reported leftovers differ from what exists. Exits 1 if anything was left or misreported. Not part of
 * `npm test` (it takes minutes); bake-chaos.test.ts runs a small series.
 */
import { startBakeEmulator } from '../test/integration/bake-harness.js';
import { TEST_CONSISTENCY_WINDOW_MS } from '../test/integration/billing-emulator.js';
import { runSeries } from '../test/integration/chaos-series.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} takes a whole number`);
  return v;
}

const kills = arg('kills', 20);
const faultRuns = arg('faults', 10);
const seed = arg('seed', Date.now() % 2 ** 31);
const consistencyWindowMs = arg('window-ms', TEST_CONSISTENCY_WINDOW_MS);
const emu = await startBakeEmulator({ consistencyWindowMs });
const t0 = Date.now();
try {
  const { summary } = await runSeries(emu, { seed, kills, faultRuns, maxKillMs: 4_500, log: (l) => process.stdout.write(`${l}\n`) });
  process.stdout.write(`${JSON.stringify({ ...summary, consistencyWindowMs, wallSeconds: Math.round((Date.now() - t0) / 1000) }, null, 2)}\n`);
  process.exitCode = summary.kills.leftovers + summary.faults.leftovers + summary.faults.misreported > 0 ? 1 : 0;
} finally {
  await emu.stop();
}
