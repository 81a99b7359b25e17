/**
 * Windows state the guest models: ImageState values, launch-agent files and
 * what Sysprep and the first boot after it leave behind.
 * Sources: domain-facts §1.2, §1.3, §2, §3 (agents), §5.3, §5.4 (Sysprep logs,
 * ImageState).
 */
import { randomBytes } from 'node:crypto';
import type { LaunchAgent, WindowsRelease } from '../src/knowledge/releases.js';
import type { GuestFs } from './guest-fs.js';
import { readPolicyAtServiceStart } from './windows-update.js';

export const IMAGE_STATE = {
  complete: 'IMAGE_STATE_COMPLETE',
  undeployable: 'IMAGE_STATE_UNDEPLOYABLE',
  resealOobe: 'IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE',
  resealAudit: 'IMAGE_STATE_GENERALIZE_RESEAL_TO_AUDIT',
  specializeOobe: 'IMAGE_STATE_SPECIALIZE_RESEAL_TO_OOBE',
} as const;

export const SYSPREP_PANTHER = 'C:\\Windows\\System32\\Sysprep\\Panther';
export const SETUPACT = `${SYSPREP_PANTHER}\\setupact.log`;
export const SETUPERR = `${SYSPREP_PANTHER}\\setuperr.log`;

/** Where each agent writes its boot log (domain-facts §1.2, §2, §3). */
export const AGENT_LOG: Record<LaunchAgent, string> = {
  'ec2launch-v2': 'C:\\ProgramData\\Amazon\\EC2Launch\\log\\agent.log',
  'ec2launch-v1': 'C:\\ProgramData\\Amazon\\EC2-Windows\\Launch\\Log\\EC2Launch.log',
  ec2config: 'C:\\Program Files\\Amazon\\Ec2ConfigService\\Logs\\Ec2ConfigLog.txt',
};

/** The answer file each agent hands to Sysprep. */
export const AGENT_UNATTEND: Record<LaunchAgent, string> = {
  'ec2launch-v2': 'C:\\ProgramData\\Amazon\\EC2Launch\\sysprep\\unattend.xml',
  'ec2launch-v1': 'C:\\ProgramData\\Amazon\\EC2-Windows\\Launch\\Sysprep\\Unattend.xml',
  ec2config: 'C:\\Program Files\\Amazon\\Ec2ConfigService\\sysprep2008.xml',
};

/** A fresh computer name as Windows on EC2 picks it: `EC2AMAZ-` and 7 characters. */
export function newComputerName(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const b = randomBytes(7);
  let s = 'EC2AMAZ-';
  for (const x of b) s += chars[x % chars.length];
  return s;
}

/** What power action Sysprep takes when it finishes. */
export type SysprepPower = 'shutdown' | 'reboot' | 'quit';

export interface SysprepRequest {
  /** What started it, for logs: `EC2Launch v2`, `sysprep.exe`, `AWSEC2-RunSysprep`. */
  via: string;
  power: SysprepPower;
  generalize: boolean;
  oobe: boolean;
  unattend?: string;
}

/** The Windows side of one instance. */
export interface WindowsState {
  agent: LaunchAgent;
  /** The Windows Server release, when the image says (the features Install-WindowsFeature knows depend on it). */
  release?: WindowsRelease;
  computerName: string;
  imageState: string;
  fs: GuestFs;
  /** Generalized: the next boot runs specialize and OOBE. */
  sealed: boolean;
  /** EC2Launch v1: `InitializeInstance.ps1 -Schedule` ran before Sysprep. */
  v1Scheduled: boolean;
  pendingReboot: boolean;
  tiWorkerRunning: boolean;
  /** Scheduled tasks by name (lowercase) → the command line they run. */
  tasks: Map<string, string>;
  /** Console lines, for GetConsoleOutput. */
  console: string[];
  /** Administrator password, for GetPasswordData. */
  adminPassword?: string;
}

export function newWindowsState(agent: LaunchAgent, fs: GuestFs, computerName: string, imageState: string, sealed: boolean): WindowsState {
  return {
    agent,
    computerName,
    imageState,
    fs,
    sealed,
    v1Scheduled: false,
    pendingReboot: false,
    tiWorkerRunning: false,
    tasks: new Map(),
    console: [],
  };
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/** Sysprep has started: ImageState goes UNDEPLOYABLE, setupact.log records it. */
export function beginSysprep(w: WindowsState, req: SysprepRequest, at: number): void {
  w.imageState = IMAGE_STATE.undeployable;
  w.fs.append(SETUPACT, Buffer.from(`${stamp(at)}, Info  [sysprep.exe] Sysprep started (${req.via}), unattend ${req.unattend ?? AGENT_UNATTEND[w.agent]}\r\n`));
  w.console.push(`${stamp(at)} Windows is being configured. SysprepState=IMAGE_STATE_UNDEPLOYABLE`);
}

/**
 * Sysprep has finished. On failure ImageState stays UNDEPLOYABLE and
 * setuperr.log holds the error text; on success ImageState is the sealed value.
 */
export function finishSysprep(w: WindowsState, req: SysprepRequest, at: number, setuperr?: string): boolean {
  if (setuperr !== undefined) {
    w.fs.append(SETUPERR, Buffer.from(setuperr.endsWith('\n') ? setuperr : `${setuperr}\r\n`));
    w.fs.append(SETUPACT, Buffer.from(`${stamp(at)}, Error [sysprep.exe] Sysprep failed; see setuperr.log\r\n`));
    return false;
  }
  w.imageState = req.generalize ? (req.oobe ? IMAGE_STATE.resealOobe : IMAGE_STATE.resealAudit) : IMAGE_STATE.specializeOobe;
  w.sealed = req.generalize;
  if (!w.fs.read(SETUPERR)) w.fs.write(SETUPERR, Buffer.alloc(0));
  w.fs.append(SETUPACT, Buffer.from(`${stamp(at)}, Info  [sysprep.exe] Sysprep completed, ImageState ${w.imageState}, power action ${req.power}\r\n`));
  w.console.push(`${stamp(at)} Windows sysprep configuration complete.`);
  return true;
}

/**
 * A boot. After a generalize, Windows runs specialize and OOBE: a new computer
 * name, ImageState COMPLETE, the agent's first-boot work in its log.
 */
export function boot(w: WindowsState, at: number, instanceId: string): void {
  w.pendingReboot = false;
  // The Windows Update service starts and reads its policy from the registry; a later change needs a restart.
  readPolicyAtServiceStart(w.fs);
  w.tiWorkerRunning = false;
  if (w.sealed) {
    w.sealed = false;
    w.computerName = newComputerName();
    w.imageState = IMAGE_STATE.complete;
    w.adminPassword = randomBytes(12).toString('base64');
    const lines = [
      `${stamp(at)} Info: Specialize and OOBE complete on ${instanceId}, computer name ${w.computerName}`,
      `${stamp(at)} Info: ${w.agent === 'ec2launch-v1' && !w.v1Scheduled ? 'InitializeInstance was not scheduled before Sysprep; instance initialization skipped' : 'Instance initialization tasks ran (setAdminAccount, setDnsSuffix, activateWindows)'}`,
      `${stamp(at)} Info: Windows is ready`,
    ];
    w.fs.append(AGENT_LOG[w.agent], Buffer.from(`${lines.join('\r\n')}\r\n`));
    // EC2Launch v2 records that its run-once tasks ran in state\.run-once.
    if (w.agent === 'ec2launch-v2') w.fs.write('C:\\ProgramData\\Amazon\\EC2Launch\\state\\.run-once', Buffer.from(''));
  }
  w.adminPassword ??= randomBytes(12).toString('base64');
  w.console.push(`${stamp(at)} Windows is ready`);
}
