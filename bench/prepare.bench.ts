/**
 * Start-up and prepare wall time, measured as a user sees it: a fresh process
 * of the installed CLI (package.json `bin`) per run. The build records the
 * bundle's code cache with a prepare of examples/windows-2025-base.yaml, not
 * of the example timed here. Goals (issue
 * "prepare"): `winami --version` ≤ 150 ms and `prepare` of one example
 * ≤ 500 ms, as medians. The machine is shared and noisy, so every round runs
 * `node -e 0`, the bin (the bundle with its code cache) and the unbundled
 * tsc output (dist/src/cli/main.js) one after the other, and the result gives their
 * ratios as well as the times. Also reports whether the AWS SDK was loaded on
 * those paths.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/util/package-root.js';
import { SDK_LOADED_MARKER, sdkProbeArgs } from '../test/fixtures/sdk-probe.js';

const RUNS = 15;

interface Timing {
  medianMs: number;
  p90Ms: number;
  minMs: number;
  runs: number;
}

/** Runs every command once per round, RUNS rounds, and summarises each command's wall times. */
function timeInterleaved(commands: Record<string, string[]>): Record<string, Timing> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (const args of Object.values(commands)) spawnSync(process.execPath, args); // warm the file cache
  for (let i = 0; i < RUNS; i++) {
    for (const [name, args] of Object.entries(commands)) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
      samples[name]!.push(ms);
    }
  }
  const out: Record<string, Timing> = {};
  for (const [name, s] of Object.entries(samples)) {
    s.sort((a, b) => a - b);
    const at = (q: number) => Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))]! * 10) / 10;
    out[name] = { medianMs: at(0.5), p90Ms: at(0.9), minMs: at(0), runs: RUNS };
  }
  return out;
}

/** Did a run load @aws-sdk (through import or require)? */
function loadsSdk(nodeArgs: string[]): boolean {
  const r = spawnSync(process.execPath, [...sdkProbeArgs(), ...nodeArgs], { encoding: 'utf8', cwd: packageRoot() });
  if (r.status !== 0) throw new Error(`node ${nodeArgs.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stderr.includes(SDK_LOADED_MARKER);
}

const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

export async function run(): Promise<Record<string, unknown>> {
  const root = packageRoot();
  const bin = join(root, (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: { winami: string } }).bin.winami);
  const unbundled = join(root, 'dist', 'src', 'cli', 'main.js');
  const out = mkdtempSync(join(tmpdir(), 'winami-bench-'));
  const example = join(root, 'examples', 'windows-2022-base.yaml');
  const prepareArgs = (dir: string) => ['prepare', example, '--out', join(out, dir), '--quiet'];
  try {
    const loadBefore = loadavg()[0]!;
    const t = timeInterleaved({
      node: ['-e', '0'],
      version: [bin, '--version'],
      prepare: [bin, ...prepareArgs('bundle')],
      prepareUnbundled: [unbundled, ...prepareArgs('unbundled')],
    });
    const loadAfter = loadavg()[0]!;
    const result = {
      cli: bin.slice(root.length + 1),
      nodeStart: t.node!,
      version: t.version!,
      prepare: { example: 'examples/windows-2022-base.yaml', ...t.prepare! },
      prepareUnbundled: { cli: 'dist/src/cli/main.js', ...t.prepareUnbundled! },
      ratios: {
        versionToNodeStart: ratio(t.version!.medianMs, t.node!.medianMs),
        prepareToNodeStart: ratio(t.prepare!.medianMs, t.node!.medianMs),
        prepareToUnbundled: ratio(t.prepare!.medianMs, t.prepareUnbundled!.medianMs),
      },
      loadAverage1m: { before: Math.round(loadBefore * 100) / 100, after: Math.round(loadAfter * 100) / 100 },
      goals: { versionMedianMs: 150, prepareMedianMs: 500 },
      meetsGoals: t.version!.medianMs <= 150 && t.prepare!.medianMs <= 500,
      // The probe must see the SDK when something does load it, or its "false" below means nothing.
      sdkProbeControl: {
        import: loadsSdk(['--input-type=module', '-e', "await import('@aws-sdk/client-sts')"]),
        require: loadsSdk(['-e', "require('@aws-sdk/client-sts')"]),
      },
      sdkLoadedByVersion: loadsSdk([bin, '--version']),
      sdkLoadedByPrepare: loadsSdk([bin, ...prepareArgs('probe')]),
    };
    return {
      ...result,
      summary: `--version median ${t.version!.medianMs} ms, prepare median ${t.prepare!.medianMs} ms (unbundled ${t.prepareUnbundled!.medianMs} ms, node alone ${t.node!.medianMs} ms; load ${result.loadAverage1m.before}→${result.loadAverage1m.after})`,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
