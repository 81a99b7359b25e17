/**
 * The emulator's public option and control types. Fixed early so the rest of
 * the project can code against them; SPEC.md documents each field.
 */

import type { OrganizationOptions } from './organizations.js';
export type { OrganizationOptions } from './organizations.js';

/** One account the emulator knows, by its long-term access key. */
export interface EmulatorAccount {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
}

/** Default credentials: three accounts, so cross-account audits can be tested. */
export const EMULATOR_ACCOUNTS: readonly EmulatorAccount[] = [
  { accessKeyId: 'AKIAEMULATOR000000001', secretAccessKey: 'emulator-secret', accountId: '111111111111' },
  { accessKeyId: 'AKIAEMULATOR000000002', secretAccessKey: 'emulator-secret', accountId: '222222222222' },
  { accessKeyId: 'AKIAEMULATOR000000003', secretAccessKey: 'emulator-secret', accountId: '333333333333' },
];

/** The account that owns the seeded Amazon Windows images (AWS's own Windows AMI owner). */
export const AMAZON_ACCOUNT = '801119661308';

/**
 * Lifecycle durations in milliseconds at time scale 1. Realistic defaults;
 * `timeScale` multiplies every one of them.
 */
export interface Durations {
  /** pending → running. */
  instanceBoot: number;
  /** running → SSM agent Online (after every boot). */
  ssmOnline: number;
  /** stopping → stopped. */
  instanceStop: number;
  /** shutting-down → terminated. */
  instanceTerminate: number;
  /** A reboot: the agent is offline this long, then `ssmOnline` again. */
  instanceReboot: number;
  /** Sysprep's own run time, from its start to its power action. */
  sysprep: number;
  /** CreateImage / RegisterImage: pending → available. */
  imageCreate: number;
  /** CopyImage: pending → available. */
  imageCopy: number;
  /** CreateSnapshot: pending → completed. */
  snapshot: number;
  /** SendCommand → first delivery attempt: the invocation reads Pending until then, Delayed after it while the agent is away. */
  commandDelivery: number;
  /** A deregistered image stays listed by id (state `deregistered`) this long, then DescribeImages by its id answers empty. */
  imageDeregisteredVisible: number;
  /** How long a command runs once the agent has picked it up. */
  command: number;
  /** After SendCommand, GetCommandInvocation answers InvocationDoesNotExist this long. */
  invocationVisible: number;
  /** CreateNatGateway: pending → available. */
  natGateway: number;
  /** CreateVpcEndpoint (Interface): pending → available. */
  vpcEndpoint: number;
}

export const DEFAULT_DURATIONS: Durations = {
  instanceBoot: 60_000,
  ssmOnline: 90_000,
  instanceStop: 60_000,
  instanceTerminate: 30_000,
  instanceReboot: 60_000,
  sysprep: 120_000,
  imageCreate: 300_000,
  imageCopy: 600_000,
  snapshot: 120_000,
  commandDelivery: 1_500,
  imageDeregisteredVisible: 60_000,
  command: 2_000,
  invocationVisible: 1_000,
  natGateway: 120_000,
  vpcEndpoint: 60_000,
};

/** What the emulator seeds at start and after `reset()`. */
export interface SeedOptions {
  /** Regions that get the Amazon Windows images and public parameters. Default `us-east-1`, `eu-west-1`. */
  regions?: string[];
  /** Synthetic images owned by each of `imageAccounts`, per seeded region (for benchmarks). Default 0. */
  images?: number;
  /** Accounts that own the synthetic images. Default: the first account. */
  imageAccounts?: string[];
  /** Every n-th synthetic image (per account and region) has empty billing fields, for audits to find. Default none. */
  emptyBillingEvery?: number;
}

/** A regex given over HTTP, where RegExp objects cannot travel. */
export interface RegexSpec {
  regex: string;
  flags?: string;
}

/** Per-instance behaviour of the Windows guest, set by tests. */
export interface GuestBehaviour {
  /** The SSM agent never comes online (PingStatus never Online). */
  agentNeverOnline?: boolean;
  /** Commands whose script matches fail with this exit code and output, `times` times (default: always). */
  failCommand?: {
    match: string | RegExp | RegexSpec;
    exitCode: number;
    stdout?: string;
    stderr?: string;
    times?: number;
  };
  /** Sysprep fails: ImageState stays IMAGE_STATE_UNDEPLOYABLE, the instance keeps running, setuperr.log holds this text. */
  sysprepFails?: { setuperr: string };
  /** The next command is interrupted by an unplanned reboot (as Windows Update would do). */
  rebootOnCommand?: boolean;
  /** Windows reports a pending reboot (CBS RebootPending, WU RebootRequired) until the next reboot. */
  pendingReboot?: boolean;
  /** `Get-Process TiWorker` finds the servicing worker until the next reboot. */
  tiWorkerRunning?: boolean;
  /** Windows Update: these KBs fail to install with the given HRESULT, e.g. `{ "KB5046132": "0x80240022" }` (windows-update.ts). */
  failUpdates?: Record<string, string>;
  /**
   * WSUS servers the guest can reach, by URL as the policy names it (`http://wsus.corp:8530`): the KBs
   * approved for all computers, and per computer group. A WSUS URL not listed cannot be resolved: the
   * agent's search fails with 0x8024402C (windows-update.ts).
   */
  wsusServers?: Record<string, { approved: string[]; groups?: Record<string, string[]> }>;
}

/** An injected fault. */
export interface Fault {
  /** Action name (`DescribeImages`, `SendCommand`), or `*` for every action. */
  action: string;
  /** Limit to one service. */
  service?: 'ec2' | 'ssm' | 'sts' | 'iam' | 'kms' | 'organizations' | 'imagebuilder' | 's3';
  /** Error code to answer; omit for latency-only or drop faults. */
  errorCode?: string;
  /** HTTP status; default 400 (503 for RequestLimitExceeded, 500 for InternalError/ServiceUnavailable). */
  status?: number;
  message?: string;
  /** Applies to the next N matching calls, then expires. */
  times?: number;
  /** Applies to each matching call with this probability (0..1). */
  probability?: number;
  /** Added latency, milliseconds (real time, not scaled). */
  latencyMs?: number;
  /** Destroy the connection without answering (the action does not run). */
  drop?: boolean;
  /** Accept the request and never answer (the action does not run); the connection stays open until the client gives up. */
  blackhole?: boolean;
  /** Run the action, then destroy the connection instead of answering: executed, response lost. */
  loseResponse?: boolean;
  /** Answer HTTP 200 with an HTML page, as a captive portal or a proxy's login page does (the action does not run). */
  htmlPage?: boolean;
  account?: string;
  region?: string;
}

/** How the next CreateImage / CopyImage / RegisterImage in a region turns out. */
export interface ImageOutcome {
  region?: string;
  account?: string;
  /** Which calls this applies to; default all three. */
  actions?: Array<'CreateImage' | 'CopyImage' | 'RegisterImage'>;
  /** The image goes `failed` with this StateReason. */
  fail?: { code: string; message: string };
  /** The image gets these billing fields instead: `empty` clears them. */
  billing?: 'empty' | { platformDetails: string; usageOperation: string };
  /** How many calls it applies to; default 1. */
  times?: number;
}

/** Options of `startEmulator`. */
export interface EmulatorOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Multiplies all durations: 0.01 makes a 60 s phase 0.6 s. Default 1. */
  timeScale?: number;
  /** Per-account, per-region, per-action token buckets as EC2 and SSM throttle (default true). */
  throttling?: boolean;
  /** Seed options, or the path of a JSON file holding them. */
  seed?: SeedOptions | string;
  durations?: Partial<Durations>;
  /** New image and instance ids answer NotFound for this long (real ms, not scaled). Default 0. */
  consistencyWindowMs?: number;
  accounts?: EmulatorAccount[];
  /**
   * RunInstances refuses an instance profile created less than this long ago
   * (real ms, not scaled), as EC2 does while IAM propagates it. Default
   * DEFAULT_IAM_PROPAGATION_MS.
   */
  iamPropagationMs?: number;
  /** AWS Organizations over the accounts, with generated members (organizations.ts). Default: none, every account standalone. */
  organization?: OrganizationOptions;
  /** Opt-in regions (af-south-1, ap-east-1, eu-south-1, me-south-1) enabled, per account; default none. */
  optInRegions?: Record<string, string[]>;
}

/** Default IAM propagation window for new instance profiles (real ms). */
export const DEFAULT_IAM_PROPAGATION_MS = 5_000;

/** A call-log entry. */
export interface CallRecord {
  time: string;
  account: string;
  region: string;
  service: 'ec2' | 'ssm' | 'sts' | 'iam' | 'kms' | 'organizations' | 'imagebuilder' | 's3' | 'unknown';
  action: string;
  status: number;
  errorCode?: string;
}

/** Filter of `resources()`. */
export interface ResourceFilter {
  account?: string;
  region?: string;
  /** Include terminated instances, deregistered images, deleted snapshots (default false). */
  includeGone?: boolean;
}
