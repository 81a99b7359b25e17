import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileTree } from '../../../src/render/answer-files.js';
import { BUNDLE_FORMAT, BUNDLE_MARKER } from '../../../src/prepare.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { VERSION } from '../../../src/cli/version.js';

const root = packageRoot();
// The bin users run: the bundled CLI.
const cli = join(root, (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: { winami: string } }).bin.winami);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function winami(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd: root }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const BASE = [
  'name: cli-test',
  'region: us-east-1',
  'windows:',
  '  release: "2022"',
  'builder:',
  '  instanceType: m5.large',
  '  instanceProfile: winami-builder',
];

describe('winami prepare (CLI, through a child process)', function () {
  this.timeout(60_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'winami-prepare-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the bundle the answer files hold and prints files with their sha256 under --json', async () => {
    const out = join(dir, 'ok');
    const r = await winami(['prepare', 'examples/windows-2022-base.yaml', '--out', out, '--json']);
    expect(r.code, r.stderr).to.equal(0);
    const result = JSON.parse(r.stdout) as { ok: boolean; outDir: string; files: { path: string; sha256: string; bytes: number }[] };
    expect(result.ok).to.equal(true);
    expect(result.outDir).to.equal(out);
    const written = readFileTree(out);
    // The marker is prepare's, not part of the bundle.
    expect(written.get(BUNDLE_MARKER)?.toString('utf8')).to.equal(`${BUNDLE_FORMAT}\n`);
    written.delete(BUNDLE_MARKER);
    expect(result.files.map((f) => f.path).sort()).to.deep.equal([...written.keys()].sort());
    for (const f of result.files) {
      const content = written.get(f.path)!;
      expect(f.sha256, f.path).to.equal(createHash('sha256').update(content).digest('hex'));
      expect(f.bytes, f.path).to.equal(content.length);
    }
    const reviewed = readFileTree(join(root, 'answer-files', 'windows-2022-base'));
    expect([...written.keys()].sort()).to.deep.equal([...reviewed.keys()].sort());
    for (const [path, content] of written) expect(content.equals(reviewed.get(path)!), path).to.equal(true);
  });

  it('lists what it wrote in text mode', async () => {
    const r = await winami(['prepare', 'examples/windows-2019-ec2launch-v1.yaml', '--out', join(dir, 'text')]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include('windows-2019-v1: Windows Server 2019');
    expect(r.stdout).to.include('unattend.xml  → C:\\ProgramData\\Amazon\\EC2-Windows\\Launch\\Sysprep\\Unattend.xml');
  });

  it('exits 3 on a bad config, naming file:line:col and the likely fix, and writes nothing', async () => {
    const config = join(dir, 'bad.yaml');
    writeFileSync(config, [...BASE, '  instanceTyp: m5.large', ''].join('\n'));
    const out = join(dir, 'bad-out');
    const r = await winami(['prepare', config, '--out', out]);
    expect(r.code).to.equal(3);
    expect(r.stderr).to.include(`${config}:8:3 builder.instanceTyp: unknown key "instanceTyp"`);
    expect(r.stderr).to.include('did you mean "instanceType"?');
    expect(() => readdirSync(out)).to.throw();
  });

  it('exits 4 when a rendered file fails validation, naming the bundle file and position', async () => {
    const config = join(dir, 'hostname.yaml');
    writeFileSync(
      config,
      [
        ...BASE,
        'agent:',
        '  ec2launchV2:',
        '    tasks:',
        '      postReady:',
        '        - task: setHostName',
        '          inputs:',
        '            hostName: this-name-is-far-too-long',
        '',
      ].join('\n'),
    );
    const r = await winami(['prepare', config, '--out', join(dir, 'hostname-out'), '--json']);
    expect(r.code).to.equal(4);
    const err = (JSON.parse(r.stdout) as { error: { issues: { path: string; message: string; position: { line: number } }[] } }).error;
    expect(err.issues.map((i) => i.path)).to.deep.equal(['agent/agent-config.yml']);
    expect(err.issues[0]!.message).to.include('hostName is 25 characters; at most 15');
    expect(err.issues[0]!.position.line).to.be.greaterThan(1);
  });

  it("exits 3 on a task in a stage EC2Launch v2 would not run it in, at the config's file:line:col, naming the allowed stages", async () => {
    const config = join(dir, 'stage.yaml');
    writeFileSync(config, [...BASE, 'agent:', '  ec2launchV2:', '    tasks:', '      postReady:', '        - task: enableOpenSsh', ''].join('\n'));
    const r = await winami(['prepare', config, '--out', join(dir, 'stage-out')]);
    expect(r.code).to.equal(3);
    expect(r.stderr).to.include(`${config}:12:17 agent.ec2launchV2.tasks.postReady.0.task:`);
    expect(r.stderr).to.include('it may run in: preReady, userData');
    expect(readdirSync(dir)).to.not.include('stage-out');
  });

  it('refuses a literal secret (exit 3) unless --allow-plaintext-secrets, and never writes or prints the value', async () => {
    const secret = 'Lit3ral-Pa55word!';
    const config = join(dir, 'literal.yaml');
    writeFileSync(config, [...BASE, 'windowsSettings:', '  administrator:', '    password:', `      static: "${secret}"`, ''].join('\n'));
    const refused = await winami(['prepare', config, '--out', join(dir, 'literal-refused')]);
    expect(refused.code).to.equal(3);
    expect(refused.stderr).to.include(`${config}:11:15 windowsSettings.administrator.password.static: is a literal secret`);
    expect(refused.stderr).to.include('--allow-plaintext-secrets');
    expect(refused.stderr).not.to.include(secret);
    const out = join(dir, 'literal-allowed');
    const allowed = await winami(['prepare', config, '--out', out, '--allow-plaintext-secrets', '--json']);
    expect(allowed.code, allowed.stderr).to.equal(0);
    expect(allowed.stdout + allowed.stderr).not.to.include(secret);
    for (const [path, content] of readFileTree(out)) expect(content.toString('utf8'), path).not.to.include(secret);
    expect(readFileSync(join(out, 'plan.json'), 'utf8')).to.include('<plaintext, redacted>');
  });

  it('refuses an --out holding files that are not a bundle (exit 2) unless --force; replaces an earlier bundle', async () => {
    const out = join(dir, 'mine');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'keep me');
    const refused = await winami(['prepare', 'examples/windows-2025-base.yaml', '--out', out]);
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.include('holds files that are not a winami bundle');
    expect(refused.stderr).to.include('--force');
    expect(readdirSync(out)).to.deep.equal(['notes.txt']);
    const forced = await winami(['prepare', 'examples/windows-2025-base.yaml', '--out', out, '--force']);
    expect(forced.code, forced.stderr).to.equal(0);
    expect(readdirSync(out)).to.include('plan.json').and.not.include('notes.txt');
    const again = await winami(['prepare', 'examples/windows-2022-base.yaml', '--out', out]);
    expect(again.code, again.stderr).to.equal(0);
    expect(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')).name).to.equal('windows-2022-base');
  });

  it('stops at the first usage problem (exit 2) without running the command', async () => {
    for (const args of [['prepare'], ['prepare', '--out', join(dir, 'usage-out')], ['prepare', 'examples/windows-2022-base.yaml', '--bogus']]) {
      const r = await winami(args);
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.stderr.match(/^winami: /gm), r.stderr).to.have.length(1);
      expect(r.stderr).to.include("Run 'winami --help' for usage.");
      expect(r.stderr).to.not.include('cannot read config');
    }
    expect(readdirSync(dir)).to.not.include('usage-out');
  });

  it('shows examples in `winami --help` and `winami prepare --help`, and the version in `--version`', async () => {
    const top = await winami(['--help']);
    expect(top.code).to.equal(0);
    expect(top.stdout).to.match(/Examples:\n\s+winami prepare examples\/windows-2022-base\.yaml/);
    const prep = await winami(['prepare', '--help']);
    expect(prep.code).to.equal(0);
    expect(prep.stdout).to.match(/Examples:\n\s+winami prepare examples\/windows-2022-base\.yaml/);
    expect(prep.stdout).to.include('--json');
    const version = await winami(['--version']);
    expect(version.stdout).to.equal(`${VERSION}\n`);
  });
});
