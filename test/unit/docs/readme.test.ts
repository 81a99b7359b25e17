import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load.js';
import { packageRoot } from '../../../src/util/package-root.js';

describe('README', () => {
  const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');

  it('shows a config reference that the schema accepts', () => {
    const block = /## The config[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, 'README has a yaml block under "The config"').to.be.a('string');
    const dir = mkdtempSync(join(tmpdir(), 'winami-readme-'));
    mkdirSync(join(dir, 'scripts'));
    mkdirSync(join(dir, 'files'));
    writeFileSync(join(dir, 'scripts', 'harden.ps1'), "Write-Output 'x'\n");
    writeFileSync(join(dir, 'files', 'app.config'), '<configuration />\n');
    const config = parseConfig(block!, { configPath: join(dir, 'image.yaml') });
    expect(config.customize).to.have.length(7);
    expect(config.secrets.map((s) => s.slot)).to.deep.equal(['domainJoinPassword']);
  });

  it('names the quick-start commands', () => {
    expect(readme).to.include('npx winami init');
    expect(readme).to.include('npx winami prepare winami.yaml --out out/');
    expect(readme).to.include('npx winami bake winami.yaml --dry-run');
    expect(readme).to.include('npm ci');
    expect(readme).to.include('npm test');
  });
});
