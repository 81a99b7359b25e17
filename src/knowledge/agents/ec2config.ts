/**
 * EC2Config (Windows Server 2012 R2 and earlier): `Settings\Config.xml`
 * plugins and global settings, and `Settings\BundleConfig.xml` properties.
 * Source: AWS EC2 Windows Guide "Configure EC2Config" (domain-facts §3).
 */

/** Source page for the tables below. */
export const EC2CONFIG_SOURCE = 'https://docs.aws.amazon.com/AWSEC2/latest/WindowsGuide/ec2config-service.html';

/** Root element of Config.xml. */
export const EC2CONFIG_ROOT = 'Ec2ConfigurationSettings';
/** Root element of BundleConfig.xml. */
export const EC2CONFIG_BUNDLE_ROOT = 'BundleConfig';

/** Plugin names Config.xml lists under `Plugins/Plugin/Name`. */
export const EC2CONFIG_PLUGINS = [
  'Ec2SetPassword',
  'Ec2SetComputerName',
  'Ec2InitializeDrives',
  'Ec2EventLog',
  'Ec2ConfigureRDP',
  'Ec2OutputRDPCert',
  'Ec2SetDriveLetter',
  'Ec2WindowsActivate',
  'Ec2DynamicBootVolumeSize',
  'Ec2HandleUserData',
  'Ec2ElasticGpuSetup',
  'Ec2FeatureLogging',
  'AWS.EC2.Windows.CloudWatch.PlugIn',
] as const;

/** Values of `Plugins/Plugin/State`. */
export const EC2CONFIG_PLUGIN_STATES = ['Enabled', 'Disabled'] as const;

/** Keys under `GlobalSettings`, all booleans. */
export const EC2CONFIG_GLOBAL_SETTINGS = [
  'ManageShutdown',
  'SetDnsSuffixList',
  'WaitForMetaDataAvailable',
  'ShouldAddRoutes',
  'RemoveCredentialsfromSysprepOnStartup',
] as const;

/** One BundleConfig.xml property. */
export interface BundleProperty {
  readonly name: string;
  /** `yesNo`: the value is `Yes` or `No`. */
  readonly type: 'yesNo' | 'string';
  readonly default: string;
  readonly description: string;
}

/** Every documented BundleConfig.xml property. */
export const EC2CONFIG_BUNDLE_PROPERTIES: Readonly<Record<string, BundleProperty>> = {
  AutoSysprep: { name: 'AutoSysprep', type: 'yesNo', default: 'No', description: 'Run Sysprep automatically' },
  SetRDPCertificate: { name: 'SetRDPCertificate', type: 'yesNo', default: 'No', description: 'Install a self-signed RDP certificate (ignored on 2008/2012)' },
  SetPasswordAfterSysprep: { name: 'SetPasswordAfterSysprep', type: 'yesNo', default: 'Yes', description: 'Set a random, encrypted password on new instances' },
  PreSysprepRunCmd: {
    name: 'PreSysprepRunCmd',
    type: 'string',
    default: 'C:\\Program Files\\Amazon\\Ec2ConfigService\\Scripts\\BeforeSysprep.cmd',
    description: 'Command to run before Sysprep',
  },
};
