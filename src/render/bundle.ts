/**
 * Render the bundle (docs/bundle.md) from a resolved config: the answer file,
 * the agent's settings, the PowerShell scripts, copied files, user data and
 * plan.json, all in memory. Every file is validated before the bundle is
 * returned; nothing is written here. Same config, same bytes.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { MAX_USER_DATA_BYTES, type CustomizeStep } from '../config/schema.js';
import type { ResolvedConfig } from '../config/types.js';
import { describeSecret } from '../config/secrets.js';
import { imageName } from '../config/image-name.js';
import { decodeScript, readSource } from '../config/sources.js';
import { sqlBundlePart, type FirstBootSecret, type SqlBundlePart } from './sql-bundle.js';
import { AGENT_PATHS } from '../knowledge/releases.js';
import type { Finding } from '../lint/index.js';
import { VERSION } from '../util/version.js';
import { plan as bakePlan, type BakeStepName } from '../plan/plan.js';
import { RenderValueError } from './helpers.js';
import { windowsUpdateModel } from './windows-update.js';
import { awsComponentsModel } from './aws-components.js';
import { inventoryModel } from './inventory.js';
import type { ComponentDocument } from '../knowledge/aws-components.js';
import {
  AGENT_FILES,
  AGENT_RAN_MARKER,
  FIRST_BOOT_SCRIPT,
  SCRIPTS_DIR,
  STATE_DIR,
  UNATTEND_PATH,
  agentConfigModel,
  ec2configModel,
  firstBootModel,
  firstBootRegistration,
  launchConfigModel,
  secretPlacements,
  sysprepModel,
  unattendModel,
  type SecretEncoding,
  type SecretPlacement,
} from './model.js';
import { renderTemplate, type TemplateName } from './templates.js';
import { validateBundle } from './validate.js';
import { ValidationError } from '../errors.js';

/** What a bundle file is for. */
export type BundleFileRole = 'unattend' | 'agent-settings' | 'script' | 'customize' | 'file' | 'user-data' | 'plan';

/** One file of the bundle. */
export interface BundleFile {
  /** Posix path relative to the bundle root. */
  path: string;
  content: Buffer;
  /** Hex SHA-256 of `content`. */
  sha256: string;
  /** Windows path on the builder; absent for files that are not delivered. */
  destination?: string;
  role: BundleFileRole;
}

/** A file as plan.json lists it. */
export interface PlanFile {
  path: string;
  sha256: string;
  bytes: number;
  destination?: string;
  role: BundleFileRole;
}

/** A secret slot as plan.json lists it: its reference, never its value. */
export interface PlanSecret {
  slot: string;
  /** `ssm:/path`, `env:NAME` or `<plaintext, redacted>`. */
  reference: string;
  /** Config path it came from. */
  configPath: string;
  /** The SSM parameter the builder reads: the reference's, or `/winami/{buildId}/<slot>` for env: secrets. */
  parameter: string;
  /** Files holding the token `@@WINAMI_SECRET:<slot>@@`, with the escaping the value needs there. */
  files: { path: string; destination: string; encoding: SecretEncoding }[];
}

/** A customization step as plan.json lists it. */
export interface PlanCustomizeStep {
  index: number;
  name: string;
  kind: 'script' | 'powershell' | 'file' | 'windowsFeatures' | 'windowsUpdate' | 'awsComponents' | 'reboot' | 'sqlPrepareImage';
  /**
   * awsComponents steps: AWS's SSM documents the bake runs between two runs of
   * `script` (which reports the versions before and after).
   */
  documents?: ComponentDocument[];
  /** Bundle path of the step's script; absent for file steps. */
  script?: string;
  /** Windows path the script is run from on the builder. */
  scriptDestination?: string;
  /** For file steps: the bundle file and where it goes. */
  file?: { path: string; destination: string };
  timeoutSeconds: number;
  /** Exit codes that count as success; 3010 always means reboot and run again. */
  validExitCodes: number[];
}

/** The bake steps, by name (plan() in src/plan/plan.ts lists them). */
export type { BakeStepName } from '../plan/plan.js';

/** plan.json: what the bundle holds and what a bake of it would do. */
export interface Plan {
  winamiVersion: string;
  name: string;
  release: ResolvedConfig['windows']['release'];
  edition: ResolvedConfig['windows']['edition'];
  launchAgent: ResolvedConfig['launchAgent'];
  source: ResolvedConfig['source'];
  expectation: ResolvedConfig['expectation'] | null;
  /** The resolved config with every secret shown as its reference; machine-specific paths left out. */
  config: Record<string, unknown>;
  files: PlanFile[];
  secrets: PlanSecret[];
  customize: PlanCustomizeStep[];
  /** How first-boot-cleanup.ps1 is run on instances launched from the image. */
  firstBoot: { script: string; registeredBy: string };
  /**
   * With a `sql` section: the SQL Server first-boot scripts that
   * first-boot-cleanup.ps1 runs in order, the pre-seal check the bake runs
   * before sealing, and the secrets resolved on each new instance instead
   * of on the builder.
   */
  sql?: Pick<SqlBundlePart, 'firstBoot' | 'presealCheck' | 'firstBootSecrets'>;
  steps: BakeStepName[];
  /** Only when `buildId` is passed. */
  buildId?: string;
  /** Only when `now` is passed: the image name with its placeholders filled in, and the time used. */
  imageName?: string;
  generatedAt?: string;
}

/** The rendered bundle. */
export interface Bundle {
  /** Sorted by path, plan.json last. */
  files: BundleFile[];
  plan: Plan;
  /** Linter findings below error level. */
  warnings: Finding[];
}

/** Options of `renderBundle`. */
export interface RenderBundleOptions {
  /** Fills `{{timestamp}}`/`{{date}}` in the image name shown in plan.json; nothing else reads the clock. */
  now?: Date;
  /** The bake's id: names the temporary parameters of env: secrets and fills `{{buildId}}`. */
  buildId?: string;
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** PowerShell 5.1 reads a .ps1 without a BOM in the ANSI code page; with one, as UTF-8. */
function psFile(text: string): Buffer {
  return Buffer.concat([UTF8_BOM, Buffer.from(text, 'utf8')]);
}

function slugify(text: string, fallback: string): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slug || fallback;
}

function safeFileName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_');
  return cleaned.slice(0, 80) || 'file';
}

/** Read a local source through the confinement checks; a refusal names the config field. */
function readLocal(config: ResolvedConfig, source: string, field: string): Buffer {
  try {
    return readSource(source, config);
  } catch (err) {
    throw new RenderValueError(field, (err as Error).message);
  }
}

/** Read a user's script as text: UTF-8 (BOM dropped) or UTF-16 with a BOM; invalid UTF-8 is refused. */
function readScript(config: ResolvedConfig, source: string, field: string): string {
  try {
    return decodeScript(readLocal(config, source, field), source);
  } catch (err) {
    if (err instanceof RenderValueError) throw err;
    throw new RenderValueError(field, (err as Error).message);
  }
}

function stepKind(step: CustomizeStep): PlanCustomizeStep['kind'] {
  if ('script' in step) return 'script';
  if ('powershell' in step) return 'powershell';
  if ('file' in step) return 'file';
  if ('windowsFeatures' in step) return 'windowsFeatures';
  if ('windowsUpdate' in step) return 'windowsUpdate';
  if ('awsComponents' in step) return 'awsComponents';
  return 'reboot';
}

const DEFAULT_STEP_TIMEOUT_S = 3600;

function timeoutSeconds(step: CustomizeStep): number {
  const t = step.timeout;
  if (t === undefined) return DEFAULT_STEP_TIMEOUT_S;
  if (typeof t === 'number') return t;
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h)$/.exec(t)!;
  return Math.round(Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h']);
}

class FileSet {
  readonly files: BundleFile[] = [];
  add(path: string, content: Buffer | string, role: BundleFileRole, destination?: string): void {
    if (this.files.some((f) => f.path === path)) throw new Error(`winami: bundle path ${path} rendered twice`);
    const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    this.files.push({ path, content: buf, sha256: sha256(buf), role, ...(destination === undefined ? {} : { destination }) });
  }
}

function renderCustomize(config: ResolvedConfig, set: FileSet, sql: SqlBundlePart | undefined): PlanCustomizeStep[] {
  const steps: PlanCustomizeStep[] = [];
  const all: { step: CustomizeStep | SqlBundlePart['customize'][number]; configIndex: number }[] = config.customize.map((step, i) => ({
    step,
    configIndex: i,
  }));
  // SQL Server's steps (PrepareImage) run after the user's own; their files are in the set already.
  for (const step of sql?.customize ?? []) all.push({ step, configIndex: -1 });
  all.forEach(({ step, configIndex }, i) => {
    const index = i + 1;
    const nn = String(index).padStart(2, '0');
    const field = `customize.${configIndex}`;
    if (configIndex < 0) {
      const s = step as SqlBundlePart['customize'][number];
      const destination = set.files.find((f) => f.path === s.script)?.destination;
      steps.push({
        index,
        name: s.name,
        kind: 'sqlPrepareImage',
        script: s.script,
        scriptDestination: destination,
        timeoutSeconds: s.timeoutSeconds,
        validExitCodes: s.validExitCodes,
      });
      return;
    }
    step = step as CustomizeStep;
    const kind = stepKind(step);
    const defaultName =
      'script' in step
        ? basename(step.script)
        : 'file' in step
          ? basename(step.file.source)
          : kind === 'windowsFeatures'
            ? 'windows-features'
            : kind === 'windowsUpdate'
              ? 'windows-update'
              : kind === 'awsComponents'
                ? 'aws-components'
                : kind;
    const name = step.name ?? defaultName;
    const common = { index, name, kind, timeoutSeconds: timeoutSeconds(step), validExitCodes: [...step.validExitCodes] };
    if ('file' in step) {
      const path = `files/${nn}-${safeFileName(basename(step.file.source))}`;
      set.add(path, readLocal(config, step.file.source, `${field}.file.source`), 'file', step.file.destination);
      steps.push({ ...common, file: { path, destination: step.file.destination } });
      return;
    }
    const slug = slugify(name, kind.toLowerCase());
    const path = `scripts/customize/${nn}-${slug}.ps1`;
    const destination = `${SCRIPTS_DIR}\\customize\\${nn}-${slug}.ps1`;
    let template: TemplateName;
    let model: Record<string, unknown>;
    let documents: ComponentDocument[] | undefined;
    if ('script' in step || 'powershell' in step) {
      const code = 'script' in step ? readScript(config, step.script, `${field}.script`) : step.powershell;
      template = 'scripts/customize-code.ps1';
      model = { index, kind, name, sourceNote: 'script' in step, code: code.replace(/\s+$/, '') };
    } else if ('windowsFeatures' in step) {
      template = 'scripts/customize-windows-features.ps1';
      step.windowsFeatures.forEach((f, j) => {
        if (!/^[A-Za-z0-9-]+$/.test(f))
          throw new RenderValueError(`${field}.windowsFeatures.${j}`, `"${f}" is not a Windows feature name (letters, digits and hyphens)`);
      });
      model = { index, name, features: step.windowsFeatures };
    } else if ('awsComponents' in step) {
      template = 'scripts/customize-aws-components.ps1';
      const c = awsComponentsModel(config.launchAgent, step.awsComponents, `${field}.awsComponents`);
      model = { index, name, components: c.report };
      documents = c.documents;
    } else if ('windowsUpdate' in step) {
      template = 'scripts/customize-windows-update.ps1';
      model = windowsUpdateModel(index, name, nn, step.windowsUpdate);
    } else {
      template = 'scripts/customize-reboot.ps1';
      model = { index, marker: `${STATE_DIR}\\reboot-${nn}.done`, stateDir: STATE_DIR };
    }
    set.add(path, psFile(renderTemplate(template, model)), 'customize', destination);
    steps.push({ ...common, script: path, scriptDestination: destination, ...(documents ? { documents } : {}) });
  });
  return steps;
}

/** The answer-file template of each agent. */
export const UNATTEND_TEMPLATE = {
  'ec2launch-v2': 'unattend/ec2launch-v2.xml',
  'ec2launch-v1': 'unattend/ec2launch-v1.xml',
  ec2config: 'unattend/ec2config.xml',
} as const;

function agentModel(config: ResolvedConfig, withoutSecrets: boolean): Record<string, unknown> {
  switch (config.launchAgent) {
    case 'ec2launch-v2':
      return agentConfigModel(config, { withoutSecrets });
    case 'ec2launch-v1':
      return launchConfigModel(config, { withoutSecrets });
    case 'ec2config':
      return ec2configModel(config);
  }
}

/** Renders the answer file and agent settings; returns the copies without secrets that first boot puts back. */
function renderAgentFiles(config: ResolvedConfig, set: FileSet, placements: SecretPlacement[]): { path: string; base64: string }[] {
  const agent = config.launchAgent;
  const unattendDest = AGENT_PATHS[agent].unattend;
  set.add(UNATTEND_PATH, renderTemplate(UNATTEND_TEMPLATE[agent], unattendModel(config)), 'unattend', unattendDest);
  const scrub: { path: string; base64: string }[] = [];
  const holdsSecret = (path: string) => placements.some((p) => p.path === path);
  if (holdsSecret(UNATTEND_PATH)) {
    const clean = renderTemplate(UNATTEND_TEMPLATE[agent], unattendModel(config, { withoutSecrets: true }));
    scrub.push({ path: unattendDest, base64: Buffer.from(clean, 'utf8').toString('base64') });
  }
  for (const f of AGENT_FILES[agent]) {
    set.add(f.path, renderTemplate(f.template as TemplateName, agentModel(config, false)), 'agent-settings', f.destination);
    if (holdsSecret(f.path)) {
      const clean = renderTemplate(f.template as TemplateName, agentModel(config, true));
      scrub.push({ path: f.destination, base64: Buffer.from(clean, 'utf8').toString('base64') });
    }
  }
  return scrub;
}

/** Add the user-data file, refusing one over EC2's limit (16 KB raw, before base64). */
function addUserData(set: FileSet, path: string, text: string): void {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_USER_DATA_BYTES) {
    throw new RenderValueError(
      'launch',
      `the rendered user data is ${bytes} bytes; EC2 accepts at most ${MAX_USER_DATA_BYTES} (shorten launch.powershell or launch.tasks)`,
    );
  }
  set.add(path, text, 'user-data');
}

function renderUserData(config: ResolvedConfig, set: FileSet): void {
  const launch = config.launch;
  if (!launch) return;
  if (config.launchAgent === 'ec2launch-v2') {
    const tasks: unknown[] = [];
    if (launch.powershell) {
      tasks.push({
        task: 'executeScript',
        inputs: [{ frequency: launch.persist ? 'always' : 'once', type: 'powershell', runAs: 'localSystem', content: launch.powershell }],
      });
    }
    for (const t of launch.tasks) tasks.push(t.inputs === undefined ? { task: t.task } : { task: t.task, inputs: t.inputs });
    addUserData(set, 'user-data/user-data.yml', renderTemplate('user-data/user-data.yml', { userData: { tasks } }));
    return;
  }
  if (!launch.powershell) return;
  if (/<\/powershell>/i.test(launch.powershell))
    throw new RenderValueError('launch.powershell', 'contains </powershell>, which would end the user-data script early');
  addUserData(
    set,
    'user-data/user-data.txt',
    renderTemplate('user-data/user-data.txt', { launch: { powershell: launch.powershell.replace(/\s+$/, ''), persist: launch.persist } }),
  );
}

/** Replace the value at a dotted path of a plain-object tree (arrays by index). */
function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node: unknown = root;
  for (const k of keys.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return;
    node = (node as Record<string, unknown>)[k];
  }
  if (node !== null && typeof node === 'object' && keys.at(-1)! in (node as object)) (node as Record<string, unknown>)[keys.at(-1)!] = value;
}

/** The resolved config for plan.json: secrets as references, no absolute paths of this machine. */
export function redactedConfig(config: ResolvedConfig): Record<string, unknown> {
  const { configPath: _configPath, baseDir: _baseDir, allowSourceRoots: _roots, secrets, ...rest } = config;
  const copy = JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
  for (const s of secrets) setPath(copy, s.path, describeSecret(s.ref));
  copy.secrets = secrets.map((s) => ({ slot: s.slot, path: s.path, reference: describeSecret(s.ref) }));
  return copy;
}

/** JSON with object keys sorted at every level, so plan.json does not depend on insertion order. */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    return v;
  };
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}

/** Render the whole bundle for a resolved config, validate every file, and return it (nothing is written). */
export async function renderBundle(config: ResolvedConfig, options: RenderBundleOptions = {}): Promise<Bundle> {
  const set = new FileSet();
  const placements = secretPlacements(config);
  try {
    const sql = sqlBundlePart(config);
    for (const f of sql?.files ?? [])
      set.add(
        f.path,
        f.path.endsWith('.ps1') ? psFile(f.content) : f.content,
        f.role === 'sql-config' ? 'file' : f.role === 'customize' ? 'customize' : 'script',
        f.destination,
      );
    // A token resolved at first boot must stay a token in the image: resolve-secrets.ps1 never sees it.
    const firstBootSecrets: FirstBootSecret[] = sql?.firstBootSecrets ?? [];
    const atFirstBoot = (slot: string, path: string) => firstBootSecrets.some((s) => s.slot === slot && s.files.includes(path));
    const scrub = renderAgentFiles(config, set, placements);
    const customize = renderCustomize(config, set, sql);
    const agent = config.launchAgent;
    const script = (name: string, model: unknown, destination: string | undefined) =>
      set.add(`scripts/${name}`, psFile(renderTemplate(`scripts/${name}` as TemplateName, model)), 'script', destination);
    const secretFiles = (slot: string) =>
      placements
        .filter((p) => p.slot === slot && !atFirstBoot(p.slot, p.path))
        .map((p) => ({ path: p.path, encoding: p.encoding, destination: destinationOf(set, p.path), bom: p.path.endsWith('.ps1') }));
    script('first-boot-cleanup.ps1', firstBootModel(config, scrub, sql?.firstBoot.map((f) => f.destination) ?? []), FIRST_BOOT_SCRIPT);
    if (config.cleanup.preSeal) {
      script(
        'cleanup-preseal.ps1',
        { componentStore: config.cleanup.componentStore, optimizeVolume: config.cleanup.optimizeVolume },
        `${SCRIPTS_DIR}\\cleanup-preseal.ps1`,
      );
    }
    script('check-ready.ps1', { agentExe: AGENT_PATHS[agent].exe, unattendPath: AGENT_PATHS[agent].unattend }, `${SCRIPTS_DIR}\\check-ready.ps1`);
    if (config.inventory) script('inventory.ps1', inventoryModel(config), `${SCRIPTS_DIR}\\inventory.ps1`);
    script('sysprep.ps1', sysprepModel(config), `${SCRIPTS_DIR}\\sysprep.ps1`);
    script('smoke-test.ps1', { agentRanMarker: AGENT_RAN_MARKER[agent] }, undefined);
    renderUserData(config, set);
    // Last, so that its proof covers every delivered file (its own path included).
    const resolveDestination = `${SCRIPTS_DIR}\\resolve-secrets.ps1`;
    script(
      'resolve-secrets.ps1',
      {
        buildId: options.buildId ?? '',
        // Only slots with a token on the builder: a first-boot secret is never read here.
        secrets: config.secrets
          .map((s) => ({ slot: s.slot, ssmParameter: s.ref.kind === 'ssm' ? s.ref.parameter : null, files: secretFiles(s.slot) }))
          .filter((s) => s.files.length > 0),
        delivered: [...set.files.flatMap((f) => (f.destination ? [f.destination] : [])), resolveDestination].sort(),
        keptForFirstBoot: firstBootSecrets.flatMap((s) => s.files.map((path) => ({ slot: s.slot, destination: destinationOf(set, path) }))),
      },
      resolveDestination,
    );

    set.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const plan: Plan = {
      winamiVersion: VERSION,
      name: config.name,
      release: config.windows.release,
      edition: config.windows.edition,
      launchAgent: agent,
      source: config.source,
      expectation: config.expectation ?? null,
      config: redactedConfig(config),
      files: set.files.map((f) => ({
        path: f.path,
        sha256: f.sha256,
        bytes: f.content.length,
        role: f.role,
        ...(f.destination === undefined ? {} : { destination: f.destination }),
      })),
      secrets: config.secrets.map((s) => ({
        slot: s.slot,
        reference: describeSecret(s.ref),
        configPath: s.path,
        parameter: s.ref.kind === 'ssm' ? s.ref.parameter : `/winami/${options.buildId ?? '{buildId}'}/${s.slot}`,
        files: secretFiles(s.slot).map(({ path, destination, encoding }) => ({ path, destination, encoding })),
      })),
      customize,
      firstBoot: { script: FIRST_BOOT_SCRIPT, registeredBy: firstBootRegistration(agent) },
      ...(sql ? { sql: { firstBoot: sql.firstBoot, presealCheck: sql.presealCheck, firstBootSecrets } } : {}),
      steps: bakePlan(config, { smokeTest: config.smokeTest }).map((p) => p.name),
      ...(options.buildId === undefined ? {} : { buildId: options.buildId }),
      ...(options.now === undefined ? {} : { imageName: imageName(config, options.buildId ?? 'unset', options.now), generatedAt: options.now.toISOString() }),
    };
    const warnings = await validateBundle(set.files, { config, placements });
    set.add('plan.json', canonicalJson(plan), 'plan');
    return { files: set.files, plan, warnings };
  } catch (err) {
    if (err instanceof RenderValueError) {
      throw new ValidationError(`cannot render the bundle: ${err.message}`, [{ path: err.field, message: err.message.slice(err.field.length + 2) }], {
        hint: 'change the value in the config; winami refuses values it cannot write safely',
        cause: err,
      });
    }
    throw err;
  }
}

function destinationOf(set: FileSet, path: string): string {
  const f = set.files.find((x) => x.path === path);
  if (!f?.destination) throw new Error(`winami: secret placement ${path} is not a delivered file`);
  return f.destination;
}
