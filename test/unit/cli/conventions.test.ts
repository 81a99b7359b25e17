import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { suggestCommand, suggestFlag, usageHints } from '../../../src/cli/suggest.js';
import { packerManifestPath } from '../../../src/cli/commands/bake.js';
import { failOnWord } from '../../../src/cli/commands/lint.js';
import { toAwsError } from '../../../src/aws/errors.js';

const CLI = join(process.cwd(), 'dist/src/cli/main.js');
const winami = (args: string[], env: NodeJS.ProcessEnv = process.env) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env });
const COMMANDS = ['init', 'prepare', 'lint', 'verify', 'bake', 'cleanup', 'schema'];

describe('CLI conventions', () => {
  it('suggests the command meant by a mistyped or foreign name', () => {
    expect(suggestCommand('validate', COMMANDS)).to.equal('prepare');
    expect(suggestCommand('build', COMMANDS)).to.equal('bake');
    expect(suggestCommand('lnit', COMMANDS)).to.be.oneOf(['lint', 'init']);
    expect(suggestCommand('zzzzzzzz', COMMANDS)).to.equal(undefined);
  });

  it('suggests the flag meant by a mistyped one', () => {
    expect(suggestFlag('dryrun', ['dry-run', 'region'])).to.equal('dry-run');
    expect(suggestFlag('regoin', ['dry-run', 'region'])).to.equal('region');
    expect(usageHints('Unknown argument: dryrun', ['bake', 'x.yaml', '--dryrun'], COMMANDS, ['dry-run'])).to.deep.equal(['--dryrun: did you mean --dry-run?']);
  });

  it('says so on the command line: `winami validate` and `bake --dryrun` exit 2 with a suggestion', () => {
    const v = winami(['validate', 'x.yaml']);
    expect(v.status).to.equal(2);
    expect(v.stderr).to.contain('did you mean `winami prepare`?');
    const d = winami(['bake', 'x.yaml', '--dryrun']);
    expect(d.status).to.equal(2);
    expect(d.stderr).to.contain('--dryrun: did you mean --dry-run?');
  });

  it('prints a shell completion script', () => {
    const c = winami(['completion']);
    expect(c.status).to.equal(0);
    expect(c.stdout).to.contain('winami');
    expect(c.stdout).to.match(/complete -o bashdefault|compdef|complete -F/);
  });

  it('--help points to the docs, online and inside the installed package', () => {
    const h = winami(['--help']);
    expect(h.stdout.replace(/\s+/g, ' ')).to.contain('Docs: https://github.com/winami/winami#readme');
    expect(h.stdout).to.not.contain('Docs: README.md');
  });

  it('names the Packer manifest as the docs say: m16.json → m16.packer.json', () => {
    expect(packerManifestPath('m16.json')).to.equal('m16.packer.json');
    expect(packerManifestPath('out/m16')).to.equal('out/m16.packer.json');
  });

  it('lint --fail-on takes the audit words; info still works as note', () => {
    expect(failOnWord('note')).to.equal('note');
    expect(failOnWord('info')).to.equal('note');
    const r = winami(['lint', 'answer-files/windows-2022-base/unattend.xml', '--fail-on', 'info']);
    expect(r.stderr).to.contain('--fail-on info is now --fail-on note');
    expect(r.status).to.be.oneOf([0, 9]);
  });

  it('names the ways to give credentials when there are none or they expired', () => {
    for (const code of ['CredentialsProviderError', 'ExpiredToken', 'ExpiredTokenException']) {
      const err = Object.assign(new Error('Could not load credentials from any providers'), { name: code });
      const e = toAwsError('sts', 'getCallerIdentity', err);
      for (const way of ['--profile', 'AWS_ACCESS_KEY_ID', 'aws sso login', 'role_arn']) expect(e.hint, `${code}: ${way}`).to.contain(way);
    }
  });

  it('with no credentials anywhere, a command that calls AWS says how to give them, and prints no SDK warning', function () {
    this.timeout(30_000);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: '/nonexistent-winami-home',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    };
    const r = winami(['verify', 'ami-0123456789abcdef0', '--expect', 'windows'], env);
    expect(r.status).to.not.equal(0);
    expect(r.stdout + r.stderr).to.contain('aws sso login');
    expect(r.stderr).to.not.contain('NodeVersionSupportWarning');
  });
});
