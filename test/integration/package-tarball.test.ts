/**
 * The package as a user gets it: packed with `npm pack`, installed into an
 * empty folder, imported as `winami` and run through its bin. What the
 * repository's own tests see (dist/ beside src/) can hide a missing file or a
 * broken `exports` map; this cannot.
 */
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('the packed package', function () {
  this.timeout(180_000);
  let home: string;

  before(function () {
    home = mkdtempSync(join(tmpdir(), 'winami-pkg-'));
    // dist/ is already built by `npm test`; packing must not rebuild it.
    execFileSync(NPM, ['pack', '--ignore-scripts', '--pack-destination', home], { cwd: process.cwd(), stdio: 'pipe' });
    const tarball = readdirSync(home).find((f) => f.endsWith('.tgz'));
    expect(tarball, 'npm pack wrote a tarball').to.be.a('string');
    writeFileSync(join(home, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
    const install = spawnSync(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', `./${tarball}`], { cwd: home, encoding: 'utf8' });
    expect(install.status, `npm install of the tarball failed:\n${install.stderr}`).to.equal(0);
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
    for (const name of ['prepare', 'bake', 'lintFiles', 'audit', 'verify', 'register', 'discard', 'copy', 'cleanup', 'iamPolicy', 'createAwsSession', 'WinamiError', 'ExitCode']) {
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
