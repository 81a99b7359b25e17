/** Microsoft-Windows-Setup: the windowsPE pass of an autounattend.xml. */
import { PE, bool, box, commandItem, component, credentials, int, list, oneOf, str } from '../dsl.js';

const WILL_SHOW_UI = oneOf('WillShowUI', ['Always', 'OnError', 'Never']);

/** Microsoft-Windows-Setup. */
export const SETUP = component('Microsoft-Windows-Setup', [
  box('ComplianceCheck', [bool('DisplayReport')], { passes: [PE] }),
  box('Diagnostics', [bool('OptIn')], { passes: [PE] }),
  box(
    'DiskConfiguration',
    [
      list('Disk', {
        name: 'Disk',
        key: 'DiskID',
        children: [
          int('DiskID', 0, 1024),
          bool('WillWipeDisk'),
          list(
            'CreatePartitions',
            commandItem('CreatePartition', [oneOf('Type', ['Primary', 'EFI', 'MSR', 'Extended', 'Logical']), int('Size', 1, 2147483647), bool('Extend')], 128),
          ),
          list(
            'ModifyPartitions',
            commandItem(
              'ModifyPartition',
              [
                bool('Active'),
                bool('Extend'),
                oneOf('Format', ['NTFS', 'FAT32']),
                str('Label', { maxLength: 32, allowEmpty: true }),
                str('Letter', { maxLength: 1 }),
                int('PartitionID', 1, 128),
                str('TypeID'),
              ],
              128,
            ),
          ),
        ],
      }),
      bool('DisableEncryptedDiskProvisioning'),
      WILL_SHOW_UI,
    ],
    { passes: [PE] },
  ),
  box('Display', [int('ColorDepth', 1, 32), int('HorizontalResolution', 1, 20000), int('RefreshRate', 1, 1000), int('VerticalResolution', 1, 20000)], {
    passes: [PE],
  }),
  box('DynamicUpdate', [bool('Enable'), WILL_SHOW_UI], { passes: [PE] }),
  bool('EnableFirewall', { passes: [PE] }),
  bool('EnableNetwork', { passes: [PE] }),
  box(
    'ImageInstall',
    [
      box('OSImage', [
        box('InstallFrom', [str('Path'), credentials(), list('MetaData', { name: 'MetaData', key: 'Key', children: [str('Key'), str('Value')] })]),
        box('InstallTo', [int('DiskID', 0, 1024), int('PartitionID', 1, 128)]),
        bool('InstallToAvailablePartition'),
        WILL_SHOW_UI,
        bool('Compact'),
      ]),
      list('DataImage', {
        name: 'DataImage',
        key: 'Order',
        children: [
          int('Order', 1, 500),
          box('InstallFrom', [str('Path'), credentials()]),
          box('InstallTo', [int('DiskID', 0, 1024), int('PartitionID', 1, 128)]),
        ],
      }),
    ],
    { passes: [PE] },
  ),
  str('LogPath', { passes: [PE] }),
  oneOf('Restart', ['Restart', 'Shutdown'], { passes: [PE] }),
  list('RunAsynchronous', commandItem('RunAsynchronousCommand', [str('Path', { maxLength: 259 }), str('Description', { allowEmpty: true }), credentials()]), {
    passes: [PE],
  }),
  list(
    'RunSynchronous',
    commandItem('RunSynchronousCommand', [
      str('Path', { maxLength: 259 }),
      str('Description', { allowEmpty: true }),
      credentials(),
      oneOf('WillReboot', ['Always', 'OnRequest', 'Never']),
    ]),
    { passes: [PE] },
  ),
  bool('UseConfigurationSet', { passes: [PE] }),
  box(
    'UserData',
    [
      bool('AcceptEula'),
      str('FullName', { allowEmpty: true }),
      str('Organization', { allowEmpty: true }),
      box('ProductKey', [str('Key', { secret: true, allowEmpty: true }), WILL_SHOW_UI]),
    ],
    { passes: [PE] },
  ),
  box('UpgradeData', [bool('Upgrade'), WILL_SHOW_UI], { passes: [PE] }),
  box('WindowsDeploymentServices', [box('Login', [credentials(), WILL_SHOW_UI]), box('ImageSelection', [], { open: true })], { passes: [PE] }),
]);
