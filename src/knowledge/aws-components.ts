/**
 * AWS's drivers and agents on Windows, and the SSM documents that bring each
 * up to date. Package names are those of AWS's Distributor packages
 * installed with `AWS-ConfigureAWSPackage` (the `aws:configurePackage` plugin
 * lists AWSPVDriver and AwsEnaNetworkDriver; the EC2 User Guide's EC2Launch v2
 * page names the AWSEC2Launch-Agent package; AWS-UpdateWindowsAmi updates
 * AWSPVDriver, AwsEnaNetworkDriver and AWSNVMe the same way, find_string ids
 * 6615957350, 31274245347, 58733880990). SSM Agent has its own document,
 * `AWS-UpdateSSMAgent`.
 */
import type { LaunchAgent } from './releases.js';

export const AWS_COMPONENTS = ['ec2launch', 'ssm-agent', 'ena', 'nvme', 'pv-driver'] as const;
export type AwsComponent = (typeof AWS_COMPONENTS)[number];

/** How one component is brought up to date, and where it applies. */
export interface AwsComponentInfo {
  /** The SSM document. */
  document: 'AWS-ConfigureAWSPackage' | 'AWS-UpdateSSMAgent';
  /** The Distributor package (AWS-ConfigureAWSPackage only). */
  packageName?: string;
  /** What the version report calls it. */
  displayName: string;
  /** Which instances use it (the image should carry it for every family it may launch on). */
  appliesTo: string;
}

export const AWS_COMPONENT_INFO: Readonly<Record<Exclude<AwsComponent, 'ec2launch'>, AwsComponentInfo>> = {
  'ssm-agent': { document: 'AWS-UpdateSSMAgent', displayName: 'Amazon SSM Agent', appliesTo: 'every instance' },
  ena: {
    document: 'AWS-ConfigureAWSPackage',
    packageName: 'AwsEnaNetworkDriver',
    displayName: 'Amazon Elastic Network Adapter',
    appliesTo: 'Nitro instance types, and Xen types with enhanced networking through ENA',
  },
  nvme: {
    document: 'AWS-ConfigureAWSPackage',
    packageName: 'AWSNVMe',
    displayName: 'AWS NVMe driver',
    appliesTo: 'Nitro instance types (EBS and instance store appear as NVMe devices)',
  },
  'pv-driver': {
    document: 'AWS-ConfigureAWSPackage',
    packageName: 'AWSPVDriver',
    displayName: 'AWS PV drivers',
    appliesTo: 'Xen-based instance types (t2, m4, c4, r4 …); unused on Nitro',
  },
};

/**
 * The launch agent's package by agent. Only EC2Launch v2 is a Distributor
 * package (AWSEC2Launch-Agent); EC2Launch v1 and EC2Config are not, so
 * `ec2launch` is refused for releases using them.
 */
export const LAUNCH_AGENT_PACKAGE: Readonly<Partial<Record<LaunchAgent, AwsComponentInfo>>> = {
  'ec2launch-v2': { document: 'AWS-ConfigureAWSPackage', packageName: 'AWSEC2Launch-Agent', displayName: 'EC2Launch v2', appliesTo: 'every instance' },
};

/** One SSM document run for a component. */
export interface ComponentDocument {
  component: AwsComponent;
  documentName: string;
  parameters: Record<string, string[]>;
}

/** The document runs that bring the components up to date on a builder with this launch agent; undefined for `ec2launch` without a package. */
export function componentDocument(component: AwsComponent, agent: LaunchAgent): ComponentDocument | undefined {
  const info = component === 'ec2launch' ? LAUNCH_AGENT_PACKAGE[agent] : AWS_COMPONENT_INFO[component];
  if (!info) return undefined;
  if (info.document === 'AWS-UpdateSSMAgent') return { component, documentName: info.document, parameters: { allowDowngrade: ['false'] } };
  return {
    component,
    documentName: info.document,
    parameters: { action: ['Install'], installationType: ['Uninstall and reinstall'], name: [info.packageName!] },
  };
}
