/**
 * The rule pack: id, file kinds, default severity, title and explanation of
 * every rule, as data. The functions live in `rules/<id>.ts`; the runner
 * joins the two by id. `docs/lint.md` and SARIF `tool.driver.rules` are
 * generated from this table.
 */
import type { LintFileKind, Severity } from './types.js';

/** One rule's metadata. */
export interface RulePackEntry {
  readonly id: string;
  readonly kinds: readonly LintFileKind[];
  readonly severity: Severity;
  readonly title: string;
  readonly explanation: string;
}

const XML_KINDS: readonly LintFileKind[] = ['unattend', 'ec2config-config', 'ec2config-bundle'];
const U: readonly LintFileKind[] = ['unattend'];
const A: readonly LintFileKind[] = ['agent-config'];
const L: readonly LintFileKind[] = ['launch-config'];
const S: readonly LintFileKind[] = ['powershell', 'packer-hcl', 'packer-json'];

/** Every rule, in the order findings are explained in docs. */
export const RULE_PACK: readonly RulePackEntry[] = [
  {
    id: 'xml-well-formed',
    kinds: XML_KINDS,
    severity: 'error',
    title: 'XML is well formed',
    explanation:
      'The file must parse as XML: one root element, matching start and end tags, quoted attributes, known entities. Windows Setup rejects a malformed answer file outright.',
  },
  {
    id: 'unattend-namespace',
    kinds: U,
    severity: 'error',
    title: 'Unattend root and namespace',
    explanation:
      'The root must be `<unattend xmlns="urn:schemas-microsoft-com:unattend">` (an error otherwise). An element moved to another namespace (its own `xmlns`, or a prefix) is one warning: Setup ignores it and everything inside, which nothing else reports. Windows System Image Manager\'s `<cpi:offlineImage>` note is not reported: Setup ignores it by design.',
  },
  {
    id: 'unattend-wcm-namespace',
    kinds: U,
    severity: 'error',
    title: 'wcm namespace declared',
    explanation:
      '`wcm:action` and `wcm:keyValue` need `xmlns:wcm="http://schemas.microsoft.com/WMIConfig/2002/State"` in scope; an undeclared prefix makes the file invalid XML-with-namespaces.',
  },
  {
    id: 'unattend-pass-name',
    kinds: U,
    severity: 'error',
    title: 'Configuration pass names',
    explanation:
      '`<settings pass="...">` must name one of the seven passes, spelled exactly: windowsPE, offlineServicing, generalize, specialize, auditSystem, auditUser, oobeSystem.',
  },
  {
    id: 'component-attributes',
    kinds: U,
    severity: 'error',
    title: 'Component identity attributes',
    explanation:
      'Each `<component>` needs `name`, `processorArchitecture`, `publicKeyToken="31bf3856ad364e35"`, `language="neutral"` and `versionScope="nonSxS"`; Setup matches components by these and silently skips one that does not match.',
  },
  {
    id: 'component-architecture',
    kinds: U,
    severity: 'error',
    title: 'Processor architecture',
    explanation:
      '`processorArchitecture` is amd64, x86, wow64 or arm64, the same for every component outside windowsPE (wow64 may accompany amd64), and the target architecture when one is given. windowsPE may hold copies for a 32-bit PE.',
  },
  {
    id: 'component-unknown',
    kinds: U,
    severity: 'error',
    title: 'Unknown component',
    explanation:
      "The component is not in Microsoft's Unattended Windows Setup Reference, every component of which winami's knowledge base models: Setup skips it without an error. The nearest known name is suggested; a name that differs only in case gets the reference's spelling. A component the reference lists as removed (Security-Licensing-SLC, -SLC-UX, …) is a warning naming its replacement.",
  },
  {
    id: 'component-client-only',
    kinds: U,
    severity: 'warning',
    title: 'Client-only component',
    explanation:
      'The reference documents the component for client editions of Windows only (Windows 10 desktop editions, S mode): Windows Server has no such component and Setup skips it.',
  },
  {
    id: 'component-pass',
    kinds: U,
    severity: 'error',
    title: 'Component valid in its pass',
    explanation: 'A component may appear only in a pass where at least one of its settings is valid (per the Unattended Windows Setup Reference).',
  },
  {
    id: 'unattend-duplicate',
    kinds: U,
    severity: 'error',
    title: 'Duplicate passes, components or settings',
    explanation: 'A pass may appear once; a component (name and architecture) once per pass; a setting once per parent. Setup keeps only one of the copies.',
  },
  {
    id: 'setting-unknown',
    kinds: U,
    severity: 'error',
    title: 'Unknown setting or wrong case',
    explanation:
      'Setting names are case-sensitive and must exist in the component at that place in the tree. Setup fails on, or silently ignores, a misspelled setting.',
  },
  {
    id: 'setting-pass',
    kinds: U,
    severity: 'error',
    title: 'Setting valid in its pass',
    explanation: 'Each setting is valid only in the passes its reference page lists; elsewhere Setup ignores it or fails.',
  },
  {
    id: 'setting-value',
    kinds: U,
    severity: 'error',
    title: 'Value type, enumeration and range',
    explanation:
      'Booleans are true or false, integers within their range, enumerations one of their values (case-sensitive), strings within their length and not empty unless Microsoft allows it ("This string type does not support empty elements"); containers hold elements, not text. EC2Launch v1\'s empty oobeSystem locale elements and empty order-1 RunSynchronousCommand Path in specialize, which SysprepInstance.ps1 fills, are accepted with --agent ec2launch-v1 or in a file that names EC2-Windows\\Launch.',
  },
  {
    id: 'list-items',
    kinds: U,
    severity: 'error',
    title: 'List items',
    explanation:
      'Items of list settings carry `wcm:action="add"` and their key (`Order`, `Identifier`, `wcm:keyValue`, ...); keys are unique and `Order` starts at 1.',
  },
  {
    id: 'computer-name',
    kinds: U,
    severity: 'error',
    title: 'ComputerName rules',
    explanation:
      'ComputerName is at most 15 characters, has no spaces or any of {|}~[\\]^\':;<=>?@!"#$%`()+/.,*&, is not all digits; `*` or empty asks for a random name.',
  },
  {
    id: 'time-zone',
    kinds: U,
    severity: 'error',
    title: 'Windows time-zone id',
    explanation:
      'Shell-Setup/TimeZone takes a Windows time-zone id, one of those `tzutil /l` prints ("Pacific Standard Time", "W. Europe Standard Time", "UTC"), not a display name ("Pacific Time") nor an IANA name ("America/Los_Angeles"). Setup ignores an unknown id and leaves the zone unset. The table is src/knowledge/windows/time-zones.ts.',
  },
  {
    id: 'locale-name',
    kinds: U,
    severity: 'error',
    title: 'Windows locale name',
    explanation:
      "International-Core locale settings take Windows locale names with a hyphen (`en-US`, `de-DE`), not POSIX names (`en_US`); InputLocale may also hold `0409:00000409` keyboard ids and IME GUIDs, `;`-separated; UserLocale may carry an alternate sort (`de-DE_phoneb`). A well-formed name outside winami's table is a warning.",
  },
  {
    id: 'local-account-group',
    kinds: U,
    severity: 'warning',
    title: 'LocalAccount in a group',
    explanation:
      'A LocalAccount without `Group` is created in no group: neither Users nor Administrators, so it cannot sign in where the build expects. Add `<Group>Administrators</Group>` (or Users). An error when AutoLogon signs in as that account: it may not log on locally, so the logon fails.',
  },
  {
    id: 'autologon',
    kinds: U,
    severity: 'error',
    title: 'AutoLogon can sign in',
    explanation:
      'AutoLogon with Enabled=true needs a Username and a Password; an account that is neither the built-in Administrator, a LocalAccount the file creates, nor a domain account (Domain set) does not exist when Setup signs in (a warning).',
  },
  {
    id: 'non-ascii',
    kinds: U,
    severity: 'warning',
    title: 'Non-ASCII text',
    explanation:
      'Non-ASCII characters in values break when the file is saved in another encoding than the one its declaration names, and some settings (names, keys) reject them.',
  },
  {
    id: 'plaintext-password',
    kinds: U,
    severity: 'warning',
    title: 'Plain-text password',
    explanation:
      'A password with `PlainText` true (the default) is readable by anyone who reads the answer file or its cached copy. Generate it at build time or hide it (`PlainText=false`, base64 of UTF-16LE password + suffix).',
  },
  {
    id: 'password-encoding',
    kinds: U,
    severity: 'error',
    title: 'Hidden password is encoded right',
    explanation:
      "With `PlainText=false` the `Value` must be base64 of UTF-16LE text ending in the setting's suffix, `Password` (LocalAccount, AutoLogon) or `AdministratorPassword`, which Windows strips; anything else fails the logon or sets another password. A template placeholder there is an error even with --allow-placeholders: whatever fills it must already be encoded.",
  },
  {
    id: 'deprecated-setting',
    kinds: U,
    severity: 'warning',
    title: 'Deprecated setting',
    explanation:
      'The setting is deprecated or absent from the current reference (for example SkipMachineOOBE and SkipUserOOBE, deprecated since Windows 8 and meant for testing only).',
  },
  {
    id: 'ec2-agent-requirements',
    kinds: U,
    severity: 'warning',
    title: 'What the launch agent needs kept',
    explanation:
      "AWS's launch agents ship answer files whose settings the agent relies on: PnpSysprep/PersistAllDeviceInstalls=true in generalize (keeps ENA/NVMe drivers), an unattended OOBE (HideEULAPage, locale), the Administrator account enabled, RDP re-enabled in specialize (EC2Launch v2 turns it off before Sysprep).",
  },
  {
    id: 'copy-profile',
    kinds: U,
    severity: 'warning',
    title: 'CopyProfile advice',
    explanation:
      'CopyProfile=true copies the build-time Administrator profile to Default; a stale or corrupt profile makes specialize fail with "_FindLatestProfile failed (0x80070003)". Remove stale ProfileList entries first, or set it to false.',
  },
  {
    id: 'panther-cache-secrets',
    kinds: U,
    severity: 'warning',
    title: 'Secrets cached in Panther',
    explanation:
      'Setup caches the answer file in C:\\Windows\\Panther and it persists between reboots; passwords, product keys and join credentials stay readable there unless removed (for example from SetupComplete.cmd).',
  },
  { id: 'yaml-syntax', kinds: A, severity: 'error', title: 'YAML syntax', explanation: 'agent-config.yml must parse as YAML (or JSON), with unique keys.' },
  {
    id: 'agent-config-structure',
    kinds: A,
    severity: 'error',
    title: 'agent-config.yml structure',
    explanation:
      'Top level holds `version: 1.0` and `config:`, a list of `{stage, tasks}`; stages are boot, network, preReady, postReady, each listed once; tasks is a list of `{task, inputs}`.',
  },
  {
    id: 'agent-config-task-unknown',
    kinds: A,
    severity: 'error',
    title: 'Known EC2Launch v2 task',
    explanation:
      'Only the 15 documented tasks exist. `setComputerName` is an EC2Launch v1 key (the v2 task is `setHostName`); the docs misspell `extendRootParitition`.',
  },
  {
    id: 'agent-config-task-stage',
    kinds: A,
    severity: 'error',
    title: 'Task allowed in its stage',
    explanation:
      'Each task runs only in its documented stages: extendRootPartition in boot; setAdminAccount, setDnsSuffix and activateWindows in preReady; sysprep only from user data.',
  },
  { id: 'agent-config-task-duplicate', kinds: A, severity: 'error', title: 'Task once per stage', explanation: 'A task may appear only once in a stage.' },
  {
    id: 'agent-config-task-inputs',
    kinds: A,
    severity: 'error',
    title: 'Task inputs',
    explanation:
      'Inputs must be the documented ones with the documented types and values (password type static|random|doNothing, script type batch|powershell, runAs admin|localSystem, frequency once|always).',
  },
  {
    id: 'agent-config-plaintext-password',
    kinds: A,
    severity: 'warning',
    title: 'Static password in agent-config.yml',
    explanation: 'A `static` password is kept in clear text in agent-config.yml until Sysprep has set it.',
  },
  { id: 'json-syntax', kinds: L, severity: 'error', title: 'JSON syntax', explanation: 'LaunchConfig.json must parse as JSON, with unique keys.' },
  {
    id: 'launch-config-keys',
    kinds: L,
    severity: 'error',
    title: 'LaunchConfig.json keys and types',
    explanation:
      'Only the documented keys, each with its type: booleans for the set*/add*/extend*/handle* switches, adminPasswordType Random|Specify|DoNothing, adminPassword a string.',
  },
  {
    id: 'launch-config-password',
    kinds: L,
    severity: 'error',
    title: 'adminPassword with adminPasswordType',
    explanation: '`Specify` needs an adminPassword (kept in clear text until Sysprep sets it); with Random or DoNothing an adminPassword is ignored.',
  },
  {
    id: 'ec2config-structure',
    kinds: ['ec2config-config'],
    severity: 'error',
    title: 'EC2Config Config.xml',
    explanation:
      'Root `Ec2ConfigurationSettings` with `Plugins/Plugin` entries of `Name` (a known plugin) and `State` (Enabled|Disabled), and `GlobalSettings` with known boolean keys.',
  },
  {
    id: 'ec2config-bundle-properties',
    kinds: ['ec2config-bundle'],
    severity: 'error',
    title: 'EC2Config BundleConfig.xml',
    explanation:
      'Root `BundleConfig` with `Property` entries of `Name` (AutoSysprep, SetRDPCertificate, SetPasswordAfterSysprep, PreSysprepRunCmd) and `Value` (Yes|No for the switches).',
  },
  {
    id: 'seal-v1-schedule-order',
    kinds: S,
    severity: 'error',
    title: 'EC2Launch v1: -Schedule before SysprepInstance.ps1',
    explanation:
      'EC2Launch v1 seals with Scripts\\SysprepInstance.ps1, which must come after `InitializeInstance.ps1 -Schedule`; without it instances from the image never initialise (password, computer name, routes). AWS, "Configure a Windows instance using EC2Launch".',
  },
  {
    id: 'seal-bundleconfig-plugin',
    kinds: S,
    severity: 'error',
    title: 'BundleConfig.xml has Property entries',
    explanation:
      'EC2Config\'s BundleConfig.xml holds `BundleConfig/Property` (Name, Value) entries, not the `Plugins/Plugin` of Config.xml; a script that looks for a Plugin there changes nothing and AutoSysprep is never set. AWS, "Configure EC2Config", BundleConfig.xml.',
  },
  {
    id: 'seal-ec2config-wait',
    kinds: S,
    severity: 'error',
    title: 'Start-Process -Wait outside -ArgumentList',
    explanation:
      'In `Start-Process … Ec2Config.exe -ArgumentList "-sysprep -Wait"` Ec2Config.exe receives -Wait and Start-Process returns at once, so the build goes on while Sysprep runs. -Wait is Start-Process\'s own parameter.',
  },
  {
    id: 'seal-direct-sysprep',
    kinds: S,
    severity: 'warning',
    title: 'sysprep.exe outside the launch agent',
    explanation:
      "Running sysprep.exe directly skips what the agent's sealing command does: BeforeSysprep.cmd (RDP off while the password is blank), filling its answer file (locale, the order-1 password randomisation) and resetting its state so it runs on first boot. Seal with `ec2launch.exe sysprep`, `SysprepInstance.ps1` or `Ec2Config.exe -sysprep`.",
  },
  {
    id: 'seal-embedded-agent-config',
    kinds: S,
    severity: 'error',
    title: 'agent-config.yml in a here-string',
    explanation:
      'An EC2Launch v2 agent-config.yml written from a here-string is checked with the agent-config rules (YAML syntax, structure, task names, stages, inputs); each finding keeps its own severity and names the agent-config rule.',
  },
  {
    id: 'seal-here-string-expansion',
    kinds: S,
    severity: 'error',
    title: '$REGION in a double-quoted here-string',
    explanation:
      'EC2Launch v2 substitutes `$REGION` and `$AZ` in agent-config.yml; in a double-quoted `@"…"@` here-string PowerShell expands them first, to empty strings. Use `@\'…\'@` or escape them as `` `$ ``.',
  },
  {
    id: 'seal-ec2launch-v2-sequence',
    kinds: S,
    severity: 'error',
    title: 'EC2Launch v2 sealing commands',
    explanation:
      'The `ec2launch.exe` commands AWS documents for sealing: known subcommands and flags (`sysprep` and `reset` take -b/--block, -c/--clean, and sysprep -s/--shutdown; `=true|false`); `sysprep --shutdown` as AWS invokes it (a warning without); `reset` followed by `sysprep` (reset alone leaves the image ungeneralised, a warning); nothing after `sysprep --shutdown`, which ends the session.',
  },
];

/** Findings the runner itself emits, not rules; listed for SARIF and docs. */
export const RUNNER_PACK: readonly RulePackEntry[] = [
  {
    id: 'internal-rule-error',
    kinds: ['unattend', 'agent-config', 'launch-config', 'ec2config-config', 'ec2config-bundle', 'powershell', 'packer-hcl', 'packer-json'],
    severity: 'error',
    title: 'A rule failed',
    explanation: 'A rule threw while checking this file; the message names the rule. This is a bug in winami: please report it with the file.',
  },
  {
    id: 'file-kind',
    kinds: [],
    severity: 'error',
    title: 'Unknown file kind',
    explanation:
      'The file is not recognised as an answer file, agent-config.yml, LaunchConfig.json, EC2Config XML, a PowerShell script or a Packer template; pass `--kind`.',
  },
];

/** Pack entry by id (rules and runner findings). */
export function packEntry(id: string): RulePackEntry | undefined {
  return RULE_PACK.find((r) => r.id === id) ?? RUNNER_PACK.find((r) => r.id === id);
}
