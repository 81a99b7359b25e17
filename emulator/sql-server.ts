/**
 * SQL Server as the guest models it: just enough for winami's SQL scripts to
 * run against the emulator. State lives on the guest disk, so it survives
 * into snapshots, images and instances launched from them:
 * `C:\Program Files\Microsoft SQL Server\.emulator\instances.json` stands in
 * for the registry's instance list.
 * - `setup.exe /ACTION=PrepareImage /ConfigurationFile=<ini>` (domain-facts
 *   §11.1): the media's setup.exe must exist on the disk and hold the text
 *   `SQL Server <version>`; the INI needs `INSTANCEID` and
 *   `IACCEPTSQLSERVERLICENSETERMS="True"`. It records a prepared instance (no
 *   service), copies setup.exe into the version's Setup Bootstrap folder and
 *   writes `Summary.txt`. Preparing an instance id twice fails (a prepared
 *   instance cannot be repaired). Other actions exit 1 ("not modelled").
 * - Completed instances (the seeded license-included images carry one,
 *   named at AWS's build machine) show as Running services in `Get-Service`
 *   and answer sqlcmd: the `@@SERVERNAME` facts query with every rename
 *   blocker at 0, and no logins of the builder machine.
 */
import type { GuestFs } from './guest-fs.js';

const ROOT = 'C:\\Program Files\\Microsoft SQL Server';
const STATE = `${ROOT}\\.emulator\\instances.json`;
/** Where the modelled sqlcmd.exe lives (the ODBC client tools folder). */
export const SQLCMD_PATH = `${ROOT}\\Client SDK\\ODBC\\170\\Tools\\Binn\\SQLCMD.EXE`;
const FOLDERS: Record<string, { number: string; bootstrap: string }> = {
  '2016': { number: '130', bootstrap: 'SQL2016' },
  '2017': { number: '140', bootstrap: 'SQL2017' },
  '2019': { number: '150', bootstrap: 'SQL2019' },
  '2022': { number: '160', bootstrap: 'SQL2022' },
};

/** One SQL Server instance on the disk. */
export interface SqlInstance {
  id: string;
  version: string;
  state: 'prepared' | 'complete';
  edition?: string;
  /** `@@SERVERNAME` (complete instances). */
  servername?: string;
}

/** What a modelled program did. */
export interface SqlRun {
  exitCode: number;
  stdout: string[];
}

/** The instances recorded on a disk. */
export function sqlInstances(fs: GuestFs): SqlInstance[] {
  const raw = fs.read(STATE);
  return raw ? (JSON.parse(raw.toString('utf8')) as SqlInstance[]) : [];
}

function save(fs: GuestFs, list: SqlInstance[]): void {
  fs.write(STATE, Buffer.from(JSON.stringify(list)));
}

/** A license-included SQL Server as AWS ships it: one complete default instance and sqlcmd. */
export function installLicenseIncludedSql(fs: GuestFs, version: string, edition: string, buildMachine: string): void {
  save(fs, [{ id: 'MSSQLSERVER', version, state: 'complete', edition, servername: buildMachine }]);
  fs.write(SQLCMD_PATH, Buffer.from('sqlcmd'));
}

/** The seeded AMI name's SQL part (`SQL_2022_Standard`, `SQL_2016_SP3_Web`), if any. */
export function sqlInImageName(name: string): { version: string; edition: string } | undefined {
  const m = /SQL_(\d{4})(?:_SP\d)?_(Express|Web|Standard|Enterprise)/.exec(name);
  return m ? { version: m[1]!, edition: m[2]! } : undefined;
}

/** Services of the complete instances: the engine and, but for Express, the Agent. */
export function sqlServices(fs: GuestFs): { Name: string; Status: string; StartType: string }[] {
  return sqlInstances(fs)
    .filter((i) => i.state === 'complete')
    .flatMap((i) => {
      const isDefault = i.id.toUpperCase() === 'MSSQLSERVER';
      const engine = isDefault ? 'MSSQLSERVER' : `MSSQL$${i.id}`;
      const agent = isDefault ? 'SQLSERVERAGENT' : `SQLAgent$${i.id}`;
      return [
        { Name: engine, Status: 'Running', StartType: 'Automatic' },
        ...(i.edition === 'Express' ? [] : [{ Name: agent, Status: 'Running', StartType: 'Automatic' }]),
      ];
    });
}

function iniOptions(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_]+)\s*=\s*"?(.*?)"?\s*$/.exec(line);
    if (m && !line.trimStart().startsWith(';')) out[m[1]!.toUpperCase()] = m[2]!;
  }
  return out;
}

/** `setup.exe` at `path` with `args`. */
export function runSqlSetup(fs: GuestFs, path: string, args: string[]): SqlRun {
  const media = fs.read(path);
  if (!media) return { exitCode: 1, stdout: [`The system cannot find the file specified: ${path}`] };
  const version = /SQL Server (\d{4})/.exec(media.toString('utf8'))?.[1];
  const folder = version ? FOLDERS[version] : undefined;
  if (!version || !folder) return { exitCode: 1, stdout: [`${path} is not SQL Server Setup media the emulator knows`] };
  const arg = (name: string) => args.map((a) => new RegExp(`^/${name}=(.*)$`, 'i').exec(a.replace(/"/g, ''))?.[1]).find((v) => v !== undefined);
  const configPath = arg('ConfigurationFile');
  const ini = configPath ? fs.read(configPath) : undefined;
  if (configPath && !ini) return { exitCode: 1, stdout: [`The configuration file ${configPath} does not exist`] };
  const options = ini ? iniOptions(ini.toString('utf8')) : {};
  const action = (arg('ACTION') ?? options.ACTION ?? '').toLowerCase();
  const logDir = `${ROOT}\\${folder.number}\\Setup Bootstrap\\Log`;
  const summary = (code: number, detail: string) => {
    fs.write(
      `${logDir}\\Summary.txt`,
      Buffer.from(
        `Overall summary:\r\n  Final result:                  ${code === 0 ? 'Passed' : 'Failed'}\r\n  Exit code (Decimal):           ${code}\r\n  Requested action:              ${action}\r\n  Instance ID:                   ${options.INSTANCEID ?? ''}\r\n  ${detail}\r\n`,
      ),
    );
    return { exitCode: code, stdout: [] };
  };
  const accepted = args.some((a) => /^\/IACCEPTSQLSERVERLICENSETERMS$/i.test(a)) || /^true$/i.test(options.IACCEPTSQLSERVERLICENSETERMS ?? '');
  if (!accepted) return summary(1, 'Exception: the license terms were not accepted (IACCEPTSQLSERVERLICENSETERMS)');
  if (action !== 'prepareimage') return summary(1, `Exception: the emulator does not model /ACTION=${action}`);
  const id = options.INSTANCEID ?? arg('INSTANCEID');
  if (!id) return summary(1, 'Exception: INSTANCEID is required for PrepareImage');
  const list = sqlInstances(fs);
  if (list.some((i) => i.id.toLowerCase() === id.toLowerCase())) return summary(1, `Exception: the instance id ${id} is already in use`);
  save(fs, [...list, { id, version, state: 'prepared' }]);
  fs.write(`${ROOT}\\${folder.number}\\Setup Bootstrap\\${folder.bootstrap}\\setup.exe`, media);
  return summary(0, `Features: ${options.FEATURES ?? ''}`);
}

/** sqlcmd `-i <file>` against the complete instance. */
export function runSqlcmd(fs: GuestFs, args: string[], computerName: string): SqlRun {
  const instance = sqlInstances(fs).find((i) => i.state === 'complete');
  if (!instance) return { exitCode: 1, stdout: ['Sqlcmd: Error: Microsoft ODBC Driver 17 for SQL Server : Login timeout expired.'] };
  const at = args.findIndex((a) => a.toLowerCase() === '-i');
  const input =
    at >= 0
      ? fs
          .read(args[at + 1] ?? '')
          ?.toString('utf8')
          .replace(/^\uFEFF/, '')
      : undefined;
  if (input === undefined) return { exitCode: 1, stdout: ['Sqlcmd: Error: -i needs an existing input file.'] };
  if (input.includes("N'servername='")) {
    return {
      exitCode: 0,
      stdout: [
        `servername=${instance.servername ?? ''}`,
        `machineName=${computerName}`,
        `serverName=${computerName}`,
        ...['remoteLogins', 'linkedServers', 'replication', 'distributor', 'mirroring', 'clustered'].map((k) => `${k}=0`),
      ],
    };
  }
  // The builder-logins query and anything else: no rows.
  return { exitCode: 0, stdout: [] };
}
