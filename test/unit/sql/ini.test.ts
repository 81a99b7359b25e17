import { expect } from 'chai';
import { RenderValueError } from '../../../src/render/helpers.js';
import { iniValue, iniValues, parseSetupIni } from '../../../src/render/sql-ini.js';
import { sqlBundlePart } from '../../../src/render/sql-bundle.js';
import { byolConfig } from './fixtures.js';

describe('sql configuration files', () => {
  it('quotes values, keeping what the format can carry', () => {
    for (const v of ["O'Brien", ']', ';DROP', 'a=b', '[OPTIONS]', 'C:\\x y', 'Ünïcode']) {
      expect(iniValue(v)).to.equal(`"${v}"`);
      const back = parseSetupIni(`[OPTIONS]\r\nX=${iniValue(v)}\r\n`).get('X');
      expect(back).to.deep.equal([v]);
    }
    expect(iniValues(['a', "b'c"], 'f')).to.equal(`"a" "b'c"`);
  });

  it('refuses quotes, line breaks, control characters and a trailing backslash, naming the field', () => {
    for (const bad of ['a"b', 'a\nFEATURES="AS"', 'a\rb', 'nul\0', 'bell\x07', 'C:\\dir\\']) {
      expect(() => iniValue(bad, 'sql.collation'), JSON.stringify(bad)).to.throw(RenderValueError, /^sql\.collation: /);
    }
  });

  it('a hostile sysadmin account stops the render instead of adding an option', () => {
    expect(() => sqlBundlePart(byolConfig({ sysadminAccounts: JSON.stringify(['CORP\\a"\r\nPID="X']) }))).to.throw(
      RenderValueError,
      /sql\.sysadminAccounts\[0\]/,
    );
  });

  it('the parser rejects a line that is not NAME="value"', () => {
    expect(() => parseSetupIni('[OPTIONS]\r\nX="a" junk\r\n')).to.throw(/line 2/);
    expect(() => parseSetupIni('X="a"\r\n')).to.throw(/line 1/);
  });
});
