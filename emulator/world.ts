/**
 * The emulated world: accounts, regions, instances, images, snapshots,
 * volumes, commands and parameters. Lifecycles are computed lazily from
 * timestamps whenever something is read (`settle`): there are no timers per
 * resource, so idle resources cost nothing.
 */
import type { Parser } from 'web-tree-sitter';
import type { LaunchAgent, WindowsRelease } from '../src/knowledge/releases.js';
import type { GuestFs } from './guest-fs.js';
import type { IamStore } from './iam.js';
import type { KmsStore } from './kms.js';
import { runScript, type GuestImageLookup, type GuestS3Reader, type ScriptResult } from './guest.js';
import { runAwsDocument } from './aws-packages.js';
import { runInstallWindowsUpdates } from './windows-update.js';
import { DEFAULT_DURATIONS, type Durations, type EmulatorAccount, type GuestBehaviour, type ImageOutcome } from './options.js';
import { newId, uuid } from './wire.js';
import { boot, finishSysprep, beginSysprep, newWindowsState, type SysprepRequest, type WindowsState } from './windows.js';
import { newPublicIp, ssmReachableAt, type Network } from './vpc.js';

export interface Billing {
  platform?: 'windows';
  platformDetails: string;
  usageOperation: string;
}

/** What a disk carries: billing metadata and the Windows installed on it. */
export interface DiskOrigin {
  billing?: Billing;
  agent: LaunchAgent;
  release?: WindowsRelease;
  fs: GuestFs;
  computerName: string;
  imageState: string;
  sealed: boolean;
  v1Scheduled: boolean;
}

export interface ImageBdm {
  deviceName: string;
  snapshotId: string;
  volumeSize: number;
  volumeType: string;
  deleteOnTermination: boolean;
  encrypted: boolean;
  /** The KMS key ARN of an encrypted snapshot. */
  kmsKeyId?: string;
}

export interface Image {
  id: string;
  account: string;
  region: string;
  name: string;
  description?: string;
  createdAt: number;
  readyAt: number;
  visibleAt: number;
  failReason?: { code: string; message: string };
  billing?: Billing;
  architecture: string;
  rootDeviceName: string;
  bdms: ImageBdm[];
  tags: Map<string, string>;
  isPublic: boolean;
  launchPermissions: Set<string>;
  sourceImageId?: string;
  sourceImageRegion?: string;
  sourceInstanceId?: string;
  deprecationTime?: string;
  ownerAlias?: string;
  virtualizationType: string;
  enaSupport: boolean;
  bootMode?: string;
  imdsSupport?: string;
  /** The Windows on the root disk, for instances launched from the image. */
  origin: DiskOrigin;
  deregistered: boolean;
  /** When DeregisterImage was called. */
  deregisteredAt?: number;
  /** `<item>…</item>` as UTF-8, valid while `xmlKey` (the image state) matches; cleared on every change. */
  xml?: Buffer;
  xmlKey?: string;
}

export interface Snapshot {
  id: string;
  account: string;
  region: string;
  volumeId: string;
  volumeSize: number;
  createdAt: number;
  readyAt: number;
  description: string;
  tags: Map<string, string>;
  encrypted: boolean;
  kmsKeyId?: string;
  origin?: DiskOrigin;
  deleted: boolean;
  /** CreateSnapshot(s): the id answers NotFound until then (eventual consistency). */
  visibleAt?: number;
}

export interface Volume {
  id: string;
  account: string;
  region: string;
  size: number;
  volumeType: string;
  snapshotId?: string;
  instanceId: string;
  device: string;
  deleteOnTermination: boolean;
  tags: Map<string, string>;
  createdAt: number;
  encrypted: boolean;
  /** The KMS key ARN of an encrypted volume. */
  kmsKeyId?: string;
  deleted: boolean;
}

export type InstanceStateName = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';
export const STATE_CODES: Record<InstanceStateName, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export interface Invocation {
  command: Command;
  instanceId: string;
  status: 'Pending' | 'InProgress' | 'Delayed' | 'Success' | 'Cancelled' | 'TimedOut' | 'Failed' | 'Cancelling';
  statusDetails: string;
  startAt?: number;
  endAt?: number;
  responseCode: number;
  stdout: string;
  stderr: string;
  result?: ScriptResult;
  /** Waiting for the agent after a 3010 reboot: runs again, no delivery timeout. */
  rerun: boolean;
  /** Sysprep halted the script: ends when the instance has stopped. */
  haltedBySysprep: boolean;
  /** Interrupted by a reboot: ends when the agent is back. */
  interrupted: boolean;
}

export interface Command {
  id: string;
  account: string;
  region: string;
  documentName: string;
  comment: string;
  parameters: Record<string, string[]>;
  instanceIds: string[];
  requestedAt: number;
  timeoutSeconds: number;
  executionTimeout: number;
  workingDirectory: string;
  script: string;
  invocations: Invocation[];
  outputS3BucketName?: string;
  outputS3KeyPrefix?: string;
}

export interface Instance {
  id: string;
  account: string;
  region: string;
  imageId: string;
  instanceType: string;
  launchedAt: number;
  visibleAt: number;
  reservationId: string;
  tags: Map<string, string>;
  iamInstanceProfile?: { arn: string; id: string };
  metadataOptions: { httpTokens: string; httpPutResponseHopLimit: number; httpEndpoint: string; instanceMetadataTags: string };
  billing?: Billing;
  architecture: string;
  clientToken?: string;
  privateIp: string;
  /** Network placement (vpc.ts); the public IP is released at stop and a new one given at start. */
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  groupIds: string[];
  associatePublicIp: boolean;
  publicIp?: string;
  keyName?: string;
  amiLaunchIndex: number;
  state: InstanceStateName;
  transitionAt?: number;
  nextState?: InstanceStateName;
  stateReason?: { code: string; message: string };
  reason: string;
  rootDeviceName: string;
  volumeIds: string[];
  win: WindowsState;
  behaviour: GuestBehaviour;
  /** When the agent comes (or came) online after the current boot; undefined while down. */
  agentOnlineAt?: number;
  online: boolean;
  registered: boolean;
  lastPingAt?: number;
  rebootDoneAt?: number;
  /** Boot work (specialize, logs) still due when the instance reaches running. */
  invocations: Invocation[];
  sysprepRun?: { req: SysprepRequest; endAt: number };
  /** Why the launch fails (a KMS key EBS cannot use): pending → terminated with this StateReason. */
  launchFailure?: { code: string; message: string };
}

export interface Parameter {
  name: string;
  type: 'String' | 'StringList' | 'SecureString';
  value: string;
  version: number;
  lastModified: number;
  description?: string;
  keyId?: string;
  dataType: string;
}

const REGION_LIST = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-south-1',
  'sa-east-1',
];
/** The 17 regions enabled by default in every account (DescribeRegions). */
export const DEFAULT_REGIONS: readonly string[] = REGION_LIST;

/** An error answered to the caller with EC2's or SSM's code. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface WorldOptions {
  timeScale: number;
  durations: Durations;
  consistencyWindowMs: number;
  accounts: EmulatorAccount[];
  parser: Parser;
  /** IAM of every account (global) and KMS per account and region. */
  iam: IamStore;
  kms: KmsStore;
}

/** A sortable per-owner, per-region list of images, for paginated DescribeImages. */
export class ImageIndex {
  readonly list: Image[] = [];
  add(img: Image): void {
    this.list.push(img);
  }
  remove(img: Image): void {
    const i = this.list.indexOf(img);
    if (i >= 0) this.list.splice(i, 1);
  }
}

import type { Organization } from './organizations.js';
import { S3Store } from './s3.js';
import { evaluate } from './policy.js';

export class World {
  readonly images = new Map<string, Image>();
  readonly snapshots = new Map<string, Snapshot>();
  readonly volumes = new Map<string, Volume>();
  readonly instances = new Map<string, Instance>();
  readonly commands = new Map<string, Command>();
  /** `${account}|${region}|${name}` for owned parameters; `*|${region}|${name}` for public ones. */
  readonly parameters = new Map<string, Parameter>();
  /** `${region}|${owner}` → images, in creation order. */
  readonly imageIndex = new Map<string, ImageIndex>();
  readonly imageByName = new Map<string, Image>();
  readonly copyTokens = new Map<string, string>();
  readonly imageOutcomes: ImageOutcome[] = [];
  readonly deniedRoles = new Set<string>();
  /** `${account}|${region}` → VPCs, subnets, gateways, endpoints, security groups (vpc.ts). */
  readonly networks = new Map<string, Network>();
  /** Access keys handed out by AssumeRole → account. */
  readonly sessionKeys = new Map<string, { accountId: string; arn: string }>();
  guestDefaults: GuestBehaviour = {};
  /** AWS Organizations, when the emulator models one (organizations.ts). */
  organization: Organization | undefined = undefined;
  /** Opt-in regions enabled, per account. */
  optInRegions: Readonly<Record<string, readonly string[]>> = {};
  durations: Durations;
  timeScale: number;
  readonly iam: IamStore;
  readonly kms: KmsStore;
  /** S3's buckets (s3.ts); the guest's Read-S3Object reads them through the instance profile. */
  readonly s3 = new S3Store();

  constructor(readonly opts: WorldOptions) {
    this.durations = { ...opts.durations };
    this.timeScale = opts.timeScale;
    this.iam = opts.iam;
    this.kms = opts.kms;
  }

  now(): number {
    return Date.now();
  }

  /** A duration after scaling. */
  d(name: keyof Durations): number {
    return this.durations[name] * this.timeScale;
  }

  /** A client-given number of seconds (TimeoutSeconds, executionTimeout), scaled like every duration. */
  seconds(s: number): number {
    return s * 1000 * this.timeScale;
  }

  indexFor(region: string, owner: string): ImageIndex {
    const key = `${region}|${owner}`;
    let idx = this.imageIndex.get(key);
    if (!idx) {
      idx = new ImageIndex();
      this.imageIndex.set(key, idx);
    }
    return idx;
  }

  addImage(img: Image): void {
    this.images.set(img.id, img);
    this.indexFor(img.region, img.account).add(img);
    this.imageByName.set(`${img.region}|${img.account}|${img.name}`, img);
  }

  deregister(img: Image, at = this.now()): void {
    img.deregistered = true;
    img.deregisteredAt = at;
    img.xml = undefined;
    this.indexFor(img.region, img.account).remove(img);
    this.imageByName.delete(`${img.region}|${img.account}|${img.name}`);
  }

  imageState(img: Image, now = this.now()): string {
    if (img.deregistered) return 'deregistered';
    if (now < img.readyAt) return 'pending';
    return img.failReason ? 'failed' : 'available';
  }

  /**
   * What DescribeImages by id gives for a deregistered image (DescribeImages API
   * reference): listed for a short interval, then empty results; once no instance
   * launched from it is left, the id is not found.
   */
  deregisteredLookup(img: Image, now = this.now()): 'listed' | 'empty' | 'notFound' {
    if (now < (img.deregisteredAt ?? 0) + this.d('imageDeregisteredVisible')) return 'listed';
    for (const inst of this.instances.values()) {
      if (inst.imageId !== img.id) continue;
      this.settle(inst, now);
      if (inst.state !== 'terminated') return 'empty';
    }
    return 'notFound';
  }

  snapshotState(s: Snapshot, now = this.now()): 'pending' | 'completed' {
    return now < s.readyAt ? 'pending' : 'completed';
  }

  /** The image outcome that applies to this call, consumed. */
  takeImageOutcome(action: 'CreateImage' | 'CopyImage' | 'RegisterImage', account: string, region: string): ImageOutcome | undefined {
    const i = this.imageOutcomes.findIndex(
      (o) => (!o.region || o.region === region) && (!o.account || o.account === account) && (!o.actions || o.actions.includes(action)),
    );
    if (i < 0) return undefined;
    const o = this.imageOutcomes[i]!;
    const left = (o.times ?? 1) - 1;
    if (left <= 0) this.imageOutcomes.splice(i, 1);
    else o.times = left;
    return o;
  }

  // ---- instances ----

  canBeOnline(inst: Instance): boolean {
    return !inst.behaviour.agentNeverOnline && this.agentHasPermissions(inst);
  }

  /** The instance profile's role allows the agent's calls (IAM section of SPEC.md); none means no credentials (§6.6). */
  agentHasPermissions(inst: Instance): boolean {
    return this.iam.agentAllowed(inst.account, inst.iamInstanceProfile?.arn);
  }

  /**
   * When, from the agent's start on, the instance's network lets it reach Systems Manager (vpc.ts,
   * `ssmReachableAt`): undefined while no path exists. Re-checked from the network's last change.
   */
  networkReachesSsmAt(inst: Instance, agentStart: number): number | undefined {
    const changedAt = this.networks.get(`${inst.account}|${inst.region}`)?.changedAt ?? 0;
    return ssmReachableAt(this, inst, Math.max(agentStart, changedAt));
  }

  launch(params: {
    account: string;
    region: string;
    image: Image;
    instanceType: string;
    reservationId: string;
    index: number;
    tags: Map<string, string>;
    volumeTags: Map<string, string>;
    iamInstanceProfile?: { arn: string; id: string };
    metadataOptions: Instance['metadataOptions'];
    clientToken?: string;
    keyName?: string;
    volumeSizes: Map<string, number>;
    /** Encryption asked for per device (RunInstances BlockDeviceMappings), resolved to a key ARN. */
    volumeKeys?: Map<string, string>;
    /** EBS could not use a volume's key: the instance goes pending → terminated with this reason. */
    launchFailure?: { code: string; message: string };
    network: { subnetId: string; vpcId: string; availabilityZone: string; groupIds: string[]; privateIp: string; associatePublicIp: boolean };
  }): Instance {
    const now = this.now();
    const { image } = params;
    const origin = image.origin;
    const id = newId('i');
    const win = newWindowsState(origin.agent, origin.fs.clone(), origin.computerName, origin.imageState, origin.sealed);
    win.v1Scheduled = origin.v1Scheduled;
    if (origin.release) win.release = origin.release;
    const volumeIds: string[] = [];
    for (const b of image.bdms) {
      const keyArn = params.volumeKeys?.get(b.deviceName) ?? b.kmsKeyId;
      const vol: Volume = {
        id: newId('vol'),
        account: params.account,
        region: params.region,
        size: params.volumeSizes.get(b.deviceName) ?? b.volumeSize,
        volumeType: b.volumeType,
        snapshotId: b.snapshotId,
        instanceId: id,
        device: b.deviceName,
        deleteOnTermination: b.deleteOnTermination,
        tags: new Map(params.volumeTags),
        createdAt: now,
        encrypted: b.encrypted || keyArn !== undefined,
        ...(keyArn ? { kmsKeyId: keyArn } : {}),
        deleted: false,
      };
      this.volumes.set(vol.id, vol);
      volumeIds.push(vol.id);
    }
    const inst: Instance = {
      id,
      account: params.account,
      region: params.region,
      imageId: image.id,
      instanceType: params.instanceType,
      launchedAt: now,
      visibleAt: now + this.opts.consistencyWindowMs,
      reservationId: params.reservationId,
      tags: params.tags,
      ...(params.iamInstanceProfile ? { iamInstanceProfile: params.iamInstanceProfile } : {}),
      metadataOptions: params.metadataOptions,
      ...(image.billing ? { billing: { ...image.billing } } : {}),
      architecture: image.architecture,
      ...(params.clientToken ? { clientToken: params.clientToken } : {}),
      privateIp: params.network.privateIp,
      subnetId: params.network.subnetId,
      vpcId: params.network.vpcId,
      availabilityZone: params.network.availabilityZone,
      groupIds: params.network.groupIds,
      associatePublicIp: params.network.associatePublicIp,
      ...(params.network.associatePublicIp ? { publicIp: newPublicIp() } : {}),
      ...(params.keyName ? { keyName: params.keyName } : {}),
      amiLaunchIndex: params.index,
      state: 'pending',
      transitionAt: now + this.d('instanceBoot'),
      nextState: 'running',
      reason: '',
      rootDeviceName: image.rootDeviceName,
      volumeIds,
      win,
      behaviour: structuredCloneBehaviour(this.guestDefaults),
      online: false,
      registered: false,
      invocations: [],
    };
    if (params.launchFailure) {
      inst.nextState = 'terminated';
      inst.transitionAt = now + this.d('instanceTerminate');
      inst.launchFailure = params.launchFailure;
    }
    if (inst.behaviour.pendingReboot) win.pendingReboot = true;
    if (inst.behaviour.tiWorkerRunning) win.tiWorkerRunning = true;
    this.instances.set(id, inst);
    return inst;
  }

  /** The instance's Windows as a disk, for snapshots and images. */
  diskOf(inst: Instance): DiskOrigin {
    const img = this.images.get(inst.imageId);
    return {
      ...(inst.billing ? { billing: { ...inst.billing } } : {}),
      agent: inst.win.agent,
      ...(img?.origin.release ? { release: img.origin.release } : {}),
      fs: inst.win.fs.clone(),
      computerName: inst.win.computerName,
      imageState: inst.win.imageState,
      sealed: inst.win.sealed,
      v1Scheduled: inst.win.v1Scheduled,
    };
  }

  /** Advance an instance's lifecycle, agent and commands up to `now`. */
  settle(inst: Instance, now = this.now()): void {
    for (let guard = 0; guard < 100_000; guard++) {
      const ev = this.nextEvent(inst);
      if (!ev || ev.at > now) return;
      ev.apply();
    }
  }

  private nextEvent(inst: Instance): { at: number; apply: () => void } | undefined {
    let best: { at: number; apply: () => void } | undefined;
    const offer = (at: number | undefined, apply: () => void) => {
      if (at === undefined) return;
      if (!best || at < best.at) best = { at, apply };
    };
    if (inst.transitionAt !== undefined) {
      const at = inst.transitionAt;
      offer(at, () => this.finishTransition(inst, at));
    }
    if (inst.state === 'running') {
      if (inst.rebootDoneAt !== undefined) {
        const at = inst.rebootDoneAt;
        offer(at, () => {
          inst.rebootDoneAt = undefined;
          this.bootUp(inst, at);
        });
      }
      const changedAt = this.networks.get(`${inst.account}|${inst.region}`)?.changedAt ?? 0;
      if (inst.online && changedAt > (inst.agentOnlineAt ?? 0) && this.networkReachesSsmAt(inst, changedAt) !== changedAt) {
        // A network change took the path away: the agent loses its connection and keeps retrying.
        offer(changedAt, () => {
          inst.online = false;
          inst.agentOnlineAt = changedAt;
        });
      }
      const reachable = !inst.online && inst.agentOnlineAt !== undefined ? this.networkReachesSsmAt(inst, inst.agentOnlineAt) : undefined;
      if (reachable !== undefined) {
        const at = reachable;
        offer(at, () => {
          inst.agentOnlineAt = at;
          inst.online = true;
          inst.registered = true;
          inst.lastPingAt = at;
          for (const inv of inst.invocations) {
            if (inv.interrupted) this.endInvocation(inv, at, 'Failed', 'Failed', 1, '', 'The command was interrupted by a restart of the instance.\n');
          }
        });
      }
      if (inst.sysprepRun) {
        const run = inst.sysprepRun;
        offer(run.endAt, () => this.finishSysprepRun(inst, run.endAt));
      }
    }
    const running = inst.invocations.find((i) => i.status === 'InProgress' && i.endAt !== undefined && !i.haltedBySysprep && !i.interrupted && !i.rerun);
    if (running) {
      const at = running.endAt!;
      offer(at, () => this.completeInvocation(inst, running, at));
    }
    const reachable = inst.online && inst.state === 'running';
    if (!running && reachable && !inst.invocations.some((i) => i.haltedBySysprep)) {
      const next = inst.invocations.find((i) => (i.status === 'Pending' || i.status === 'Delayed' || i.rerun) && !i.haltedBySysprep);
      if (next) {
        const at = Math.max(next.rerun ? 0 : this.deliveryAt(next), inst.agentOnlineAt ?? 0);
        offer(at, () => this.startInvocation(inst, next, at));
      }
    }
    for (const inv of inst.invocations) {
      if (inv.status === 'Pending' && !reachable) {
        // SSM tried to deliver and the agent was not there: Delayed, retried until the delivery timeout (monitor-commands.html).
        offer(this.deliveryAt(inv), () => {
          inv.status = 'Delayed';
          inv.statusDetails = 'Delayed';
        });
      }
      if (inv.status === 'Pending' || inv.status === 'Delayed') {
        const at = inv.command.requestedAt + this.seconds(inv.command.timeoutSeconds);
        offer(at, () => this.endInvocation(inv, at, 'TimedOut', 'Delivery Timed Out', -1, '', ''));
      }
    }
    return best;
  }

  private finishTransition(inst: Instance, at: number): void {
    const next = inst.nextState!;
    inst.transitionAt = undefined;
    inst.nextState = undefined;
    inst.state = next;
    if (next === 'running') {
      this.bootUp(inst, at);
    } else if (next === 'stopped') {
      inst.publicIp = undefined;
      for (const inv of inst.invocations) {
        if (inv.status === 'InProgress' || inv.status === 'Pending') {
          if (inv.haltedBySysprep || inv.status === 'InProgress') this.endInvocation(inv, at, 'Failed', 'Undeliverable', -1, inv.stdout, inv.stderr);
        }
      }
    } else if (next === 'terminated') {
      if (inst.launchFailure) {
        inst.stateReason = inst.launchFailure;
        inst.reason = '';
      }
      inst.publicIp = undefined;
      for (const inv of inst.invocations) this.endInvocation(inv, at, 'Failed', 'Undeliverable', -1, inv.stdout, inv.stderr);
      for (const vid of inst.volumeIds) {
        const v = this.volumes.get(vid);
        if (v && v.deleteOnTermination) v.deleted = true;
      }
    }
  }

  private bootUp(inst: Instance, at: number): void {
    boot(inst.win, at, inst.id);
    inst.agentOnlineAt = this.canBeOnline(inst) ? at + this.d('ssmOnline') : undefined;
  }

  private goOffline(inst: Instance): void {
    inst.online = false;
    inst.agentOnlineAt = undefined;
  }

  /** A reboot: the instance stays `running` in EC2, the agent is offline until it has booted again. */
  reboot(inst: Instance, at: number): void {
    if (inst.state !== 'running') return;
    this.goOffline(inst);
    inst.rebootDoneAt = at + this.d('instanceReboot');
    inst.win.console.push(`${new Date(at).toISOString()} Restarting`);
  }

  beginStop(inst: Instance, at: number, reason: { code: string; message: string }): void {
    this.goOffline(inst);
    inst.rebootDoneAt = undefined;
    inst.sysprepRun = undefined;
    inst.state = 'stopping';
    inst.stateReason = reason;
    inst.reason = `${reason.code === 'Client.UserInitiatedShutdown' ? 'User initiated' : 'Instance initiated shutdown'} (${new Date(at).toISOString().slice(0, 19).replace('T', ' ')} GMT)`;
    inst.transitionAt = at + this.d('instanceStop');
    inst.nextState = 'stopped';
  }

  beginStart(inst: Instance, at: number): void {
    if (inst.associatePublicIp) inst.publicIp = newPublicIp();
    inst.state = 'pending';
    inst.stateReason = undefined;
    inst.reason = '';
    inst.transitionAt = at + this.d('instanceBoot');
    inst.nextState = 'running';
  }

  beginTerminate(inst: Instance, at: number): void {
    this.goOffline(inst);
    inst.rebootDoneAt = undefined;
    inst.sysprepRun = undefined;
    inst.state = 'shutting-down';
    inst.stateReason = { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' };
    inst.reason = `User initiated (${new Date(at).toISOString().slice(0, 19).replace('T', ' ')} GMT)`;
    inst.transitionAt = at + this.d('instanceTerminate');
    inst.nextState = 'terminated';
  }

  /**
   * `Read-S3Object` on an instance: signed with the instance profile's
   * credentials, so the profile's role must allow `s3:GetObject` on the
   * object (`s3:ListBucket` on the bucket for a listing), as the same
   * evaluator as SimulatePrincipalPolicy decides; the bucket must be the
   * instance's account's (bucket policies are not modelled).
   */
  private guestS3(inst: Instance): GuestS3Reader {
    const allowed = (action: string, resource: string) => {
      const role = this.iam.roleOf(inst.account, inst.iamInstanceProfile?.arn);
      return !!role && evaluate(this.iam.roleSources(this.iam.account(inst.account), role), action, resource).decision === 'allowed';
    };
    const NO_CREDENTIALS = 'No credentials specified or obtained from persisted/shell defaults.';
    const messages = { NoSuchBucket: 'The specified bucket does not exist', NoSuchKey: 'The specified key does not exist.', AccessDenied: 'Access Denied' };
    return {
      get: (bucket, key) => {
        if (!inst.iamInstanceProfile) return { error: NO_CREDENTIALS };
        if (!allowed('s3:GetObject', `arn:aws:s3:::${bucket}/${key}`)) return { error: messages.AccessDenied };
        const o = this.s3.read(inst.account, bucket, key);
        return 'error' in o ? { error: messages[o.error] } : { data: o.data };
      },
      list: (bucket, prefix) => {
        if (!inst.iamInstanceProfile) return { error: NO_CREDENTIALS };
        if (!allowed('s3:ListBucket', `arn:aws:s3:::${bucket}`)) return { error: messages.AccessDenied };
        const b = this.s3.buckets.get(bucket);
        if (!b) return { error: messages.NoSuchBucket };
        if (b.account !== inst.account) return { error: messages.AccessDenied };
        return { keys: [...b.objects.keys()].filter((k) => k.startsWith(prefix)).sort() };
      },
    };
  }

  /**
   * `Get-SSMParameter` on an instance: AWS Tools signs with the instance
   * profile's credentials, so an instance without one finds none; the name is
   * looked up in the instance's account and region (or `-Region`), then among the public ones.
   */
  private guestParameter(
    inst: Instance,
    name: string,
    decrypt: boolean,
    region = inst.region,
  ): { name: string; type: string; value: string; version: number } | { error: string } {
    if (!inst.iamInstanceProfile) return { error: 'No credentials specified or obtained from persisted/shell defaults.' };
    const p = this.parameters.get(`${inst.account}|${region}|${name}`) ?? this.parameters.get(`*|${region}|${name}`);
    if (!p) return { error: `Exception of type 'Amazon.SimpleSystemsManagement.Model.ParameterNotFoundException' was thrown.` };
    // Without -WithDecryption a SecureString comes back as its ciphertext, as GetParameter answers it (ssm.ts).
    const value = p.type === 'SecureString' && !decrypt ? `AQICAH${Buffer.from(`${p.keyId ?? 'alias/aws/ssm'}:${p.value}`).toString('base64')}` : p.value;
    return { name: p.name, type: p.type, value, version: p.version };
  }

  /** `Get-EC2Image` on the instance: DescribeImages through its instance profile. */
  private guestImage(inst: Instance, id: string, region = inst.region): ReturnType<GuestImageLookup> {
    if (!inst.iamInstanceProfile) return { error: 'No credentials specified or obtained from persisted/shell defaults.' };
    const img = this.images.get(id);
    if (!img || img.region !== region || img.deregistered) return { error: `The image id '[${id}]' does not exist` };
    return {
      ImageId: img.id,
      Name: img.name,
      State: this.imageState(img),
      PlatformDetails: img.billing?.platformDetails ?? '',
      UsageOperation: img.billing?.usageOperation ?? '',
    };
  }

  private startInvocation(inst: Instance, inv: Invocation, at: number): void {
    inv.rerun = false;
    inv.status = 'InProgress';
    inv.statusDetails = 'InProgress';
    inv.startAt ??= at;
    const cmd = inv.command;
    const b = inst.behaviour;
    if (b.rebootOnCommand) {
      b.rebootOnCommand = false;
      inv.interrupted = true;
      inv.endAt = at;
      this.reboot(inst, at);
      return;
    }
    const fail = b.failCommand;
    if (fail && matches(fail.match, cmd.script)) {
      if (fail.times !== undefined) {
        fail.times -= 1;
        if (fail.times <= 0) b.failCommand = undefined;
      }
      inv.result = { exitCode: fail.exitCode, stdout: fail.stdout ?? '', stderr: fail.stderr ?? '' };
      inv.endAt = at + this.d('command');
      return;
    }
    let result: ScriptResult;
    if (cmd.documentName === 'AWS-ConfigureAWSPackage' || cmd.documentName === 'AWS-UpdateSSMAgent') {
      result = runAwsDocument(cmd.documentName, cmd.parameters, inst.win.fs);
    } else if (cmd.documentName === 'AWS-InstallWindowsUpdates') {
      result = runInstallWindowsUpdates(cmd.parameters, inst.win, at, b.failUpdates ?? {});
    } else if (cmd.documentName === 'AWSEC2-RunSysprep') {
      result = { exitCode: 0, stdout: 'Sysprep started.\n', stderr: '' };
      const req: SysprepRequest = { via: 'AWSEC2-RunSysprep', power: 'shutdown', generalize: true, oobe: true };
      beginSysprep(inst.win, req, at);
      result.sysprep = { ...req, async: true };
    } else {
      result = runScript(this.opts.parser, cmd.script, inst.win, {
        scriptPath: `C:\\ProgramData\\Amazon\\SSM\\InstanceData\\${inst.id}\\document\\orchestration\\${cmd.id}\\awsrunPowerShellScript\\0.awsrunPowerShellScript\\_script.ps1`,
        ...(cmd.workingDirectory ? { workingDirectory: cmd.workingDirectory } : {}),
        ...(b.sysprepFails ? { sysprepFails: b.sysprepFails } : {}),
        getParameter: (name, decrypt, region) => this.guestParameter(inst, name, decrypt, region),
        metadata: (path) => ({ 'ami-id': inst.imageId, 'instance-id': inst.id, 'placement/region': inst.region })[path],
        describeImage: (id, region) => this.guestImage(inst, id, region),
        readS3Object: this.guestS3(inst),
        ...(b.failUpdates ? { updateFailures: b.failUpdates } : {}),
        ...(b.wsusServers ? { wsusServers: b.wsusServers } : {}),
        now: at,
      });
    }
    inv.result = result;
    if (result.sysprep) {
      inst.sysprepRun = { req: result.sysprep, endAt: at + this.d('sysprep') };
      if (!result.sysprep.async) {
        inv.haltedBySysprep = true;
        inv.stdout = result.stdout;
        inv.stderr = result.stderr;
        return;
      }
    }
    let dur = this.d('command') + (result.sysprepInline ? this.d('sysprep') : 0) + (result.busyMs ?? 0) * this.timeScale;
    const limit = this.seconds(cmd.executionTimeout);
    if (dur > limit) dur = limit;
    inv.endAt = at + dur;
  }

  private completeInvocation(inst: Instance, inv: Invocation, at: number): void {
    const r = inv.result ?? { exitCode: 0, stdout: '', stderr: '' };
    const ran = at - (inv.startAt ?? at);
    if (ran >= this.seconds(inv.command.executionTimeout) && this.d('command') + (r.sysprepInline ? this.d('sysprep') : 0) > ran) {
      this.endInvocation(inv, at, 'TimedOut', 'Execution Timed Out', -1, r.stdout, r.stderr);
      return;
    }
    if (r.exitCode === 3010) {
      // SSM reboots the node and runs the whole script again (send-commands-reboot.html).
      inv.rerun = true;
      inv.endAt = undefined;
      inv.stdout = r.stdout;
      this.reboot(inst, at);
      return;
    }
    if (r.restart) {
      inv.interrupted = true;
      inv.stdout = r.stdout;
      inv.stderr = r.stderr;
      this.reboot(inst, at);
      return;
    }
    const ok = r.exitCode === 0;
    this.endInvocation(inv, at, ok ? 'Success' : 'Failed', ok ? 'Success' : 'Failed', r.exitCode, r.stdout, r.stderr);
  }

  endInvocation(inv: Invocation, at: number, status: Invocation['status'], details: string, code: number, stdout: string, stderr: string): void {
    if (['Success', 'Failed', 'TimedOut', 'Cancelled'].includes(inv.status)) return;
    inv.status = status;
    inv.statusDetails = details;
    inv.responseCode = code;
    inv.stdout = stdout;
    inv.stderr = stderr;
    inv.endAt = at;
    inv.rerun = false;
    inv.interrupted = false;
    inv.haltedBySysprep = false;
    const inst = this.instances.get(inv.instanceId);
    if (inst) inst.invocations = inst.invocations.filter((i) => i !== inv);
  }

  private finishSysprepRun(inst: Instance, at: number): void {
    const run = inst.sysprepRun!;
    inst.sysprepRun = undefined;
    const ok = finishSysprep(inst.win, run.req, at, inst.behaviour.sysprepFails?.setuperr);
    const halted = inst.invocations.filter((i) => i.haltedBySysprep);
    if (!ok) {
      for (const inv of halted) {
        this.endInvocation(
          inv,
          at,
          'Failed',
          'Failed',
          1,
          inv.stdout,
          `${inv.stderr}Sysprep failed (${run.req.via}); see C:\\Windows\\System32\\Sysprep\\Panther\\setuperr.log\n`,
        );
      }
      return;
    }
    if (run.req.power === 'shutdown') {
      this.beginStop(inst, at, { code: 'Client.InstanceInitiatedShutdown', message: 'Client.InstanceInitiatedShutdown: Instance initiated shutdown' });
    } else if (run.req.power === 'reboot') {
      for (const inv of halted) inv.interrupted = true;
      for (const inv of halted) inv.haltedBySysprep = false;
      this.reboot(inst, at);
    }
  }

  // ---- commands ----

  /** When SSM first tries to hand an invocation to the agent. */
  deliveryAt(inv: Invocation): number {
    return inv.command.requestedAt + this.d('commandDelivery');
  }

  newCommand(c: Omit<Command, 'id' | 'invocations'>): Command {
    const cmd: Command = { ...c, id: uuid(), invocations: [] };
    for (const iid of c.instanceIds) {
      const inv: Invocation = {
        command: cmd,
        instanceId: iid,
        status: 'Pending',
        statusDetails: 'Pending',
        responseCode: -1,
        stdout: '',
        stderr: '',
        rerun: false,
        haltedBySysprep: false,
        interrupted: false,
      };
      cmd.invocations.push(inv);
      const inst = this.instances.get(iid);
      if (inst) inst.invocations.push(inv);
    }
    this.commands.set(cmd.id, cmd);
    return cmd;
  }

  cancel(cmd: Command, instanceIds: string[] | undefined, at: number): void {
    for (const inv of cmd.invocations) {
      if (instanceIds && !instanceIds.includes(inv.instanceId)) continue;
      if (inv.status === 'Pending' || inv.status === 'InProgress' || inv.status === 'Delayed') {
        this.endInvocation(inv, at, 'Cancelled', 'Cancelled', -1, inv.stdout, inv.stderr);
      }
    }
  }

  /** Settle the instance an invocation runs on, so its status is current. */
  settleInvocation(inv: Invocation, now = this.now()): void {
    const inst = this.instances.get(inv.instanceId);
    if (inst) this.settle(inst, now);
  }
}

function matches(m: string | RegExp | { regex: string; flags?: string }, script: string): boolean {
  if (typeof m === 'string') return script.includes(m);
  if (m instanceof RegExp) return m.test(script);
  return new RegExp(m.regex, m.flags).test(script);
}

function structuredCloneBehaviour(b: GuestBehaviour): GuestBehaviour {
  const c: GuestBehaviour = { ...b };
  if (b.failCommand) c.failCommand = { ...b.failCommand };
  if (b.sysprepFails) c.sysprepFails = { ...b.sysprepFails };
  return c;
}

export { DEFAULT_DURATIONS };
