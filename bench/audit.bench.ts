/**
 * Audit 50,000 images over 17 regions × 3 accounts on the emulator, with a
 * per-call latency and EC2's real token buckets. Reports the wall time, the
 * bound the buckets and latency set (pages per account-region, all in
 * parallel), their ratio, the audit process's peak RSS, and a sequential
 * `aws ec2 describe-images` loop over the same scopes when the AWS CLI exists.
 *
 * The audit runs in a child process so its RSS is its own, not the emulator's.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startEmulator, EMULATOR_ACCOUNTS } from '../test/emulator/index.js';
import { DEFAULT_REGIONS } from '../test/emulator/world.js';
import { CATEGORY_BUCKETS } from '../src/aws/throttling.js';
import { packageRoot } from '../src/util/package-root.js';

const TOTAL_IMAGES = 50_000;
const LATENCY_MS = 80;
const PAGE = 1000;

/** Time for `calls` sequential calls to one action's bucket: latency-bound, unless the burst is used up. */
export function chainMs(calls: number, latencyMs: number, bucket = CATEGORY_BUCKETS.nonMutating): number {
  const overBurst = Math.max(0, calls - bucket.capacity);
  return Math.max(calls * latencyMs, (overBurst / bucket.refillPerSecond) * 1000);
}

function runChild(env: NodeJS.ProcessEnv, script: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ stdout, stderr, code }));
  });
}

export async function run(): Promise<Record<string, unknown>> {
  const regions = [...DEFAULT_REGIONS];
  const accounts = EMULATOR_ACCOUNTS.map((a) => a.accountId);
  const perScope = Math.ceil(TOTAL_IMAGES / (regions.length * accounts.length));
  const emu = await startEmulator({ port: 0, throttling: true, seed: { regions, images: perScope, imageAccounts: accounts } });
  try {
    emu.control.addFault({ action: '*', latencyMs: LATENCY_MS });
    const root = packageRoot();
    const a = EMULATOR_ACCOUNTS[0]!;
    const env = { ...process.env, AWS_ACCESS_KEY_ID: a.accessKeyId, AWS_SECRET_ACCESS_KEY: a.secretAccessKey, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: emu.endpoint };
    const roles = accounts.map((acct) => `arn:aws:iam::${acct}:role/Audit`);
    const script = `
      const { audit } = await import(${JSON.stringify(join(root, 'dist/src/audit/index.js'))});
      const { createAwsSession } = await import(${JSON.stringify(join(root, 'dist/src/aws/session.js'))});
      const session = createAwsSession({ region: 'us-east-1', endpoint: process.env.AWS_ENDPOINT_URL });
      const t0 = performance.now();
      const r = await audit({ session, regions: ${JSON.stringify(regions)}, roleArns: ${JSON.stringify(roles)} });
      const wallMs = performance.now() - t0;
      process.stdout.write(JSON.stringify({ wallMs, images: r.scanned.images, snapshots: r.scanned.snapshots, findings: r.totals.findings, failures: r.failures.length, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
    `;
    const child = await runChild(env, script);
    if (child.code !== 0) throw new Error(`audit child failed: ${child.stderr.slice(0, 2000)}`);
    const measured = JSON.parse(child.stdout) as { wallMs: number; images: number; snapshots: number; findings: number; failures: number; peakRssMiB: number };

    // The bound: AssumeRole, then per account-region the longest sequential chain
    // (images, snapshots: one page per 1,000), all account-regions in parallel.
    const pages = Math.ceil(perScope / PAGE);
    const boundMs = LATENCY_MS + Math.max(chainMs(pages, LATENCY_MS), chainMs(pages, LATENCY_MS));
    const ratio = measured.wallMs / boundMs;

    let awsCli: Record<string, unknown>;
    if (spawnSync('aws', ['--version']).status !== 0) awsCli = { skipped: 'the AWS CLI (aws) is not installed' };
    else {
      const t0 = performance.now();
      for (const acct of EMULATOR_ACCOUNTS)
        for (const region of regions)
          spawnSync('aws', ['ec2', 'describe-images', '--owners', 'self', '--region', region, '--endpoint-url', emu.endpoint, '--output', 'json'], {
            env: { ...process.env, AWS_ACCESS_KEY_ID: acct.accessKeyId, AWS_SECRET_ACCESS_KEY: acct.secretAccessKey },
            stdio: 'ignore',
          });
      const cliMs = performance.now() - t0;
      awsCli = { sequentialMs: Math.round(cliMs), ratioToWinami: Math.round((cliMs / measured.wallMs) * 100) / 100 };
    }
    return {
      summary: `${measured.images} images in ${Math.round(measured.wallMs)} ms (bound ${boundMs} ms, ×${ratio.toFixed(2)}), peak RSS ${Math.round(measured.peakRssMiB)} MiB`,
      images: measured.images,
      snapshots: measured.snapshots,
      findings: measured.findings,
      failures: measured.failures,
      regions: regions.length,
      accounts: accounts.length,
      latencyMs: LATENCY_MS,
      wallMs: Math.round(measured.wallMs),
      boundMs,
      ratio: Math.round(ratio * 100) / 100,
      goalRatio: 1.25,
      peakRssMiB: Math.round(measured.peakRssMiB),
      goalPeakRssMiB: 300,
      awsCli,
    };
  } finally {
    await emu.stop();
  }
}
