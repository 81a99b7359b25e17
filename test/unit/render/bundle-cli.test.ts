import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { codeCachePath } from '../../../src/cli/run-bundle.js';
import { readFileTree } from '../../../src/render/answer-files.js';
import { BUNDLE_FORMAT, BUNDLE_MARKER } from '../../../src/prepare.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { SDK_LOADED_MARKER, sdkProbeArgs } from '../../fixtures/sdk-probe.js';

const root = packageRoot();
const bin = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: { winami: string } }).bin.winami;
const bundled = join(root, bin);
const bundleFile = join(root, 'dist', 'cli', 'winami.cjs');
const unbundled = join(root, 'dist', 'src', 'cli', 'main.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function node(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: root }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the winami bin: the bundled CLI', function () {
  this.timeout(60_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'winami-bundle-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the bundle built by npm run build, with a code cache V8 accepts', async () => {
    expect(bin).to.equal('dist/src/cli/launcher.js');
    expect(existsSync(bundleFile), bundleFile).to.equal(true);
    expect(existsSync(codeCachePath(bundleFile))).to.equal(true);
    const runner = pathToFileURL(join(root, 'dist', 'src', 'cli', 'run-bundle.js')).href;
    const code = `process.argv = [process.argv[0], 'winami', 'lint', '--help']; const { runBundle } = await import(${JSON.stringify(runner)}); process.stderr.write('CACHE ' + runBundle(${JSON.stringify(bundleFile)}).cacheAccepted + '\\n');`;
    const r = await node(['--input-type=module', '-e', code]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.include('CACHE true');
    expect(r.stdout).to.include('winami lint');
  });

  it('prints the same help and usage errors as the unbundled CLI', async () => {
    for (const args of [['--help'], ['prepare', '--help'], ['bake', '--help'], ['lint', '--help'], ['audit', '--help'], ['nosuchcommand']]) {
      const [a, b] = await Promise.all([node([bundled, ...args]), node([unbundled, ...args])]);
      expect(a.code, args.join(' ')).to.equal(b.code);
      expect(a.stdout, args.join(' ')).to.equal(b.stdout);
      expect(a.stderr, args.join(' ')).to.equal(b.stderr);
    }
  });

  it('renders the SQL Server example as answer-files/ holds it (templates/sql found from the bundle)', async () => {
    const out = join(dir, 'sql');
    const r = await node([bundled, 'prepare', 'examples/windows-2022-sql-2022-standard.yaml', '--out', out, '--quiet']);
    expect(r.code, r.stderr).to.equal(0);
    const written = readFileTree(out);
    // The marker is prepare's, not part of the bundle.
    expect(written.get(BUNDLE_MARKER)?.toString('utf8')).to.equal(`${BUNDLE_FORMAT}\n`);
    written.delete(BUNDLE_MARKER);
    const reviewed = readFileTree(join(root, 'answer-files', 'windows-2022-sql-2022-standard'));
    expect([...written.keys()].sort()).to.deep.equal([...reviewed.keys()].sort());
    for (const [path, content] of written) expect(content.equals(reviewed.get(path)!), path).to.equal(true);
  });

  it('does not load the AWS SDK for prepare or --version, and does for a command that calls AWS', async () => {
    const prep = await node([...sdkProbeArgs(), bundled, 'prepare', 'examples/windows-2022-base.yaml', '--out', join(dir, 'probe'), '--quiet']);
    expect(prep.code, prep.stderr).to.equal(0);
    expect(prep.stderr).to.not.include(SDK_LOADED_MARKER);
    const version = await node([...sdkProbeArgs(), bundled, '--version']);
    expect(version.stderr).to.not.include(SDK_LOADED_MARKER);
    // The control: verify resolves the SDK (it then fails without credentials or endpoint; only the probe matters).
    const verify = await node([...sdkProbeArgs(), bundled, 'verify', 'ami-0123456789abcdef0', '--expect', 'windows', '--region', 'us-east-1']);
    expect(verify.stderr).to.include(SDK_LOADED_MARKER);
  });
});
