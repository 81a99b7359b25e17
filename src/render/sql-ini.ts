/**
 * SQL Server Setup configuration files (`ConfigurationFile.ini`): one
 * `[OPTIONS]` section of `NAME="value"` lines, as Setup itself writes them.
 * Setup's INI reader has no escape for a double quote inside a quoted value
 * and a line break would start a new option, so those are refused rather than
 * written; so is a value ending in a backslash, which some readers take as
 * escaping the closing quote.
 * Parameters: [SQLDOCS] `install-sql-server-from-the-command-prompt.md`,
 * `install-sql-server-using-a-configuration-file.md`,
 * `considerations-for-installing-sql-server-using-sysprep.md`.
 */
import { RenderValueError } from './helpers.js';
import { secretToken } from '../config/secrets.js';
import type { SqlConfig } from '../config/schema.js';
import { sqlServiceNames, sqlVirtualAccounts } from '../sql/versions.js';

/** A quoted INI value; throws `RenderValueError` for what Setup's INI cannot carry. */
export function iniValue(value: string, field = 'value'): string {
  const bad = /["\r\n\0\x01-\x08\x0b\x0c\x0e-\x1f\x7f]/.exec(value);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new RenderValueError(field, `contains U+${code} at position ${bad.index + 1}, which a SQL Server Setup configuration file cannot carry`);
  }
  if (value.endsWith('\\')) throw new RenderValueError(field, 'ends with a backslash, which would escape the closing quote in a configuration file');
  return `"${value}"`;
}

/** Several values for one option (e.g. `SQLSYSADMINACCOUNTS`): each quoted, separated by spaces. */
export function iniValues(values: readonly string[], field: string): string {
  return values.map((v, i) => iniValue(v, `${field}[${i}]`)).join(' ');
}

/** One `NAME=value` line per entry, under `[OPTIONS]`, with a comment header. CRLF line ends, as Setup writes. */
function iniFile(header: string[], options: [string, string][]): string {
  const lines = [...header.map((h) => `; ${h}`), '[OPTIONS]', ...options.map(([k, v]) => `${k}=${v}`)];
  return `${lines.join('\r\n')}\r\n`;
}

/** The configuration file for `setup.exe /ACTION=PrepareImage`: binaries and features only. */
export function prepareImageIni(sql: SqlConfig): string {
  return iniFile(
    [`SQL Server ${sql.version} PrepareImage, rendered by winami.`, 'Binaries and features only; CompleteImage configures the instance at first boot.'],
    [
      ['ACTION', iniValue('PrepareImage', 'action')],
      ['FEATURES', iniValue(sql.features.join(','), 'sql.features')],
      ['INSTANCEID', iniValue(sql.instanceName, 'sql.instanceName')],
      ['IACCEPTSQLSERVERLICENSETERMS', iniValue('True')],
      ['UPDATEENABLED', iniValue('False')],
    ],
  );
}

/**
 * The configuration file for `setup.exe /ACTION=CompleteImage`. The product
 * key is only ever the secret token: `complete-image.ps1` replaces it in a
 * private copy on the instance at first boot and deletes the copy.
 */
export function completeImageIni(sql: SqlConfig, productKeySlot: string | undefined): string {
  const accounts = sqlVirtualAccounts(sql.instanceName);
  const hasAgent = sql.edition !== 'express';
  const options: [string, string][] = [
    ['ACTION', iniValue('CompleteImage', 'action')],
    ['INSTANCENAME', iniValue(sql.instanceName, 'sql.instanceName')],
    ['INSTANCEID', iniValue(sql.instanceName, 'sql.instanceName')],
  ];
  if (productKeySlot) options.push(['PID', iniValue(secretToken(productKeySlot), 'sql.productKey')]);
  options.push(['SQLSVCACCOUNT', iniValue(accounts.engine, 'sql.instanceName')]);
  if (hasAgent) options.push(['AGTSVCACCOUNT', iniValue(accounts.agent, 'sql.instanceName')], ['AGTSVCSTARTUPTYPE', iniValue('Automatic')]);
  options.push(['SQLSVCSTARTUPTYPE', iniValue('Automatic')]);
  options.push(['SQLSYSADMINACCOUNTS', iniValues(sql.sysadminAccounts, 'sql.sysadminAccounts')]);
  if (sql.collation) options.push(['SQLCOLLATION', iniValue(sql.collation, 'sql.collation')]);
  options.push(['TCPENABLED', iniValue('1')], ['IACCEPTSQLSERVERLICENSETERMS', iniValue('True')]);
  return iniFile(
    [
      `SQL Server ${sql.version} ${sql.edition} CompleteImage for instance ${sqlServiceNames(sql.instanceName).engine}, rendered by winami.`,
      'PID holds a token, replaced on the instance at first boot from SSM Parameter Store.',
    ],
    options,
  );
}

/** Parse a configuration file back into option → raw value (for checks and tests). Throws on a malformed line. */
export function parseSetupIni(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section = '';
  text.split(/\r\n/).forEach((line, n) => {
    if (line === '' || line.startsWith(';')) return;
    const sec = /^\[([A-Z]+)\]$/.exec(line);
    if (sec) {
      section = sec[1]!;
      return;
    }
    const m = /^([A-Z]+)=((?:"[^"\r\n]*"(?: |$))+)$/.exec(line);
    if (!m || section !== 'OPTIONS') throw new Error(`line ${n + 1} is not NAME="value" under [OPTIONS]: ${JSON.stringify(line)}`);
    const values = [...m[2]!.matchAll(/"([^"]*)"/g)].map((x) => x[1]!);
    out.set(m[1]!, values);
  });
  return out;
}
