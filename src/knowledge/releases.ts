/**
 * Windows Server releases winami builds, and the launch agents each can run.
 * Sources: AWS EC2 User Guide "Configure launch agents" comparison table and
 * "EC2Launch v2" supported OSes (domain-facts §1.1, §2, §3).
 */

export const LAUNCH_AGENTS = ['ec2launch-v2', 'ec2launch-v1', 'ec2config'] as const;
export type LaunchAgent = (typeof LAUNCH_AGENTS)[number];

export const RELEASES = ['2012r2', '2016', '2019', '2022', '2025'] as const;
export type WindowsRelease = (typeof RELEASES)[number];

export const EDITIONS = ['full', 'core'] as const;
export type WindowsEdition = (typeof EDITIONS)[number];

export interface ReleaseInfo {
  release: WindowsRelease;
  /** As AWS writes it in AMI names: `Windows_Server-2019-English-Full-Base`. */
  amiNameYear: string;
  /** The agent AWS ships on its own AMIs for this release. */
  defaultAgent: LaunchAgent;
  /** Agents that can run on the release. */
  agents: readonly LaunchAgent[];
  /** Marketing name, for messages. */
  displayName: string;
  source: string;
}

export const RELEASE_INFO: Readonly<Record<WindowsRelease, ReleaseInfo>> = {
  '2012r2': {
    release: '2012r2',
    amiNameYear: '2012-R2_RTM',
    defaultAgent: 'ec2config',
    agents: ['ec2config'],
    displayName: 'Windows Server 2012 R2',
    source: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configure-launch-agents.html',
  },
  '2016': {
    release: '2016',
    amiNameYear: '2016',
    defaultAgent: 'ec2launch-v1',
    agents: ['ec2launch-v1', 'ec2launch-v2'],
    displayName: 'Windows Server 2016',
    source: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2launch-v2.html',
  },
  '2019': {
    release: '2019',
    amiNameYear: '2019',
    defaultAgent: 'ec2launch-v1',
    agents: ['ec2launch-v1', 'ec2launch-v2'],
    displayName: 'Windows Server 2019',
    source: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2launch-v2.html',
  },
  '2022': {
    release: '2022',
    amiNameYear: '2022',
    defaultAgent: 'ec2launch-v2',
    agents: ['ec2launch-v2'],
    displayName: 'Windows Server 2022',
    source: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2launch-v2.html',
  },
  '2025': {
    release: '2025',
    amiNameYear: '2025',
    defaultAgent: 'ec2launch-v2',
    agents: ['ec2launch-v2'],
    displayName: 'Windows Server 2025',
    source: 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2launch-v2.html',
  },
};

/** Where each agent keeps its files on the instance (domain-facts §1.2, §2, §3). */
export const AGENT_PATHS = {
  'ec2launch-v2': {
    unattend: 'C:\\ProgramData\\Amazon\\EC2Launch\\sysprep\\unattend.xml',
    settings: ['C:\\ProgramData\\Amazon\\EC2Launch\\config\\agent-config.yml'],
    exe: 'C:\\Program Files\\Amazon\\EC2Launch\\EC2Launch.exe',
    logs: ['C:\\ProgramData\\Amazon\\EC2Launch\\log\\agent.log'],
  },
  'ec2launch-v1': {
    unattend: 'C:\\ProgramData\\Amazon\\EC2-Windows\\Launch\\Sysprep\\Unattend.xml',
    settings: ['C:\\ProgramData\\Amazon\\EC2-Windows\\Launch\\Config\\LaunchConfig.json'],
    exe: 'C:\\ProgramData\\Amazon\\EC2-Windows\\Launch\\Scripts\\SysprepInstance.ps1',
    logs: ['C:\\ProgramData\\Amazon\\EC2-Windows\\Launch\\Log\\EC2Launch.log'],
  },
  ec2config: {
    unattend: 'C:\\Program Files\\Amazon\\Ec2ConfigService\\sysprep2008.xml',
    settings: ['C:\\Program Files\\Amazon\\Ec2ConfigService\\Settings\\config.xml', 'C:\\Program Files\\Amazon\\Ec2ConfigService\\Settings\\BundleConfig.xml'],
    exe: 'C:\\Program Files\\Amazon\\Ec2ConfigService\\Ec2Config.exe',
    logs: ['C:\\Program Files\\Amazon\\Ec2ConfigService\\Logs\\Ec2ConfigLog.txt'],
  },
} as const satisfies Record<LaunchAgent, { unattend: string; settings: readonly string[]; exe: string; logs: readonly string[] }>;
