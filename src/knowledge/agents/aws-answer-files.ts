/**
 * What the answer file AWS ships with each launch agent sets, setting by
 * setting, written from the documented facts (domain-facts §1.6, §2, §3, §13)
 * and AWS's own scripts, never copied from the files. A row whose value is a
 * RegExp states what the setting does where the exact text is not confirmed.
 *
 * Settings are flattened to `pass / component / path`; list items carry
 * their key, e.g. `RunSynchronous/RunSynchronousCommand[1]/Path` (Order 1) or
 * `FirewallGroups/FirewallGroup[RemoteDesktop]/Active` (wcm:keyValue).
 */
import type { LaunchAgent } from '../releases.js';

/** One setting of an AWS default answer file. */
export interface AwsDefaultSetting {
  readonly pass: string;
  readonly component: string;
  readonly path: string;
  /** The exact value, or what the value must match where only its effect is documented. */
  readonly value: string | RegExp;
  readonly source: string;
}

/** Where each AWS default answer file lives on an instance. */
export const AWS_ANSWER_FILE_PATHS: Readonly<Record<LaunchAgent, string>> = {
  'ec2launch-v2': 'C:\\ProgramData\\Amazon\\EC2Launch\\sysprep\\unattend.xml',
  'ec2launch-v1': 'C:\\ProgramData\\Amazon\\EC2-Windows\\Launch\\Sysprep\\Unattend.xml',
  ec2config: 'C:\\Program Files\\Amazon\\Ec2ConfigService\\sysprep2008.xml',
};

const SYSPREP_DOC = 'https://docs.aws.amazon.com/AWSEC2/latest/WindowsGuide/Creating_EBSbacked_WinAMI.html';
const TROUBLESHOOT_DOC =
  'https://docs.aws.amazon.com/AWSEC2/latest/WindowsGuide/sysprep-troubleshoot.html (CopyProfile: "Change <CopyProfile>true</CopyProfile> to false" in each agent\'s file)';
const DOMAIN_FACTS_13 = "domain-facts §13 (AWS's default files compared with winami's)";
const SYSPREP_INSTANCE =
  'EC2Launch v1 Scripts\\SysprepInstance.ps1: fills an empty order-1 Path with "<powershell.exe> <Sysprep>\\Randomize-LocalAdminPassword.ps1 <admin>" and empty oobeSystem locale elements with the OS culture';
const EC2CONFIG_SYSPREP_DOC = `${SYSPREP_DOC} ("Using Sysprep with EC2Config", sysprep2008.xml)`;
const EC2CONFIG_DOC = 'https://docs.aws.amazon.com/AWSEC2/latest/WindowsGuide/ec2config-service.html (sysprep2008.xml)';

const s = (pass: string, component: string, path: string, value: string | RegExp, source: string): AwsDefaultSetting => ({
  pass,
  component,
  path,
  value,
  source,
});

const PNP = 'Microsoft-Windows-PnpSysprep';
const SHELL = 'Microsoft-Windows-Shell-Setup';
const DEPLOY = 'Microsoft-Windows-Deployment';
const INTL = 'Microsoft-Windows-International-Core';
const FIREWALL = 'Networking-MPSSVC-Svc';
const DEFENDER = 'Security-Malware-Windows-Defender';
const RUN = (order: number, leaf: string) => `RunSynchronous/RunSynchronousCommand[${order}]/${leaf}`;
const RDP_GROUP = (leaf: string) => `FirewallGroups/FirewallGroup[RemoteDesktop]/${leaf}`;

const generalize = (source: string) => [
  s('generalize', PNP, 'PersistAllDeviceInstalls', 'true', source),
  s('generalize', PNP, 'DoNotCleanUpNonPresentDevices', 'true', source),
];
const rdpFirewall = [
  s('specialize', FIREWALL, RDP_GROUP('Active'), 'true', DOMAIN_FACTS_13),
  s('specialize', FIREWALL, RDP_GROUP('Group'), 'Remote Desktop', DOMAIN_FACTS_13),
  s('specialize', FIREWALL, RDP_GROUP('Profile'), 'all', DOMAIN_FACTS_13),
];
// winami finds the account by its RID 500 (`$a.Name`) where AWS's files name it `Administrator`: localized images name it per language.
const ADMIN = String.raw`(?:Administrator|\$a\.Name|\$a)`;
const NET_USER = new RegExp(String.raw`(?:^|; )net(?:\.exe)? user ${ADMIN} \/ACTIVE:YES\b`, 'i');

/** AWS's default answer file of each agent, as settings. */
export const AWS_DEFAULT_ANSWER_FILES: Readonly<Record<LaunchAgent, readonly AwsDefaultSetting[]>> = {
  'ec2launch-v2': [
    ...generalize(`${SYSPREP_DOC} ("Use Sysprep with EC2Launch v2", generalize pass)`),
    s('specialize', SHELL, 'CopyProfile', 'true', TROUBLESHOOT_DOC),
    s('specialize', SHELL, 'TimeZone', 'UTC', `${SYSPREP_DOC} (specialize pass)`),
    s('specialize', DEPLOY, RUN(1, 'Path'), NET_USER, `${SYSPREP_DOC} (RunSynchronous order 1)`),
    // The default file randomises the password in specialize; its exact command is UNCONFIRMED (domain-facts §13). AWS's
    // "Using Sysprep with EC2Launch v2" quotes for order 2 the EC2Config line ("…\\Ec2ConfigService\\ScramblePassword.exe" -u
    // Administrator), word for word as its EC2Config section, and for order 3 EC2Config's SysprepSpecializePhase.cmd: a
    // carried-over text naming files an EC2Launch v2 image does not have, so it is not taken as v2's command. No public code,
    // issue or page quoting the v2 file's order-2 Path was found (searched: the code, issues and pages corpora for EC2Launch v2
    // unattend.xml specialize RunSynchronousCommand; exact strings "EC2Launch\\sysprep\\unattend.xml",
    // "EC2Launch\\ScramblePassword", "RunSynchronousCommand[Order=2]"). The row states the effect.
    s(
      'specialize',
      DEPLOY,
      RUN(2, 'Path'),
      /password|Randomize|Scramble|RandomNumberGenerator/i,
      `${SYSPREP_DOC} (order 2 scrambles the Administrator password); ${DOMAIN_FACTS_13}`,
    ),
    s('specialize', DEPLOY, RUN(3, 'Path'), /fDenyTSConnections.*\b0\b/i, `${SYSPREP_DOC} (order 3 sets fDenyTSConnections=0)`),
    ...rdpFirewall,
    s('specialize', DEFENDER, 'TrustedImageIdentifier', /.+/, DOMAIN_FACTS_13),
    ...['InputLocale', 'SystemLocale', 'UILanguage', 'UserLocale'].map((l) =>
      s('oobeSystem', INTL, l, 'en-US', `${SYSPREP_DOC} (oobe pass; "ec2launch sysprep" rewrites it from the OS's locale)`),
    ),
    s('oobeSystem', SHELL, 'OOBE/HideEULAPage', 'true', `${SYSPREP_DOC} (oobe pass)`),
    s('oobeSystem', SHELL, 'OOBE/HideWirelessSetupInOOBE', 'true', `${SYSPREP_DOC} (oobe pass)`),
    s('oobeSystem', SHELL, 'OOBE/ProtectYourPC', '3', `${SYSPREP_DOC} (oobe pass)`),
    s('oobeSystem', SHELL, 'BluetoothTaskbarIconEnabled', 'false', `${SYSPREP_DOC} (oobe pass)`),
    s('oobeSystem', SHELL, 'TimeZone', 'UTC', `${SYSPREP_DOC} (oobe pass)`),
    s('oobeSystem', SHELL, 'RegisteredOrganization', 'Amazon.com', `${SYSPREP_DOC} (oobe pass)`),
    s('oobeSystem', SHELL, 'RegisteredOwner', 'EC2', `${SYSPREP_DOC} (oobe pass)`),
  ],
  'ec2launch-v1': [
    ...generalize(`${SYSPREP_DOC} ("Use Sysprep with EC2Launch": PersistAllDeviceInstalls keeps drivers)`),
    s('specialize', SHELL, 'CopyProfile', 'true', TROUBLESHOOT_DOC),
    s('specialize', DEPLOY, RUN(1, 'Path'), new RegExp(String.raw`Randomize-LocalAdminPassword\.ps1'? ${ADMIN}"?$`), `${DOMAIN_FACTS_13}; ${SYSPREP_INSTANCE}`),
    ...rdpFirewall,
    s('specialize', DEFENDER, 'TrustedImageIdentifier', /.+/, DOMAIN_FACTS_13),
    ...['InputLocale', 'SystemLocale', 'UILanguage', 'UserLocale'].map((l) => s('oobeSystem', INTL, l, '', `${DOMAIN_FACTS_13}; ${SYSPREP_INSTANCE}`)),
  ],
  ec2config: [
    ...generalize(`${EC2CONFIG_SYSPREP_DOC} (generalize phase)`),
    s('specialize', SHELL, 'CopyProfile', 'true', TROUBLESHOOT_DOC),
    s('specialize', SHELL, 'TimeZone', 'UTC', `${EC2CONFIG_SYSPREP_DOC} (specialize phase)`),
    s('specialize', DEPLOY, RUN(1, 'Path'), NET_USER, `${SYSPREP_DOC} (the EC2Config paths domain-facts §1.6 quotes)`),
    s(
      'specialize',
      DEPLOY,
      RUN(2, 'Path'),
      new RegExp(String.raw`ScramblePassword\.exe['"] -u ${ADMIN}"?$`),
      `${SYSPREP_DOC} (the EC2Config paths domain-facts §1.6 quotes)`,
    ),
    s(
      'specialize',
      DEPLOY,
      RUN(3, 'Path'),
      /Ec2ConfigService\\Scripts\\SysprepSpecializePhase\.cmd"?$/,
      `${SYSPREP_DOC} (the EC2Config paths domain-facts §1.6 quotes)`,
    ),
    ...rdpFirewall,
    // EC2Config does not rewrite these from the OS's culture; winami's seal script does (sysprep.ps1).
    ...['InputLocale', 'SystemLocale', 'UILanguage', 'UserLocale'].map((l) => s('oobeSystem', INTL, l, 'en-US', `${EC2CONFIG_SYSPREP_DOC} (OOBE phase)`)),
    s('oobeSystem', SHELL, 'OOBE/HideEULAPage', 'true', `${EC2CONFIG_SYSPREP_DOC} (OOBE phase)`),
    s('oobeSystem', SHELL, 'OOBE/HideWirelessSetupInOOBE', 'true', `${EC2CONFIG_SYSPREP_DOC} (OOBE phase)`),
    s('oobeSystem', SHELL, 'OOBE/NetworkLocation', 'Other', `${EC2CONFIG_SYSPREP_DOC} (OOBE phase); ${EC2CONFIG_DOC}; domain-facts §3`),
    s('oobeSystem', SHELL, 'OOBE/ProtectYourPC', '3', `${EC2CONFIG_SYSPREP_DOC} (OOBE phase)`),
    s('oobeSystem', SHELL, 'BluetoothTaskbarIconEnabled', 'false', `${EC2CONFIG_SYSPREP_DOC} (OOBE phase)`),
    s('oobeSystem', SHELL, 'TimeZone', 'UTC', `${EC2CONFIG_SYSPREP_DOC} (OOBE phase)`),
    s('oobeSystem', SHELL, 'RegisteredOrganization', 'Amazon.com', `${EC2CONFIG_SYSPREP_DOC} (OOBE phase)`),
    s('oobeSystem', SHELL, 'RegisteredOwner', 'Amazon', `${EC2CONFIG_SYSPREP_DOC} (OOBE phase); ${EC2CONFIG_DOC}; domain-facts §3`),
  ],
};

/** True when `value` is what the default row states. */
export function matchesAwsDefault(row: AwsDefaultSetting, value: string): boolean {
  return typeof row.value === 'string' ? row.value === value : row.value.test(value);
}
