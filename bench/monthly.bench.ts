/**
 * A monthly rebuild on the emulator: winami (a `windowsUpdate` step driving
 * the Windows Update Agent, then `awsComponents`) against a bash + AWS CLI
 * script doing the same through AWS's documents (scripts/reference-bake.sh
 * with AWS-InstallWindowsUpdates, AllowReboot=True, then AWS-UpdateSSMAgent and
 * AWS-ConfigureAWSPackage), both sealing with winami's check-ready and Sysprep
 * scripts, in the same run, each in its own emulator account.
 *
 * Time: the emulator runs at UPDATE_SCALE (0.05) with its lifecycle durations
 * multiplied by 1 / UPDATE_SCALE, so boots, Sysprep and CreateImage take the
 * same tens of seconds as in bench/bake.bench.ts (PHASES) while the catalogue's
 * update installs (20 min for a cumulative update on AWS) take a twentieth of
 * their real time; winami runs at time scale 1 (its real poll delays) and the
 * script with the AWS CLI's real 15 s waiters and 5 s SSM polls.
 *
 * Overhead = wall time − the emulator's time on the critical path (boot, agent
 * online, each command run, the updates' install time, the reboot and the
 * agent coming back, Sysprep, the stop, CreateImage, and for winami the
 * builder's termination, which it waits for). API calls = requests in the
 * emulator's call log for that account (retries included).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { startEmulator, EMULATOR_ACCOUNTS, DEFAULT_DURATIONS, type Durations, type Emulator, type CallRecord } from '../emulator/index.js';
import { catalogue } from '../emulator/windows-update.js';
import { createAwsSession } from '../src/aws/session.js';
import { bake } from '../src/bake/index.js';
import { MemoryReporter } from '../src/reporter.js';
import { loadConfig } from '../src/config/load.js';
import { renderBundle } from '../src/render/bundle.js';
import { bundleFile, commandFor } from '../src/bake/steps/bundle-script.js';
import { packageRoot } from '../src/util/package-root.js';
import { PHASES } from './bake.bench.js';

/** The emulator's time scale: update installs run at this fraction of their real time. */
export const UPDATE_SCALE = 0.05;
const REBOOT_MS = 29_000;

const CONFIG = [
  'name: monthly-bench',
  'region: us-east-1',
  'windows:',
  '  release: "2022"',
  'builder:',
  '  instanceProfile: winami-builder',
  'customize:',
  '  - name: patch tuesday',
  '    timeout: 3h',
  '    windowsUpdate:',
  '      categories: [SecurityUpdates, CriticalUpdates]',
  '  - name: aws drivers and agents',
  '    awsComponents: [ec2launch, ssm-agent, ena, nvme]',
  'smokeTest: false',
  'image:',
  '  name: "monthly-{{buildId}}"',
  '',
].join('\n');

/** The same work as AWS documents: updates with reboots, SSM Agent, then the packages winami's awsComponents installs, in its order. */
const DOCUMENTS: [string, Record<string, string[]>][] = [
  ['AWS-InstallWindowsUpdates', { Action: ['Install'], AllowReboot: ['True'], Categories: ['SecurityUpdates,CriticalUpdates'] }],
  ['AWS-ConfigureAWSPackage', { action: ['Install'], installationType: ['Uninstall and reinstall'], name: ['AWSEC2Launch-Agent'] }],
  ['AWS-UpdateSSMAgent', { allowDowngrade: ['false'] }],
  ['AWS-ConfigureAWSPackage', { action: ['Install'], installationType: ['Uninstall and reinstall'], name: ['AwsEnaNetworkDriver'] }],
  ['AWS-ConfigureAWSPackage', { action: ['Install'], installationType: ['Uninstall and reinstall'], name: ['AWSNVMe'] }],
];

function callsOf(emu: Emulator, account: string): CallRecord[] {
  return emu.control.calls().filter((c) => c.account === account);
}

function summarise(calls: CallRecord[]) {
  const byAction: Record<string, number> = {};
  for (const c of calls) byAction[c.action] = (byAction[c.action] ?? 0) + 1;
  return { calls: calls.length, throttled: calls.filter((c) => c.errorCode === 'RequestLimitExceeded').length, byAction };
}

/**
 * The emulator's time on the critical path, in real ms: `runs` command runs
 * (each SendCommand, plus one rerun after the update reboot), the updates'
 * install time, one reboot with the agent coming back, and the bake's phases.
 */
function lifecycleMs(d: Durations, runs: number, updatesMs: number, waitsForTermination: boolean): number {
  return (
    d.instanceBoot +
    d.ssmOnline +
    Math.max(0, runs - 1) * d.command +
    updatesMs +
    d.instanceReboot +
    d.ssmOnline +
    d.sysprep +
    d.instanceStop +
    d.imageCreate +
    (waitsForTermination ? d.instanceTerminate : 0)
  );
}

async function referenceMonthly(emu: Emulator, accountIndex: number, configPath: string): Promise<Record<string, unknown>> {
  if (spawnSync('aws', ['--version']).status !== 0) return { skipped: 'the AWS CLI (aws) is not installed' };
  const a = EMULATOR_ACCOUNTS[accountIndex]!;
  const session = createAwsSession({
    region: 'us-east-1',
    endpoint: emu.endpoint,
    credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
  });
  const source = (await session.ssm().getParameter({ Name: '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base' })).Parameter!.Value!;
  const dir = mkdtempSync(join(tmpdir(), 'winami-ref-monthly-'));
  const commandsDir = join(dir, 'commands');
  mkdirSync(commandsDir);
  DOCUMENTS.forEach(([doc, params], i) => writeFileSync(join(commandsDir, `${String(i + 1).padStart(2, '0')}.${doc}.json`), JSON.stringify(params)));
  // Sealed the same way: winami's readiness check and Sysprep scripts.
  const bundle = await renderBundle(loadConfig(configPath, { allowPlaintextSecrets: false }), { buildId: 'reference' });
  const seal = [commandFor(bundleFile(bundle, 'scripts/check-ready.ps1', 'bench')), commandFor(bundleFile(bundle, 'scripts/sysprep.ps1', 'bench'))];
  seal.forEach((s, i) =>
    writeFileSync(join(commandsDir, `${String(DOCUMENTS.length + i + 1).padStart(2, '0')}.json`), JSON.stringify({ commands: [s], executionTimeout: ['600'] })),
  );
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
      IMAGE_NAME: `reference-monthly-${Date.now()}`,
      BUILD_ID: 'reference-monthly',
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
  if (code !== 0) throw new Error(`reference monthly rebuild failed (${code}): ${stderr.slice(-2000)}`);
  const calls = callsOf(emu, a.accountId).slice(before);
  return { ok: /image ami-/.test(stdout), wallMs: Math.round(wallMs), ...summarise(calls) };
}

async function winamiMonthly(emu: Emulator, accountIndex: number, configPath: string) {
  const a = EMULATOR_ACCOUNTS[accountIndex]!;
  const session = createAwsSession({
    region: 'us-east-1',
    endpoint: emu.endpoint,
    credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
  });
  const before = callsOf(emu, a.accountId).length;
  const t0 = performance.now();
  const reporter = new MemoryReporter();
  const result = await bake({ config: configPath, session, timeScale: 1, journalDir: mkdtempSync(join(tmpdir(), 'winami-bench-')), reporter });
  const wallMs = performance.now() - t0;
  if (!result.ok) throw new Error(`winami monthly rebuild failed: ${result.error?.message}`);
  const updates = reporter.events.filter((e) => e.code === 'bake.windowsUpdate.update').map((e) => (e.data as { kb: string }).kb);
  return { result, updates, wallMs: Math.round(wallMs), ...summarise(callsOf(emu, a.accountId).slice(before)) };
}

const r2 = (x: number) => Math.round(x * 100) / 100;

export async function run(): Promise<Record<string, unknown>> {
  const phases: Partial<Durations> = { ...PHASES, instanceReboot: REBOOT_MS };
  const durations = Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, (v as number) / UPDATE_SCALE])) as Partial<Durations>;
  const emu = await startEmulator({ port: 0, timeScale: UPDATE_SCALE, throttling: true, durations });
  try {
    const dir = mkdtempSync(join(tmpdir(), 'winami-bench-monthly-'));
    const configPath = join(dir, 'image.yaml');
    writeFileSync(configPath, CONFIG);
    const d = { ...DEFAULT_DURATIONS, ...phases } as Durations;
    // The newest month: servicing stack, cumulative update (restart), .NET; both install all three.
    const month = catalogue('2022', 0).slice(0, 3);
    const updatesMs = month.reduce((t, u) => t + u.installMs, 0) * UPDATE_SCALE;
    const [reference, winami] = await Promise.all([referenceMonthly(emu, 0, configPath), winamiMonthly(emu, 1, configPath)]);
    const winamiRuns = (winami.byAction.SendCommand ?? 0) + 1;
    const winamiLifecycle = lifecycleMs(d, winamiRuns, updatesMs, true);
    const out: Record<string, unknown> = {
      updateScale: UPDATE_SCALE,
      phasesMs: phases,
      updatesInstallMs: updatesMs,
      winami: {
        wallMs: winami.wallMs,
        lifecycleMs: winamiLifecycle,
        overheadMs: winami.wallMs - winamiLifecycle,
        updatesInstalled: winami.updates,
        calls: winami.calls,
        throttled: winami.throttled,
        byAction: winami.byAction,
        stepsMs: Object.fromEntries(winami.result.steps.map((s) => [s.name, s.durationMs])),
      },
    };
    if (typeof reference.wallMs === 'number') {
      const refRuns = ((reference.byAction as Record<string, number>).SendCommand ?? 0) + 1;
      const refLifecycle = lifecycleMs(d, refRuns, updatesMs, false);
      const refOverhead = reference.wallMs - refLifecycle;
      const winOverhead = winami.wallMs - winamiLifecycle;
      out.reference = { ...reference, lifecycleMs: refLifecycle, overheadMs: refOverhead };
      out.overheadRatio = r2(winOverhead / refOverhead);
      out.callsRatio = r2(winami.calls / (reference.calls as number));
      out.summary = `monthly rebuild: overhead winami ${(winOverhead / 1000).toFixed(1)} s vs script ${(refOverhead / 1000).toFixed(1)} s (×${r2(winOverhead / refOverhead)}); wall ${(winami.wallMs / 1000).toFixed(0)} s vs ${(reference.wallMs / 1000).toFixed(0)} s; calls ${winami.calls} vs ${reference.calls as number}`;
    } else {
      out.reference = reference;
      out.summary = `monthly rebuild: overhead winami ${((winami.wallMs - winamiLifecycle) / 1000).toFixed(1)} s of ${(winami.wallMs / 1000).toFixed(0)} s; calls ${winami.calls}`;
    }
    return out;
  } finally {
    await emu.stop();
  }
}
