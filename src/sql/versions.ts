/**
 * Where SQL Server Setup lives on an instance, per major version. After
 * PrepareImage the prepared instance is completed with the `setup.exe` that
 * Setup copied into its own bootstrap folder, so first boot needs no media;
 * Setup writes `Summary.txt` into the bootstrap `Log` folder.
 * Sources: [SQLDOCS] `view-and-read-sql-server-setup-log-files.md` (the
 * `%programfiles%\Microsoft SQL Server\<nnn>\Setup Bootstrap\Log` folder and
 * its `Summary.txt`), and the "Image completion of a prepared stand-alone
 * instance" entry that Setup installs (domain-facts §11.1).
 */

/** SQL Server versions the config accepts. */
export type SqlVersion = '2016' | '2017' | '2019' | '2022';

/** Per version: the folder number under `Microsoft SQL Server` and the bootstrap folder name. */
export const SQL_SETUP_FOLDERS = {
  '2016': { number: '130', bootstrap: 'SQL2016' },
  '2017': { number: '140', bootstrap: 'SQL2017' },
  '2019': { number: '150', bootstrap: 'SQL2019' },
  '2022': { number: '160', bootstrap: 'SQL2022' },
} as const satisfies Record<SqlVersion, { number: string; bootstrap: string }>;

const ROOT = 'C:\\Program Files\\Microsoft SQL Server';

/** The Setup Bootstrap folder of a version, e.g. `C:\Program Files\Microsoft SQL Server\160\Setup Bootstrap`. */
export function setupBootstrapDir(version: SqlVersion): string {
  return `${ROOT}\\${SQL_SETUP_FOLDERS[version].number}\\Setup Bootstrap`;
}

/** The installed `setup.exe` that completes a prepared instance at first boot. */
export function installedSetupPath(version: SqlVersion): string {
  return `${setupBootstrapDir(version)}\\${SQL_SETUP_FOLDERS[version].bootstrap}\\setup.exe`;
}

/** The folder holding `Summary.txt` and one sub-folder per Setup run. */
export function setupLogDir(version: SqlVersion): string {
  return `${setupBootstrapDir(version)}\\Log`;
}

/** Windows service names of an instance: the engine and SQL Server Agent. */
export function sqlServiceNames(instanceName: string): { engine: string; agent: string; isDefault: boolean } {
  const isDefault = instanceName.toUpperCase() === 'MSSQLSERVER';
  return isDefault
    ? { engine: 'MSSQLSERVER', agent: 'SQLSERVERAGENT', isDefault }
    : { engine: `MSSQL$${instanceName}`, agent: `SQLAgent$${instanceName}`, isDefault };
}

/** The virtual accounts Setup uses by default for an instance's services. */
export function sqlVirtualAccounts(instanceName: string): { engine: string; agent: string } {
  const names = sqlServiceNames(instanceName);
  return { engine: `NT Service\\${names.engine}`, agent: `NT Service\\${names.agent}` };
}
