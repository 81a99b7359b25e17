/**
 * The view models the templates render from: everything a template needs,
 * computed from the resolved config, with every field present (null when
 * unset) so strict-mode templates fail loudly on a typo. Also declares where
 * each secret token must appear, which validation checks the output against.
 */
import { XMLValidator } from 'fast-xml-parser';
import type { ResolvedConfig } from '../config/types.js';
import { secretToken } from '../config/secrets.js';
import { PASSES } from '../config/schema.js';
import { AGENT_PATHS, type LaunchAgent } from '../knowledge/releases.js';
import { RenderValueError } from './helpers.js';

/** How a secret's value must be escaped in the file that holds its token. */
export type SecretEncoding = 'xml' | 'yaml' | 'json' | 'powershell' | 'ini';

/** Where winami keeps its own files on the builder and in the image. */
export const WINAMI_DIR = 'C:\\ProgramData\\winami';
export const SCRIPTS_DIR = `${WINAMI_DIR}\\scripts`;
export const STATE_DIR = `${WINAMI_DIR}\\state`;
export const FIRST_BOOT_SCRIPT = `${WINAMI_DIR}\\first-boot-cleanup.ps1`;

/** Bundle paths of the files whose content depends on the agent. */
export const UNATTEND_PATH = 'unattend.xml';
export const AGENT_FILES: Readonly<Record<LaunchAgent, readonly { path: string; template: string; destination: string }[]>> = {
  'ec2launch-v2': [{ path: 'agent/agent-config.yml', template: 'agent/agent-config.yml', destination: AGENT_PATHS['ec2launch-v2'].settings[0] }],
  'ec2launch-v1': [{ path: 'agent/LaunchConfig.json', template: 'agent/LaunchConfig.json', destination: AGENT_PATHS['ec2launch-v1'].settings[0] }],
  ec2config: [
    { path: 'agent/config.xml', template: 'agent/config.xml', destination: AGENT_PATHS.ec2config.settings[0] },
    { path: 'agent/BundleConfig.xml', template: 'agent/BundleConfig.xml', destination: AGENT_PATHS.ec2config.settings[1] },
  ],
};

/** One place a secret's token is expected: a bundle file and the escaping it needs there. */
export interface SecretPlacement {
  slot: string;
  path: string;
  encoding: SecretEncoding;
}

/** What an answer file's own components depend on, for placing extraXml inside them. */
interface TemplateShape {
  domainJoin: boolean;
  /** International-Core in specialize: only when the config sets a locale. */
  specializeLocale: boolean;
  /** Networking-MPSSVC-Svc with the Remote Desktop firewall group: when RDP is allowed. */
  firewall: boolean;
  /** Security-Malware-Windows-Defender/TrustedImageIdentifier: on the agents of releases that ship Defender. */
  defender: boolean;
}

/** Components each unattend template writes itself, per pass; extraXml for them goes inside. */
function templateComponents(pass: string, shape: TemplateShape): string[] {
  switch (pass) {
    case 'generalize':
      return ['Microsoft-Windows-PnpSysprep', 'Microsoft-Windows-Security-SPP'];
    case 'specialize':
      return [
        'Microsoft-Windows-Shell-Setup',
        'Microsoft-Windows-Deployment',
        ...(shape.specializeLocale ? ['Microsoft-Windows-International-Core'] : []),
        'Microsoft-Windows-TerminalServices-LocalSessionManager',
        ...(shape.firewall ? ['Networking-MPSSVC-Svc'] : []),
        ...(shape.defender ? ['Security-Malware-Windows-Defender'] : []),
        ...(shape.domainJoin ? ['Microsoft-Windows-UnattendedJoin'] : []),
      ];
    case 'oobeSystem':
      return ['Microsoft-Windows-International-Core', 'Microsoft-Windows-Shell-Setup'];
    default:
      return [];
  }
}

interface PassExtra {
  into: Record<string, string>;
  added: { name: string; xml: string }[];
}

/** Check an extraXml fragment is well-formed on its own (with the unattend namespaces declared). */
export function checkFragment(xml: string, field: string): void {
  const wrapped = `<fragment xmlns:wcm="http://schemas.microsoft.com/WMIConfig/2002/State" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${xml}</fragment>`;
  const result = XMLValidator.validate(wrapped);
  if (result !== true) throw new RenderValueError(field, `is not well-formed XML on its own: ${result.err.msg} (line ${result.err.line})`);
}

function extraModel(config: ResolvedConfig, shape: TemplateShape) {
  const byPass = new Map<string, PassExtra>();
  for (const pass of PASSES) {
    byPass.set(pass, { into: Object.fromEntries(templateComponents(pass, shape).map((c) => [c, ''])), added: [] });
  }
  config.windowsSettings.extraXml.forEach((x, i) => {
    const field = `windowsSettings.extraXml.${i}`;
    if (x.pass === 'windowsPE' || x.pass === 'offlineServicing')
      throw new RenderValueError(`${field}.pass`, `${x.pass} never runs when an image is sealed with Sysprep`);
    checkFragment(x.xml, `${field}.xml`);
    const body = x.xml.endsWith('\n') ? x.xml : `${x.xml}\n`;
    const pass = byPass.get(x.pass)!;
    if (x.component in pass.into) pass.into[x.component] += body;
    else {
      const existing = pass.added.find((a) => a.name === x.component);
      if (existing) existing.xml += body;
      else pass.added.push({ name: x.component, xml: body });
    }
  });
  const get = (p: string) => byPass.get(p)!;
  return {
    generalize: get('generalize'),
    specialize: get('specialize'),
    oobeSystem: get('oobeSystem'),
    auditPasses: (['auditSystem', 'auditUser'] as const).filter((p) => get(p).added.length).map((p) => ({ name: p, added: get(p).added })),
  };
}

function slotToken(config: ResolvedConfig, slot: string): string | null {
  return config.secrets.some((s) => s.slot === slot) ? secretToken(slot) : null;
}

/** Options of the unattend model. */
export interface UnattendModelOptions {
  /** Leave out every setting that holds a secret (the copy first boot puts back). */
  withoutSecrets?: boolean;
}

/**
 * The built-in Administrator's name, found by its well-known RID 500, into `$a`
 * (PowerShell). Abbreviated (`gcim`, `-F`) so that the commands below stay
 * within RunSynchronousCommand/Path's 259 characters.
 */
const ADMIN_BY_RID = "$a=(gcim Win32_UserAccount -F 'LocalAccount=1 AND SID LIKE ''%-500''').Name";

/**
 * Randomises the built-in Administrator's password in specialize, so the
 * account that RunSynchronous order 1 enables never has a known or empty
 * password while RDP is open. EC2Launch v1 uses AWS's own script at order 1
 * (the command SysprepInstance.ps1 writes into an empty order-1 Path);
 * EC2Config AWS's ScramblePassword.exe; for EC2Launch v2, whose default file
 * does it through the agent's executable with a command not confirmed here,
 * winami sets 24 CSPRNG bytes as 32 base64 characters (plus one of each class,
 * for the complexity policy) with net.exe. Kept under Path's 259 characters.
 */
export const RANDOMISE_ADMIN_PASSWORD: Readonly<Record<LaunchAgent, string>> = {
  // Each names the account found by RID 500: Windows names it per language (Administrateur, Администратор, …).
  // v2 sets the throwaway random password with net.exe (ADSI no longer fits in 259 characters); nobody is
  // logged on in specialize, and the agent replaces it at first boot.
  'ec2launch-v1': `powershell.exe -NoProfile -Command "${ADMIN_BY_RID};& 'C:\\ProgramData\\Amazon\\EC2-Windows\\Launch\\Sysprep\\Randomize-LocalAdminPassword.ps1' $a"`,
  'ec2launch-v2': `powershell.exe -NoProfile -Command "${ADMIN_BY_RID};$b=[byte[]]::new(24);[Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($b);net user $a ([Convert]::ToBase64String($b)+'aA1!')"`,
  ec2config: `powershell.exe -NoProfile -Command "${ADMIN_BY_RID};& 'C:\\Program Files\\Amazon\\Ec2ConfigService\\ScramblePassword.exe' -u $a"`,
};

/**
 * The value EC2Launch v2's and EC2Config's default answer files carry in
 * oobeSystem. `ec2launch sysprep` rewrites it from the OS's locale; on
 * EC2Config winami's seal script does (sysprep.ps1, `localeFromOs`).
 */
const AWS_DEFAULT_LOCALE = 'en-US';

/**
 * Locale values per pass. A configured locale goes in specialize and
 * oobeSystem. Without one the file leaves the locale to the base image:
 * nothing in specialize; in oobeSystem (which must answer the region page)
 * EC2Launch v1 gets the empty elements its SysprepInstance.ps1 fills with
 * the OS's culture, and v2 and EC2Config the values of AWS's own files,
 * which `ec2launch sysprep` (v2) and winami's seal script (EC2Config)
 * rewrite from the OS's culture before Sysprep reads them.
 */
function localeModel(config: ResolvedConfig) {
  const l = config.windowsSettings.locale;
  if (l) return { specialize: l, oobe: l };
  const fill = config.launchAgent === 'ec2launch-v1' ? '' : AWS_DEFAULT_LOCALE;
  return { specialize: null, oobe: { system: fill, user: fill, ui: fill, input: fill } };
}

/** Model of the three unattend templates. */
export function unattendModel(config: ResolvedConfig, options: UnattendModelOptions = {}) {
  const ws = config.windowsSettings;
  const keep = !options.withoutSecrets;
  const dj = keep && ws.domainJoin ? ws.domainJoin : undefined;
  const locale = localeModel(config);
  const defender = config.launchAgent !== 'ec2config';
  const shape: TemplateShape = { domainJoin: dj !== undefined, specializeLocale: locale.specialize !== null, firewall: ws.rdp, defender };
  return {
    agent: config.launchAgent,
    computerName: ws.computerName,
    copyProfile: ws.copyProfile,
    timeZone: ws.timeZone,
    registeredOwner: ws.registeredOwner,
    registeredOrganization: ws.registeredOrganization,
    locale,
    randomiseAdminPassword: RANDOMISE_ADMIN_PASSWORD[config.launchAgent],
    // Defender skips on-access scans of the files of an image it trusts by this id (Microsoft, TrustedImageIdentifier).
    trustedImageIdentifier: defender ? config.name : null,
    productKey: keep ? slotToken(config, 'windowsProductKey') : null,
    rdp: ws.rdp,
    networkLocationOther: config.launchAgent === 'ec2config',
    domainJoin: dj
      ? { domain: dj.domain, organizationalUnit: dj.organizationalUnit ?? null, username: dj.username, password: secretToken('domainJoinPassword') }
      : null,
    administratorPassword: keep ? slotToken(config, 'administratorPassword') : null,
    firstLogonCommands: ws.firstLogonCommands.map((c, i) => ({
      order: i + 1,
      command: c.command,
      description: c.description ?? null,
      requiresUserInput: c.requiresUserInput,
    })),
    extra: extraModel(config, shape),
  };
}

type PasswordKind = 'random' | 'doNothing' | 'static';

function passwordKind(config: ResolvedConfig): PasswordKind {
  const pw = config.windowsSettings.administrator.password;
  return typeof pw === 'object' ? 'static' : pw;
}

/** The wallpaper attributes AWS's default agent-config.yml prints. */
const V2_WALLPAPER_ATTRIBUTES = [
  'hostName',
  'instanceId',
  'privateIpAddress',
  'publicIpAddress',
  'instanceSize',
  'availabilityZone',
  'architecture',
  'memory',
  'network',
];
const V2_WALLPAPER_PATH = 'C:\\ProgramData\\Amazon\\EC2Launch\\wallpaper\\Ec2Wallpaper.jpg';

/**
 * The executeScript entry that runs first-boot-cleanup.ps1 once after
 * Sysprep. The script deletes itself, but this entry stays in the image's
 * agent-config.yml: an image made from an instance of this one runs it again
 * after its own Sysprep, so it runs the script only while it exists.
 */
export function firstBootExecuteScript() {
  return {
    frequency: 'once',
    type: 'powershell',
    runAs: 'localSystem',
    content: `if (Test-Path -LiteralPath '${FIRST_BOOT_SCRIPT}') { & '${FIRST_BOOT_SCRIPT}' }`,
  };
}

interface Task {
  task: string;
  inputs?: unknown;
}

/**
 * The `config:` list of agent-config.yml: AWS's default tasks (EC2Launch v2
 * settings, "agent-config.yml" example), adjusted by the config, then the
 * config's own tasks. A config task with the name of a default task in the
 * same stage replaces it (a task may appear once per stage); an
 * executeScript in postReady is merged with winami's first-boot entry.
 */
export function agentConfigModel(config: ResolvedConfig, options: UnattendModelOptions = {}) {
  const v2 = config.agent.ec2launchV2;
  const kind = passwordKind(config);
  const password: Record<string, unknown> =
    kind === 'static' ? (options.withoutSecrets ? { type: 'random' } : { type: 'static', data: secretToken('administratorPassword') }) : { type: kind };
  const defaults: Record<string, Task[]> = {
    boot: [{ task: 'extendRootPartition' }],
    network: [],
    preReady: [
      ...(config.windowsSettings.productKey ? [] : [{ task: 'activateWindows', inputs: { activation: { type: 'amazon' } } }]),
      ...(v2.dnsSuffixes.length ? [{ task: 'setDnsSuffix', inputs: { suffixes: v2.dnsSuffixes } }] : []),
      { task: 'setAdminAccount', inputs: { name: config.windowsSettings.administrator.name, password } },
      ...(v2.setWallpaper ? [{ task: 'setWallpaper', inputs: { path: V2_WALLPAPER_PATH, attributes: V2_WALLPAPER_ATTRIBUTES } }] : []),
    ],
    postReady: [{ task: 'startSsm' }, { task: 'executeScript', inputs: [firstBootExecuteScript()] }],
  };
  const stages: { stage: string; tasks: Task[] }[] = [];
  for (const stage of ['boot', 'network', 'preReady', 'postReady'] as const) {
    const tasks = [...defaults[stage]!];
    for (const t of v2.tasks[stage]) {
      const user: Task = t.inputs === undefined ? { task: t.task } : { task: t.task, inputs: t.inputs };
      const at = tasks.findIndex((d) => d.task === t.task);
      if (at < 0) tasks.push(user);
      else if (stage === 'postReady' && t.task === 'executeScript' && Array.isArray(t.inputs)) {
        tasks[at] = { task: 'executeScript', inputs: [...(tasks[at]!.inputs as unknown[]), ...t.inputs] };
      } else tasks[at] = user;
    }
    if (tasks.length) stages.push({ stage, tasks });
  }
  return { agentConfig: { config: stages } };
}

/** Model of LaunchConfig.json (EC2Launch v1). */
export function launchConfigModel(config: ResolvedConfig, options: UnattendModelOptions = {}) {
  const kind = passwordKind(config);
  const staticKept = kind === 'static' && !options.withoutSecrets;
  const type = kind === 'static' ? (staticKept ? 'Specify' : 'Random') : kind === 'random' ? 'Random' : 'DoNothing';
  return {
    launchConfig: {
      ...config.agent.ec2launchV1,
      adminPasswordType: type,
      adminPassword: staticKept ? secretToken('administratorPassword') : '',
    },
  };
}

/** EC2Config Config.xml plugin states winami starts from (AWS's documented plugins). */
const EC2CONFIG_DEFAULT_PLUGINS: readonly [string, 'Enabled' | 'Disabled'][] = [
  ['Ec2SetPassword', 'Enabled'],
  ['Ec2SetComputerName', 'Disabled'],
  ['Ec2InitializeDrives', 'Enabled'],
  ['Ec2EventLog', 'Disabled'],
  ['Ec2ConfigureRDP', 'Disabled'],
  ['Ec2OutputRDPCert', 'Enabled'],
  ['Ec2SetDriveLetter', 'Enabled'],
  ['Ec2WindowsActivate', 'Enabled'],
  ['Ec2DynamicBootVolumeSize', 'Enabled'],
  ['Ec2HandleUserData', 'Enabled'],
  ['Ec2ElasticGpuSetup', 'Enabled'],
  ['Ec2FeatureLogging', 'Enabled'],
  ['AWS.EC2.Windows.CloudWatch.PlugIn', 'Disabled'],
];

/** Model of Config.xml and BundleConfig.xml (EC2Config). */
export function ec2configModel(config: ResolvedConfig) {
  const ec = config.agent.ec2config;
  const kind = passwordKind(config);
  // A static or unchanged password must not be overwritten by EC2Config's random one.
  const agentSetsPassword = kind === 'random';
  const plugins = new Map<string, string>(EC2CONFIG_DEFAULT_PLUGINS);
  plugins.set('Ec2SetPassword', agentSetsPassword ? 'Enabled' : 'Disabled');
  for (const name of Object.keys(ec.plugins).sort()) plugins.set(name, ec.plugins[name]!);
  const globals = new Map<string, string>([
    ['ManageShutdown', 'true'],
    ['SetDnsSuffixList', 'true'],
    ['WaitForMetaDataAvailable', 'true'],
    ['ShouldAddRoutes', 'true'],
    // Removes the administrator password from the answer file at the first service start.
    ['RemoveCredentialsfromSysprepOnStartup', 'true'],
  ]);
  for (const name of Object.keys(ec.globalSettings).sort()) globals.set(name, String(ec.globalSettings[name]));
  return {
    ec2config: {
      plugins: [...plugins].map(([name, state]) => ({ name, state })),
      globalSettings: [...globals].map(([name, value]) => ({ name, value })),
      setRdpCertificate: ec.setRdpCertificate,
      setPasswordAfterSysprep: agentSetsPassword,
    },
  };
}

/** Where the secret tokens must appear, by agent and config. */
export function secretPlacements(config: ResolvedConfig): SecretPlacement[] {
  const out: SecretPlacement[] = [];
  for (const s of config.secrets) {
    switch (s.slot) {
      case 'administratorPassword':
        out.push({ slot: s.slot, path: UNATTEND_PATH, encoding: 'xml' });
        if (config.launchAgent === 'ec2launch-v2') out.push({ slot: s.slot, path: 'agent/agent-config.yml', encoding: 'yaml' });
        if (config.launchAgent === 'ec2launch-v1') out.push({ slot: s.slot, path: 'agent/LaunchConfig.json', encoding: 'json' });
        break;
      case 'domainJoinPassword':
      case 'windowsProductKey':
        out.push({ slot: s.slot, path: UNATTEND_PATH, encoding: 'xml' });
        break;
      case 'sqlProductKey':
        // Resolved at first boot by complete-image.ps1, never on the builder (src/render/sql-bundle.ts).
        out.push({ slot: s.slot, path: 'sql/CompleteImage.ini', encoding: 'ini' });
        break;
      default:
        throw new RenderValueError(s.path, `winami does not know where the secret slot ${s.slot} is used`);
    }
  }
  return out;
}

/** How first-boot-cleanup.ps1 gets run on each agent. */
export function firstBootRegistration(agent: LaunchAgent): string {
  return agent === 'ec2launch-v2'
    ? 'an EC2Launch v2 executeScript task in postReady, frequency once'
    : 'a line winami appends to C:\\Windows\\Setup\\Scripts\\SetupComplete.cmd';
}

/**
 * Model of first-boot-cleanup.ps1, given the scrubbed copies to put back and
 * the SQL Server first-boot scripts (`SqlBundlePart.firstBoot`, in order) it
 * runs, each in its own PowerShell process.
 */
export function firstBootModel(config: ResolvedConfig, scrub: { path: string; base64: string }[], sqlFirstBoot: string[] = []) {
  return {
    registeredBy: firstBootRegistration(config.launchAgent),
    scrub,
    sqlFirstBoot,
  };
}

/** The file each agent leaves once it has run after Sysprep (for the smoke test). */
export const AGENT_RAN_MARKER: Readonly<Record<LaunchAgent, string>> = {
  'ec2launch-v2': 'C:\\ProgramData\\Amazon\\EC2Launch\\state\\.run-once',
  'ec2launch-v1': 'C:\\ProgramData\\Amazon\\EC2-Windows\\Launch\\Log\\EC2Launch.log',
  ec2config: 'C:\\Program Files\\Amazon\\Ec2ConfigService\\Logs\\Ec2ConfigLog.txt',
};

/** Model of sysprep.ps1. */
export function sysprepModel(config: ResolvedConfig) {
  return {
    agent: config.launchAgent,
    // EC2Config rewrites nothing in sysprep2008.xml; without a configured locale the seal script puts the
    // OS's own culture where AWS's file (and winami's) carries en-US, as `ec2launch sysprep` does on v2.
    localeFromOs: config.launchAgent === 'ec2config' && !config.windowsSettings.locale,
    telemetry: config.launchAgent === 'ec2launch-v2' ? config.agent.ec2launchV2.telemetry : true,
    // SetupComplete.cmd keeps this line in images made from this one, where the script is gone.
    setupComplete:
      config.launchAgent === 'ec2launch-v2'
        ? null
        : `if exist "${FIRST_BOOT_SCRIPT}" powershell.exe -NoProfile -ExecutionPolicy Bypass -File "${FIRST_BOOT_SCRIPT}"`,
  };
}
