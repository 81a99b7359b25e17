/**
 * EC2Launch v1 `C:\ProgramData\Amazon\EC2-Windows\Launch\Config\LaunchConfig.json`
 * keys. Source: AWS EC2 Windows Guide "Configure EC2Launch" (domain-facts §2).
 */
import type { ValueSchema } from './value-schema.js';

/** Source page for the table below. */
export const LAUNCH_CONFIG_SOURCE = 'https://docs.aws.amazon.com/AWSEC2/latest/WindowsGuide/ec2launch.html';

/** One LaunchConfig.json key, its type and the documented example value. */
export interface LaunchConfigKey {
  readonly key: string;
  readonly schema: ValueSchema;
  readonly example: boolean | string;
  readonly description: string;
}

/** Every documented LaunchConfig.json key. */
export const LAUNCH_CONFIG_KEYS: Readonly<Record<string, LaunchConfigKey>> = {
  setComputerName: { key: 'setComputerName', schema: { type: 'boolean' }, example: false, description: 'Set the computer name from the private IP address' },
  setMonitorAlwaysOn: { key: 'setMonitorAlwaysOn', schema: { type: 'boolean' }, example: true, description: 'Keep the monitor always on' },
  setWallpaper: { key: 'setWallpaper', schema: { type: 'boolean' }, example: true, description: 'Write instance details on the wallpaper' },
  addDnsSuffixList: { key: 'addDnsSuffixList', schema: { type: 'boolean' }, example: true, description: 'Add DNS suffixes for EC2 hosts' },
  extendBootVolumeSize: {
    key: 'extendBootVolumeSize',
    schema: { type: 'boolean' },
    example: true,
    description: 'Extend the boot partition to the volume size',
  },
  handleUserData: { key: 'handleUserData', schema: { type: 'boolean' }, example: true, description: 'Run user data on the next boot' },
  adminPasswordType: {
    key: 'adminPasswordType',
    schema: { type: 'enum', values: ['Random', 'Specify', 'DoNothing'] },
    example: 'Random',
    description: 'Random flips to DoNothing after first boot; DoNothing uses unattend.xml or disables Administrator',
  },
  adminPassword: {
    key: 'adminPassword',
    schema: { type: 'string' },
    example: '',
    description: 'Used only with Specify; kept in clear text until Sysprep sets it',
  },
};

/** Password types, as LaunchConfig.json spells them. */
export const LAUNCH_CONFIG_PASSWORD_TYPES = ['Random', 'Specify', 'DoNothing'] as const;
