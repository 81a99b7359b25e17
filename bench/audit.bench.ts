/**
 * Organization audits, winami beside its peers, in one run, alternating:
 * winami (`winami audit --organization`, once per output format), the AWS
 * CLI loop (bench/peers/aws-cli-loop.sh), a threaded boto3 script
 * (bench/peers/boto3_audit.py) and Cloud Custodian when installed. Each
 * tool runs as its own process under `/usr/bin/time`, so its wall time, CPU
 * seconds and peak RSS are its own; the emulator runs in another process,
 * whose CPU is read before and after each run (its share of the work).
 *
 * Scales (EC2's token buckets on in the emulator):
 * - small: 3 accounts × 5 regions × 3,000 images;
 * - org: an organization of 200 accounts × 4 regions × 500 images (400,000).
 * Every 50th image has empty billing fields: the flagged set (images with an
 * empty PlatformDetails or UsageOperation, winami's `billing-fields-empty`)
 * of each tool is compared with the AWS CLI's. At the org scale the AWS CLI
 * loop (one Python process per call) runs over the first `CLI_SAMPLE`
 * accounts only; its wall time is scaled to all accounts and marked so.
 *
 * Goals (checked in the result's `goals`): winami's wall time ≤ 0.5 × the
 * fastest peer's at every scale; peak RSS ≤ 200 MiB in every format at both
 * scales, and no higher at the org scale than at the small one (+10 %); the
 * flagged set equal to the AWS CLI's. `BENCH_AUDIT_SCALES=small` runs only the
 * small scale; `BENCH_AUDIT_SMOKE=1` checks the bench itself on a few images.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMULATOR_ACCOUNTS } from '../emulator/options.js';
import { packageRoot } from '../src/util/package-root.js';

const ROOT = packageRoot();
// The installed `winami` bin: the bundled CLI with its code cache.
const CLI = join(ROOT, 'dist/src/cli/launcher.js');
const PEERS = join(ROOT, 'bench/peers');
const FORMATS = ['json', 'csv', 'sarif', 'html', 'table'] as const;
const EMPTY_EVERY = 50;
const CLI_SAMPLE = 8;
const HEAP_CAP = '--max-old-space-size=128 --max-semi-space-size=2';
/** Peak RSS goal for winami, every format, every scale. */
const RSS_GOAL_MIB = 200;

interface Scale {
  name: string;
  accounts: number;
  regions: string[];
  imagesPerScope: number;
  rounds: number;
}

const FULL_SCALES: Scale[] = [
  { name: 'small', accounts: 3, regions: ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1'], imagesPerScope: 3000, rounds: 2 },
  { name: 'org', accounts: 200, regions: ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2'], imagesPerScope: 500, rounds: 1 },
];
/** `BENCH_AUDIT_SMOKE=1`: the same runs on a few images and accounts, to check the bench itself works. */
const SCALES: Scale[] = process.env.BENCH_AUDIT_SMOKE
  ? FULL_SCALES.map((s) => ({ ...s, accounts: Math.min(s.accounts, 12), imagesPerScope: 60, rounds: 1 }))
  : FULL_SCALES;

const generated = (n: number) => String(500_000_000_000 + n);

/** The emulator in its own process: prints its endpoint, answers `cpu` on stdin with its CPU time so far. */
const EMULATOR_HOST = `
import { startEmulator } from ${JSON.stringify(join(ROOT, 'dist/emulator/index.js'))};
import { createInterface } from 'node:readline';
const emu = await startEmulator(JSON.parse(process.env.EMU_OPTIONS));
process.stdout.write(JSON.stringify({ endpoint: emu.endpoint }) + '\\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'cpu') { const u = process.cpuUsage(); process.stdout.write(JSON.stringify({ cpuMs: (u.user + u.system) / 1000 }) + '\\n'); }
  if (line === 'stop') { await emu.stop(); process.exit(0); }
}
`;

class EmulatorProcess {
  private lines: string[] = [];
  private waiters: ((l: string) => void)[] = [];
  readonly child;
  constructor(options: unknown) {
    this.child = spawn(process.execPath, ['--max-old-space-size=4096', '--input-type=module', '-e', EMULATOR_HOST], {
      env: { ...process.env, EMU_OPTIONS: JSON.stringify(options) },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let buf = '';
    this.child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const w = this.waiters.shift();
        if (w) w(line);
        else this.lines.push(line);
      }
    });
  }
  private next(): Promise<string> {
    const l = this.lines.shift();
    return l !== undefined ? Promise.resolve(l) : new Promise((r) => this.waiters.push(r));
  }
  async endpoint(): Promise<string> {
    return (JSON.parse(await this.next()) as { endpoint: string }).endpoint;
  }
  async cpuMs(): Promise<number> {
    this.child.stdin!.write('cpu\n');
    return (JSON.parse(await this.next()) as { cpuMs: number }).cpuMs;
  }
  async stop(): Promise<void> {
    this.child.stdin!.write('stop\n');
    await new Promise((r) => this.child.on('close', r));
  }
}

interface Measured {
  tool: string;
  format?: string;
  wallS: number;
  cpuS: number;
  peakRssMiB: number;
  emulatorCpuS: number;
  /** The emulator's CPU over the emulator's and the tool's together. */
  emulatorCpuShare: number;
  apiCalls: Record<string, number>;
  exitCode: number;
  flagged?: number;
  flaggedVsCli?: { same: boolean; missing: number; extra: number; comparedAccounts: string };
  scaledFromAccounts?: number;
  stderrTail?: string;
}

async function calls(endpoint: string): Promise<{ action: string; status: number }[]> {
  return (await (await fetch(`${endpoint}/_emulator/calls`)).json()) as { action: string; status: number }[];
}

/** Run a command under /usr/bin/time: wall, CPU, peak RSS, stdout. */
async function timed(
  cmd: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ wallS: number; cpuS: number; peakRssMiB: number; code: number; stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'winami-bench-'));
  const timeFile = join(dir, 'time');
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, ...cmd], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      const [e, u, s, m] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number) as [number, number, number, number];
      rmSync(dir, { recursive: true, force: true });
      resolve({ wallS: e, cpuS: Math.round((u + s) * 100) / 100, peakRssMiB: Math.round((m / 1024) * 10) / 10, code: code ?? -1, stdout, stderr });
    });
  });
}

function countActions(list: { action: string; status: number }[]): Record<string, number> {
  const m: Record<string, number> = {};
  for (const c of list) {
    const k = c.status === 200 ? c.action : `${c.action}:${c.status}`;
    m[k] = (m[k] ?? 0) + 1;
  }
  return m;
}

function compare(got: Set<string>, baseline: Set<string>, restrictTo?: Set<string>) {
  const inScope = (k: string) => !restrictTo || restrictTo.has(k.split(' ')[0]!);
  const g = [...got].filter(inScope);
  const b = [...baseline].filter(inScope);
  const missing = b.filter((k) => !got.has(k)).length;
  const extra = g.filter((k) => !baseline.has(k)).length;
  return { same: missing === 0 && extra === 0, missing, extra, comparedAccounts: restrictTo ? `first ${restrictTo.size}` : 'all' };
}

async function runScale(scale: Scale): Promise<Record<string, unknown>> {
  const own = EMULATOR_ACCOUNTS.map((a) => a.accountId);
  const members =
    scale.accounts <= own.length ? own.slice(0, scale.accounts) : [own[0]!, ...Array.from({ length: scale.accounts - 1 }, (_, i) => generated(i + 1))];
  const emu = new EmulatorProcess({
    port: 0,
    throttling: true,
    organization: scale.accounts <= own.length ? { outside: own.slice(scale.accounts) } : { generatedAccounts: scale.accounts - 1, outside: own.slice(1) },
    seed: { regions: scale.regions, images: scale.imagesPerScope, imageAccounts: members, emptyBillingEvery: EMPTY_EVERY },
  });
  const seedStart = performance.now();
  const endpoint = await emu.endpoint();
  const seedS = (performance.now() - seedStart) / 1000;
  const caller = EMULATOR_ACCOUNTS[0]!;
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: caller.accessKeyId,
    AWS_SECRET_ACCESS_KEY: caller.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_MAX_ATTEMPTS: '8',
    AWS_RETRY_MODE: 'adaptive',
    AWS_PAGER: '',
  };
  const images = scale.accounts * scale.regions.length * scale.imagesPerScope;
  const runs: Measured[] = [];
  const flaggedBy = new Map<string, Set<string>>();
  const dir = mkdtempSync(join(tmpdir(), 'winami-bench-out-'));

  const measure = async (tool: string, cmd: string[], parse: (stdout: string) => Set<string> | undefined, format?: string, scaledFromAccounts?: number) => {
    const before = (await calls(endpoint)).length;
    const cpu0 = await emu.cpuMs();
    const r = await timed(cmd, env);
    const emuCpuS = ((await emu.cpuMs()) - cpu0) / 1000;
    const all = await calls(endpoint);
    const flagged = r.code === 0 || r.code === 8 || r.code === 9 ? parse(r.stdout) : undefined;
    if (flagged && !flaggedBy.has(tool)) flaggedBy.set(tool, flagged);
    const m: Measured = {
      tool,
      ...(format ? { format } : {}),
      wallS: r.wallS,
      cpuS: r.cpuS,
      peakRssMiB: r.peakRssMiB,
      emulatorCpuS: Math.round(emuCpuS * 100) / 100,
      emulatorCpuShare: Math.round((emuCpuS / Math.max(0.001, emuCpuS + r.cpuS)) * 1000) / 1000,
      apiCalls: countActions(all.slice(before)),
      exitCode: r.code,
      ...(flagged ? { flagged: flagged.size } : {}),
      ...(scaledFromAccounts ? { scaledFromAccounts } : {}),
      ...(r.code !== 0 && r.code !== 8 && r.code !== 9 ? { stderrTail: r.stderr.slice(-800) } : {}),
    };
    runs.push(m);
    process.stdout.write(
      `  ${scale.name} ${tool}${format ? ` ${format}` : ''}: ${m.wallS} s wall, ${m.cpuS.toFixed(2)} s CPU, ${m.peakRssMiB} MiB, exit ${m.exitCode}\n`,
    );
    return m;
  };

  const lines = (stdout: string) =>
    new Set(
      stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    );
  const winami = (format: (typeof FORMATS)[number]) => {
    const out = join(dir, `report.${format}`);
    return measure(
      'winami',
      [process.execPath, CLI, 'audit', '--organization', '--regions', scale.regions.join(','), '--format', format, '-o', out, '--fail-on', 'none', '--quiet'],
      () => {
        if (format !== 'json') return undefined;
        const doc = JSON.parse(readFileSync(out, 'utf8')) as { findings: { ruleId: string; account: string; region: string; resourceId: string }[] };
        return new Set(doc.findings.filter((f) => f.ruleId === 'billing-fields-empty').map((f) => `${f.account} ${f.region} ${f.resourceId}`));
      },
      format,
    );
  };
  // The same audit with V8's heap capped: less memory for more garbage-collection CPU (docs/audit.md).
  const winamiCapped = () => {
    const out = join(dir, 'capped.json');
    return measure(
      'winami-heap-capped',
      [
        'env',
        `NODE_OPTIONS=${HEAP_CAP}`,
        process.execPath,
        CLI,
        'audit',
        '--organization',
        '--regions',
        scale.regions.join(','),
        '--format',
        'json',
        '-o',
        out,
        '--fail-on',
        'none',
        '--quiet',
      ],
      () => undefined,
      'json',
    );
  };
  const cliSample = scale.accounts > 10 ? CLI_SAMPLE : 0;
  const awsCli = () =>
    measure('aws-cli-loop', ['bash', join(PEERS, 'aws-cli-loop.sh'), scale.regions.join(' '), String(cliSample)], lines, undefined, cliSample || undefined);
  const boto3 = () => measure('boto3-threads', ['python3', join(PEERS, 'boto3_audit.py'), scale.regions.join(','), '16'], lines);

  for (let round = 0; round < scale.rounds; round++) {
    // Alternating: each round runs every tool once, in turns, so load on the shared machine falls on all of them.
    await winami('json');
    await awsCli();
    await boto3();
    for (const f of FORMATS.slice(1)) await winami(f);
    await winamiCapped();
  }
  await emu.stop();
  rmSync(dir, { recursive: true, force: true });

  // The AWS CLI's flagged set is the baseline; at the org scale it covers its sample of accounts.
  const baseline = flaggedBy.get('aws-cli-loop');
  // The CLI loop takes accounts in ListAccounts order: the emulator lists the caller's first, then the generated ones in order.
  const sample = cliSample ? new Set(members.slice(0, cliSample)) : undefined;
  for (const m of runs) {
    const f = m.format === 'json' || m.tool !== 'winami' ? flaggedBy.get(m.tool) : undefined;
    if (baseline && f && m.tool !== 'aws-cli-loop') m.flaggedVsCli = compare(f, baseline, sample);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const wallOf = (tool: string, format?: string) => {
    const ws = runs
      .filter((r) => r.tool === tool && (!format || r.format === format) && (r.exitCode === 0 || r.exitCode === 8 || r.exitCode === 9))
      .map((r) => (r.scaledFromAccounts ? (r.wallS * scale.accounts) / r.scaledFromAccounts : r.wallS));
    return ws.length ? median(ws) : undefined;
  };
  const peers = { 'aws-cli-loop': wallOf('aws-cli-loop'), 'boto3-threads': wallOf('boto3-threads') };
  const fastestPeer = Math.min(...Object.values(peers).filter((v): v is number => v !== undefined));
  const winamiWall = wallOf('winami', 'json');
  const winamiRuns = runs.filter((r) => r.tool === 'winami');
  const peakByFormat = Object.fromEntries(FORMATS.map((f) => [f, Math.max(...winamiRuns.filter((r) => r.format === f).map((r) => r.peakRssMiB))]));
  const cpuPer1000 = Object.fromEntries(
    ['winami', 'aws-cli-loop', 'boto3-threads'].map((t) => {
      const rs = runs.filter((r) => r.tool === t && (t !== 'winami' || r.format === 'json'));
      const imagesListed = t === 'aws-cli-loop' && cliSample ? (images * cliSample) / scale.accounts : images;
      return [t, rs.length ? Math.round((median(rs.map((r) => r.cpuS)) / imagesListed) * 1000 * 1000) / 1000 : undefined];
    }),
  );
  return {
    scale: { ...scale, images, seedS: Math.round(seedS * 10) / 10 },
    wallS: { winami: winamiWall, ...peers, awsCliLoopScaledFrom: cliSample || undefined },
    wallRatioToFastestPeer: winamiWall !== undefined ? Math.round((winamiWall / fastestPeer) * 1000) / 1000 : undefined,
    goalWall: winamiWall !== undefined && winamiWall <= 0.5 * fastestPeer,
    cpuSecondsPer1000Images: cpuPer1000,
    winamiPeakRssMiBByFormat: peakByFormat,
    winamiHeapCapped: {
      nodeOptions: HEAP_CAP,
      peakRssMiB: Math.max(...runs.filter((r) => r.tool === 'winami-heap-capped').map((r) => r.peakRssMiB)),
      wallS: wallOf('winami-heap-capped'),
      cpuS: median(runs.filter((r) => r.tool === 'winami-heap-capped').map((r) => r.cpuS)),
    },
    goalRssMiB: RSS_GOAL_MIB,
    goalRss: FORMATS.every((f) => Number.isFinite(peakByFormat[f]) && peakByFormat[f]! <= RSS_GOAL_MIB),
    // The flagged sets of winami (json) and boto3 against the AWS CLI's, on the accounts it covered.
    goalFlagged: runs.filter((r) => r.flaggedVsCli).length >= 2 && runs.every((r) => !r.flaggedVsCli || r.flaggedVsCli.same),
    runs,
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const only = (process.env.BENCH_AUDIT_SCALES ?? 'small,org').split(',');
  const python = spawnSync('python3', ['-c', 'import boto3, botocore; print(boto3.__version__, botocore.__version__)'], { encoding: 'utf8' });
  const awsVersion = spawnSync('aws', ['--version'], { encoding: 'utf8' });
  const custodian = spawnSync('custodian', ['version'], { encoding: 'utf8' });
  const out: Record<string, unknown> = {
    load: loadavg().map((l) => Math.round(l * 100) / 100),
    peers: {
      awsCli: awsVersion.stdout.trim() || awsVersion.stderr.trim() || 'absent',
      boto3: python.status === 0 ? python.stdout.trim() : 'absent',
      cloudCustodian:
        custodian.status === 0
          ? custodian.stdout.trim()
          : 'skipped: not installed, and not installable from the registries this machine reaches (PyPI is not one of them; Debian does not package it)',
    },
  };
  const summaries: string[] = [];
  for (const scale of SCALES.filter((s) => only.includes(s.name))) {
    process.stdout.write(`audit bench: ${scale.name} (${scale.accounts} accounts × ${scale.regions.length} regions × ${scale.imagesPerScope} images)\n`);
    try {
      const r = await runScale(scale);
      out[scale.name] = r;
      summaries.push(
        `${scale.name}: winami ${String((r.wallS as Record<string, unknown>).winami)} s, ×${String(r.wallRatioToFastestPeer)} the fastest peer, peak ${Math.max(...Object.values(r.winamiPeakRssMiBByFormat as Record<string, number>))} MiB`,
      );
    } catch (err) {
      out[scale.name] = { error: err instanceof Error ? err.stack : String(err) };
      summaries.push(`${scale.name}: FAILED`);
    }
  }
  // All goals, in one place: wall ≤ 0.5 × the fastest peer, peak RSS ≤ 200 MiB in every format, the same flagged set
  // as the AWS CLI, at every scale run; and memory flat from the small scale to the organization (the org's peak no
  // more than 10 % above the small one's, though it lists nine times the images).
  const ran = SCALES.filter((s) => only.includes(s.name)).map((s) => out[s.name] as Record<string, unknown>);
  const peakOf = (name: string) => {
    const r = out[name] as { winamiPeakRssMiBByFormat?: Record<string, number> } | undefined;
    return r?.winamiPeakRssMiBByFormat ? Math.max(...Object.values(r.winamiPeakRssMiBByFormat)) : undefined;
  };
  const small = peakOf('small');
  const org = peakOf('org');
  out.goals = {
    wall: ran.every((r) => r.goalWall === true),
    rss: ran.every((r) => r.goalRss === true),
    flagged: ran.every((r) => r.goalFlagged === true),
    ...(small !== undefined && org !== undefined ? { rssOrgOverSmall: Math.round((org / small) * 1000) / 1000, rssFlat: org <= small * 1.1 } : {}),
  };
  summaries.push(`goals: ${JSON.stringify(out.goals)}`);
  out.summary = summaries.join('; ');
  return out;
}
