/**
 * Precision suite: real-shaped files (Packer autounattend with firewall
 * groups and encoded passwords, a Japanese sysprep file with an IME input
 * profile, an Ansible Jinja template, seal scripts, Packer templates, agent
 * settings) must lint with no error; a repository walk lists what it skipped
 * and why, and its SARIF places every finding at its file and line.
 */
import { expect } from 'chai';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSarif, lintFiles } from '../../../src/lint/index.js';
import { packageRoot } from '../../../src/util/package-root.js';

const dir = join(packageRoot(), 'test/fixtures/lint/precision');

describe('lint precision suite', function () {
  this.timeout(20_000);

  it('finds no error in any real-shaped file, templates linted with --allow-placeholders', async () => {
    const r = await lintFiles([dir], { allowPlaceholders: true });
    expect(r.files.length).to.be.at.least(10);
    expect(r.findings.filter((f) => f.severity === 'error').map((f) => `${f.file}:${f.line} ${f.ruleId} ${f.message}`)).to.deep.equal([]);
  });

  it('names every file it skipped and why, and does not take .gitlab-ci.yml for an agent-config', async () => {
    const r = await lintFiles([dir], { allowPlaceholders: true });
    const skipped = Object.fromEntries(r.skipped.map((s) => [s.file.slice(dir.length + 1), s.reason]));
    expect(Object.keys(skipped).sort()).to.deep.equal(['.gitlab-ci.yml', 'README.md']);
    expect(skipped['.gitlab-ci.yml']).to.include('config:');
    expect(r.files.map((f) => f.slice(dir.length + 1))).to.include.members([
      'ec2launch-v2.pkr.hcl',
      'ec2launch-v1-seal.ps1',
      'ec2launch-v1-packer.json',
      'unattend.xml.j2',
    ]);
  });

  it('gives SARIF findings with file and line for a repository with seeded mistakes', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'winami-repo-'));
    cpSync(dir, repo, { recursive: true });
    const hcl = join(repo, 'ec2launch-v2.pkr.hcl');
    writeFileSync(hcl, readFileSync(hcl, 'utf8').replace('sysprep --shutdown --block', 'sysprep --shutdwn'));
    const ps1 = join(repo, 'ec2launch-v1-seal.ps1');
    writeFileSync(ps1, readFileSync(ps1, 'utf8').replace(/^& .*InitializeInstance.*$/m, ''));
    const r = await lintFiles([repo], { allowPlaceholders: true });
    type Sarif = {
      runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[];
    };
    const results = (JSON.parse(formatSarif(r.findings, '0.0.0')) as Sarif).runs[0]!.results;
    const where = results
      .filter((x) => x.ruleId.startsWith('seal-'))
      .map((x) => `${x.ruleId} ${x.locations[0]!.physicalLocation.artifactLocation.uri.split('/').pop()}:${x.locations[0]!.physicalLocation.region.startLine}`);
    expect(where).to.include.members(['seal-ec2launch-v2-sequence ec2launch-v2.pkr.hcl:26', 'seal-v1-schedule-order ec2launch-v1-seal.ps1:11']);
  });
});
