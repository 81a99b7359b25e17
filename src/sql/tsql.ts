/**
 * The T-SQL the first-boot and pre-seal scripts run. Fixed queries live here
 * as constants and reach the PowerShell templates through `psLiteral`; the
 * rename statements are built on the instance from names SQL Server reports,
 * with the same prefixes and the same literal rule as `tsqlString` below, so
 * tests can assert the exact statements for hostile names.
 * Procedure and blockers: [SQLDOCS]
 * `rename-a-computer-that-hosts-a-stand-alone-instance-of-sql-server.md`
 * (domain-facts §11.2).
 */

/**
 * A T-SQL Unicode string literal: `N'…'` with each `'` doubled. T-SQL has no
 * other escape inside a quoted string, so `]`, `;`, `--` and `/*` are inert
 * there. NUL is refused: sqlcmd reads its input as text.
 */
export function tsqlString(value: string): string {
  if (value.includes('\0')) throw new Error('a T-SQL string cannot carry NUL (U+0000)');
  return `N'${value.replace(/'/g, "''")}'`;
}

/** Text that starts the statement dropping the old local server name. */
export const DROP_SERVER_PREFIX = 'EXEC sp_dropserver @server = ';
/** Text that starts the statement adding the new one. */
export const ADD_SERVER_PREFIX = 'EXEC sp_addserver @server = ';
/** Text that ends the add statement. */
export const ADD_SERVER_SUFFIX = ", @local = 'local';";

/**
 * The rename, as `repair-servername.ps1` builds it on the instance: drop the
 * old local name (when there is one; `@@SERVERNAME` is NULL when an earlier
 * drop succeeded and the add did not), then add the new one as `local`.
 */
export function renameServerStatements(oldName: string | undefined, newName: string): string[] {
  const out: string[] = [];
  if (oldName) out.push(`${DROP_SERVER_PREFIX}${tsqlString(oldName)};`);
  out.push(`${ADD_SERVER_PREFIX}${tsqlString(newName)}${ADD_SERVER_SUFFIX}`);
  return out;
}

/**
 * The name `@@SERVERNAME` must show after the rename: the computer name for
 * the default instance, `COMPUTER\INSTANCE` for a named one (only the
 * computer part can change).
 */
export function expectedServerName(machineName: string, instanceName: string): string {
  return instanceName.toUpperCase() === 'MSSQLSERVER' ? machineName : `${machineName}\\${instanceName}`;
}

/**
 * One query whose rows are `key=value` lines: the names, and a count for
 * each known blocker of a rename. Run with `sqlcmd -h -1 -W`, so each row is
 * one line with no header.
 * - `remoteLogins`: rows in `sys.remote_logins` (`sp_dropserver` fails with Msg 15190).
 * - `linkedServers`: `sys.servers` rows with `is_linked = 1`.
 * - `replication`: databases published, subscribed or merge-published; `distributor`: a distributor configured.
 * - `mirroring`: databases with a mirroring session (`mirroring_guid` not NULL).
 * - `clustered`: `SERVERPROPERTY('IsClustered')` (a failover cluster instance is renamed differently).
 */
export const SERVERNAME_FACTS_SQL = [
  'SET NOCOUNT ON;',
  "SELECT N'servername=' + ISNULL(@@SERVERNAME, N'')",
  "UNION ALL SELECT N'machineName=' + CAST(SERVERPROPERTY('MachineName') AS nvarchar(128))",
  "UNION ALL SELECT N'serverName=' + CAST(SERVERPROPERTY('ServerName') AS nvarchar(256))",
  "UNION ALL SELECT N'remoteLogins=' + CAST((SELECT COUNT(*) FROM sys.remote_logins) AS nvarchar(10))",
  "UNION ALL SELECT N'linkedServers=' + CAST((SELECT COUNT(*) FROM sys.servers WHERE is_linked = 1) AS nvarchar(10))",
  "UNION ALL SELECT N'replication=' + CAST((SELECT COUNT(*) FROM sys.databases WHERE is_published = 1 OR is_subscribed = 1 OR is_merge_published = 1) AS nvarchar(10))",
  "UNION ALL SELECT N'distributor=' + CAST((SELECT COUNT(*) FROM sys.servers WHERE is_distributor = 1) AS nvarchar(10))",
  "UNION ALL SELECT N'mirroring=' + CAST((SELECT COUNT(*) FROM sys.database_mirroring WHERE mirroring_guid IS NOT NULL) AS nvarchar(10))",
  "UNION ALL SELECT N'clustered=' + CAST(ISNULL(CAST(SERVERPROPERTY('IsClustered') AS int), 0) AS nvarchar(10));",
].join('\r\n');

/** The verification after the restart. */
export const SERVERNAME_SQL = "SET NOCOUNT ON;\r\nSELECT N'servername=' + ISNULL(@@SERVERNAME, N'');";

/**
 * Pre-seal: Windows logins and groups of the builder's own machine
 * (`BUILDER\user`). Their SIDs belong to the builder; after Sysprep they
 * name accounts that no longer exist, so the image must not carry them.
 */
export const BUILDER_LOGINS_SQL = [
  'SET NOCOUNT ON;',
  "DECLARE @machine nvarchar(128) = CAST(SERVERPROPERTY('MachineName') AS nvarchar(128));",
  "SELECT N'builderLogin=' + name FROM sys.server_principals",
  "WHERE type IN ('U', 'G') AND LEFT(name, LEN(@machine) + 1) = @machine + N'\\';",
].join('\r\n');

/** The keys of the blocker counts in `SERVERNAME_FACTS_SQL`, with the reason reported for each. */
export const RENAME_BLOCKERS = [
  { key: 'remoteLogins', reason: 'remote-logins' },
  { key: 'linkedServers', reason: 'linked-servers' },
  { key: 'replication', reason: 'replication' },
  { key: 'distributor', reason: 'replication' },
  { key: 'mirroring', reason: 'mirroring' },
  { key: 'clustered', reason: 'cluster' },
] as const;

/** A token of T-SQL as `tsqlTokens` reads it. */
export interface TsqlToken {
  kind: 'string' | 'identifier' | 'word' | 'symbol' | 'comment';
  text: string;
  /** For `string`: the value; for a bracketed `identifier`: the name. */
  value?: string;
}

/**
 * A structural T-SQL tokenizer: strings (`'…'`, `N'…'` with `''`), bracketed
 * identifiers (`[…]` with `]]`), comments, words and symbols. Throws on an
 * unterminated string, identifier or block comment. Enough to prove that
 * generated statements have the shape intended, not a full parser.
 */
export function tsqlTokens(sql: string): TsqlToken[] {
  const out: TsqlToken[] = [];
  let i = 0;
  const quoted = (open: number, close: string, kind: 'string' | 'identifier'): void => {
    let j = open + 1;
    let value = '';
    for (;;) {
      if (j >= sql.length) throw new Error(`unterminated ${kind} starting at ${open + 1}`);
      const c = sql[j]!;
      if (c === close) {
        if (sql[j + 1] === close) {
          value += close;
          j += 2;
          continue;
        }
        break;
      }
      value += c;
      j++;
    }
    out.push({ kind, text: sql.slice(i, j + 1), value });
    i = j + 1;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if ((c === 'N' || c === 'n') && sql[i + 1] === "'") {
      quoted(i + 1, "'", 'string');
    } else if (c === "'") {
      quoted(i, "'", 'string');
    } else if (c === '[') {
      quoted(i, ']', 'identifier');
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out.push({ kind: 'comment', text: sql.slice(i, stop) });
      i = stop;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw new Error(`unterminated comment starting at ${i + 1}`);
      out.push({ kind: 'comment', text: sql.slice(i, end + 2) });
      i = end + 2;
    } else if (/[\w@#$]/.test(c)) {
      let j = i;
      while (j < sql.length && /[\w@#$]/.test(sql[j]!)) j++;
      out.push({ kind: 'word', text: sql.slice(i, j) });
      i = j;
    } else {
      out.push({ kind: 'symbol', text: c });
      i++;
    }
  }
  return out;
}

/** Statements split at `;` outside strings, identifiers and comments, trimmed. */
export function tsqlStatements(sql: string): TsqlToken[][] {
  const statements: TsqlToken[][] = [[]];
  for (const t of tsqlTokens(sql)) {
    if (t.kind === 'comment') continue;
    if (t.kind === 'symbol' && t.text === ';') statements.push([]);
    else statements[statements.length - 1]!.push(t);
  }
  return statements.filter((s) => s.length > 0);
}
