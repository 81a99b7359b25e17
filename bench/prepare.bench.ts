/**
 * Start-up and prepare wall time, measured as a user sees it: a fresh
 * `node dist/src/cli/main.js` process per run. Goals (issue "prepare"):
 * `winami --version` ≤ 150 ms and `prepare` of one example ≤ 500 ms, as
 * medians. Also reports whether the AWS SDK was loaded on those paths.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/util/package-root.js';

const RUNS = 15;

function timeRuns(args: string[], env: NodeJS.ProcessEnv = process.env): { medianMs: number; p90Ms: number; minMs: number; runs: number } {
  const cli = join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
  const samples: number[] = [];
  spawnSync(process.execPath, [cli, ...args], { env }); // warm the file cache
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`winami ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    samples.push(ms);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => Math.round(samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]! * 10) / 10;
  return { medianMs: at(0.5), p90Ms: at(0.9), minMs: at(0), runs: RUNS };
}

/**
 * Did a run load @aws-sdk? A module-resolution hook, registered before the
 * CLI starts, writes a marker to stderr when anything resolves into it.
 */
function loadsSdk(args: string[]): boolean {
  return loadsSdkRaw([join(packageRoot(), 'dist', 'src', 'cli', 'main.js'), ...args]);
}

function loadsSdkRaw(nodeArgs: string[]): boolean {
  const hooks = `import { writeSync } from 'node:fs'; export async function resolve(s, c, next) { const r = await next(s, c); if (r.url.includes('/@aws-sdk/')) writeSync(2, 'WINAMI_SDK_LOADED\\n'); return r; }`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
  const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, ...nodeArgs], { encoding: 'utf8', cwd: packageRoot() });
  if (r.status !== 0) throw new Error(`node ${nodeArgs.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stderr.includes('WINAMI_SDK_LOADED');
}

export async function run(): Promise<Record<string, unknown>> {
  const root = packageRoot();
  const out = mkdtempSync(join(tmpdir(), 'winami-bench-'));
  try {
    const baseline = (() => {
      const samples: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = process.hrtime.bigint();
        spawnSync(process.execPath, ['-e', '0']);
        samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      samples.sort((a, b) => a - b);
      return Math.round(samples[Math.floor(RUNS / 2)]! * 10) / 10;
    })();
    const version = timeRuns(['--version']);
    const example = join(root, 'examples', 'windows-2022-base.yaml');
    const prep = timeRuns(['prepare', example, '--out', join(out, 'bundle'), '--quiet']);
    const result = {
      nodeStartMedianMs: baseline,
      version,
      prepare: { example: 'examples/windows-2022-base.yaml', ...prep },
      goals: { versionMedianMs: 150, prepareMedianMs: 500 },
      meetsGoals: version.medianMs <= 150 && prep.medianMs <= 500,
      // The probe must see the SDK when something does load it, or its "false" below means nothing.
      sdkProbeControl: loadsSdkRaw(['--input-type=module', '-e', "await import('@aws-sdk/client-sts')"]),
      sdkLoadedByVersion: loadsSdk(['--version']),
      sdkLoadedByPrepare: loadsSdk(['prepare', example, '--out', join(out, 'bundle2'), '--quiet']),
    };
    return { ...result, summary: `--version median ${version.medianMs} ms, prepare median ${prep.medianMs} ms (node alone ${baseline} ms)` };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
