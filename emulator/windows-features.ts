/**
 * Server Manager roles and features as the guest models them for
 * `Install-WindowsFeature` (ServerManager module, Windows Server 2012 and
 * later; https://learn.microsoft.com/powershell/module/servermanager/install-windowsfeature).
 * The cmdlet returns a FeatureOperationResult: `Success` (bool),
 * `RestartNeeded` (RestartState: No, Yes, Maybe), `ExitCode`
 * (FeatureOperationExitCode: Success, NoChangeNeeded, SuccessRestartRequired,
 * InvalidArgs, Failed, …) and `FeatureResult` (one entry per feature it
 * changed). A name Windows does not know is a non-terminating error
 * `ArgumentNotValid: The role, role service, or feature name is not valid:
 * '<name>'. The name was not found.` (FullyQualifiedErrorId
 * NameDoesNotExist,Microsoft.Windows.ServerManager.Commands.AddWindowsFeatureCommand)
 * and the result says Success False, ExitCode InvalidArgs.
 *
 * Which features exist is a representative subset of `Get-WindowsFeature`
 * on each release, not the full list; installed features are recorded on the
 * guest disk so they survive into images.
 */
import type { WindowsRelease } from '../src/knowledge/releases.js';
import type { GuestFs } from './guest-fs.js';

/** One feature: its display name, whether installing it needs a restart, and the releases that have it. */
interface FeatureInfo {
  displayName: string;
  restart: boolean;
  releases?: readonly WindowsRelease[];
}

const ALL_BUT_2012R2: readonly WindowsRelease[] = ['2016', '2019', '2022', '2025'];

/** Feature name → facts. Names are Server Manager's (`Get-WindowsFeature` Name column). */
export const WINDOWS_FEATURES: Readonly<Record<string, FeatureInfo>> = {
  'Web-Server': { displayName: 'Web Server (IIS)', restart: false },
  'Web-WebServer': { displayName: 'Web Server', restart: false },
  'Web-Common-Http': { displayName: 'Common HTTP Features', restart: false },
  'Web-Mgmt-Console': { displayName: 'IIS Management Console', restart: false },
  'Web-Mgmt-Tools': { displayName: 'Management Tools', restart: false },
  'Web-Asp-Net45': { displayName: 'ASP.NET 4.x', restart: false },
  'Web-Net-Ext45': { displayName: '.NET Extensibility 4.x', restart: false },
  'NET-Framework-Features': { displayName: '.NET Framework 3.5 Features', restart: false },
  'NET-Framework-Core': { displayName: '.NET Framework 3.5 (includes .NET 2.0 and 3.0)', restart: false },
  'NET-Framework-45-Features': { displayName: '.NET Framework 4.x Features', restart: false },
  'NET-Framework-45-Core': { displayName: '.NET Framework 4.x', restart: false },
  'RSAT-AD-PowerShell': { displayName: 'Active Directory module for Windows PowerShell', restart: false },
  'RSAT-ADDS': { displayName: 'AD DS and AD LDS Tools', restart: false },
  'AD-Domain-Services': { displayName: 'Active Directory Domain Services', restart: false },
  DNS: { displayName: 'DNS Server', restart: false },
  'FS-FileServer': { displayName: 'File Server', restart: false },
  'Telnet-Client': { displayName: 'Telnet Client', restart: false },
  'SNMP-Service': { displayName: 'SNMP Service', restart: false },
  'Windows-Server-Backup': { displayName: 'Windows Server Backup', restart: false },
  // Hyper-V is left out: it needs virtualization extensions that only .metal instances expose.
  BitLocker: { displayName: 'BitLocker Drive Encryption', restart: true },
  Containers: { displayName: 'Containers', restart: true, releases: ALL_BUT_2012R2 },
  'Windows-Defender': { displayName: 'Microsoft Defender Antivirus', restart: true, releases: ALL_BUT_2012R2 },
  'Server-Gui-Shell': { displayName: 'Server Graphical Shell', restart: true, releases: ['2012r2'] },
};

const STATE = 'C:\\Windows\\.emulator\\features.json';

/** The features installed on a disk. */
export function installedFeatures(fs: GuestFs): string[] {
  const raw = fs.read(STATE);
  return raw ? (JSON.parse(raw.toString('utf8')) as string[]) : [];
}

/** What one `Install-WindowsFeature` call did. */
export interface FeatureInstall {
  /** Names Windows does not know on this release. */
  unknown: string[];
  /** Installed now (already installed ones are left out). */
  installed: { name: string; displayName: string; restart: boolean }[];
}

/** The canonical name of a feature on a release, or undefined when the release has no such feature. */
export function featureName(name: string, release: WindowsRelease | undefined): string | undefined {
  const hit = Object.keys(WINDOWS_FEATURES).find((k) => k.toLowerCase() === name.toLowerCase());
  if (!hit) return undefined;
  const rel = WINDOWS_FEATURES[hit]!.releases;
  return rel && release && !rel.includes(release) ? undefined : hit;
}

/** Install `names` on the disk: nothing is installed when any name is unknown (Server Manager validates first). */
export function installFeatures(fs: GuestFs, release: WindowsRelease | undefined, names: string[]): FeatureInstall {
  const unknown = names.filter((n) => featureName(n, release) === undefined);
  if (unknown.length) return { unknown, installed: [] };
  const have = new Set(installedFeatures(fs));
  const installed: FeatureInstall['installed'] = [];
  for (const n of names) {
    const name = featureName(n, release)!;
    if (have.has(name)) continue;
    have.add(name);
    const f = WINDOWS_FEATURES[name]!;
    installed.push({ name, displayName: f.displayName, restart: f.restart });
  }
  fs.write(STATE, Buffer.from(JSON.stringify([...have].sort())));
  return { unknown, installed };
}
