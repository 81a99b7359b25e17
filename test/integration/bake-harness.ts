/** Shared setup for the bake integration tests: the emulator, a session on it, configs in temp dirs, and the leak check. */
import { spawn } from 'node:child_process';
import { EC2Client, RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMULATOR_ACCOUNTS, type Emulator, type ResourceSnapshot } from '../../emulator/index.js';
import { WU_STATE } from '../../emulator/windows-update.js';
import { afterConsistencyWindow, consistencyGraceFor, startEmulator } from './billing-emulator.js';
import { createAwsSession } from '../../src/aws/session.js';
import type { AwsSession } from '../../src/aws/ports.js';
import { bake, type BakeOptions, type BakeResult } from '../../src/bake/index.js';
import { MemoryReporter } from '../../src/reporter.js';

export const ACCOUNT = EMULATOR_ACCOUNTS[0]!.accountId;
/** Emulator and bake time scale: a full bake takes a second or two of waiting. */
export const TIME_SCALE = 0.002;

/**
 * A session on the emulator whose SDK retries run at the bake's time scale, as the emulator's world does; give
 * `retryTimeScale` 1 where retries must outwait the token buckets, which refill in real time.
 */
export function sessionOn(emu: Emulator, region = 'us-east-1', account = ACCOUNT, retryTimeScale = TIME_SCALE): AwsSession {
  const a = EMULATOR_ACCOUNTS.find((x) => x.accountId === account)!;
  return createAwsSession({
    region,
    endpoint: emu.endpoint,
    credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
    retryTimeScale,
  });
}

export function startBakeEmulator(extra: Parameters<typeof startEmulator>[0] = {}): Promise<Emulator> {
  return startEmulator({ port: 0, timeScale: TIME_SCALE, ...extra });
}

/** Write a config (YAML text) with a customize script next to it; returns its path. */
export function writeConfig(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'winami-bake-'));
  writeFileSync(join(dir, 'step.ps1'), "Set-Content -LiteralPath 'C:\\Golden\\marker.txt' -Value 'golden'\r\nWrite-Output 'customized'\r\n");
  const path = join(dir, 'image.yaml');
  writeFileSync(path, yaml);
  return path;
}

/** A config for a release with a script step, an inline step and a reboot step. */
export function configFor(release: string, extra = '', moreSteps: string[] = []): string {
  return writeConfig(
    [
      'name: golden',
      'region: us-east-1',
      'windows:',
      `  release: "${release}"`,
      // The config resolver names 2012 R2's parameter ...-Full-Base; AWS's is ...-64Bit-Base.
      ...(release === '2012r2' ? ['source:', '  ssmParameter: /aws/service/ami-windows-latest/Windows_Server-2012-R2_RTM-English-64Bit-Base'] : []),
      'builder:',
      '  instanceProfile: winami-builder',
      'customize:',
      '  - name: marker',
      '    script: step.ps1',
      '  - name: inline',
      '    powershell: "Write-Output \'inline ran\'"',
      ...moreSteps,
      'image:',
      '  name: "golden-{{release}}-{{buildId}}"',
      extra,
    ].join('\n'),
  );
}

export interface BakeRun {
  result: BakeResult;
  reporter: MemoryReporter;
  wallMs: number;
}

/** Bake on the emulator with the test time scale. */
export async function bakeOn(emu: Emulator, configPath: string, o: Partial<BakeOptions> = {}): Promise<BakeRun> {
  const reporter = new MemoryReporter();
  const journalDir = mkdtempSync(join(tmpdir(), 'winami-journal-'));
  const t0 = Date.now();
  const result = await bake({
    config: configPath,
    session: sessionOn(emu),
    reporter,
    timeScale: TIME_SCALE,
    journalDir,
    consistencyGraceMs: consistencyGraceFor(emu),
    ...o,
  });
  return { result, reporter, wallMs: Date.now() - t0 };
}

/** What the emulator still holds for the account, minus the given outputs (image ids and their snapshots). */
export function leftovers(
  emu: Emulator,
  keepImages: string[] = [],
  account = ACCOUNT,
): { instances: string[]; images: string[]; snapshots: string[]; volumes: string[]; parameters: string[] } {
  const r: ResourceSnapshot = emu.control.resources({ account });
  const keptSnaps = new Set(r.images.filter((i) => keepImages.includes(i.id)).flatMap((i) => i.snapshotIds));
  return {
    instances: r.instances.filter((i) => i.state !== 'terminated').map((i) => `${i.id} ${i.state}`),
    images: r.images.filter((i) => !keepImages.includes(i.id)).map((i) => i.id),
    snapshots: r.snapshots.filter((s) => !keptSnaps.has(s.id)).map((s) => s.id),
    volumes: r.volumes.map((v) => v.id),
    parameters: r.parameters.filter((p) => p.name.startsWith('/winami/')).map((p) => p.name),
  };
}

export const NOTHING = { instances: [], images: [], snapshots: [], volumes: [], parameters: [] };

/** The `winami` bin as users run it (package.json `bin`: the bundled CLI with its code cache). */
export const CLI = join(process.cwd(), 'dist/src/cli/launcher.js');

/** The environment that points the CLI at the emulator as the first account. */
export function cliEnv(emu: Emulator): NodeJS.ProcessEnv {
  const a = EMULATOR_ACCOUNTS[0]!;
  return {
    ...process.env,
    AWS_ENDPOINT_URL: emu.endpoint,
    AWS_ACCESS_KEY_ID: a.accessKeyId,
    AWS_SECRET_ACCESS_KEY: a.secretAccessKey,
    AWS_REGION: 'us-east-1',
  };
}

/** Run `winami <args>` against the emulator to the end (in a fresh directory unless `cwd`). */
export function runWinami(
  emu: Emulator,
  args: string[],
  cwd = mkdtempSync(join(tmpdir(), 'winami-cli-')),
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: cliEnv(emu), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Launch an instance of the first account from the image, read one file of its disk, terminate it. */
export async function readFromImage(emu: Emulator, imageId: string, path: string): Promise<string | undefined> {
  const a = EMULATOR_ACCOUNTS[0]!;
  const ec2 = new EC2Client({ region: 'us-east-1', endpoint: emu.endpoint, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey } });
  try {
    const id = (
      await ec2.send(
        new RunInstancesCommand({ ImageId: imageId, InstanceType: 'm6i.large', MinCount: 1, MaxCount: 1, IamInstanceProfile: { Name: 'winami-builder' } }),
      )
    ).Instances![0]!.InstanceId!;
    const text = emu.control.readGuestFile(id, path);
    // EC2 knows the new instance by id only once its consistency window has passed.
    await afterConsistencyWindow();
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    return text;
  } finally {
    ec2.destroy();
  }
}

/** The KBs Windows Update installed in the image, as an instance launched from it records them. */
export async function installedUpdatesIn(emu: Emulator, imageId: string): Promise<string[]> {
  return (JSON.parse((await readFromImage(emu, imageId, WU_STATE)) ?? '{}') as { installed: { kb: string }[] }).installed.map((i) => i.kb);
}
