/**
 * The unattend knowledge base: every component winami knows, with the passes
 * each setting is valid in and the type of each value. Lookups by name.
 */
import { DEPLOYMENT } from './components/deployment.js';
import {
  AUDIO_AUDIOCORE,
  AUDIO_VOLUMECONTROL,
  BLB_WSB_ONLINE_MAIN,
  CODE_INTEGRITY,
  CORE_MM_RES,
  DEVICE_ACCESS,
  DIAG_CPL,
  DISK_FAILURE_DIAGNOSTIC,
  EMBEDDED_KEYBOARD_FILTER,
  EMBEDDED_SHELL_LAUNCHER,
  EMBEDDED_UNIFIED_WRITE_FILTER,
  ENHANCED_STORAGE_ADM,
  FAX_SERVICE,
  GPIO_BUTTONS,
  HELP_AND_SUPPORT,
  MAP_CONTROL_DESKTOP,
  MEDIA_PLAYER_CORE,
  MOBILEPC_SENSORS_API,
  NETWORK_BRIDGE,
  NETWORK_LOAD_BALANCING,
  RAS_SERVER,
  SHWEBSVC,
  STOBJECT,
  STORPORT_REGISTRY_SETTINGS,
  SYSTEM_MAINTENANCE_SERVICE,
  TABLETPC_INPUT_CORE,
  TPM_TASKS,
  TS_CENTRAL_PUBLISHING,
  TS_PUBLISHING_WMI_PROVIDER,
  TWINUI,
  WDF_KERNEL_LIBRARY,
  WIFI_NETWORK_MANAGER,
  WLANSVC,
  WPD_BUS_ENUM_SERVICE,
  WWAN_UI,
} from './components/devices.js';
import { INTERNATIONAL_CORE, INTERNATIONAL_CORE_WINPE } from './components/international.js';
import { DNS_CLIENT, TCPIP, UNATTENDED_JOIN } from './components/network.js';
import {
  EMBEDDED_BOOTEXP,
  EMBEDDED_LOGON,
  ERROR_REPORTING_CORE,
  IE_ESC,
  LUA_SETTINGS,
  OUT_OF_BOX_EXPERIENCE,
  PNP_CUSTOMIZATIONS_NONWINPE,
  PNP_CUSTOMIZATIONS_WINPE,
  PNP_SYSPREP,
  POWERCPL,
  SECURITY_SPP,
  SECURITY_SPP_UX,
  SERVER_MANAGER,
  SQMAPI,
  TS_LOCAL_SESSION_MANAGER,
  TS_RDP_WINSTATION_EXTENSIONS,
} from './components/server.js';
import {
  IE_INTERNET_EXPLORER,
  NETWORKING_MPSSVC_SVC,
  REMOTE_ASSISTANCE_EXE,
  SECURE_STARTUP_FILTER_DRIVER,
  SECURITY_MALWARE_WINDOWS_DEFENDER,
  SYSTEM_RESTORE_MAIN,
  SYSTEM_SETTINGS_THRESHOLD,
  WINRE_RECOVERY_AGENT,
} from './components/security.js';
import {
  BROWSER_SERVICE,
  DEVICE_GUARD,
  IE_CLIENT_NETWORK_PROTOCOL,
  NETBT,
  PARTITION_MANAGER,
  PRINTING_SPOOLER_CORE,
  SHARED_ACCESS,
  SMB_SERVER,
  SNMP_AGENT_SERVICE,
  TAPI_SETUP,
  TS_LICENSE_SERVER,
  TS_REMOTE_CONNECTION_MANAGER,
  WORKSTATION_SERVICE,
} from './components/services.js';
import { SETUP } from './components/setup.js';
import { SHELL_SETUP } from './components/shell-setup.js';
import { REFERENCE_COMPONENT_NAMES, REMOVED_COMPONENTS } from './reference.js';
import type { ComponentSpec, Pass } from './types.js';

export * from './types.js';
export { REFERENCE_COMPONENT_NAMES, REMOVED_COMPONENTS } from './reference.js';

/** Every known component. */
export const UNATTEND_COMPONENTS: readonly ComponentSpec[] = [
  SHELL_SETUP,
  INTERNATIONAL_CORE,
  INTERNATIONAL_CORE_WINPE,
  SETUP,
  DEPLOYMENT,
  UNATTENDED_JOIN,
  TCPIP,
  DNS_CLIENT,
  TS_LOCAL_SESSION_MANAGER,
  TS_RDP_WINSTATION_EXTENSIONS,
  SECURITY_SPP,
  SECURITY_SPP_UX,
  PNP_SYSPREP,
  PNP_CUSTOMIZATIONS_WINPE,
  PNP_CUSTOMIZATIONS_NONWINPE,
  LUA_SETTINGS,
  IE_ESC,
  SERVER_MANAGER,
  OUT_OF_BOX_EXPERIENCE,
  SQMAPI,
  ERROR_REPORTING_CORE,
  POWERCPL,
  EMBEDDED_BOOTEXP,
  EMBEDDED_LOGON,
  NETWORKING_MPSSVC_SVC,
  SECURITY_MALWARE_WINDOWS_DEFENDER,
  WINRE_RECOVERY_AGENT,
  SYSTEM_RESTORE_MAIN,
  SYSTEM_SETTINGS_THRESHOLD,
  IE_INTERNET_EXPLORER,
  REMOTE_ASSISTANCE_EXE,
  SECURE_STARTUP_FILTER_DRIVER,
  NETBT,
  SNMP_AGENT_SERVICE,
  PRINTING_SPOOLER_CORE,
  WORKSTATION_SERVICE,
  SMB_SERVER,
  BROWSER_SERVICE,
  TAPI_SETUP,
  SHARED_ACCESS,
  TS_REMOTE_CONNECTION_MANAGER,
  TS_LICENSE_SERVER,
  PARTITION_MANAGER,
  DEVICE_GUARD,
  IE_CLIENT_NETWORK_PROTOCOL,
  AUDIO_AUDIOCORE,
  AUDIO_VOLUMECONTROL,
  BLB_WSB_ONLINE_MAIN,
  CORE_MM_RES,
  DEVICE_ACCESS,
  DIAG_CPL,
  DISK_FAILURE_DIAGNOSTIC,
  EMBEDDED_KEYBOARD_FILTER,
  EMBEDDED_SHELL_LAUNCHER,
  EMBEDDED_UNIFIED_WRITE_FILTER,
  ENHANCED_STORAGE_ADM,
  FAX_SERVICE,
  GPIO_BUTTONS,
  HELP_AND_SUPPORT,
  MAP_CONTROL_DESKTOP,
  MEDIA_PLAYER_CORE,
  MOBILEPC_SENSORS_API,
  NETWORK_BRIDGE,
  NETWORK_LOAD_BALANCING,
  RAS_SERVER,
  SHWEBSVC,
  STOBJECT,
  STORPORT_REGISTRY_SETTINGS,
  SYSTEM_MAINTENANCE_SERVICE,
  TABLETPC_INPUT_CORE,
  TS_CENTRAL_PUBLISHING,
  TS_PUBLISHING_WMI_PROVIDER,
  TPM_TASKS,
  TWINUI,
  WDF_KERNEL_LIBRARY,
  WIFI_NETWORK_MANAGER,
  WLANSVC,
  WPD_BUS_ENUM_SERVICE,
  WWAN_UI,
  CODE_INTEGRITY,
];

const BY_NAME = new Map(UNATTEND_COMPONENTS.map((c) => [c.name, c]));

/** The component called exactly `name`. */
export function findComponent(name: string): ComponentSpec | undefined {
  return BY_NAME.get(name);
}

const REFERENCE_BY_LOWER = new Map(REFERENCE_COMPONENT_NAMES.map((n) => [n.toLowerCase(), n]));
const REMOVED_BY_LOWER = new Map(Object.entries(REMOVED_COMPONENTS).map(([n, why]) => [n.toLowerCase(), { name: n, why }]));

/** The reference's spelling of a component it documents (compared case-insensitively), or undefined. */
export function referenceComponentName(name: string): string | undefined {
  return REFERENCE_BY_LOWER.get(name.toLowerCase());
}

/** A component the reference lists as removed or deprecated, with what to use instead. */
export function removedComponent(name: string): { name: string; why: string } | undefined {
  return REMOVED_BY_LOWER.get(name.toLowerCase());
}

/** Passes a component is valid in: the union of its settings' passes. */
export function componentPasses(component: ComponentSpec): Pass[] {
  const passes = new Set<Pass>();
  for (const s of component.settings) for (const p of s.passes ?? []) passes.add(p);
  return [...passes];
}
