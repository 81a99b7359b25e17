/**
 * A full bake on the emulator, winami against a bash + AWS CLI reference bake
 * (scripts/reference-bake.sh) in the same run, and twelve winami bakes at once
 * under EC2's real throttling buckets.
 *
 * Time scale 1 with phases of tens of seconds (PHASES): the reference script
 * uses the AWS CLI's own waiters, whose 15 s delay cannot be scaled, so
 * scaling the world down would penalise the script unfairly; at scale 1 both
 * poll exactly as they would on AWS, against phases shorter than AWS's (which
 * winami's expectations do not know about). The three scenarios run at once,
 * each in its own emulator account, so they share no token bucket and the
 * whole bench takes about as long as the slowest bake (~4 min).
 *
 * Overhead = wall time − the emulator's lifecycle time on the bake's critical
 * path (`lifecycleMs`, from the configured durations and the number of
 * commands the bake sent). API calls = requests in the emulator's call log for
 * that account (retries included).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, EMULATOR_ACCOUNTS, type Durations, type Emulator, type CallRecord } from '../emulator/index.js';
import { createAwsSession } from '../src/aws/session.js';
import { bake, type BakeResult } from '../src/bake/index.js';
import { bakeMany } from '../src/batch/bake-many.js';
import { loadConfig } from '../src/config/load.js';
import { renderBundle } from '../src/render/bundle.js';
import { deliveryScripts } from '../src/bake/scripts.js';
import { bundleFile, commandFor } from '../src/bake/steps/bundle-script.js';
import { packageRoot } from '../src/util/package-root.js';

/** Lifecycle durations (ms at scale 1): tens of seconds, none a multiple of the CLI's 15 s. */
export const PHASES: Partial<Durations> = {
  instanceBoot: 22_000,
  ssmOnline: 33_000,
  command: 2_000,
  // The emulator's delivery delay (Pending before InProgress) is left out, so figures stay comparable with earlier runs.
  commandDelivery: 0,
  invocationVisible: 1_000,
  sysprep: 41_000,
  instanceStop: 19_000,
  imageCreate: 67_000,
  instanceTerminate: 13_000,
};

const CONFIG = [
  'name: bench',
  'region: us-east-1',
  'windows:',
  '  release: "2022"',
  'builder:',
  '  instanceProfile: winami-builder',
  'customize:',
  '  - name: marker',
  "    powershell: \"Set-Content -LiteralPath 'C:\\\\Golden\\\\marker.txt' -Value 'golden'\"",
  '  - name: inline',
  '    powershell: "Write-Output \'inline ran\'"',
  'smokeTest: false',
  'image:',
  '  name: "bench-{{buildId}}"',
  '',
].join('\n');

/**
 * The emulator's own time on a bake's critical path: boot, agent online, each
 * command before Sysprep, Sysprep and the stop, CreateImage, and (when the bake
 * waits for it) the builder's termination. The Sysprep command returns at once
 * and Sysprep runs from its start, so that command adds no `command` time.
 */
export function lifecycleMs(d: Durations, commands: number, waitsForTermination: boolean): number {
  return (
    d.instanceBoot +
    d.ssmOnline +
    Math.max(0, commands - 1) * d.command +
    d.sysprep +
    d.instanceStop +
    d.imageCreate +
    (waitsForTermination ? d.instanceTerminate : 0)
  );
}

function callsOf(emu: Emulator, account: string): CallRecord[] {
  return emu.control.calls().filter((c) => c.account === account);
}

function summarise(calls: CallRecord[]) {
  const byAction: Record<string, number> = {};
  for (const c of calls) byAction[c.action] = (byAction[c.action] ?? 0) + 1;
  return { calls: calls.length, throttled: calls.filter((c) => c.errorCode === 'RequestLimitExceeded').length, byAction };
}

/** The commands winami sends, as AWS-RunPowerShellScript parameter files for the reference script. */
async function writeCommands(configPath: string, dir: string): Promise<number> {
  const config = loadConfig(configPath, { allowPlaintextSecrets: false });
  const bundle = await renderBundle(config, { buildId: 'reference' });
  const scripts = deliveryScripts(
    bundle.files.filter((f) => f.destination).map((f) => ({ destination: f.destination!, content: f.content, sha256: f.sha256 })),
  );
  for (const s of bundle.plan.customize ?? []) if (s.script) scripts.push(commandFor(bundleFile(bundle, s.script, 'bench')));
  if (config.cleanup.preSeal) scripts.push(commandFor(bundleFile(bundle, 'scripts/cleanup-preseal.ps1', 'bench')));
  scripts.push(commandFor(bundleFile(bundle, 'scripts/check-ready.ps1', 'bench')));
  scripts.push(commandFor(bundleFile(bundle, 'scripts/sysprep.ps1', 'bench')));
  scripts.forEach((s, i) => writeFileSync(join(dir, `${String(i + 1).padStart(2, '0')}.json`), JSON.stringify({ commands: [s], executionTimeout: ['600'] })));
  return scripts.length;
}

async function referenceBake(emu: Emulator, accountIndex: number, configPath: string): Promise<Record<string, unknown>> {
  if (spawnSync('aws', ['--version']).status !== 0) return { skipped: 'the AWS CLI (aws) is not installed' };
  const a = EMULATOR_ACCOUNTS[accountIndex]!;
  const session = createAwsSession({
    region: 'us-east-1',
    endpoint: emu.endpoint,
    credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
  });
  const source = (await session.ssm().getParameter({ Name: '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base' })).Parameter!.Value!;
  const dir = mkdtempSync(join(tmpdir(), 'winami-ref-'));
  const commandsDir = join(dir, 'commands');
  mkdirSync(commandsDir);
  const commands = await writeCommands(configPath, commandsDir);
  const before = callsOf(emu, a.accountId).length;
  const t0 = performance.now();
  const child = spawn('bash', [join(packageRoot(), 'scripts', 'reference-bake.sh')], {
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: a.accessKeyId,
      AWS_SECRET_ACCESS_KEY: a.secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: emu.endpoint,
      SOURCE_AMI: source,
      INSTANCE_TYPE: 't3.large',
      INSTANCE_PROFILE: 'winami-builder',
      IMAGE_NAME: `reference-${Date.now()}`,
      BUILD_ID: 'reference',
      COMMANDS_DIR: commandsDir,
      EXPECT_PLATFORM: 'Windows',
      EXPECT_USAGE: 'RunInstances:0002',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  const wallMs = performance.now() - t0;
  if (code !== 0) throw new Error(`reference bake failed (${code}): ${stderr.slice(-2000)}`);
  const calls = callsOf(emu, a.accountId).slice(before);
  return { ok: /image ami-/.test(stdout), wallMs: Math.round(wallMs), commands, ...summarise(calls) };
}

async function winamiBake(
  emu: Emulator,
  accountIndex: number,
  configPath: string,
  timeScale: number,
): Promise<{ result: BakeResult; wallMs: number } & ReturnType<typeof summarise>> {
  const a = EMULATOR_ACCOUNTS[accountIndex]!;
  const session = createAwsSession({
    region: 'us-east-1',
    endpoint: emu.endpoint,
    credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
  });
  const before = callsOf(emu, a.accountId).length;
  const t0 = performance.now();
  const result = await bake({ config: configPath, session, timeScale, journalDir: mkdtempSync(join(tmpdir(), 'winami-bench-')) });
  const wallMs = performance.now() - t0;
  if (!result.ok) throw new Error(`winami bake failed: ${result.error?.message}`);
  return { result, wallMs: Math.round(wallMs), ...summarise(callsOf(emu, a.accountId).slice(before)) };
}

async function twelveBakes(emu: Emulator, accountIndex: number, configPath: string, timeScale: number) {
  const a = EMULATOR_ACCOUNTS[accountIndex]!;
  const session = createAwsSession({
    region: 'us-east-1',
    endpoint: emu.endpoint,
    credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
  });
  const before = callsOf(emu, a.accountId).length;
  const t0 = performance.now();
  const batch = await bakeMany({
    configs: Array.from({ length: 12 }, () => configPath),
    concurrency: 12,
    session,
    bake,
    base: { timeScale, journalDir: mkdtempSync(join(tmpdir(), 'winami-bench-')) },
  });
  const wallMs = performance.now() - t0;
  const s = summarise(callsOf(emu, a.accountId).slice(before));
  return {
    wallMs: Math.round(wallMs),
    ok: batch.summary.ok,
    failed: batch.builds.filter((b) => b.status !== 'ok').map((b) => `${b.failedStep}: ${b.error?.message}`),
    throttlingFailures: batch.builds.filter((b) => /RequestLimitExceeded|throttl/i.test(b.error?.message ?? '')).length,
    slowestBakeMs: Math.max(...batch.builds.map((b) => b.durationMs)),
    ...s,
    callsPerBake: Math.round(s.calls / 12),
  };
}

const r2 = (x: number) => Math.round(x * 100) / 100;

/** `timeScale` other than 1 is for trying the bench quickly; only scale 1 compares with the script fairly. */
export async function run(o: { timeScale?: number } = {}): Promise<Record<string, unknown>> {
  const timeScale = o.timeScale ?? 1;
  const emu = await startEmulator({ port: 0, timeScale, throttling: true, durations: PHASES });
  try {
    const dir = mkdtempSync(join(tmpdir(), 'winami-bench-cfg-'));
    const configPath = join(dir, 'image.yaml');
    writeFileSync(configPath, CONFIG);
    const d = { ...(await import('../emulator/index.js')).DEFAULT_DURATIONS, ...PHASES } as Durations;
    const scaledD = Object.fromEntries(Object.entries(d).map(([k, v]) => [k, v * timeScale])) as unknown as Durations;
    const [reference, single, many] = await Promise.all([
      timeScale === 1
        ? referenceBake(emu, 0, configPath)
        : Promise.resolve({ skipped: 'the reference script only runs at time scale 1' } as Record<string, unknown>),
      winamiBake(emu, 1, configPath, timeScale),
      twelveBakes(emu, 2, configPath, timeScale),
    ]);
    const winamiCommands = single.byAction.SendCommand ?? 0;
    const winamiLifecycle = lifecycleMs(scaledD, winamiCommands, true);
    const winamiOverhead = single.wallMs - winamiLifecycle;
    const steps = Object.fromEntries(single.result.steps.map((s) => [s.name, s.durationMs]));
    const out: Record<string, unknown> = {
      timeScale,
      phasesMs: PHASES,
      winami: {
        wallMs: single.wallMs,
        lifecycleMs: winamiLifecycle,
        overheadMs: winamiOverhead,
        calls: single.calls,
        throttled: single.throttled,
        byAction: single.byAction,
        stepsMs: steps,
      },
      twelve: { ...many, ratioToSingle: r2(many.wallMs / single.wallMs) },
    };
    if (typeof reference.wallMs === 'number') {
      const refLifecycle = lifecycleMs(scaledD, reference.commands as number, false);
      const refOverhead = reference.wallMs - refLifecycle;
      const slowestSingle = Math.max(single.wallMs);
      out.reference = { ...reference, lifecycleMs: refLifecycle, overheadMs: refOverhead };
      out.overheadRatio = r2(winamiOverhead / refOverhead);
      out.goalOverheadRatio = 1 / 3;
      out.callsRatio = r2(single.calls / (reference.calls as number));
      out.twelve = { ...(out.twelve as object), ratioToSlowestSingle: r2(many.wallMs / slowestSingle), goalRatio: 1.2 };
      out.summary = `overhead winami ${(winamiOverhead / 1000).toFixed(1)} s vs script ${(refOverhead / 1000).toFixed(1)} s (×${r2(winamiOverhead / refOverhead)}, goal ≤ 0.33); calls ${single.calls} vs ${reference.calls as number}; 12 bakes ${(many.wallMs / 1000).toFixed(0)} s = ×${r2(many.wallMs / slowestSingle)} the single (goal ≤ 1.2), ${many.throttlingFailures} throttling failures, ${many.throttled} throttled calls retried`;
    } else {
      out.reference = reference;
      out.summary = `overhead winami ${(winamiOverhead / 1000).toFixed(1)} s of ${(single.wallMs / 1000).toFixed(1)} s; calls ${single.calls}; 12 bakes ×${r2(many.wallMs / single.wallMs)} the single`;
    }
    return out;
  } finally {
    await emu.stop();
  }
}
