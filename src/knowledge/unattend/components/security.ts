/**
 * Components outside the `Microsoft-Windows-` prefix, and the recovery,
 * restore, browser and settings components real server answer files carry.
 * AWS's own answer files use the first two (domain-facts §13). Passes per
 * setting from each setting page's "Valid Configuration Passes" or "Valid
 * Passes" section; the page of each component is its `source`.
 */
import { AUDIT_SYSTEM, GENERALIZE, OFFLINE, OOBE, SPECIALIZE, bool, box, component, int, list, oneOf, str } from '../dsl.js';

const FIREWALL_PROFILES = ['Domain', 'Private', 'Public'] as const;

/** Per-profile firewall switches and logging settings (networking-mpssvc-svc-<profile>profile-*.md: specialize). */
const profileSettings = FIREWALL_PROFILES.flatMap((p) => [
  bool(`${p}Profile_DisableNotifications`, { passes: [SPECIALIZE] }),
  bool(`${p}Profile_EnableFirewall`, { passes: [SPECIALIZE] }),
  bool(`${p}Profile_LogDroppedPackets`, { passes: [SPECIALIZE] }),
  str(`${p}Profile_LogFile`, { passes: [SPECIALIZE] }),
  int(`${p}Profile_LogFileSize`, 1, 32767, { passes: [SPECIALIZE] }),
  bool(`${p}Profile_LogSuccessfulConnections`, { passes: [SPECIALIZE] }),
]);

/**
 * Networking-MPSSVC-Svc (Windows Firewall). `FirewallGroups/FirewallGroup`
 * is keyed by `wcm:keyValue` in Microsoft's example; files written with
 * Windows SIM also carry a `Key` child, which identifies the item as well.
 */
export const NETWORKING_MPSSVC_SVC = component('Networking-MPSSVC-Svc', [
  bool('DisableStatefulFTP', { passes: [SPECIALIZE] }),
  bool('DisableStatefulPPTP', { passes: [SPECIALIZE] }),
  list(
    'FirewallGroups',
    {
      name: 'FirewallGroup',
      key: 'wcm:keyValue',
      altKey: 'Key',
      children: [bool('Active'), str('Group', { maxLength: 256 }), str('Key', { maxLength: 256 }), oneOf('Profile', ['all', 'domain', 'private', 'public'])],
    },
    { passes: [SPECIALIZE] },
  ),
  ...profileSettings,
]);

/** Security-Malware-Windows-Defender. TrustedImageIdentifier: oobeSystem, offlineServicing, specialize; not on Server 2012. */
export const SECURITY_MALWARE_WINDOWS_DEFENDER = component('Security-Malware-Windows-Defender', [
  str('TrustedImageIdentifier', { passes: [OFFLINE, SPECIALIZE, OOBE], maxLength: 256 }),
  bool('DisableAntiSpyware', { passes: [OFFLINE, SPECIALIZE] }),
  bool('EnableRemoteManagedDefaults', { passes: [OFFLINE, SPECIALIZE] }),
  str('FallbackOrder', { passes: [OFFLINE, SPECIALIZE] }),
  str('DefinitionUpdateFileSharesSources', { passes: [OFFLINE, SPECIALIZE] }),
  int('SignatureUpdateInterval', 0, 24, { passes: [OFFLINE, SPECIALIZE] }),
  box('Scan', [int('ScheduleDay', 0, 8), int('ScheduleTime', 0, 1439), int('ScanParameters', 1, 2)], { passes: [OFFLINE, SPECIALIZE] }),
  box('ThreatSeverityDefaultAction', [int('Low', 0, 10), int('Moderate', 0, 10), int('High', 0, 10), int('Severe', 0, 10)], { passes: [OFFLINE, SPECIALIZE] }),
]);

/** Microsoft-Windows-WinRE-RecoveryAgent. UninstallWindowsRE: oobeSystem (Microsoft advises against it). */
export const WINRE_RECOVERY_AGENT = component('Microsoft-Windows-WinRE-RecoveryAgent', [bool('UninstallWindowsRE', { passes: [OOBE] })]);

/** Microsoft-Windows-SystemRestore-Main. DisableSR 0|1: specialize. */
export const SYSTEM_RESTORE_MAIN = component('Microsoft-Windows-SystemRestore-Main', [int('DisableSR', 0, 1, { passes: [SPECIALIZE] })]);

const systemSettings = () => [bool('DisplayNetworkSelection', { passes: [GENERALIZE, SPECIALIZE] }), bool('WiFiToWlan', { passes: [GENERALIZE, SPECIALIZE] })];

/** Microsoft-Windows-SystemSettings (the reference's name). DisplayNetworkSelection, WiFiToWlan: generalize, specialize. */
export const SYSTEM_SETTINGS = component('Microsoft-Windows-SystemSettings', systemSettings());

/** Microsoft-Windows-SystemSettingsThreshold: the name Windows 10's catalogs (and answer files written with them) give the same component. */
export const SYSTEM_SETTINGS_THRESHOLD = component('Microsoft-Windows-SystemSettingsThreshold', systemSettings(), {
  source: 'https://learn.microsoft.com/en-us/windows-hardware/customize/desktop/unattend/microsoft-windows-systemsettings',
});

/**
 * Microsoft-Windows-IE-InternetExplorer: the scalar settings server images
 * set (Home_Page: specialize, "does not support empty elements"); list-valued
 * settings (favourites, search scopes, sites) are open containers here.
 */
export const IE_INTERNET_EXPLORER = component('Microsoft-Windows-IE-InternetExplorer', [
  ...[
    'BlockPopups',
    'CompanyName',
    'FilterLevel',
    'FindProvidersURL',
    'Help_Page',
    'Home_Page',
    'IntranetCompatibilityMode',
    'PrivacyAdvisorMode',
    'TabProcessGrowth',
    'UserAgent',
    'Window_Title_CN',
  ].map((n) => str(n, { passes: [SPECIALIZE] })),
  ...[
    'CommandLabelDisplay',
    'DisableAccelerators',
    'DisableDataExecutionPrevention',
    'DisableDevTools',
    'DisableFirstRunWizard',
    'DisableOOBAccelerators',
    'FavoritesDelete',
    'FavoritesOnTop',
    'GroupTabs',
    'LockToolbars',
    'MSCompatibilityMode',
    'PlaySound',
    'ShowInformationBar',
    'ShowLeftAddressToolbar',
    'SuggestedSitesEnabled',
  ].map((n) => bool(n, { passes: [SPECIALIZE] })),
  ...[
    'Accelerators',
    'AllowedSites',
    'CompatibilityViewDomains',
    'FavoriteBarItems',
    'FavoritesList',
    'FeedList',
    'InstalledBHOList',
    'InstalledBrowserExtensions',
    'InstalledToolbarsList',
    'LocalIntranetSites',
    'PreApprovedAddons',
    'QuickLinkList',
    'SearchScopes',
    'StartPages',
    'TrustedSites',
  ].map((n) => box(n, [], { passes: [SPECIALIZE], open: true })),
]);

/**
 * Microsoft-Windows-RemoteAssistance-Exe. fAllowToGetHelp: specialize (its
 * page); the other settings appear beside it in the page's example and are
 * taken to share its pass.
 */
export const REMOTE_ASSISTANCE_EXE = component('Microsoft-Windows-RemoteAssistance-Exe', [
  bool('fAllowToGetHelp', { passes: [SPECIALIZE] }),
  bool('fAllowFullControl', { passes: [SPECIALIZE] }),
  bool('CreateEncryptedOnlyTickets', { passes: [SPECIALIZE] }),
  int('MaxTicketExpiry', 1, 999, { passes: [SPECIALIZE] }),
  int('MaxTicketExpiryUnits', 0, 2, { passes: [SPECIALIZE] }),
]);

/** Microsoft-Windows-SecureStartup-FilterDriver. PreventDeviceEncryption: offlineServicing, specialize, auditSystem, oobeSystem. */
export const SECURE_STARTUP_FILTER_DRIVER = component('Microsoft-Windows-SecureStartup-FilterDriver', [
  bool('PreventDeviceEncryption', { passes: [OFFLINE, SPECIALIZE, AUDIT_SYSTEM, OOBE] }),
]);
