/**
 * Microsoft-Windows-Shell-Setup: computer name, accounts, OOBE, logon
 * commands. Passes per setting from each setting's "Valid Configuration
 * Passes" section of the reference.
 */
import { AUDIT_SYSTEM, AUDIT_USER, GENERALIZE, OFFLINE, OOBE, SPECIALIZE, bool, box, commandItem, component, int, list, oneOf, password, str } from '../dsl.js';
import type { SettingSpec } from '../types.js';

const REGISTRATION = [AUDIT_USER, GENERALIZE, OFFLINE, OOBE, SPECIALIZE] as const;
const SHELL_ANY = [OFFLINE, GENERALIZE, SPECIALIZE, AUDIT_SYSTEM, AUDIT_USER, OOBE] as const;

const logonCommand = (): SettingSpec[] => [
  str('CommandLine', { maxLength: 1024 }),
  str('Description', { maxLength: 256, allowEmpty: true }),
  bool('RequiresUserInput'),
];

const userAccounts = box(
  'UserAccounts',
  [
    password('AdministratorPassword', { secret: true }),
    list('LocalAccounts', {
      name: 'LocalAccount',
      key: 'Name',
      children: [
        password('Password', { secret: true }),
        str('Description', { maxLength: 256, allowEmpty: true }),
        str('DisplayName', { maxLength: 256, allowEmpty: true }),
        str('Group', { maxLength: 256 }),
        str('Name', { maxLength: 20 }),
      ],
    }),
    list('DomainAccounts', {
      name: 'DomainAccountList',
      key: 'Domain',
      children: [str('Domain'), list('DomainAccount', { name: 'DomainAccount', key: 'Name', children: [str('Group'), str('Name')] })],
    }),
  ],
  { passes: [AUDIT_SYSTEM, OOBE] },
);

/** Microsoft-Windows-Shell-Setup. */
export const SHELL_SETUP = component('Microsoft-Windows-Shell-Setup', [
  box('AutoLogon', [str('Domain', { allowEmpty: true }), bool('Enabled'), int('LogonCount', 1, 999), password('Password', { secret: true }), str('Username')], {
    passes: [AUDIT_SYSTEM, OOBE, SPECIALIZE],
  }),
  bool('BluetoothTaskbarIconEnabled', { passes: REGISTRATION }),
  str('ComputerName', { passes: [OFFLINE, SPECIALIZE], allowEmpty: true }),
  int('ConvertibleSlateModePromptPreference', 0, 1, { passes: [OFFLINE, SPECIALIZE, OOBE] }),
  bool('CopyProfile', { passes: [SPECIALIZE] }),
  box('DesktopOptimization', [bool('GoToDesktopOnSignIn'), bool('ShowWindowsStoreAppsOnTaskbar')], { passes: [OFFLINE, SPECIALIZE] }),
  bool('DisableAutoDaylightTimeSet', { passes: [AUDIT_SYSTEM, OOBE, SPECIALIZE] }),
  box(
    'Display',
    [int('ColorDepth', 1, 32), int('DPI', 1, 1000), int('HorizontalResolution', 1, 20000), int('RefreshRate', 1, 1000), int('VerticalResolution', 1, 20000)],
    {
      passes: [AUDIT_SYSTEM, OOBE, SPECIALIZE],
      deprecated: 'Display is not in the current reference; set resolution through the driver or a script',
    },
  ),
  bool('DoNotCleanTaskBar', { passes: [SPECIALIZE, OOBE, AUDIT_SYSTEM], deprecated: 'DoNotCleanTaskBar is absent from the current reference' }),
  list('FirstLogonCommands', commandItem('SynchronousCommand', logonCommand()), { passes: [OOBE] }),
  box('FolderLocations', [str('ProfilesDirectory'), str('ProgramData')], { passes: [OOBE] }),
  list('LogonCommands', commandItem('AsynchronousCommand', logonCommand()), { passes: [OOBE] }),
  box('NotificationArea', [bool('PromotedIcon1'), bool('PromotedIcon2')], { passes: [OOBE, SPECIALIZE], open: true }),
  box(
    'OEMInformation',
    [
      str('HelpCustomized'),
      str('Logo'),
      str('Manufacturer'),
      str('Model'),
      str('SupportAppURL'),
      str('SupportHours'),
      str('SupportPhone'),
      str('SupportProvider'),
      str('SupportURL'),
    ],
    { passes: [OFFLINE, SPECIALIZE, AUDIT_SYSTEM, OOBE] },
  ),
  str('OEMName', { passes: [OFFLINE, SPECIALIZE] }),
  box(
    'OOBE',
    [
      bool('HideEULAPage'),
      bool('HideLocalAccountScreen'),
      bool('HideOEMRegistrationScreen'),
      bool('HideOnlineAccountScreens'),
      bool('HideWirelessSetupInOOBE'),
      oneOf('NetworkLocation', ['Home', 'Work', 'Other']),
      oneOf('ProtectYourPC', ['1', '2', '3']),
      bool('SkipMachineOOBE', {
        deprecated: 'SkipMachineOOBE is deprecated since Windows 8 and meant for testing only; it also makes Setup ignore ProtectYourPC and NetworkLocation',
      }),
      bool('SkipUserOOBE', { deprecated: 'SkipUserOOBE is deprecated since Windows 8 and meant for testing only' }),
      bool('UnattendEnableRetailDemo'),
      box('VMModeOptimizations', [bool('SkipAdministratorProfileRemoval'), bool('SkipNotifyUILanguageChange'), bool('SkipWinREInitialization')]),
    ],
    { passes: [OOBE] },
  ),
  str('ProductKey', { passes: [SPECIALIZE], secret: true, maxLength: 29 }),
  str('RegisteredOrganization', { passes: REGISTRATION, maxLength: 256, allowEmpty: true }),
  str('RegisteredOwner', { passes: REGISTRATION, maxLength: 256, allowEmpty: true }),
  bool('ShowPowerButtonOnStartScreen', { passes: [OFFLINE, SPECIALIZE] }),
  bool('ShowWindowsLive', { passes: [SPECIALIZE], deprecated: 'ShowWindowsLive is absent from the current reference' }),
  oneOf('SignInMode', ['0', '1', '2'], { passes: [OFFLINE, SPECIALIZE] }),
  bool('StartPanelOff', { passes: [OOBE, SPECIALIZE], deprecated: 'StartPanelOff is absent from the current reference' }),
  box('StartTiles', [], { passes: [OFFLINE, SPECIALIZE], open: true }),
  box('TaskbarLinks', [str('Link0'), str('Link1'), str('Link2'), str('Link3'), str('Link4'), str('Link5')], { passes: [OFFLINE, SPECIALIZE, OOBE] }),
  box(
    'Themes',
    [
      str('BrandIcon'),
      str('CustomDefaultThemeFile'),
      bool('DefaultThemesOff'),
      str('DesktopBackground'),
      str('ThemeName'),
      str('WindowColor'),
      bool('UWPAppsUseLightTheme'),
      bool('SystemUsesLightTheme'),
    ],
    { passes: [OFFLINE, SPECIALIZE, OOBE] },
  ),
  str('TimeZone', { passes: [AUDIT_SYSTEM, OOBE, SPECIALIZE], maxLength: 256 }),
  userAccounts,
  box('VisualEffects', [oneOf('FontSmoothing', ['ClearType', 'Standard', 'Off']), str('SystemDefaultBackgroundColor')], { passes: [OOBE, SPECIALIZE] }),
  box('WindowsFeatures', [bool('ShowInternetExplorer'), bool('ShowMediaCenter'), bool('ShowWindowsMail'), bool('ShowWindowsMediaPlayer')], {
    passes: SHELL_ANY,
  }),
]);
