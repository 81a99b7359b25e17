import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emulator } from '../emulator/index.js';
import { EMULATOR_ACCOUNTS } from '../emulator/index.js';
import { parseConfig } from '../../src/config/load.js';
import { iamPolicies, AUTHORIZATION_ONLY_ACTIONS } from '../../src/bake/iam-policy.js';
import { cleanupBuild } from '../../src/bake/cleanup.js';
import { bakeOn, configFor, leftovers, NOTHING, sessionOn, startBakeEmulator } from './bake-harness.js';

const CLI = join(process.cwd(), 'dist/src/cli/main.js');

function spawnBake(emu: Emulator, config: string, cwd: string) {
  const a = EMULATOR_ACCOUNTS[0]!;
  return spawn(process.execPath, [CLI, 'bake', config, '--json', '--no-smoke-test'], {
    cwd,
    env: { ...process.env, AWS_ENDPOINT_URL: emu.endpoint, AWS_ACCESS_KEY_ID: a.accessKeyId, AWS_SECRET_ACCESS_KEY: a.secretAccessKey, AWS_REGION: 'us-east-1' },
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
