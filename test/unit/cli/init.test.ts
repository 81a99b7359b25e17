import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchemaText, initConfig, listExamples } from '../../../src/init.js';
import { loadConfig } from '../../../src/config/load.js';
import { UsageError } from '../../../src/errors.js';
import { packageRoot } from '../../../src/util/package-root.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'winami-init-'));

describe('init', () => {
  it('lists the shipped examples', () => {
    expect(listExamples()).to.include.members(['windows-2022-base', 'windows-2019-ec2launch-v1', 'windows-2016-ec2launch-v2']);
  });

  it('writes the example with the files it uses and the schema beside it, and the result loads', () => {
    const dir = fresh();
    const r = initConfig({ example: 'windows-2019-ec2launch-v1', file: join(dir, 'nested', 'image.yaml') });
    expect(r.files).to.deep.equal(['image.yaml', 'winami.schema.json', 'files/app.config']);
    const text = readFileSync(join(dir, 'nested', 'image.yaml'), 'utf8');
    expect(text).to.match(/^\$schema: \.\/winami\.schema\.json$/m);
    expect(text).to.not.contain('../schema');
    expect(readFileSync(join(dir, 'nested', 'files', 'app.config'))).to.deep.equal(readFileSync(join(packageRoot(), 'examples', 'files', 'app.config')));
    expect(readFileSync(join(dir, 'nested', 'winami.schema.json'), 'utf8')).to.equal(configSchemaText());
    expect(loadConfig(join(dir, 'nested', 'image.yaml')).name).to.equal('windows-2019-v1');
  });

  it('refuses to overwrite a file that differs, writing nothing, unless force', () => {
    const dir = fresh();
    const file = join(dir, 'winami.yaml');
    initConfig({ file });
    writeFileSync(join(dir, 'scripts', 'harden-tls.ps1'), '# mine\n');
    writeFileSync(file, 'name: mine\n');
    let err: unknown;
    try {
      initConfig({ file, example: 'windows-2022-base' });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(UsageError);
    expect((err as UsageError).message)
      .to.contain('winami.yaml')
      .and.contain('harden-tls.ps1');
    expect((err as UsageError).hint).to.contain('--force');
    expect(readFileSync(file, 'utf8')).to.equal('name: mine\n');
    initConfig({ file, force: true });
    expect(readFileSync(file, 'utf8')).to.contain('name: windows-2022-base');
    expect(readFileSync(join(dir, 'scripts', 'harden-tls.ps1'), 'utf8')).to.not.equal('# mine\n');
  });

  it('names the examples, with a did-you-mean, for one that does not exist', () => {
    const dir = fresh();
    expect(() => initConfig({ example: 'windows-2022-bse', file: join(dir, 'x.yaml') })).to.throw(UsageError, 'did you mean windows-2022-base?');
    expect(existsSync(join(dir, 'x.yaml'))).to.equal(false);
  });
});
