/**
 * Cross-field rules and derived values: parsed config → `ResolvedConfig`.
 * Every problem is collected and reported together.
 */
import { dirname, resolve as resolvePath } from 'node:path';
import type { Issue } from '../errors.js';
import { RELEASE_INFO, type LaunchAgent } from '../knowledge/releases.js';
import { findComponent } from '../knowledge/unattend/index.js';
import { localeProblem, timeZoneProblem, type LocaleField } from '../knowledge/windows/index.js';
import { ec2launchV2MisplacedTask, EC2LAUNCH_V2_STAGES, type Ec2LaunchV2TaskStage } from '../knowledge/agents/index.js';
import { EXPECTATIONS, SQL_EDITION_BILLING, platformDetailsFor, usageOperationFor, type ExpectationName, type SqlEdition } from '../knowledge/billing.js';
import type { ParsedConfig } from './schema.js';
import { parseSecret, type SecretRef } from './secrets.js';
import { parseDurationMs } from './duration.js';
import { unknownRegionProblem } from './region.js';
import type { Deadlines, ResolvedConfig, ResolvedExpectation, ResolvedSource, SecretSlot } from './types.js';

export interface ResolveOptions {
  /** Path of the config file (for relative paths and messages). */
  configPath?: string;
  /** Accept literal secrets in the config. */
  allowPlaintextSecrets?: boolean;
  /**
   * Folders `script:` and `file:` sources may come from besides the config's
   * own folder tree (`--allow-source-root`). Nothing outside these is read.
   */
  allowSourceRoots?: readonly string[];
}

/** Characters Windows refuses in a computer name (domain-facts §4.2, Shell-Setup ComputerName). */
const COMPUTER_NAME_FORBIDDEN = /[\s{|}~[\\\]^':;<=>?@!"#$%`()+/.,*&]/;

/** AWS's Amazon-owned AMI name for a release/edition/SQL combination (the public-parameter leaf). */
export function awsImageName(c: Pick<ParsedConfig, 'windows' | 'sql'>, agent: LaunchAgent): string {
  const info = RELEASE_INFO[c.windows.release];
  const edition = c.windows.edition === 'core' ? 'Core' : 'Full';
  // AWS names SQL Server 2016 images by their service pack: ...-SQL_2016_SP3_Standard (AWS Windows AMI reference, monthly AMI updates).
  const sqlVersion = c.sql?.version === '2016' ? '2016_SP3' : c.sql?.version;
  const sqlPart = c.sql?.mode === 'license-included' ? `SQL_${sqlVersion}_${c.sql.edition.charAt(0).toUpperCase()}${c.sql.edition.slice(1)}` : 'Base';
  const prefix = agent === 'ec2launch-v2' && info.defaultAgent !== 'ec2launch-v2' ? 'EC2LaunchV2-' : '';
  // 2012 R2 names carry the architecture instead of the edition: ...-64Bit-Base, ...-64Bit-Core, ...-64Bit-SQL_2016_SP3_Web.
  if (c.windows.release === '2012r2') {
    return `${prefix}Windows_Server-${info.amiNameYear}-${c.windows.language}-64Bit-${edition === 'Core' ? 'Core' : sqlPart}`;
  }
  return `${prefix}Windows_Server-${info.amiNameYear}-${c.windows.language}-${edition}-${sqlPart}`;
}

/** The SQL edition named in an AWS AMI name (`...-SQL_2022_Standard...`), if any. */
export function sqlEditionInName(name: string): { version: string; edition: SqlEdition } | undefined {
  const m = /SQL_(\d{4})(?:_RTM|_SP\d+)?_(Express|Web|Standard|Enterprise|Developer)/i.exec(name);
  if (!m) return undefined;
  return { version: m[1]!, edition: m[2]!.toLowerCase() as SqlEdition };
}

function resolveAgent(c: ParsedConfig, issues: Issue[]): LaunchAgent {
  const info = RELEASE_INFO[c.windows.release];
  const agent = c.windows.agent ?? info.defaultAgent;
  if (!info.agents.includes(agent)) {
    issues.push({
      path: 'windows.agent',
      message: `${agent} does not run on ${info.displayName}`,
      hint: `use one of: ${info.agents.join(', ')}`,
    });
  }
  return agent;
}

function resolveSource(c: ParsedConfig, agent: LaunchAgent, issues: Issue[]): ResolvedSource {
  const s = c.source ?? {};
  const given = (['ami', 'ssmParameter', 'filter'] as const).filter((k) => s[k] !== undefined);
  if (given.length > 1) {
    issues.push({ path: 'source', message: `give one of ami, ssmParameter or filter, not ${given.join(' and ')}` });
  }
  if (s.ami) return { kind: 'ami', imageId: s.ami };
  if (s.ssmParameter) return { kind: 'ssm-parameter', parameter: s.ssmParameter };
  if (s.filter) return { kind: 'filter', owners: s.filter.owners, name: s.filter.name };
  return { kind: 'ssm-parameter', parameter: `/aws/service/ami-windows-latest/${awsImageName(c, agent)}` };
}

function sourceName(source: ResolvedSource): string | undefined {
  if (source.kind === 'ssm-parameter') return source.parameter.split('/').pop();
  if (source.kind === 'filter') return source.name;
  return undefined;
}

function resolveExpectation(c: ParsedConfig, source: ResolvedSource, issues: Issue[]): ResolvedExpectation | undefined {
  let fromSql: ResolvedExpectation | undefined;
  if (c.sql) {
    const name: ExpectationName = c.sql.mode === 'license-included' ? SQL_EDITION_BILLING[c.sql.edition as SqlEdition] : c.sql.licensing;
    fromSql = { name, ...EXPECTATIONS[name], derivedFrom: `sql:${c.sql.mode}:${c.sql.edition}` };
  }
  const written = c.licensing.expect;
  if (written === undefined) return fromSql;
  let fromConfig: ResolvedExpectation;
  if (typeof written === 'string') {
    const name = written as ExpectationName;
    fromConfig = { name, ...EXPECTATIONS[name], derivedFrom: 'config' };
  } else {
    fromConfig = { ...written, derivedFrom: 'config' };
    const listed = usageOperationFor(written.platformDetails);
    if (listed !== undefined && listed !== written.usageOperation) {
      issues.push({
        path: 'licensing.expect',
        message: `PlatformDetails "${written.platformDetails}" bills as ${listed}, not ${written.usageOperation}`,
        hint: `set usageOperation: ${listed}, or use a named expectation`,
      });
    }
    const other = platformDetailsFor(written.usageOperation);
    if (listed === undefined && other !== undefined && other !== written.platformDetails) {
      issues.push({ path: 'licensing.expect', message: `${written.usageOperation} is "${other}" in AWS's table, not "${written.platformDetails}"` });
    }
  }
  if (fromSql && (fromSql.platformDetails !== fromConfig.platformDetails || fromSql.usageOperation !== fromConfig.usageOperation)) {
    issues.push({
      path: 'licensing.expect',
      message: `expects "${fromConfig.platformDetails}" but the sql section (${c.sql!.mode}, ${c.sql!.edition}) bills as "${fromSql.platformDetails}" (${fromSql.usageOperation})`,
      hint: `remove licensing.expect or set it to ${fromSql.name}`,
    });
  }
  void source;
  return fromConfig;
}

function checkSql(c: ParsedConfig, source: ResolvedSource, issues: Issue[]): void {
  const sql = c.sql;
  if (!sql) return;
  if (sql.mode === 'license-included') {
    if (sql.media)
      issues.push({
        path: 'sql.media',
        message: 'license-included images already contain SQL Server; media is for byol-prepare',
        hint: 'remove sql.media or set sql.mode: byol-prepare',
      });
    if (sql.productKey) issues.push({ path: 'sql.productKey', message: 'license-included SQL Server is licensed by AWS; a product key is for byol-prepare' });
    const name = sourceName(source);
    const found = name ? sqlEditionInName(name) : undefined;
    if (name && !found) {
      issues.push({
        path: 'source',
        message: `sql.mode is license-included but the source "${name}" is not a "Windows with SQL Server" image`,
        hint: 'omit source to use the AWS image for windows.release and sql.version/edition',
      });
    } else if (found && (found.edition !== sql.edition || found.version !== sql.version)) {
      issues.push({
        path: 'sql.edition',
        message: `declares SQL Server ${sql.version} ${sql.edition} but the source "${name}" is SQL Server ${found.version} ${found.edition}`,
        hint: 'make sql.version and sql.edition match the source image, or change the source',
      });
    }
  } else {
    if (!sql.media)
      issues.push({ path: 'sql.media', message: 'byol-prepare needs the installation media', hint: 'set sql.media to an s3:// URI or a path on the instance' });
    else if (!/^s3:\/\/[^/]+\/.+/.test(sql.media) && !/^[A-Za-z]:\\/.test(sql.media))
      issues.push({ path: 'sql.media', message: `"${sql.media}" is neither an s3:// URI nor an absolute Windows path` });
    const needsKey = !['express', 'developer'].includes(sql.edition);
    if (needsKey && !sql.productKey)
      issues.push({
        path: 'sql.productKey',
        message: `SQL Server ${sql.edition} needs a product key at CompleteImage`,
        hint: 'set sql.productKey: ssm:/path/to/SecureString',
      });
    if (!needsKey && sql.productKey) issues.push({ path: 'sql.productKey', message: `SQL Server ${sql.edition} takes no product key` });
    if (sql.productKey && parseSecret(sql.productKey).kind === 'env')
      issues.push({
        path: 'sql.productKey',
        message: "must be an ssm: reference: CompleteImage reads it at each instance's first boot, long after the bake",
        hint: 'store the key as a SecureString and write ssm:/path/to/key',
      });
    const name = sourceName(source);
    if (name && sqlEditionInName(name))
      issues.push({
        path: 'source',
        message: `byol-prepare installs SQL Server itself, but the source "${name}" already has license-included SQL Server (billed by AWS)`,
      });
  }
}

function collectSecrets(c: ParsedConfig, allowPlaintext: boolean, issues: Issue[]): SecretSlot[] {
  const slots: SecretSlot[] = [];
  const add = (slot: string, path: string, text: string | undefined) => {
    if (text === undefined) return;
    const ref: SecretRef = parseSecret(text);
    if (ref.kind === 'plaintext' && !allowPlaintext) {
      issues.push({
        path,
        message: 'is a literal secret; winami takes secrets only as references',
        hint: 'use ssm:/path/to/SecureString or env:NAME (or pass --allow-plaintext-secrets for a throwaway test)',
      });
    }
    slots.push({ slot, ref, path });
  };
  const pw = c.windowsSettings.administrator.password;
  if (typeof pw === 'object') add('administratorPassword', 'windowsSettings.administrator.password.static', pw.static);
  add('domainJoinPassword', 'windowsSettings.domainJoin.password', c.windowsSettings.domainJoin?.password);
  add('windowsProductKey', 'windowsSettings.productKey', c.windowsSettings.productKey);
  add('sqlProductKey', 'sql.productKey', c.sql?.productKey);
  return slots;
}

function checkWindowsSettings(c: ParsedConfig, agent: LaunchAgent, issues: Issue[]): void {
  const name = c.windowsSettings.computerName;
  if (name !== '*') {
    if (Buffer.byteLength(name) > 15)
      issues.push({
        path: 'windowsSettings.computerName',
        message: `"${name}" is longer than 15 bytes`,
        hint: 'use at most 15 characters, or * for a random name',
      });
    if (COMPUTER_NAME_FORBIDDEN.test(name))
      issues.push({
        path: 'windowsSettings.computerName',
        message: `"${name}" has characters Windows refuses in a computer name`,
        hint: 'use letters, digits and hyphens',
      });
    if (/^\d+$/.test(name)) issues.push({ path: 'windowsSettings.computerName', message: 'a computer name cannot be all digits' });
    if (name === '') issues.push({ path: 'windowsSettings.computerName', message: 'is empty', hint: 'use * for a random name' });
  }
  if (c.windowsSettings.domainJoin && c.windowsSettings.copyProfile) {
    issues.push({
      path: 'windowsSettings.copyProfile',
      message: 'CopyProfile must not be combined with a domain join',
      hint: 'CopyProfile copies the built-in Administrator profile; turn one of them off',
    });
  }
  const pw = c.windowsSettings.administrator.password;
  if (pw === 'doNothing' && agent !== 'ec2config') {
    // EC2Launch v1/v2 with doNothing and no unattend password disable the Administrator account (domain-facts §1.5, §2).
    issues.push({
      path: 'windowsSettings.administrator.password',
      message: 'doNothing with no password in the answer file leaves the Administrator account disabled on new instances',
      hint: 'use random (retrievable with GetPasswordData) or { static: ssm:/... }',
    });
  }
  c.windowsSettings.extraXml.forEach((x, i) => {
    if (x.pass === 'windowsPE' || x.pass === 'offlineServicing')
      issues.push({
        path: `windowsSettings.extraXml.${i}.pass`,
        message: `${x.pass} never runs when an AMI is sealed with Sysprep`,
        hint: 'use generalize, specialize or oobeSystem',
      });
    // Setup skips a component it does not know without a word; only names the knowledge base has reach the file.
    if (!findComponent(x.component))
      issues.push({
        path: `windowsSettings.extraXml.${i}.component`,
        message: `"${x.component}" is not a component winami knows`,
        hint: 'use a component name from the Unattended Windows Setup Reference, spelled exactly (docs/lint.md lists them)',
      });
  });
  checkWindowsValues(c, issues);
}

const LOCALE_FIELDS: readonly [keyof NonNullable<ParsedConfig['windowsSettings']['locale']>, LocaleField][] = [
  ['system', 'SystemLocale'],
  ['user', 'UserLocale'],
  ['ui', 'UILanguage'],
  ['input', 'InputLocale'],
];

/** The same time-zone and locale checks the linter applies to TimeZone and International-Core (src/knowledge/windows). */
function checkWindowsValues(c: ParsedConfig, issues: Issue[]): void {
  const tz = timeZoneProblem(c.windowsSettings.timeZone);
  if (tz)
    issues.push({
      path: 'windowsSettings.timeZone',
      message: tz.message,
      hint: tz.suggestion ? `did you mean "${tz.suggestion}"?` : 'use a Windows time-zone id such as UTC or "Pacific Standard Time" (tzutil /l lists them)',
    });
  const locale = c.windowsSettings.locale;
  if (!locale) return;
  for (const [key, field] of LOCALE_FIELDS) {
    const p = localeProblem(locale[key], field);
    if (p?.level === 'error')
      issues.push({
        path: `windowsSettings.locale.${key}`,
        message: p.message,
        hint: p.suggestion ? `did you mean "${p.suggestion}"?` : 'use a Windows locale name such as en-US or de-DE',
      });
  }
}

function checkImage(c: ParsedConfig, issues: Issue[]): void {
  const img = c.image;
  if (img.kmsKeyId && !img.encrypted) issues.push({ path: 'image.kmsKeyId', message: 'a KMS key needs encrypted: true', hint: 'set image.encrypted: true' });
  const seen = new Set<string>();
  img.regions.forEach((r, i) => {
    const unknown = unknownRegionProblem(r.region);
    if (unknown) issues.push({ path: `image.regions.${i}.region`, ...unknown });
    if (r.region === c.region) issues.push({ path: `image.regions.${i}.region`, message: `${r.region} is the build region; the image is already there` });
    if (seen.has(r.region)) issues.push({ path: `image.regions.${i}.region`, message: `${r.region} is listed twice` });
    seen.add(r.region);
  });
  const probe = img.name.replace(/\{\{\s*(name|release|edition|date|timestamp|buildId)\s*\}\}/g, 'x');
  const unknown = /\{\{\s*([^}]*)\}\}/.exec(probe);
  if (unknown)
    issues.push({
      path: 'image.name',
      message: `unknown placeholder {{${unknown[1]}}}`,
      hint: 'use {{name}}, {{release}}, {{edition}}, {{date}}, {{timestamp}} or {{buildId}}',
    });
  else if (!/^[A-Za-z0-9()[\] ./\-'@_]+$/.test(probe))
    issues.push({ path: 'image.name', message: "AMI names allow only letters, digits, spaces and ( ) [ ] . / - ' @ _" });
}

function checkAgentSettings(c: ParsedConfig, agent: LaunchAgent, issues: Issue[]): void {
  if (c.launch?.tasks.length && agent !== 'ec2launch-v2') {
    issues.push({ path: 'launch.tasks', message: `user-data tasks are EC2Launch v2's; this image uses ${agent}`, hint: 'use launch.powershell instead' });
  }
  if (agent !== 'ec2launch-v2') return;
  // EC2Launch v2 fails a task listed in a stage it may not run in (domain-facts §1.5).
  const check = (task: string, stage: Ec2LaunchV2TaskStage, path: string) => {
    const allowed = ec2launchV2MisplacedTask(task, stage);
    if (!allowed) return;
    const where = allowed.map((s) => (s === 'userData' ? 'launch.tasks (user data)' : `agent.ec2launchV2.tasks.${s}`));
    issues.push({
      path: `${path}.task`,
      message: `EC2Launch v2 cannot run ${task} ${stage === 'userData' ? 'from user data' : `in the ${stage} stage`}; it may run in: ${allowed.join(', ')}`,
      hint: `move it under ${where.join(' or ')}`,
    });
  };
  for (const stage of EC2LAUNCH_V2_STAGES) c.agent.ec2launchV2.tasks[stage].forEach((t, i) => check(t.task, stage, `agent.ec2launchV2.tasks.${stage}.${i}`));
  c.launch?.tasks.forEach((t, i) => check(t.task, 'userData', `launch.tasks.${i}`));
}

function deadlines(c: ParsedConfig): Deadlines {
  return Object.fromEntries(Object.entries(c.deadlines).map(([k, v]) => [k, parseDurationMs(v)])) as Deadlines;
}

/**
 * Apply cross-field rules and derive values. Returns the resolved config and
 * every issue found (the caller turns issues into a `ConfigError`).
 */
export function resolveConfig(parsed: ParsedConfig, options: ResolveOptions = {}): { config: ResolvedConfig; issues: Issue[] } {
  const issues: Issue[] = [];
  const configPath = options.configPath ? resolvePath(options.configPath) : '<memory>';
  const agent = resolveAgent(parsed, issues);
  const source = resolveSource(parsed, agent, issues);
  const expectation = resolveExpectation(parsed, source, issues);
  checkSql(parsed, source, issues);
  checkWindowsSettings(parsed, agent, issues);
  const unknownRegion = unknownRegionProblem(parsed.region);
  if (unknownRegion) issues.push({ path: 'region', ...unknownRegion });
  checkImage(parsed, issues);
  checkAgentSettings(parsed, agent, issues);
  const secrets = collectSecrets(parsed, options.allowPlaintextSecrets ?? false, issues);
  const baseDir = options.configPath ? dirname(resolvePath(options.configPath)) : process.cwd();
  const allowSourceRoots = (options.allowSourceRoots ?? []).map((r) => resolvePath(r));
  const config: ResolvedConfig = {
    ...parsed,
    configPath,
    baseDir,
    ...(allowSourceRoots.length ? { allowSourceRoots } : {}),
    launchAgent: agent,
    source,
    expectation,
    secrets,
    deadlines: deadlines(parsed),
  };
  return { config, issues };
}
