/**
 * The remaining components of the reference: device, client and embedded
 * features (audio, camera, pen, sensors, Wi-Fi, kiosk shells, write filter,
 * keyboard filter) and the smaller server features (fax, network bridge,
 * NLB, RAS, RemoteApp publishing, Windows Server Backup, TPM, KMDF).
 *
 * Passes come from each setting page's "Valid Configuration Passes". Where a
 * component's comment says a setting "shares" a pass, only its sibling's page
 * was read and the setting is taken to be valid where that sibling is. Lists
 * whose items the reference's examples write without `wcm:action` (NLB
 * clusters, ReadyBoost caches, Shell Launcher users) are open containers, so
 * their items are not checked.
 */
import { AUDIT_SYSTEM, AUDIT_USER, GENERALIZE as G, OFFLINE, OOBE, PE, SPECIALIZE, bool, box, component, int, oneOf, str } from '../dsl.js';

const WIDE = 2147483647;
const DESKTOP_EDITIONS = 'the reference lists Windows 10 for desktop editions (Home, Pro, Enterprise, Education) only';

/** Microsoft-Windows-Audio-AudioCore. EnableCaptureMonitor: specialize. */
export const AUDIO_AUDIOCORE = component('Microsoft-Windows-Audio-AudioCore', [bool('EnableCaptureMonitor', { passes: [SPECIALIZE] })]);

/** Microsoft-Windows-Audio-VolumeControl. EnableVolumeControlWhileLocked: specialize. */
export const AUDIO_VOLUMECONTROL = component('Microsoft-Windows-Audio-VolumeControl', [bool('EnableVolumeControlWhileLocked', { passes: [SPECIALIZE] })]);

/**
 * Microsoft-Windows-BLB-WSB-Online-Main (Windows Server Backup's online
 * service). EnableOnlineBackup, ProviderName (a resource id in ResourceDll):
 * specialize, oobeSystem; the other texts share it.
 */
export const BLB_WSB_ONLINE_MAIN = component('Microsoft-Windows-BLB-WSB-Online-Main', [
  bool('EnableOnlineBackup', { passes: [SPECIALIZE, OOBE] }),
  int('ProviderName', 0, WIDE, { passes: [SPECIALIZE, OOBE] }),
  ...['DescriptionText1', 'DescriptionText2', 'Icon', 'Link1', 'Link1Text', 'Link2', 'Link2Text', 'ResourceDll'].map((n) =>
    str(n, { passes: [SPECIALIZE, OOBE] }),
  ),
]);

/** Microsoft-Windows-CoreMmRes (camera sound). CameraSoundLevel 0-100, NoPhysicalCameraLED 0|1: every pass but windowsPE and offlineServicing. */
const CAMERA_PASSES = [AUDIT_SYSTEM, AUDIT_USER, OOBE, G, SPECIALIZE];
export const CORE_MM_RES = component('Microsoft-Windows-CoreMmRes', [
  int('CameraSoundLevel', 0, 100, { passes: CAMERA_PASSES }),
  int('NoPhysicalCameraLED', 0, 1, { passes: CAMERA_PASSES }),
]);

/** Microsoft-Windows-DeviceAccess. SetRegionSpecificPrivacyAccessPolicy: specialize. */
export const DEVICE_ACCESS = component('Microsoft-Windows-DeviceAccess', [str('SetRegionSpecificPrivacyAccessPolicy', { passes: [SPECIALIZE] })], {
  clientOnly: DESKTOP_EDITIONS,
});

/** Microsoft-Windows-DiagCpl (Troubleshooting's Online Support icon). Title: offlineServicing, generalize, specialize; the others share it. */
export const DIAG_CPL = component(
  'Microsoft-Windows-DiagCpl',
  ['Description', 'Icon', 'Link', 'Title'].map((n) => str(n, { passes: [OFFLINE, G, SPECIALIZE] })),
);

/** Microsoft-Windows-Disk-Failure-Diagnostic-Module. EnabledScenarioExecutionLevel 1|2: offlineServicing, generalize, specialize; the alert text shares it. */
export const DISK_FAILURE_DIAGNOSTIC = component('Microsoft-Windows-Disk-Failure-Diagnostic-Module', [
  str('DfdAlertTextOverride', { passes: [OFFLINE, G, SPECIALIZE] }),
  oneOf('EnabledScenarioExecutionLevel', ['1', '2'], { passes: [OFFLINE, G, SPECIALIZE] }),
]);

const FILTERED_KEYS = [
  'Alt',
  'AltF4',
  'AltSpace',
  'AltTab',
  'AltWin',
  'BrowserBack',
  'BrowserFavorites',
  'BrowserForward',
  'BrowserHome',
  'BrowserRefresh',
  'BrowserSearch',
  'BrowserStop',
  'ControlAltDelete',
  'ControlEscape',
  'ControlTab',
  'ControlWindowsF',
  'Ctrl',
  'CtrlF4',
  'CtrlWin',
  'Escape',
  'F21',
  'LaunchApp1',
  'LaunchApp2',
  'LaunchMail',
  'LaunchMediaSelect',
  'LeftShiftLeftAltNumLock',
  'LeftShiftLeftAltPrintScreen',
  'MediaNext',
  'MediaPlayPause',
  'MediaPrev',
  'MediaStop',
  'Shift',
  'ShiftControlEscape',
  'ShiftWin',
  'VolumeDown',
  'VolumeMute',
  'VolumeUp',
  'Windows',
  'WindowsB',
  'WindowsBreak',
  'WindowsC',
  'WindowsComma',
  'WindowsD',
  'WindowsDown',
  'WindowsE',
  'WindowsEnter',
  'WindowsEscape',
  'WindowsF',
  'WindowsF1',
  'WindowsH',
  'WindowsHome',
  'WindowsI',
  'WindowsJ',
  'WindowsK',
  'WindowsL',
  'WindowsLeft',
  'WindowsM',
  'WindowsMinus',
  'WindowsO',
  'WindowsP',
  'WindowsPageDown',
  'WindowsPageUp',
  'WindowsPeriod',
  'WindowsPlus',
  'WindowsQ',
  'WindowsR',
  'WindowsRight',
  'WindowsShiftDown',
  'WindowsShiftLeft',
  'WindowsShiftRight',
  'WindowsShiftUp',
  'WindowsSlash',
  'WindowsSpace',
  'WindowsT',
  'WindowsTab',
  'WindowsU',
  'WindowsUp',
  'WindowsV',
  'WindowsW',
  'WindowsZ',
];

/** Microsoft-Windows-Embedded-KeyboardFilterService. Each key: Allowed|Blocked, offlineServicing (Alt's page); the other settings share it. */
export const EMBEDDED_KEYBOARD_FILTER = component('Microsoft-Windows-Embedded-KeyboardFilterService', [
  ...FILTERED_KEYS.map((k) => oneOf(k, ['Allowed', 'Blocked'], { passes: [OFFLINE] })),
  box('CustomFilters', [], { passes: [OFFLINE], open: true }),
  box('CustomScancodes', [], { passes: [OFFLINE], open: true }),
  bool('DisableKeyboardFilterForAdministrators', { passes: [OFFLINE] }),
  bool('ForceOffAccessibility', { passes: [OFFLINE] }),
]);

/** Microsoft-Windows-Embedded-ShellLauncher. Shell, DefaultReturnCodeAction 0-3: oobeSystem; UserSettings shares it. */
export const EMBEDDED_SHELL_LAUNCHER = component('Microsoft-Windows-Embedded-ShellLauncher', [
  int('DefaultReturnCodeAction', 0, 3, { passes: [OOBE] }),
  str('Shell', { passes: [OOBE] }),
  box('UserSettings', [], { passes: [OOBE], open: true }),
]);

/** Microsoft-Windows-Embedded-UnifiedWriteFilter. OverlayType "RAM overlay"|"Disk overlay", Binding "Loose Binding"|"Tight Binding": specialize; the others share it. */
export const EMBEDDED_UNIFIED_WRITE_FILTER = component('Microsoft-Windows-Embedded-UnifiedWriteFilter', [
  bool('AddAllVolume', { passes: [SPECIALIZE] }),
  oneOf('Binding', ['Loose Binding', 'Tight Binding'], { passes: [SPECIALIZE] }),
  str('BootStatusPolicy', { passes: [SPECIALIZE] }),
  bool('DisableAutoDefrag', { passes: [SPECIALIZE] }),
  bool('DomainSecretKeyPersisted', { passes: [SPECIALIZE] }),
  int('OverlayCriticalThreshold', 0, WIDE, { passes: [SPECIALIZE] }),
  str('OverlayFlags', { passes: [SPECIALIZE] }),
  int('OverlayMaximumSize', 0, WIDE, { passes: [SPECIALIZE] }),
  oneOf('OverlayType', ['RAM overlay', 'Disk overlay'], { passes: [SPECIALIZE] }),
  int('OverlayWarningThreshold', 0, WIDE, { passes: [SPECIALIZE] }),
  box('ProtectedVolumeList', [], { passes: [SPECIALIZE], open: true }),
  str('RegistryExceptionsUserDefined', { passes: [SPECIALIZE] }),
  bool('TSCALPersisted', { passes: [SPECIALIZE] }),
]);

/** Microsoft-Windows-EnhancedStorage-Adm (eDrives). TCGSecurityActivationDisabled 0|1: specialize. */
export const ENHANCED_STORAGE_ADM = component('Microsoft-Windows-EnhancedStorage-Adm', [int('TCGSecurityActivationDisabled', 0, 1, { passes: [SPECIALIZE] })]);

/** Microsoft-Windows-Fax-Service. Fax, Receipts: specialize; FaxUnattend shares it. */
export const FAX_SERVICE = component('Microsoft-Windows-Fax-Service', [
  box('Fax', [bool('ArchiveFaxes'), str('ArchiveFolderName'), bool('IncomingFaxesArePublic')], { passes: [SPECIALIZE] }),
  box(
    'FaxUnattend',
    [
      str('Csid'),
      bool('FaxPrinterIsShared'),
      bool('ReceiveFaxes'),
      int('Rings', 0, WIDE),
      str('RouteFolderName'),
      str('RoutePrinterName'),
      bool('RouteToFolder'),
      bool('RouteToPrinter'),
      bool('SendFaxes'),
      str('Tsid'),
    ],
    { passes: [SPECIALIZE] },
  ),
  box(
    'Receipts',
    [
      str('FaxUserName'),
      str('FaxUserPassword', { secret: true }),
      bool('SmtpNotificationsEnabled'),
      str('SmtpSenderAddress'),
      str('SmtpServerAddress'),
      int('SmtpServerAuthenticationMechanism', 0, WIDE),
      int('SmtpServerPort', 1, 65535),
    ],
    { passes: [SPECIALIZE] },
  ),
]);

/** Microsoft-Windows-GPIOButtons. ConvertibleSlateMode 0|1: specialize, offlineServicing. */
export const GPIO_BUTTONS = component('Microsoft-Windows-GPIOButtons', [int('ConvertibleSlateMode', 0, 1, { passes: [SPECIALIZE, OFFLINE] })]);

/** Microsoft-Windows-HelpAndSupport. HelpAndSupport: oobeSystem, specialize; deprecated in Windows 10. */
export const HELP_AND_SUPPORT = component('Microsoft-Windows-HelpAndSupport', [
  box('HelpAndSupport', [str('Logo'), str('LogoURL'), str('Manufacturer'), bool('SearchContent'), str('SupportSearchURL'), int('TileColor', 0, 16777215)], {
    passes: [OOBE, SPECIALIZE],
    deprecated: 'HelpAndSupport is deprecated: the Help component it customizes is retired (use OEMInformation)',
  }),
]);

/** Microsoft-Windows-MapControl-Desktop. ChinaVariantWin10 0|1: specialize, oobeSystem. */
export const MAP_CONTROL_DESKTOP = component('Microsoft-Windows-MapControl-Desktop', [int('ChinaVariantWin10', 0, 1, { passes: [SPECIALIZE, OOBE] })], {
  source: 'https://learn.microsoft.com/en-us/windows-hardware/customize/desktop/unattend/microsoft-windows-mapcontrol',
});

/** Microsoft-Windows-MediaPlayer-Core. InitialOEMServiceProvider (may be empty): offlineServicing. */
export const MEDIA_PLAYER_CORE = component('Microsoft-Windows-MediaPlayer-Core', [str('InitialOEMServiceProvider', { passes: [OFFLINE], allowEmpty: true })]);

/** Microsoft-Windows-MobilePC-Sensors-API. AdaptiveBrightness: specialize. */
export const MOBILEPC_SENSORS_API = component('Microsoft-Windows-MobilePC-Sensors-API', [
  box(
    'AdaptiveBrightness',
    [
      int('ALRCurveVersion', 1, 2),
      str('ALRPoints'),
      str('AutobrightnessLuxToNitsCurve', { deprecated: 'AutobrightnessLuxToNitsCurve is not supported (the reference: do not use)' }),
      int('DefaultSliderPosition', 0, WIDE),
      int('DisplayResponseInterval', 0, WIDE),
      int('IlluminanceChangeSensitivity', 0, WIDE),
      bool('IsAutobrightnessEnabledByDefault'),
    ],
    { passes: [SPECIALIZE] },
  ),
]);

/** Microsoft-Windows-NetworkBridge. Bridge (comma-separated adapters, never empty): generalize. */
export const NETWORK_BRIDGE = component('Microsoft-Windows-NetworkBridge', [str('Bridge', { passes: [G] })]);

/** Microsoft-Windows-NetworkLoadBalancing-Core. Clusters: specialize. */
export const NETWORK_LOAD_BALANCING = component('Microsoft-Windows-NetworkLoadBalancing-Core', [box('Clusters', [], { passes: [SPECIALIZE], open: true })]);

/** Microsoft-Windows-RasServer. ConfigurationFlags (boolean), RouterType 1-7: specialize. */
export const RAS_SERVER = component('Microsoft-Windows-RasServer', [
  bool('ConfigurationFlags', { passes: [SPECIALIZE] }),
  oneOf('RouterType', ['1', '2', '3', '4', '5', '6', '7'], { passes: [SPECIALIZE] }),
]);

/** Microsoft-Windows-shwebsvc (Online Print Wizard). ID (at most 20 characters, may be empty): oobeSystem; the others share it. */
export const SHWEBSVC = component('Microsoft-Windows-shwebsvc', [
  str('Description', { passes: [OOBE] }),
  str('DisplayName', { passes: [OOBE] }),
  str('href', { passes: [OOBE] }),
  str('Icon', { passes: [OOBE] }),
  str('ID', { passes: [OOBE], maxLength: 20, allowEmpty: true }),
]);

const powerApplication = (n: number) =>
  box(`CustomPowerApplication${n}`, [str('Application'), str('IconID'), str('ItemName'), str('Parameters', { allowEmpty: true })], {
    passes: [G, SPECIALIZE],
  });

/** Microsoft-Windows-stobject (Battery Meter). CustomPowerApplication1, FlyoutAutoPowerScheme (a plan GUID): generalize, specialize; the others share it. */
export const STOBJECT = component('Microsoft-Windows-stobject', [
  ...[1, 2, 3, 4, 5, 6].map(powerApplication),
  str('FlyoutAutoPowerScheme', { passes: [G, SPECIALIZE] }),
  str('FlyoutPowerSaverPowerScheme', { passes: [G, SPECIALIZE] }),
]);

/** Microsoft-Windows-StorPort-RegistrySettings. TelemetryPerformanceHighResolutionTimer: specialize, auditSystem, auditUser, oobeSystem. */
export const STORPORT_REGISTRY_SETTINGS = component('Microsoft-Windows-StorPort-RegistrySettings', [
  bool('TelemetryPerformanceHighResolutionTimer', {
    passes: [SPECIALIZE, AUDIT_SYSTEM, AUDIT_USER, OOBE],
    deprecated: 'TelemetryPerformanceHighResolutionTimer was removed from Unattend in Windows 10, version 1803',
  }),
]);

/** Microsoft-Windows-SystemMaintenanceService (ReadyBoost caches). CacheList: specialize. */
export const SYSTEM_MAINTENANCE_SERVICE = component('Microsoft-Windows-SystemMaintenanceService', [box('CacheList', [], { passes: [SPECIALIZE], open: true })]);

/** Microsoft-Windows-TabletPC-Platform-Input-Core. TouchGate 0|1, MultiTouchEnabled (boolean): offlineServicing; the others share it. */
export const TABLETPC_INPUT_CORE = component('Microsoft-Windows-TabletPC-Platform-Input-Core', [
  box('AssociationData', [], { passes: [OFFLINE], open: true }),
  str('HandwritingPanelDockedModeSet', { passes: [OFFLINE] }),
  box('LinearityData', [], { passes: [OFFLINE], open: true }),
  bool('MultiTouchEnabled', { passes: [OFFLINE] }),
  str('PanningDisabled', { passes: [OFFLINE] }),
  int('TouchGate', 0, 1, { passes: [OFFLINE] }),
  str('TouchKeyboardAutoInvokeEnabled', { passes: [OFFLINE] }),
]);

/** Microsoft-Windows-TerminalServices-CentralPublishing. Port (RPC port, default 5504): oobeSystem. */
export const TS_CENTRAL_PUBLISHING = component('Microsoft-Windows-TerminalServices-CentralPublishing', [int('Port', 1, 65535, { passes: [OOBE] })]);

/** Microsoft-Windows-TerminalServices-Publishing-WMIProvider. fDisabledAllowList 0|1: offlineServicing, generalize, specialize. */
export const TS_PUBLISHING_WMI_PROVIDER = component('Microsoft-Windows-TerminalServices-Publishing-WMIProvider', [
  int('fDisabledAllowList', 0, 1, { passes: [OFFLINE, G, SPECIALIZE] }),
]);

/** Microsoft-Windows-TPM-Tasks. ClearTpm 0|1|2: specialize. */
export const TPM_TASKS = component('Microsoft-Windows-TPM-Tasks', [int('ClearTpm', 0, 2, { passes: [SPECIALIZE] })]);

/** Microsoft-Windows-TwinUI (pen shortcuts). Hide 0|1: offlineServicing, specialize, oobeSystem; CustomProtocol shares it. */
export const TWINUI = component('Microsoft-Windows-TwinUI', [
  str('CustomProtocol', { passes: [OFFLINE, SPECIALIZE, OOBE] }),
  int('Hide', 0, 1, { passes: [OFFLINE, SPECIALIZE, OOBE] }),
]);

/** Microsoft-Windows-WDF-KernelLibrary (KMDF). DriverStartType 0|3: offlineServicing. */
export const WDF_KERNEL_LIBRARY = component('Microsoft-Windows-WDF-KernelLibrary', [oneOf('DriverStartType', ['0', '3'], { passes: [OFFLINE] })], {
  source: 'https://learn.microsoft.com/en-us/windows-hardware/customize/desktop/unattend/microsoft-windows-wdf-kernel-library',
});

/** Microsoft-Windows-WiFiNetworkManager (Wi-Fi Sense, removed). DefaultAutoConnectSharedState 0|1: offlineServicing, specialize, oobeSystem; the others share it. */
const WIFI_PASSES = [OFFLINE, SPECIALIZE, OOBE];
const WIFI_SENSE_GONE = 'Wi-Fi Sense credential sharing was removed; the setting is deprecated';
export const WIFI_NETWORK_MANAGER = component(
  'Microsoft-Windows-WiFiNetworkManager',
  ['DefaultAutoConnectSharedState', 'WiFiSharingFacebookInitial', 'WiFiSharingOutlookInitial', 'WiFiSharingSkypeInitial'].map((n) =>
    int(n, 0, 1, { passes: WIFI_PASSES, deprecated: WIFI_SENSE_GONE }),
  ),
  { clientOnly: DESKTOP_EDITIONS },
);

/**
 * Microsoft-Windows-Wlansvc. RadioLocation (may be empty): specialize,
 * windowsPE. The telemetry-only settings CoexistenceSupport (1-4) and
 * SimultaneousMultiChannelSupported (1-255): offlineServicing, specialize,
 * oobeSystem; the other telemetry settings share them.
 */
const WLAN_TELEMETRY = [OFFLINE, SPECIALIZE, OOBE];
export const WLANSVC = component('Microsoft-Windows-Wlansvc', [
  oneOf('CoexistenceSupport', ['1', '2', '3', '4'], { passes: WLAN_TELEMETRY }),
  str('NumAntennaConnected', { passes: WLAN_TELEMETRY }),
  str('RadioLocation', { passes: [SPECIALIZE, PE], allowEmpty: true }),
  int('SimultaneousMultiChannelSupported', 1, 255, { passes: WLAN_TELEMETRY }),
  str('WLANFunctionLevelDeviceResetSupported', { passes: WLAN_TELEMETRY }),
  str('WLANPlatformLevelDeviceResetSupported', { passes: WLAN_TELEMETRY }),
]);

/** Microsoft-Windows-WPD-BusEnumService (MTP over Bluetooth). BTSearchIntervalOnAC (seconds, 0 = never): specialize; the others share it. */
export const WPD_BUS_ENUM_SERVICE = component('Microsoft-Windows-WPD-BusEnumService', [
  int('BTSearchIntervalOnAC', 0, WIDE, { passes: [SPECIALIZE] }),
  int('BTSearchIntervalOnDC', 0, WIDE, { passes: [SPECIALIZE] }),
  str('RegCacheUpdated', { passes: [SPECIALIZE], deprecated: 'RegCacheUpdated is for Microsoft internal use only (the reference)' }),
]);

/** Microsoft-Windows-WwanUI. NotInOOBE: generalize, specialize. */
export const WWAN_UI = component('Microsoft-Windows-WwanUI', [bool('NotInOOBE', { passes: [G, SPECIALIZE] })]);

/**
 * Microsoft-Windows-CodeIntegrity (Windows 10 in S mode, version 1803 on).
 * SKUPolicyRequired 0|1: offlineServicing. The page's title and its XML
 * example spell the name differently (SKUPolicyRequired, SkuPolicyRequired);
 * both are accepted.
 */
export const CODE_INTEGRITY = component(
  'Microsoft-Windows-CodeIntegrity',
  ['SKUPolicyRequired', 'SkuPolicyRequired'].map((n) => int(n, 0, 1, { passes: [OFFLINE] })),
  { clientOnly: 'S mode applies to Windows 10 Home, Pro, Pro Education and Pro for Workstations only' },
);
