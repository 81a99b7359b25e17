/**
 * Server networking and service components: NetBIOS, SNMP, printing, SMB,
 * browsing, telephony, connection sharing, Remote Desktop licensing, SAN
 * policy, virtualization-based security and the machine-wide proxy.
 *
 * Passes come from each setting page's "Valid Configuration Passes". Where a
 * component's comment says a setting "shares" a pass, only its sibling's page
 * was read and the setting is taken to be valid where that sibling is; every
 * other pass below was read on the setting's own page.
 */
import { GENERALIZE as G, OFFLINE, OOBE, SPECIALIZE, bool, box, component, int, list, oneOf, str } from '../dsl.js';

/** Microsoft-Windows-NetBT: Interfaces (specialize), keyed by Identifier; NetbiosOptions 0|1|2. */
export const NETBT = component('Microsoft-Windows-NetBT', [
  list(
    'Interfaces',
    {
      name: 'Interface',
      key: 'Identifier',
      children: [str('Identifier'), list('NameServerList', { name: 'IpAddress', key: 'wcm:keyValue', children: [] }), int('NetbiosOptions', 0, 2)],
    },
    { passes: [SPECIALIZE] },
  ),
]);

/**
 * Microsoft-Windows-SNMP-Agent-Service. Every setting: generalize, specialize
 * (each page). A ValidCommunity's value is its rights mask. RFC1156Agent's
 * children are spelled sysContact… in the page's example and SysContact… in
 * its table; both are accepted.
 */
export const SNMP_AGENT_SERVICE = component('Microsoft-Windows-SNMP-Agent-Service', [
  bool('EnableAuthenticationTraps', { passes: [G, SPECIALIZE] }),
  box('PermittedManagers', [], { passes: [G, SPECIALIZE], open: true }),
  box(
    'RFC1156Agent',
    ['sys', 'Sys'].flatMap((p) => [str(`${p}Contact`, { allowEmpty: true }), str(`${p}Location`, { allowEmpty: true }), int(`${p}Services`, 0, 127)]),
    { passes: [G, SPECIALIZE] },
  ),
  box(
    'TrapConfiguration',
    [list('TrapConfigurationItems', { name: 'TrapConfigurationItems', key: 'Community_Name', children: [str('Community_Name'), str('Traps')] })],
    { passes: [G, SPECIALIZE] },
  ),
  list('ValidCommunities', { name: 'ValidCommunity', key: 'wcm:keyValue', children: [] }, { passes: [G, SPECIALIZE] }),
]);

/** Microsoft-Windows-Printing-Spooler-Core. RemoveMPDW, RemoveMXDW, Start: specialize. Each 0|1. */
export const PRINTING_SPOOLER_CORE = component('Microsoft-Windows-Printing-Spooler-Core', [
  int('RemoveMPDW', 0, 1, { passes: [SPECIALIZE] }),
  int('RemoveMXDW', 0, 1, { passes: [SPECIALIZE] }),
  int('Start', 0, 1, { passes: [SPECIALIZE] }),
]);

/** Microsoft-Windows-WorkstationService. AllowInsecureGuestAuth (0|1), OtherDomains: generalize; SyncDomainWithMembership (boolean): specialize. */
export const WORKSTATION_SERVICE = component('Microsoft-Windows-WorkstationService', [
  int('AllowInsecureGuestAuth', 0, 1, { passes: [G] }),
  str('OtherDomains', { passes: [G] }),
  bool('SyncDomainWithMembership', { passes: [SPECIALIZE] }),
]);

/** Microsoft-Windows-SMBServer. LmAnnounce (boolean), Size (1|2|3): generalize. */
export const SMB_SERVER = component('Microsoft-Windows-SMBServer', [bool('LmAnnounce', { passes: [G] }), oneOf('Size', ['1', '2', '3'], { passes: [G] })]);

/** Microsoft-Windows-BrowserService. MaintainServerList Yes|No|Auto: generalize. */
export const BROWSER_SERVICE = component('Microsoft-Windows-BrowserService', [oneOf('MaintainServerList', ['Yes', 'No', 'Auto'], { passes: [G] })]);

/**
 * Microsoft-Windows-TapiSetup. TapiConfigured (0|1), TapiUnattendLocation:
 * specialize. A location field that does not apply is written as an empty
 * string, which the page allows.
 */
export const TAPI_SETUP = component('Microsoft-Windows-TapiSetup', [
  int('TapiConfigured', 0, 1, { passes: [SPECIALIZE] }),
  box(
    'TapiUnattendLocation',
    [
      str('AreaCode', { allowEmpty: true }),
      int('CountryOrRegion', 0, 65535),
      str('DisableCallWaiting', { allowEmpty: true }),
      str('InternationalCarrierCode', { allowEmpty: true }),
      str('LongDistanceAccess', { allowEmpty: true }),
      str('LongDistanceCarrierCode', { allowEmpty: true }),
      str('Name'),
      str('OutsideAccess', { allowEmpty: true }),
      int('PulseOrToneDialing', 0, 1),
    ],
    { passes: [SPECIALIZE] },
  ),
]);

/** Microsoft-Windows-SharedAccess (Internet Connection Sharing). EnableICS, ExternalAdapter, InternalIsBridge: generalize; InternalAdapter shares it. */
export const SHARED_ACCESS = component('Microsoft-Windows-SharedAccess', [
  bool('EnableICS', { passes: [G] }),
  str('ExternalAdapter', { passes: [G] }),
  str('InternalAdapter', { passes: [G] }),
  bool('InternalIsBridge', { passes: [G] }),
]);

/** Microsoft-Windows-TerminalServices-RemoteConnectionManager. LicensingMode 2|4|5: generalize, offlineServicing, specialize. */
export const TS_REMOTE_CONNECTION_MANAGER = component('Microsoft-Windows-TerminalServices-RemoteConnectionManager', [
  oneOf('LicensingMode', ['2', '4', '5'], { passes: [G, OFFLINE, SPECIALIZE] }),
]);

/** Microsoft-Windows-TerminalServices-LicenseServer. DBPath, Role 0|1: oobeSystem. */
export const TS_LICENSE_SERVER = component('Microsoft-Windows-TerminalServices-LicenseServer', [
  str('DBPath', { passes: [OOBE] }),
  int('Role', 0, 1, { passes: [OOBE] }),
]);

/** Microsoft-Windows-PartitionManager. SanPolicy 1|2|3 (1 mounts every disk): offlineServicing. */
export const PARTITION_MANAGER = component('Microsoft-Windows-PartitionManager', [oneOf('SanPolicy', ['1', '2', '3'], { passes: [OFFLINE] })]);

/**
 * Microsoft-Windows-DeviceGuard-Unattend (Windows Server 2016 and later).
 * EnableVirtualizationBasedSecurity 0|1, LsaCfgFlags 0|1|2 (Credential Guard):
 * offlineServicing; HypervisorEnforcedCodeIntegrity shares it.
 */
export const DEVICE_GUARD = component('Microsoft-Windows-DeviceGuard-Unattend', [
  int('EnableVirtualizationBasedSecurity', 0, 1, { passes: [OFFLINE] }),
  int('HypervisorEnforcedCodeIntegrity', 0, 1, { passes: [OFFLINE] }),
  int('LsaCfgFlags', 0, 2, { passes: [OFFLINE] }),
]);

/**
 * Microsoft-Windows-IE-ClientNetworkProtocolImplementation (machine-wide
 * proxy and connection limits). CacheLimit, HKLMContentPerUserItem,
 * HKLMProxyEnable, HKLMProxyServer (never empty): oobeSystem; the others
 * (the cookie and history switches beside the content one, the timeouts)
 * share it.
 */
export const IE_CLIENT_NETWORK_PROTOCOL = component('Microsoft-Windows-IE-ClientNetworkProtocolImplementation', [
  // KB, 8192-1048576; a smaller value is raised to 8192, so only the top is a limit.
  int('CacheLimit', 0, 1048576, { passes: [OOBE] }),
  int('HKLMConnectRetries', 0, 2147483647, { passes: [OOBE] }),
  int('HKLMConnectTimeOut', 0, 2147483647, { passes: [OOBE] }),
  bool('HKLMContentPerUserItem', { passes: [OOBE] }),
  bool('HKLMCookiesPerUserItem', { passes: [OOBE] }),
  bool('HKLMHistoryPerUserItem', { passes: [OOBE] }),
  bool('HKLMProxyEnable', { passes: [OOBE] }),
  str('HKLMProxyOverride', { passes: [OOBE], allowEmpty: true }),
  str('HKLMProxyServer', { passes: [OOBE] }),
  int('HKLMReceiveTimeOut', 0, 2147483647, { passes: [OOBE] }),
  int('HKLMSendTimeOut', 0, 2147483647, { passes: [OOBE] }),
]);
