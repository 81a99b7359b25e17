import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emulator } from '../../emulator/index.js';
import { parseConfig } from '../../src/config/load.js';
import { iamPolicies, AUTHORIZATION_ONLY_ACTIONS } from '../../src/bake/iam-policy.js';
import { cleanupBuild } from '../../src/bake/cleanup.js';
import { ACCOUNT, bakeOn, CLI, cliEnv, configFor, leftovers, NOTHING, runWinami, sessionOn, startBakeEmulator, TIME_SCALE } from './bake-harness.js';

function spawnBake(emu: Emulator, config: string, cwd: string) {
  return spawn(process.execPath, [CLI, 'bake', config, '--json', '--no-smoke-test', '--time-scale', String(TIME_SCALE)], {
    cwd,
    env: cliEnv(emu),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolve when a JSON event with this code appears on the child's stdout. */
function waitForEvent(child: ReturnType<typeof spawnBake>, code: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes(`"code":"${code}"`)) resolve();
    });
    child.on('exit', () => reject(new Error(`exited before ${code}: ${buf.slice(-2000)}`)));
  });
}

describe('bake: CLI signals, journal cleanup and the IAM policy (emulator)', function () {
  this.timeout(120_000);
  let emu: Emulator;
  beforeEach(async () => {
    emu = await startBakeEmulator();
  });
  afterEach(async () => emu?.stop());

  it('the caller policy covers exactly the actions a full bake calls (plus the failure-only ones a failed bake calls)', async () => {
    const path = configFor('2022', 'preSnapshot: true\n');
    const run = await bakeOn(emu, path);
    if (!run.result.ok) throw new Error(run.result.error?.message);
    const called = new Set(emu.control.calls().map((c) => `${c.service}:${c.action}`));
    const p = iamPolicies(parseConfig((await import('node:fs')).readFileSync(path, 'utf8'), { configPath: path }));
    const success = p.successActions.filter((a) => !AUTHORIZATION_ONLY_ACTIONS.has(a));
    expect([...called].sort()).to.deep.equal(success);
    const inPolicy = new Set(p.caller.Statement.flatMap((s) => s.Action));
    for (const a of [...called, ...p.failureActions]) expect(inPolicy.has(a), a).to.equal(true);
  });

  it('SIGINT during customize: cancels, cleans up, exits 130 with nothing left', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'winami-cli-'));
    const child = spawnBake(emu, configFor('2022'), cwd);
    await waitForEvent(child, 'bake.customize.start');
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).to.equal(130);
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });

  it('a second SIGINT while cleaning up: exits 130 at once, naming what is left and the exact cleanup command, which then removes it', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'winami-cli-'));
    // Hold the cleanup in TerminateInstances so the second signal lands during it.
    emu.control.addFault({ action: 'TerminateInstances', latencyMs: 5_000, times: 1 });
    const child = spawnBake(emu, configFor('2022'), cwd);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitForEvent(child, 'bake.customize.start');
    child.kill('SIGINT');
    const cancelling = Date.now();
    while (!/cancelling/.test(stderr) && Date.now() - cancelling < 10_000) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGINT');
    const t0 = Date.now();
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(Date.now() - t0, 'exits at once').to.be.below(2_000);
    expect(code).to.equal(130);
    const instance = emu.control.resources({ account: ACCOUNT }).instances.find((i) => i.state !== 'terminated');
    expect(instance, 'the builder is still there').to.not.equal(undefined);
    expect(stderr).to.match(new RegExp(`exiting at once\\. Left: [^\\n]*instance ${instance!.id} \\(us-east-1\\)`));
    const command = /Remove it with: (winami cleanup --build-id \S+ --region \S+)/.exec(stderr)?.[1];
    expect(command, stderr).to.match(new RegExp(`--build-id ${instance!.tags['winami:build-id']} --region us-east-1$`));
    const cleaned = await runWinami(emu, [...command!.split(' ').slice(1), '--time-scale', String(TIME_SCALE)], cwd);
    expect(cleaned.code, cleaned.stderr).to.equal(0);
    expect(cleaned.stdout).to.contain(`removed instance ${instance!.id} (us-east-1)`);
    expect(leftovers(emu)).to.deep.equal(NOTHING);
  });

  it('SIGKILL after the builder launched, then `cleanup --journal` removes everything, and a second run is harmless', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'winami-cli-'));
    const child = spawnBake(emu, configFor('2022', 'preSnapshot: true\n'), cwd);
    await waitForEvent(child, 'bake.delivered');
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(leftovers(emu).instances).to.have.length(1);
    const dir = join(cwd, '.winami', 'builds');
    const journal = join(dir, readdirSync(dir)[0]!);
    const first = await cleanupBuild({ session: sessionOn(emu), journal, pollMs: 20 });
    expect(first.removed.map((r) => r.kind)).to.include('instance');
    expect(first.failed).to.deep.equal([]);
    expect(leftovers(emu)).to.deep.equal(NOTHING);
    const second = await cleanupBuild({ session: sessionOn(emu), journal, pollMs: 20 });
    expect(second.removed).to.deep.equal([]);
    expect(second.failed).to.deep.equal([]);
  });
});
