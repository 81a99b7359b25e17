import { expect } from 'chai';
import { psLiteralValue } from '../../../src/render/helpers.js';
import { sqlBundlePart } from '../../../src/render/sql-bundle.js';
import {
  BUILDER_LOGINS_SQL,
  expectedServerName,
  renameServerStatements,
  SERVERNAME_FACTS_SQL,
  tsqlStatements,
  tsqlString,
  tsqlTokens,
} from '../../../src/sql/tsql.js';
import { licenseIncludedConfig } from './fixtures.js';

const HOSTILE = ["O'Brien", 'EC2AMAZ-]X', "x';DROP TABLE t;--", "a''b", 'semi;colon', "']; EXEC xp_cmdshell 'dir'; --"];

/** Build the statements the way repair-servername.ps1 does, from the prefixes and the literal rule rendered into it. */
function statementsFromScript(script: string, oldName: string, newName: string): string[] {
  const literal = (name: string): string => {
    const m = new RegExp(`^\\$${name} = ('(?:[^']|'')*')\\r$`, 'm').exec(script);
    if (!m) throw new Error(`no $${name}`);
    return psLiteralValue(m[1]!);
  };
  // ConvertTo-TsqlString as written in the script: "N'" + $Value.Replace("'", "''") + "'"
  expect(script).to.include(`return ("N'" + $Value.Replace("'", "''") + "'")`);
  const convert = (v: string): string => `N'${v.split("'").join("''")}'`;
  const out: string[] = [];
  if (oldName !== '') out.push(literal('dropPrefix') + convert(oldName) + ';');
  out.push(literal('addPrefix') + convert(newName) + literal('addSuffix'));
  return out;
}

describe('sql T-SQL', () => {
  it('writes names as N literals with quotes doubled, and they read back exactly', () => {
    for (const name of HOSTILE) {
      const lit = tsqlString(name);
      const tokens = tsqlTokens(lit);
      expect(tokens, name).to.have.length(1);
      expect(tokens[0]).to.deep.include({ kind: 'string', value: name });
    }
    expect(tsqlString("O'Brien")).to.equal("N'O''Brien'");
    expect(() => tsqlString('a\0b')).to.throw(/NUL/);
  });

  it('renames a default instance with the exact statements', () => {
    expect(renameServerStatements('EC2AMAZ-BUILDER', 'EC2AMAZ-NEW1')).to.deep.equal([
      "EXEC sp_dropserver @server = N'EC2AMAZ-BUILDER';",
      "EXEC sp_addserver @server = N'EC2AMAZ-NEW1', @local = 'local';",
    ]);
    expect(expectedServerName('EC2AMAZ-NEW1', 'MSSQLSERVER')).to.equal('EC2AMAZ-NEW1');
  });

  it('renames a named instance: only the computer part changes', () => {
    const next = expectedServerName('EC2AMAZ-NEW1', 'SQL2022');
    expect(next).to.equal('EC2AMAZ-NEW1\\SQL2022');
    expect(renameServerStatements('EC2AMAZ-BUILDER\\SQL2022', next)).to.deep.equal([
      "EXEC sp_dropserver @server = N'EC2AMAZ-BUILDER\\SQL2022';",
      "EXEC sp_addserver @server = N'EC2AMAZ-NEW1\\SQL2022', @local = 'local';",
    ]);
  });

  it('only adds when @@SERVERNAME is NULL', () => {
    expect(renameServerStatements(undefined, 'NEW')).to.deep.equal(["EXEC sp_addserver @server = N'NEW', @local = 'local';"]);
  });

  for (const instance of ['MSSQLSERVER', 'SQL2022']) {
    it(`hostile computer names stay inside one literal each (${instance})`, () => {
      for (const bad of HOSTILE) {
        const oldName = expectedServerName(bad, instance);
        const newName = expectedServerName(`${bad}-2`, instance);
        const sql = renameServerStatements(oldName, newName).join('\r\n');
        const statements = tsqlStatements(sql);
        expect(statements, bad).to.have.length(2);
        const [drop, add] = statements as [ReturnType<typeof tsqlStatements>[number], ReturnType<typeof tsqlStatements>[number]];
        expect(drop.map((t) => t.text).slice(0, 4)).to.deep.equal(['EXEC', 'sp_dropserver', '@server', '=']);
        expect(drop.filter((t) => t.kind === 'string').map((t) => t.value)).to.deep.equal([oldName]);
        expect(drop).to.have.length(5);
        expect(add.map((t) => (t.kind === 'string' ? `<${t.value}>` : t.text))).to.deep.equal([
          'EXEC',
          'sp_addserver',
          '@server',
          '=',
          `<${newName}>`,
          ',',
          '@local',
          '=',
          '<local>',
        ]);
      }
    });

    it(`the script builds the same statements as the library (${instance})`, () => {
      const p = sqlBundlePart(licenseIncludedConfig('standard', '2022', instance === 'MSSQLSERVER' ? undefined : instance));
      const script = p!.files.find((f) => f.path === 'scripts/sql/repair-servername.ps1')!.content;
      for (const bad of HOSTILE) {
        const oldName = expectedServerName(bad, instance);
        const newName = expectedServerName('EC2AMAZ-NEW1', instance);
        expect(statementsFromScript(script, oldName, newName)).to.deep.equal(renameServerStatements(oldName, newName));
      }
      expect(statementsFromScript(script, '', 'N')).to.deep.equal(renameServerStatements(undefined, 'N'));
    });
  }

  it('the facts query is balanced, one SELECT per fact, reading every blocker', () => {
    const statements = tsqlStatements(SERVERNAME_FACTS_SQL);
    expect(statements).to.have.length(2);
    expect(statements[0]!.map((t) => t.text)).to.deep.equal(['SET', 'NOCOUNT', 'ON']);
    const keys = statements[1]!.filter((t) => t.kind === 'string' && /=$/.test(t.value!)).map((t) => t.value);
    expect(keys).to.deep.equal([
      'servername=',
      'machineName=',
      'serverName=',
      'remoteLogins=',
      'linkedServers=',
      'replication=',
      'distributor=',
      'mirroring=',
      'clustered=',
    ]);
    for (const needle of [
      'sys.remote_logins',
      'is_linked = 1',
      'is_published = 1',
      'is_subscribed = 1',
      'is_merge_published = 1',
      'is_distributor = 1',
      'mirroring_guid IS NOT NULL',
      "SERVERPROPERTY('IsClustered')",
      "SERVERPROPERTY('MachineName')",
    ]) {
      expect(SERVERNAME_FACTS_SQL).to.include(needle);
    }
    expect(tsqlStatements(BUILDER_LOGINS_SQL)).to.have.length(3);
  });

  it('the tokenizer refuses unbalanced text', () => {
    expect(() => tsqlTokens("N'O'Brien'")).to.throw(/unterminated string/);
    expect(() => tsqlTokens('[a]]')).to.throw(/unterminated identifier/);
    expect(() => tsqlTokens('/* x')).to.throw(/unterminated comment/);
  });
});
