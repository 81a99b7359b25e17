/**
 * AWS's drivers and agents on the guest, and the SSM documents that update
 * them: `AWS-ConfigureAWSPackage` (Distributor packages) and
 * `AWS-UpdateSSMAgent`. Installed versions live on the guest disk, so an
 * image keeps what its builder installed; `Get-Item …\\<agent>.exe` and
 * `Get-CimInstance Win32_PnPSignedDriver` read them back. SPEC.md, "AWS packages".
 */
import { AGENT_PATHS, type LaunchAgent } from '../src/knowledge/releases.js';
import type { GuestFs } from './guest-fs.js';

export const AWS_PACKAGES_STATE = 'C:\\Windows\\.emulator\\aws-packages.json';
export const SSM_AGENT_EXE = 'C:\\Program Files\\Amazon\\SSM\\amazon-ssm-agent.exe';

/** A package: the version seeded images carry, the one Distributor installs now, and how Windows shows it. */
interface PackageModel {
  seeded: string;
  latest: string;
  /** A driver: its device as Win32_PnPSignedDriver lists it. */
  device?: string;
  /** An agent: the executable whose version it is. */
  exe?: string;
}

/** Versions are synthetic (the emulator does not track AWS's release history); only their order matters. */
export const PACKAGES: Readonly<Record<string, PackageModel>> = {
  AwsEnaNetworkDriver: { seeded: '2.8.0', latest: '2.10.0', device: 'Amazon Elastic Network Adapter' },
  AWSNVMe: { seeded: '1.5.1', latest: '1.6.0', device: 'AWS NVMe Elastic Block Storage Adapter' },
  AWSPVDriver: { seeded: '8.4.3', latest: '8.5.0', device: 'AWS PV Network Device' },
  'AWSEC2Launch-Agent': { seeded: '2.0.1981', latest: '2.0.2106', exe: AGENT_PATHS['ec2launch-v2'].exe },
};
export const SSM_AGENT = { seeded: '3.3.1142.0', latest: '3.3.1802.0' };

interface PackagesState {
  /** Package name → installed version (absent: not installed). */
  packages: Record<string, string>;
  ssmAgent: string;
}

function read(fs: GuestFs): PackagesState | undefined {
  const raw = fs.read(AWS_PACKAGES_STATE);
  return raw ? (JSON.parse(raw.toString('utf8')) as PackagesState) : undefined;
}

function write(fs: GuestFs, s: PackagesState): void {
  fs.write(AWS_PACKAGES_STATE, Buffer.from(JSON.stringify(s)));
}

/** Seed an AWS image's disk: its drivers, SSM Agent, and EC2Launch v2 when that is its agent, at the seeded versions. */
export function seedAwsPackages(fs: GuestFs, agent: LaunchAgent): GuestFs {
  const packages: Record<string, string> = {};
  for (const [name, p] of Object.entries(PACKAGES)) if (name !== 'AWSEC2Launch-Agent' || agent === 'ec2launch-v2') packages[name] = p.seeded;
  write(fs, { packages, ssmAgent: SSM_AGENT.seeded });
  fs.write(SSM_AGENT_EXE, Buffer.from('amazon-ssm-agent'));
  return fs;
}

/** The product version of an executable the guest knows one for, or '' (no version resource modelled). */
export function fileVersion(fs: GuestFs, path: string): string {
  const s = read(fs);
  if (!s) return '';
  const key = path.toLowerCase();
  if (key === SSM_AGENT_EXE.toLowerCase()) return s.ssmAgent;
  for (const [name, p] of Object.entries(PACKAGES)) if (p.exe && p.exe.toLowerCase() === key && s.packages[name]) return s.packages[name]!;
  return '';
}

/** Win32_PnPSignedDriver rows for AWS's installed drivers. */
export function pnpDrivers(fs: GuestFs): { DeviceName: string; DriverVersion: string; DriverProviderName: string }[] {
  const s = read(fs);
  if (!s) return [];
  return Object.entries(PACKAGES)
    .filter(([name, p]) => p.device && s.packages[name])
    .map(([name, p]) => ({ DeviceName: p.device!, DriverVersion: s.packages[name]!, DriverProviderName: 'Amazon Web Services, Inc.' }));
}

/** The installed version of a package, for tests and inventories. */
export function installedPackages(fs: GuestFs): Record<string, string> {
  const s = read(fs);
  return s ? { ...s.packages, 'amazon-ssm-agent': s.ssmAgent } : {};
}

/** The outcome of one AWS document on the guest (exit code and output, as Run Command reports them). */
export interface DocumentRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Run `AWS-ConfigureAWSPackage` or `AWS-UpdateSSMAgent` (parameters already validated by SendCommand). */
export function runAwsDocument(documentName: string, params: Record<string, string[]>, fs: GuestFs): DocumentRun {
  const s = read(fs) ?? { packages: {}, ssmAgent: SSM_AGENT.seeded };
  if (documentName === 'AWS-UpdateSSMAgent') {
    const wanted = params.version?.[0] || SSM_AGENT.latest;
    const before = s.ssmAgent;
    if (before === wanted) return { exitCode: 0, stdout: `Amazon SSM Agent ${before} is already installed\n`, stderr: '' };
    if (compareVersions(wanted, before) < 0 && params.allowDowngrade?.[0] !== 'true') {
      return { exitCode: 1, stdout: '', stderr: `Updating amazon-ssm-agent to an older version ${wanted} is not allowed; set allowDowngrade to true\n` };
    }
    s.ssmAgent = wanted;
    write(fs, s);
    return { exitCode: 0, stdout: `Successfully updated amazon-ssm-agent from ${before} to ${wanted}\n`, stderr: '' };
  }
  const name = params.name?.[0] ?? '';
  const pkg = PACKAGES[name];
  if (!pkg) return { exitCode: 1, stdout: '', stderr: `Failed to install package; could not find package "${name}"\n` };
  const action = params.action?.[0];
  if (action === 'Uninstall') {
    delete s.packages[name];
    write(fs, s);
    return { exitCode: 0, stdout: `Successfully uninstalled ${name}\n`, stderr: '' };
  }
  const version = params.version?.[0] || pkg.latest;
  if (version !== pkg.latest && version !== pkg.seeded)
    return { exitCode: 1, stdout: '', stderr: `Failed to install package; version ${version} of "${name}" does not exist\n` };
  const before = s.packages[name];
  s.packages[name] = version;
  write(fs, s);
  return {
    exitCode: 0,
    stdout: `${before === version ? `${name} ${version} is already installed` : `Successfully installed ${name} ${version}`}\n`,
    stderr: '',
  };
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
