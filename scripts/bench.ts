/**
 * `npm run bench`: runs every compiled `dist/bench/*.bench.js` (each exports
 * `run(): Promise<Record<string, unknown>>`), writes `bench-results/<name>.json`
 * per benchmark and `bench-results/latest.json` with all of them, and prints
 * one summary line each. `npm run bench -- <name>...` runs only those.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cpus, totalmem } from 'node:os';
import { packageRoot } from '../src/util/package-root.js';

interface BenchModule {
  run(): Promise<Record<string, unknown>>;
}

const root = packageRoot();
const benchDir = join(root, 'dist', 'bench');
const outDir = join(root, 'bench-results');
mkdirSync(outDir, { recursive: true });
const only = process.argv.slice(2);
const names = readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.js'))
  .map((f) => f.slice(0, -'.bench.js'.length))
  .filter((n) => only.length === 0 || only.includes(n))
  .sort();

const all: Record<string, unknown> = {
  machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30) },
  startedAt: new Date().toISOString(),
};
let failed = 0;
for (const name of names) {
  const started = Date.now();
  try {
    const mod = (await import(pathToFileURL(join(benchDir, `${name}.bench.js`)).href)) as BenchModule;
    const result = { name, ...(await mod.run()), benchWallMs: Date.now() - started };
    all[name] = result;
    writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
    const summary = (result as { summary?: unknown }).summary;
    process.stdout.write(`${name}: ${summary ? String(summary) : 'done'} (${Math.round((Date.now() - started) / 1000)} s)\n`);
  } catch (err) {
    failed++;
    all[name] = { name, error: err instanceof Error ? err.message : String(err) };
    process.stdout.write(`${name}: FAILED ${err instanceof Error ? err.message : String(err)}\n`);
  }
}
writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(all, null, 2)}\n`);
process.stdout.write(`wrote ${join(outDir, 'latest.json')}\n`);
process.exitCode = failed ? 1 : 0;
