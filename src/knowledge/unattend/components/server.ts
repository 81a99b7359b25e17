/**
 * The smaller components server answer files use: Remote Desktop, IE ESC,
 * Server Manager, licensing, driver handling, UAC, CEIP, WER, power plan.
 */
import { AUDIT_SYSTEM, GENERALIZE, OFFLINE, OOBE, PE, SPECIALIZE, bool, component, credentials, int, list, str } from '../dsl.js';

/** Microsoft-Windows-TerminalServices-LocalSessionManager. */
export const TS_LOCAL_SESSION_MANAGER = component('Microsoft-Windows-TerminalServices-LocalSessionManager', [
  bool('fDenyTSConnections', { passes: [OFFLINE, GENERALIZE, SPECIALIZE] }),
]);

/** Microsoft-Windows-TerminalServices-RDP-WinStationExtensions. */
export const TS_RDP_WINSTATION_EXTENSIONS = component('Microsoft-Windows-TerminalServices-RDP-WinStationExtensions', [
  int('SecurityLayer', 0, 2, { passes: [GENERALIZE, SPECIALIZE] }),
  int('UserAuthentication', 0, 1, { passes: [GENERALIZE, SPECIALIZE] }),
]);

/** Microsoft-Windows-Security-SPP. */
export const SECURITY_SPP = component('Microsoft-Windows-Security-SPP', [int('SkipRearm', 0, 1, { passes: [GENERALIZE] })]);

/** Microsoft-Windows-Security-SPP-UX. */
export const SECURITY_SPP_UX = component('Microsoft-Windows-Security-SPP-UX', [bool('SkipAutoActivation', { passes: [SPECIALIZE] })]);

/** Microsoft-Windows-PnpSysprep. */
export const PNP_SYSPREP = component('Microsoft-Windows-PnpSysprep', [
  bool('PersistAllDeviceInstalls', { passes: [GENERALIZE] }),
  bool('DoNotCleanUpNonPresentDevices', { passes: [GENERALIZE] }),
]);

const driverPaths = (passes: (typeof PE)[]) =>
  list('DriverPaths', { name: 'PathAndCredentials', key: 'wcm:keyValue', children: [str('Path'), credentials()] }, { passes });

/** Microsoft-Windows-PnpCustomizationsWinPE. */
export const PNP_CUSTOMIZATIONS_WINPE = component('Microsoft-Windows-PnpCustomizationsWinPE', [driverPaths([PE])]);

/** Microsoft-Windows-PnpCustomizationsNonWinPE. */
export const PNP_CUSTOMIZATIONS_NONWINPE = component('Microsoft-Windows-PnpCustomizationsNonWinPE', [driverPaths([OFFLINE, AUDIT_SYSTEM])]);

/** Microsoft-Windows-LUA-Settings. */
export const LUA_SETTINGS = component('Microsoft-Windows-LUA-Settings', [bool('EnableLUA', { passes: [OFFLINE] })]);

/** Microsoft-Windows-IE-ESC. */
export const IE_ESC = component('Microsoft-Windows-IE-ESC', [bool('IEHardenAdmin', { passes: [SPECIALIZE] }), bool('IEHardenUser', { passes: [SPECIALIZE] })]);

/** Microsoft-Windows-ServerManager-SvrMgrNc. */
export const SERVER_MANAGER = component('Microsoft-Windows-ServerManager-SvrMgrNc', [
  bool('DoNotOpenServerManagerAtLogon', { passes: [GENERALIZE, SPECIALIZE] }),
  bool('DoNotPopWACConsoleAtSMLaunch', { passes: [GENERALIZE, SPECIALIZE] }),
]);

/** Microsoft-Windows-OutOfBoxExperience. */
export const OUT_OF_BOX_EXPERIENCE = component('Microsoft-Windows-OutOfBoxExperience', [
  bool('DoNotOpenInitialConfigurationTasksAtLogon', { passes: [GENERALIZE, SPECIALIZE] }),
  str('OEMExtensionXmlFilePath', { passes: [GENERALIZE, SPECIALIZE] }),
]);

/** Microsoft-Windows-SQMApi (Customer Experience Improvement Program). */
// The page's example writes `true`; older pages wrote 0/1. Both parse as booleans.
export const SQMAPI = component('Microsoft-Windows-SQMApi', [bool('CEIPEnabled', { passes: [AUDIT_SYSTEM, GENERALIZE, SPECIALIZE, OOBE] })]);

/** Microsoft-Windows-ErrorReportingCore (Windows Error Reporting). */
export const ERROR_REPORTING_CORE = component('Microsoft-Windows-ErrorReportingCore', [int('DisableWER', 0, 1, { passes: [GENERALIZE, SPECIALIZE, OOBE] })]);

/** Microsoft-Windows-powercpl. */
export const POWERCPL = component('Microsoft-Windows-powercpl', [str('PreferredPlan', { passes: [GENERALIZE, SPECIALIZE] })]);

/** Microsoft-Windows-Embedded-BootExp (boot screen on embedded and server editions). */
export const EMBEDDED_BOOTEXP = component(
  'Microsoft-Windows-Embedded-BootExp',
  ['DisableBootMenu', 'HideAllBootUI', 'HideBootLogo', 'HideBootStatusIndicator', 'HideBootStatusMessage'].map((n) =>
    int(n, 0, 1, { passes: [SPECIALIZE, OOBE] }),
  ),
);

/** Microsoft-Windows-Embedded-EmbeddedLogon (logon screen behaviour). */
export const EMBEDDED_LOGON = component('Microsoft-Windows-Embedded-EmbeddedLogon', [
  int('AnimationDisabled', 0, 1, { passes: [OFFLINE, SPECIALIZE] }),
  int('BrandingNeutral', 0, 63, { passes: [OFFLINE, SPECIALIZE] }),
  int('HideAutoLogonUI', 0, 1, { passes: [OFFLINE, SPECIALIZE] }),
  int('HideFirstLogonAnimation', 0, 1, { passes: [OFFLINE, SPECIALIZE] }),
  int('NoLockScreen', 0, 1, { passes: [OFFLINE, SPECIALIZE] }),
  int('UIVerbosityLevel', 0, 1, { passes: [OFFLINE, SPECIALIZE] }),
]);
