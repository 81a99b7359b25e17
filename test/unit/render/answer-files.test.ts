import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compareFileTrees,
  describeDiff,
  exampleConfigs,
  readFileTree,
  renderAnswerFiles,
  writeFileTree,
  type FileTree,
} from '../../../src/render/answer-files.js';
import { packageRoot } from '../../../src/util/package-root.js';

const root = packageRoot();
const examplesDir = join(root, 'examples');
const answerFilesDir = join(root, 'answer-files');

describe('answer-files/', function () {
  this.timeout(60_000);
  let rendered: FileTree;

  before(async () => {
    rendered = await renderAnswerFiles(examplesDir);
  });

  it('holds exactly what every example renders, byte for byte', () => {
    const diff = compareFileTrees(rendered, readFileTree(answerFilesDir));
    expect(describeDiff(diff), 'answer-files/ drifted').to.equal('');
  });

  it('has a directory for every top-level example and none for the pipeline configs', () => {
    const names = exampleConfigs(examplesDir).map((f) => f.replace(/\.yaml$/, ''));
    expect(names.length).to.be.greaterThan(0);
    const dirs = new Set([...readFileTree(answerFilesDir).keys()].map((p) => p.split('/')[0]));
    expect([...dirs].sort()).to.deep.equal(names);
    for (const name of names) expect(rendered.has(`${name}/plan.json`), name).to.equal(true);
  });

  it('never holds a secret value, an absolute path of this machine or a clock reading', () => {
    for (const [path, content] of rendered) {
      const text = content.toString('utf8');
      expect(text, path).not.to.include(root);
      expect(text, path).not.to.match(/\b20\d\d-\d\d-\d\dT\d\d:\d\d/);
    }
    const plan = JSON.parse(rendered.get('windows-2016-ec2launch-v2/plan.json')!.toString('utf8')) as { secrets: { reference: string }[] };
    expect(plan.secrets.map((s) => s.reference)).to.deep.equal(['ssm:/winami/examples/admin-password']);
    expect(rendered.get('windows-2016-ec2launch-v2/unattend.xml')!.toString('utf8')).to.include('@@WINAMI_SECRET:administratorPassword@@');
  });

  describe('the comparison', () => {
    function tampered(): FileTree {
      const copy: FileTree = new Map([...rendered].map(([p, c]) => [p, Buffer.from(c)]));
      const unattend = 'windows-2022-base/unattend.xml';
      const changed = Buffer.from(copy.get(unattend)!);
      changed[changed.length - 2] = changed[changed.length - 2]! ^ 0x01;
      copy.set(unattend, changed);
      copy.delete('windows-2019-ec2launch-v1/agent/LaunchConfig.json');
      copy.set('windows-2099-gone/unattend.xml', Buffer.from('<unattend/>'));
      return copy;
    }

    it('names a changed file, a missing one and a stale one, and the command that regenerates them', () => {
      const diff = compareFileTrees(rendered, tampered());
      expect(diff).to.deep.equal({
        drifted: ['windows-2022-base/unattend.xml'],
        missing: ['windows-2019-ec2launch-v1/agent/LaunchConfig.json'],
        stale: ['windows-2099-gone/unattend.xml'],
      });
      const message = describeDiff(diff);
      expect(message).to.include('changed: windows-2022-base/unattend.xml');
      expect(message).to.include('missing: windows-2019-ec2launch-v1/agent/LaunchConfig.json');
      expect(message).to.include('stale (no example produces it): windows-2099-gone/unattend.xml');
      expect(message).to.include('npm run answer-files');
    });

    it('reads back from disk what it wrote, and flags a file left behind', () => {
      const dir = mkdtempSync(join(tmpdir(), 'winami-answer-files-'));
      try {
        writeFileTree(dir, rendered);
        expect(describeDiff(compareFileTrees(rendered, readFileTree(dir)))).to.equal('');
        writeFileSync(join(dir, 'windows-2022-base', 'notes.txt'), 'left behind');
        expect(compareFileTrees(rendered, readFileTree(dir)).stale).to.deep.equal(['windows-2022-base/notes.txt']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
