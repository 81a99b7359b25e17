/**
 * The package as a user gets it: packed with `npm pack`, installed into an
 * empty folder, imported as `winami` and run through its bin. What the
 * repository's own tests see (dist/ beside src/) can hide a missing file or a
 * broken `exports` map; this cannot.
 */
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';

/** Run a command to the end without blocking the event loop (the emulator answers in this process). */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('the packed package', function () {
  this.timeout(180_000);
  let home: string;
  let installOutput = '';

  before(function () {
    home = mkdtempSync(join(tmpdir(), 'winami-pkg-'));
    // dist/ is already built by `npm test`; packing must not rebuild it.
    execFileSync(NPM, ['pack', '--ignore-scripts', '--pack-destination', home], { cwd: process.cwd(), stdio: 'pipe' });
    const tarball = readdirSync(home).find((f) => f.endsWith('.tgz'));
    expect(tarball, 'npm pack wrote a tarball').to.be.a('string');
    writeFileSync(join(home, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
    const install = spawnSync(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', `./${tarball}`], { cwd: home, encoding: 'utf8' });
    expect(install.status, `npm install of the tarball failed:\n${install.stderr}`).to.equal(0);
    installOutput = install.stdout + install.stderr;
  });

  const bin = () => join(home, 'node_modules', '.bin', 'winami');

  it('installs without install scripts (npm warns of none)', function () {
    expect(installOutput).to.not.match(/install scripts/i);
    const manifest = JSON.parse(readFileSync(join(home, 'node_modules', 'winami', 'package.json'), 'utf8')) as Record<
      string,
      Record<string, string> | undefined
    >;
    for (const s of ['preinstall', 'install', 'postinstall', 'prepare']) expect(manifest.scripts ?? {}, s).to.not.have.property(s);
    expect(manifest.dependencies, 'the grammar ships as a file, not a dependency with native bindings').to.not.have.property('tree-sitter-powershell');
    expect(manifest.homepage).to.be.a('string');
    expect(manifest.repository).to.have.property('url');
    expect(manifest.bugs).to.have.property('url');
    // The emulator ships as a program with its guide and spec, which the README links to.
    for (const f of ['dist/emulator/cli.js', 'emulator/README.md', 'emulator/SPEC.md'])
      expect(existsSync(join(home, 'node_modules', 'winami', f)), f).to.equal(true);
  });

  it('follows the quick start from an empty folder: init, prepare, then winami emulator, bake --dry-run and a whole bake against it, no SDK warning', async function () {
    const dir = mkdtempSync(join(home, 'quick-'));
    // The commands exactly as the installed package's README gives them.
    const readme = readFileSync(join(home, 'node_modules', 'winami', 'README.md'), 'utf8');
    const quick = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Examples'));
    const commands = [...quick.matchAll(/^npx winami (.*?)\s*(?:#.*)?$/gm)].map((m) => m[1]!.split(/\s+/));
    const named = (first: string, ...flags: string[]) => {
      const c = commands.find((a) => a[0] === first && flags.every((f) => a.includes(f)));
      expect(c, `README's quick start has winami ${first} ${flags.join(' ')}`).to.be.an('array');
      return c!;
    };
    const init = spawnSync(bin(), named('init'), { cwd: dir, encoding: 'utf8' });
    expect(init.status, init.stderr).to.equal(0);
    for (const f of ['winami.yaml', 'winami.schema.json', 'scripts/harden-tls.ps1']) expect(existsSync(join(dir, f)), f).to.equal(true);
    expect(readFileSync(join(dir, 'winami.yaml'), 'utf8')).to.match(/^\$schema: \.\/winami\.schema\.json$/m);
    // An edited config is not overwritten without --force.
    writeFileSync(join(dir, 'winami.yaml'), `${readFileSync(join(dir, 'winami.yaml'), 'utf8')}# edited\n`);
    const again = spawnSync(bin(), ['init'], { cwd: dir, encoding: 'utf8' });
    expect(again.status, 'refuses to overwrite').to.equal(2);
    expect(again.stderr).to.contain('refusing to overwrite winami.yaml');
    expect(again.stderr).to.contain('--force');
    expect(readFileSync(join(dir, 'winami.yaml'), 'utf8')).to.contain('# edited');
    const forced = spawnSync(bin(), ['init', '--force'], { cwd: dir, encoding: 'utf8' });
    expect(forced.status, forced.stderr).to.equal(0);
    expect(readFileSync(join(dir, 'winami.yaml'), 'utf8')).to.not.contain('# edited');
    const schema = spawnSync(bin(), ['schema'], { cwd: dir, encoding: 'utf8' });
    expect(JSON.parse(schema.stdout)).to.deep.equal(JSON.parse(readFileSync(join(dir, 'winami.schema.json'), 'utf8')));
    const prepare = spawnSync(bin(), named('prepare'), { cwd: dir, encoding: 'utf8' });
    expect(prepare.status, prepare.stderr).to.equal(0);
    expect(existsSync(join(dir, 'out', 'unattend.xml'))).to.equal(true);

    // The emulator as the installed package runs it (`winami emulator`), with the README's flags and environment.
    const offline = readme.slice(readme.indexOf('### With no AWS account'), readme.indexOf('### From this repository'));
    const emuFlags = named('emulator')
      .slice(1)
      .filter((f) => f !== '&')
      .map((f, i, a) => (a[i - 1] === '--port' ? '0' : f)); // a free port: the README's may be taken here
    expect(emuFlags).to.include('--time-scale');
    const emulator = spawn(bin(), ['emulator', ...emuFlags], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let emuOut = '';
    emulator.stdout.on('data', (d: Buffer) => (emuOut += d.toString()));
    emulator.stderr.on('data', (d: Buffer) => (emuOut += d.toString()));
    const exited = new Promise<number | null>((resolve) => emulator.once('exit', (code) => resolve(code)));
    try {
      const endpoint = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`winami emulator did not say it was listening: ${emuOut}`)), 60_000);
        emulator.stdout.on('data', () => {
          const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(emuOut);
          if (m) (clearTimeout(timer), resolve(m[1]!));
        });
        void exited.then((code) => reject(new Error(`winami emulator exited ${code}: ${emuOut}`)));
      });
      const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
      for (const [, k, v] of offline.matchAll(/\b(AWS_[A-Z_]+)=(\S+)/g)) env[k!] = k === 'AWS_ENDPOINT_URL' ? endpoint : v!;
      expect(
        Object.keys(env)
          .filter((k) => k.startsWith('AWS_'))
          .sort(),
      ).to.deep.equal(['AWS_ACCESS_KEY_ID', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY']);
      const dry = await run(bin(), named('bake', '--dry-run'), dir, env);
      expect(dry.stderr).to.not.contain('NodeVersionSupportWarning');
      expect(dry.code, dry.stdout + dry.stderr).to.equal(0);
      expect(dry.stdout + dry.stderr).to.contain('region us-east-1');
      expect(dry.stdout + dry.stderr).to.contain('nothing was created');

      // The region a dry run names is the config's, not the environment's.
      const other = spawnSync(bin(), ['init', '--example', 'windows-2016-ec2launch-v2', 'w2016.yaml'], { cwd: dir, encoding: 'utf8' });
      expect(other.status, other.stderr).to.equal(0);
      const dry2016 = await run(bin(), ['bake', 'w2016.yaml', '--dry-run'], dir, env);
      const said = dry2016.stdout + dry2016.stderr;
      expect(said).to.contain('region eu-west-1');
      expect(said).to.not.match(/region us-east-1/);

      // The whole bake, as the README gives it: the image in the config's region and its copy.
      const bake = await run(bin(), named('bake', '--time-scale'), dir, env);
      expect(bake.code, bake.stdout + bake.stderr).to.equal(0);
      expect(bake.stdout).to.match(/^us-east-1\tami-[0-9a-f]+\twindows-2022-base-/m);
      expect(bake.stdout).to.match(/^eu-west-1\tami-[0-9a-f]+\twindows-2022-base-/m);
    } finally {
      emulator.kill('SIGTERM');
    }
    expect(await exited, `winami emulator stops on SIGTERM with exit 0: ${emuOut}`).to.equal(0);
  });

  it('is importable as `winami` and prepares a shipped example with the public API', function () {
    const script = [
      "import * as winami from 'winami';",
      "import { fileURLToPath } from 'node:url';",
      "const example = fileURLToPath(import.meta.resolve('winami/package.json').replace(/package\\.json$/, 'examples/windows-2022-base.yaml'));",
      "const r = await winami.prepare({ configPath: example, outDir: 'out' });",
      'console.log(JSON.stringify({ names: Object.keys(winami).sort(), files: r.files.map((f) => f.path), agent: r.launchAgent, usage: winami.ExitCode.USAGE }));',
    ].join('\n');
    writeFileSync(join(home, 'use.mjs'), script);
    const run = spawnSync(process.execPath, ['use.mjs'], { cwd: home, encoding: 'utf8' });
    expect(run.status, run.stderr).to.equal(0);
    const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as { names: string[]; files: string[]; agent: string; usage: number };
    for (const name of [
      'prepare',
      'bake',
      'plan',
      'lintFiles',
      'audit',
      'verify',
      'register',
      'discard',
      'copy',
      'cleanup',
      'iamPolicy',
      'createAwsSession',
      'WinamiError',
      'ExitCode',
    ]) {
      expect(out.names, name).to.include(name);
    }
    expect(out.agent).to.equal('ec2launch-v2');
    expect(out.files).to.include('unattend.xml');
    expect(out.usage).to.equal(2);
    expect(existsSync(join(home, 'out', 'plan.json'))).to.equal(true);
    expect(existsSync(join(home, 'node_modules', 'winami', 'dist', 'src', 'index.d.ts')), 'type declarations shipped').to.equal(true);
  });

  it('runs its bin from the installed package', function () {
    const run = spawnSync(join(home, 'node_modules', '.bin', 'winami'), ['--version'], { cwd: home, encoding: 'utf8' });
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout.trim()).to.match(/^\d+\.\d+\.\d+/);
  });

  it('hides its internals behind the exports map', function () {
    writeFileSync(join(home, 'deep.mjs'), "await import('winami/dist/src/bake/runner.js');\n");
    const run = spawnSync(process.execPath, ['deep.mjs'], { cwd: home, encoding: 'utf8' });
    expect(run.status).to.not.equal(0);
    expect(run.stderr).to.match(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
  });
});
