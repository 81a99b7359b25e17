/**
 * The SQL Server part of a bundle: configuration files, the PrepareImage
 * customize step, the first-boot scripts (CompleteImage, then the
 * `@@SERVERNAME` repair) and the pre-seal check. `renderBundle` adds these
 * files to the bundle, runs `customize` after the user's own steps, registers
 * `firstBoot` with the launch agent the way it registers
 * `first-boot-cleanup.ps1`, and the bake runs `presealCheck` before sealing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedConfig } from '../config/types.js';
import { sqlAddsCustomize } from '../plan/plan.js';
import { COMPILE_OPTIONS, createHandlebars, RenderValueError } from './helpers.js';
import { packageRoot } from '../util/package-root.js';
import { completeImageIni, prepareImageIni } from './sql-ini.js';
import {
  ADD_SERVER_PREFIX,
  ADD_SERVER_SUFFIX,
  BUILDER_LOGINS_SQL,
  DROP_SERVER_PREFIX,
  RENAME_BLOCKERS,
  SERVERNAME_FACTS_SQL,
  SERVERNAME_SQL,
} from '../sql/tsql.js';
import { installedSetupPath, setupLogDir, sqlServiceNames, type SqlVersion } from '../sql/versions.js';

/** What a SQL file is for. */
export type SqlFileRole = 'sql-config' | 'customize' | 'first-boot' | 'check';

/** One file of the SQL part. */
export interface SqlBundleFile {
  /** Path inside the bundle (`sql/…` or `scripts/sql/…`). */
  path: string;
  content: string;
  /** Where it goes on the builder. */
  destination: string;
  role: SqlFileRole;
}

/** A customize step the SQL part adds after the user's steps. */
export interface SqlCustomizeStep {
  name: string;
  /** Bundle path of its script. */
  script: string;
  timeoutSeconds: number;
  /** 3010 is not listed: it asks SSM Agent to reboot and rerun the script (domain-facts §6.5). */
  validExitCodes: number[];
}

/** A script to run once at first boot of each instance launched from the image, in `order`. */
export interface SqlFirstBootScript {
  name: string;
  /** Bundle path. */
  path: string;
  /** Where it lives in the image. */
  destination: string;
  order: number;
}

/**
 * A secret token that stays in the image and is resolved by a first-boot
 * script on each new instance, not by `resolve-secrets.ps1` on the builder:
 * resolving it on the builder would seal the value into the image.
 */
export interface FirstBootSecret {
  slot: string;
  /** The SSM SecureString parameter the instance reads. */
  parameter: string;
  /** Bundle paths holding the token. */
  files: string[];
  encoding: 'ini';
}

/** The SQL Server part of the bundle. */
export interface SqlBundlePart {
  files: SqlBundleFile[];
  customize: SqlCustomizeStep[];
  firstBoot: SqlFirstBootScript[];
  /** The pre-seal check (`WINAMI sqlReady=true|false`, exit 0 / 1). */
  presealCheck: { path: string; destination: string };
  firstBootSecrets: FirstBootSecret[];
}

/** Where the SQL files go on the instance. First-boot files must survive into the image. */
export const SQL_PATHS = {
  imageDir: 'C:\\ProgramData\\winami\\sql',
  scriptsDir: 'C:\\ProgramData\\winami\\scripts\\sql',
  mediaDir: 'C:\\ProgramData\\winami\\sql-media',
  prepareState: 'C:\\ProgramData\\winami\\sql\\prepare-image.state',
  completeState: 'C:\\ProgramData\\winami\\sql\\complete-image.state',
  privateDir: 'C:\\ProgramData\\winami\\sql\\private',
} as const;

// packageRoot(), not import.meta.url: the bundled CLI runs this code from dist/cli/.
const TEMPLATE_DIR = join(packageRoot(), 'templates', 'sql');
const hb = createHandlebars();
const compiled = new Map<string, HandlebarsTemplateDelegate>();

type HandlebarsTemplateDelegate = ReturnType<typeof hb.compile>;

/** Render one `templates/sql/<name>.hbs` with `model`; CRLF line ends, as Windows PowerShell 5.1 expects. */
export function renderSqlTemplate(name: string, model: Record<string, unknown>): string {
  let t = compiled.get(name);
  if (!t) {
    t = hb.compile(readFileSync(join(TEMPLATE_DIR, `${name}.hbs`), 'utf8'), COMPILE_OPTIONS);
    compiled.set(name, t);
  }
  return t(model).replace(/\r?\n/g, '\r\n');
}

/** The media, split into what `prepare-image.ps1` needs. */
export function classifyMedia(media: string): { kind: 's3-iso' | 's3-folder' | 'iso' | 'folder'; path: string; bucket: string; key: string } {
  const s3 = /^s3:\/\/([^/]+)\/(.+)$/.exec(media);
  if (s3) {
    const key = s3[2]!;
    return { kind: /\.iso$/i.test(key) ? 's3-iso' : 's3-folder', path: '', bucket: s3[1]!, key };
  }
  if (/\.iso$/i.test(media)) return { kind: 'iso', path: media, bucket: '', key: '' };
  return { kind: 'folder', path: media.replace(/\\setup\.exe$/i, ''), bucket: '', key: '' };
}

function connectTo(instanceName: string): string {
  return sqlServiceNames(instanceName).isDefault ? '.' : `.\\${instanceName}`;
}

/** Whether the SQL section adds PrepareImage to the customize list (the rule lives with the bake's plan). */
export { sqlAddsCustomize };

/** The SQL part for a config, or `undefined` when it has no `sql` section. */
export function sqlBundlePart(config: ResolvedConfig): SqlBundlePart | undefined {
  const sql = config.sql;
  if (!sql) return undefined;
  const version = sql.version as SqlVersion;
  const services = sqlServiceNames(sql.instanceName);
  const files: SqlBundleFile[] = [];
  const customize: SqlCustomizeStep[] = [];
  const firstBoot: SqlFirstBootScript[] = [];
  const firstBootSecrets: FirstBootSecret[] = [];
  const file = (path: string, content: string, destination: string, role: SqlFileRole): void => {
    files.push({ path, content, destination, role });
  };

  const completeIniDest = `${SQL_PATHS.imageDir}\\CompleteImage.ini`;
  const completeDest = `${SQL_PATHS.imageDir}\\complete-image.ps1`;
  const repairDest = `${SQL_PATHS.imageDir}\\repair-servername.ps1`;
  const keySlot = config.secrets.find((s) => s.slot === 'sqlProductKey');
  let keyParameter = '';
  if (keySlot) {
    if (keySlot.ref.kind !== 'ssm') {
      // env: secrets live in a parameter deleted when the bake ends; instances
      // launched later could not read it.
      throw new RenderValueError('sql.productKey', 'must be an ssm:/path SecureString: instances read it at first boot, long after the bake');
    }
    keyParameter = keySlot.ref.parameter;
  }
  const productKeySlot = keySlot?.slot ?? '';

  if (sqlAddsCustomize(config)) {
    const media = classifyMedia(sql.media ?? '');
    const prepareIniDest = `${SQL_PATHS.imageDir}\\PrepareImage.ini`;
    file('sql/PrepareImage.ini', prepareImageIni(sql), prepareIniDest, 'sql-config');
    file('sql/CompleteImage.ini', completeImageIni(sql, keySlot?.slot), completeIniDest, 'sql-config');
    file(
      'scripts/sql/prepare-image.ps1',
      renderSqlTemplate('prepare-image.ps1', {
        version,
        mediaKind: media.kind,
        mediaPath: media.path,
        s3Bucket: media.bucket,
        s3Key: media.key,
        region: config.region,
        configFile: prepareIniDest,
        workDir: SQL_PATHS.mediaDir,
        stateFile: SQL_PATHS.prepareState,
        logDir: setupLogDir(version),
      }),
      `${SQL_PATHS.scriptsDir}\\prepare-image.ps1`,
      'customize',
    );
    customize.push({
      name: `SQL Server ${version} PrepareImage`,
      script: 'scripts/sql/prepare-image.ps1',
      timeoutSeconds: Math.min(Math.floor(config.deadlines.customize / 1000), 172_800),
      validExitCodes: [0],
    });
    file(
      'scripts/sql/complete-image.ps1',
      renderSqlTemplate('complete-image.ps1', {
        setupPath: installedSetupPath(version),
        configFile: completeIniDest,
        privateDir: SQL_PATHS.privateDir,
        stateFile: SQL_PATHS.completeState,
        logDir: setupLogDir(version),
        serviceName: services.engine,
        productKeyParameter: keyParameter,
        productKeySlot,
        region: config.region,
      }),
      completeDest,
      'first-boot',
    );
    firstBoot.push({ name: 'sql-complete-image', path: 'scripts/sql/complete-image.ps1', destination: completeDest, order: 1 });
    if (keySlot) firstBootSecrets.push({ slot: keySlot.slot, parameter: keyParameter, files: ['sql/CompleteImage.ini'], encoding: 'ini' });
  }

  file(
    'scripts/sql/repair-servername.ps1',
    renderSqlTemplate('repair-servername.ps1', {
      instanceName: sql.instanceName,
      connectTo: connectTo(sql.instanceName),
      engineService: services.engine,
      agentService: services.agent,
      isDefault: services.isDefault,
      factsSql: SERVERNAME_FACTS_SQL,
      servernameSql: SERVERNAME_SQL,
      dropPrefix: DROP_SERVER_PREFIX,
      addPrefix: ADD_SERVER_PREFIX,
      addSuffix: ADD_SERVER_SUFFIX,
      blockers: RENAME_BLOCKERS,
    }),
    repairDest,
    'first-boot',
  );
  firstBoot.push({ name: 'sql-repair-servername', path: 'scripts/sql/repair-servername.ps1', destination: repairDest, order: 2 });

  const presealDest = `${SQL_PATHS.scriptsDir}\\preseal-sql.ps1`;
  file(
    'scripts/sql/preseal-sql.ps1',
    renderSqlTemplate('preseal-sql.ps1', {
      mode: sql.mode,
      connectTo: connectTo(sql.instanceName),
      engineService: services.engine,
      factsSql: SERVERNAME_FACTS_SQL,
      builderLoginsSql: BUILDER_LOGINS_SQL,
      completeConfig: sql.mode === 'byol-prepare' ? completeIniDest : '',
      productKeySlot,
      firstBootScripts: firstBoot.map((f) => f.destination),
      prepareStateFile: SQL_PATHS.prepareState,
      mediaDir: SQL_PATHS.mediaDir,
      blockers: RENAME_BLOCKERS,
    }),
    presealDest,
    'check',
  );

  return { files, customize, firstBoot, presealCheck: { path: 'scripts/sql/preseal-sql.ps1', destination: presealDest }, firstBootSecrets };
}
