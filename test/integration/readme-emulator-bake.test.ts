/**
 * The README's "From this repository, with no AWS account" commands, as a
 * newcomer types them: the emulator started by `winami emulator`, then `winami bake`
 * of the 2022 example with the README's environment. Nothing is hand-fed:
 * the emulator flags, the environment and the bake's arguments are read from
 * the README itself.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = process.cwd();

function section(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('### From this repository');
  expect(start, 'README has the "From this repository" section').to.be.greaterThan(-1);
  return readme.slice(start, readme.indexOf('\n## ', start));
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe("README: the repository's bake against the emulator", function () {
  this.timeout(120_000);
  let emulator: ChildProcess | undefined;
  after(() => emulator?.kill('SIGTERM'));

  it('bakes the 2022 example end to end with the commands the README gives', async () => {
    const text = section();
    const emuFlags = /npx winami emulator (.*?) &/.exec(text)?.[1]?.split(/\s+/);
    expect(emuFlags, 'the emulator command').to.be.an('array');
    // Port 0: the README's fixed port may be taken on a shared machine; the rest of its flags as written.
    const flags = emuFlags!.map((f, i, a) => (a[i - 1] === '--port' ? '0' : f));
    emulator = spawn(process.execPath, [join(root, 'dist/src/cli/launcher.js'), 'emulator', ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
    const endpoint = await new Promise<string>((resolve, reject) => {
      let seen = '';
      emulator!.stdout!.on('data', (d: Buffer) => {
        seen += d.toString();
        const m = /listening on (http:\/\/\S+)/.exec(seen);
        if (m) resolve(m[1]!);
      });
      emulator!.on('exit', (code) => reject(new Error(`emulator exited ${code}: ${seen}`)));
    });
    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
    for (const [, k, v] of text.matchAll(/\b(AWS_[A-Z_]+)=(\S+)/g)) env[k!] = k === 'AWS_ENDPOINT_URL' ? endpoint : v!.replace(/\\$/, '');
    expect(
      Object.keys(env)
        .filter((k) => k.startsWith('AWS_'))
        .sort(),
    ).to.deep.equal(['AWS_ACCESS_KEY_ID', 'AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY']);
    const bakeArgs = /npx winami (bake examples\/\S+ .*?)\s+#/.exec(text)?.[1]?.split(/\s+/);
    expect(bakeArgs, 'the bake command').to.be.an('array');
    const cwd = mkdtempSync(join(tmpdir(), 'winami-readme-'));
    const bake = await run(
      process.execPath,
      [join(root, 'dist/src/cli/main.js'), ...bakeArgs!.map((a) => (a.startsWith('examples/') ? join(root, a) : a))],
      env,
      cwd,
    );
    expect(bake.code, bake.out).to.equal(0);
    expect(bake.out).to.match(/^us-east-1\tami-[0-9a-f]+\twindows-2022-base-/m);
    expect(bake.out).to.match(/^eu-west-1\tami-[0-9a-f]+\twindows-2022-base-/m);
  });
});
