/**
 * Hostile or unlucky inputs through the bundled CLI: each ends with its
 * documented exit code and a one-line message, never "This is a bug in
 * winami" with a stack trace, and never with data lost.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../../src/util/package-root.js';

const root = packageRoot();
const cli = join(root, (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: { winami: string } }).bin.winami);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function winami(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { cwd: options.cwd ?? root, env: options.env ?? process.env, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A deliberate refusal: the exit code, one `winami:` line, no bug report and no stack. */
function expectRefusal(r: Run, code: number, says: string | RegExp): void {
  expect(r.code, r.stderr).to.equal(code);
  expect(r.stderr).to.not.include('This is a bug');
  expect(r.stderr).to.not.match(/^\s+at /m);
  expect(r.stderr.match(/^winami: /gm), r.stderr).to.have.length(1);
  if (typeof says === 'string') expect(r.stderr).to.include(says);
  else expect(r.stderr).to.match(says);
}

const BASE = ['name: cli-hostile', 'region: us-east-1', 'windows:', '  release: "2022"'];

describe('winami CLI on hostile and unlucky inputs', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'winami-hostile-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prepare cfg.yaml --out . in a project keeps plan.json, main.tf, .git and the config (exit 2)', async () => {
    const project = join(dir, 'project');
    mkdirSync(join(project, '.git'), { recursive: true });
    writeFileSync(join(project, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(project, 'main.tf'), 'terraform {}\n');
    writeFileSync(join(project, 'plan.json'), '{}\n');
    cpSync(join(root, 'examples', 'windows-2025-base.yaml'), join(project, 'cfg.yaml'));
    for (const extra of [[], ['--force']]) {
      const r = await winami(['prepare', 'cfg.yaml', '--out', '.', ...extra], { cwd: project });
      expectRefusal(r, 2, 'holds the config');
    }
    expect(readdirSync(project).sort()).to.deep.equal(['.git', 'cfg.yaml', 'main.tf', 'plan.json']);
  });

  it('--out at a file, or under one, is a usage error (exit 2)', async () => {
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, 'x');
    expectRefusal(await winami(['prepare', 'examples/windows-2025-base.yaml', '--out', file]), 2, 'is a file');
    expectRefusal(await winami(['prepare', 'examples/windows-2025-base.yaml', '--out', join(file, 'sub')]), 2, 'cannot write');
    expect(readFileSync(file, 'utf8')).to.equal('x');
  });

  it('a 3 GiB source is a config error naming the limit (exit 3), read from no byte', async () => {
    const folder = join(dir, 'big');
    mkdirSync(folder);
    writeFileSync(join(folder, 'disk.img'), '');
    truncateSync(join(folder, 'disk.img'), 3 * 1024 ** 3);
    const config = join(folder, 'cfg.yaml');
    writeFileSync(config, [...BASE, 'customize:', "  - file: { source: disk.img, destination: 'C:\\disk.img' }", ''].join('\n'));
    const r = await winami(['prepare', config, '--out', join(dir, 'big-out')]);
    expectRefusal(r, 3, 'has 1 problem');
    expect(r.stderr).to.include(`${config}:6:`).and.include('over the limit of 4194304 bytes');
  });

  it('/proc/self/environ as a source is a config error at its key (exit 3), also under --allow-source-root /proc', async () => {
    const config = join(dir, 'environ.yaml');
    writeFileSync(config, [...BASE, 'customize:', "  - file: { source: /proc/self/environ, destination: 'C:\\env.txt' }", ''].join('\n'));
    for (const extra of [[], ['--allow-source-root', '/proc']]) {
      const r = await winami(['prepare', config, '--out', join(dir, 'environ-out'), ...extra]);
      expectRefusal(r, 3, `${config}:6:`);
      expect(r.stderr).to.include('customize.0.file.source');
    }
    expect(readdirSync(dir)).to.not.include('environ-out');
  });

  it('--allow-source-root widens the confinement explicitly, on prepare and bake', async () => {
    mkdirSync(join(dir, 'shared'));
    writeFileSync(join(dir, 'shared', 'tool.ps1'), 'Write-Output shared\n');
    mkdirSync(join(dir, 'cfgdir'));
    const config = join(dir, 'cfgdir', 'cfg.yaml');
    writeFileSync(config, [...BASE, 'customize:', '  - script: ../shared/tool.ps1', ''].join('\n'));
    expectRefusal(await winami(['prepare', config, '--out', join(dir, 'w-out')]), 3, 'outside the config');
    const ok = await winami(['prepare', config, '--out', join(dir, 'w-out'), '--allow-source-root', join(dir, 'shared')]);
    expect(ok.code, ok.stderr).to.equal(0);
    expectRefusal(await winami(['bake', config, '--dry-run']), 3, 'outside the config');
    // The config loads; the dry run (read-only calls since the preflight) then meets an endpoint that refuses
    // connections, so it stops with an AWS error, never a config error. Nothing real is called.
    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
    Object.assign(env, {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'y',
      AWS_CONFIG_FILE: join(dir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
    });
    const dry = await winami(['bake', config, '--dry-run', '--allow-source-root', join(dir, 'shared')], { env });
    expect(dry.stderr).to.not.include('outside the config');
    expect(dry.stderr).to.include('dry run of cli-hostile');
    expect(dry.code, dry.stderr).to.equal(5);
    expectRefusal(await winami(['iam-policy', config]), 3, 'outside the config');
    const iam = await winami(['iam-policy', config, '--allow-source-root', join(dir, 'shared'), '--json']);
    expect(iam.code, iam.stderr).to.equal(0);
  });

  it('an alias bomb is a config error naming the limit on prepare and bake --dry-run (exit 3)', async () => {
    const config = join(dir, 'bomb.yaml');
    const steps = Array.from({ length: 99 }, () => '  - powershell: *big');
    writeFileSync(config, [...BASE, `description: &big "${'x'.repeat(60_000)}"`, 'customize:', ...steps, ''].join('\n'));
    expectRefusal(await winami(['prepare', config, '--out', join(dir, 'bomb-out')]), 3, '4194304');
    expectRefusal(await winami(['bake', config, '--dry-run']), 3, '4194304');
  });

  it('AWS_REGION="" is a usage error naming the variable (exit 2), before any AWS call', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_REGION: '',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'y',
    };
    delete env.AWS_DEFAULT_REGION;
    const r = await winami(['verify', 'ami-0123456789abcdef0', '--expect', 'windows'], { env });
    expect(r.code, r.stdout + r.stderr).to.equal(2);
    expect(r.stdout + r.stderr)
      .to.include('AWS_REGION is set but empty')
      .and.not.include('This is a bug');
  });
});
