/**
 * `prepare --out` replaces only what winami wrote: a folder is taken for an
 * earlier bundle only when it holds winami's marker file with the format id,
 * never the folder that holds the config (or an ancestor of it), and a file
 * or an unwritable path is a usage error, not a crash.
 */
import { expect } from 'chai';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../../../src/util/package-root.js';
import { prepare, BUNDLE_MARKER, BUNDLE_FORMAT } from '../../../src/prepare.js';
import { ExitCode, WinamiError } from '../../../src/errors.js';

const example = join(packageRoot(), 'examples', 'windows-2025-base.yaml');

async function refusal(p: Promise<unknown>): Promise<WinamiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof WinamiError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('prepare --out replaces only what winami wrote', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'winami-out-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const project = () => {
    const p = join(dir, 'project');
    mkdirSync(join(p, '.git'), { recursive: true });
    writeFileSync(join(p, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(p, 'main.tf'), 'resource "x" "y" {}\n');
    writeFileSync(join(p, 'plan.json'), '{"terraform": true}\n');
    cpSync(example, join(p, 'cfg.yaml'));
    return p;
  };

  it('refuses the folder that holds the config, even with force, and leaves it intact', async () => {
    const p = project();
    for (const force of [false, true]) {
      const err = await refusal(prepare({ configPath: join(p, 'cfg.yaml'), outDir: p, force }));
      expect(err.exitCode, err.message).to.equal(ExitCode.USAGE);
      expect(err.message).to.include('holds the config');
      expect(err.hint).to.include('--out');
    }
    expect(readdirSync(p).sort()).to.deep.equal(['.git', 'cfg.yaml', 'main.tf', 'plan.json']);
  });

  it('refuses an ancestor of the config folder, even with force', async () => {
    const p = project();
    const err = await refusal(prepare({ configPath: join(p, 'cfg.yaml'), outDir: dir, force: true }));
    expect(err.exitCode).to.equal(ExitCode.USAGE);
    expect(readdirSync(p)).to.include('main.tf');
  });

  it('does not take a folder with plan.json for a bundle without the marker', async () => {
    const p = project();
    const out = join(dir, 'elsewhere');
    cpSync(p, out, { recursive: true });
    const err = await refusal(prepare({ configPath: join(p, 'cfg.yaml'), outDir: out }));
    expect(err.exitCode).to.equal(ExitCode.USAGE);
    expect(err.message).to.include('not a winami bundle');
    expect(err.hint).to.include('--force');
    expect(readdirSync(out)).to.include('main.tf');
  });

  it('refuses a forged or foreign marker', async () => {
    const out = join(dir, 'out');
    mkdirSync(out);
    writeFileSync(join(out, BUNDLE_MARKER), 'something else\n');
    writeFileSync(join(out, 'keep.txt'), 'x');
    const err = await refusal(prepare({ configPath: example, outDir: out }));
    expect(err.exitCode).to.equal(ExitCode.USAGE);
    expect(readdirSync(out)).to.include('keep.txt');
  });

  it('writes the marker with its format id and replaces its own bundle without force', async () => {
    const out = join(dir, 'out');
    await prepare({ configPath: example, outDir: out });
    expect(readFileSync(join(out, BUNDLE_MARKER), 'utf8')).to.equal(`${BUNDLE_FORMAT}\n`);
    const again = await prepare({ configPath: join(packageRoot(), 'examples', 'windows-2022-base.yaml'), outDir: out });
    expect(again.name).to.equal('windows-2022-base');
    expect(JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8')).name).to.equal('windows-2022-base');
  });

  it('refuses --out at a file, or under one, as usage errors', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    for (const out of [file, join(file, 'sub')]) {
      const err = await refusal(prepare({ configPath: example, outDir: out }));
      expect(err.exitCode, `${out}: ${err.message}`).to.equal(ExitCode.USAGE);
      expect(err.message).to.include(out.endsWith('sub') ? 'cannot write' : 'is a file');
    }
    expect(readFileSync(file, 'utf8')).to.equal('x');
  });
});
