/**
 * The local EC2 + SSM + STS + IAM + KMS + S3 emulator: a real HTTP server on 127.0.0.1 that
 * speaks the EC2, STS and IAM Query, the SSM and KMS JSON 1.1 and S3's REST protocols, so winami's real
 * SDK clients run against it exactly as against AWS. SPEC.md says what it
 * models and from which documents.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { powershellParser } from '../src/powershell/parse.js';
import {
  AMAZON_ACCOUNT,
  DEFAULT_DURATIONS,
  DEFAULT_IAM_PROPAGATION_MS,
  EMULATOR_ACCOUNTS,
  type CallRecord,
  type Durations,
  type EmulatorOptions,
  type Fault,
  type GuestBehaviour,
  type ImageOutcome,
  type ResourceFilter,
  type SeedOptions,
} from './options.js';
import { IamStore } from './iam.js';
import { KmsStore } from './kms.js';
import { seedWorld } from './seed.js';
import { resolveSeed } from './seed-options.js';
import { EmulatorHttp } from './server.js';
import { AutomationService } from './automation.js';
import { ImageBuilderService } from './imagebuilder.js';
import { newId } from './wire.js';
import { World } from './world.js';
import { Organization } from './organizations.js';
import { failFastLaunch, fastLaunchOf } from './ec2-fast-launch.js';

export * from './options.js';

/** Every live resource, by account and region. */
export interface ResourceSnapshot {
  instances: Array<{
    id: string;
    account: string;
    region: string;
    state: string;
    imageId: string;
    platformDetails?: string;
    usageOperation?: string;
    tags: Record<string, string>;
    agentOnline: boolean;
    imageState: string;
    computerName: string;
  }>;
  images: Array<{
    id: string;
    account: string;
    region: string;
    name: string;
    state: string;
    platformDetails?: string;
    usageOperation?: string;
    sourceImageId?: string;
    sourceInstanceId?: string;
    snapshotIds: string[];
    tags: Record<string, string>;
  }>;
  snapshots: Array<{ id: string; account: string; region: string; state: string; volumeId: string; tags: Record<string, string> }>;
  volumes: Array<{ id: string; account: string; region: string; instanceId: string; size: number; tags: Record<string, string> }>;
  commands: Array<{ id: string; account: string; region: string; documentName: string; instanceIds: string[]; statuses: string[] }>;
  parameters: Array<{ account: string; region: string; name: string; type: string }>;
  /** S3 buckets and objects (s3.ts). */
  buckets: Array<{ name: string; account: string; region: string }>;
  s3Objects: Array<{ bucket: string; key: string; account: string; region: string; size: number }>;
}

/** Control of a running emulator; mirrored over HTTP under `/_emulator/` (SPEC.md). */
export interface EmulatorControl {
  resources(filter?: ResourceFilter): ResourceSnapshot;
  calls(): CallRecord[];
  addFault(fault: Fault): void;
  clearFaults(): void;
  reset(): Promise<void>;
  setGuest(instanceId: string, behaviour: GuestBehaviour): void;
  setGuestDefaults(behaviour: GuestBehaviour): void;
  terminateFromOutside(instanceId: string): void;
  setImageOutcome(outcome: ImageOutcome): void;
  /** The next EnableFastLaunch of this image ends in `enabling-failed` with this reason. */
  failFastLaunch(imageId: string, reason: string): void;
  /** An image's Fast Launch state (`enabling`, `enabled`, …), or undefined when it has none. */
  fastLaunchState(imageId: string): string | undefined;
  putParameter(p: { account: string; region: string; name: string; value: string; type?: 'String' | 'SecureString' | 'StringList' }): void;
  setDurations(d: Partial<Durations>): void;
  /** A snapshot of unknown origin (as ImportSnapshot would give): RegisterImage from it gets no Windows billing. */
  importSnapshot(p: { account: string; region: string; size?: number }): string;
  /** AssumeRole of this role ARN answers AccessDenied. */
  denyRole(roleArn: string): void;
  /** A file on an instance's disk, or undefined. */
  readGuestFile(instanceId: string, path: string): string | undefined;
  /** How long (real ms) RunInstances refuses a new instance profile; kept across `reset()`. */
  setIamPropagation(ms: number): void;
  /**
   * Stop the EC2 and SSM token buckets' refill (`advanceRefill` lets refill time pass, `releaseRefill` returns to
   * the wall clock): a throttling burst then sees exactly the bucket's capacity however slowly it is sent.
   */
  holdRefill(): void;
  advanceRefill(ms: number): void;
  releaseRefill(): void;
  now(): number;
}

export interface Emulator {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  control: EmulatorControl;
  stop(): Promise<void>;
}

function tagsOf(m: Map<string, string>): Record<string, string> {
  return Object.fromEntries(m);
}

/** Start the emulator; resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const parser = await powershellParser();
  const accounts = options.accounts ?? [...EMULATOR_ACCOUNTS];
  const seed: SeedOptions = resolveSeed(options.seed);
  let iamPropagationMs = options.iamPropagationMs ?? DEFAULT_IAM_PROPAGATION_MS;
  const makeWorld = () => {
    const startedAt = Date.now();
    const iam = new IamStore(iamPropagationMs);
    // Seeded IAM predates the emulator's start by a day, so it has propagated.
    for (const a of accounts) iam.seed(a.accountId, startedAt - 86_400_000);
    const w = new World({
      timeScale: options.timeScale ?? 1,
      durations: { ...DEFAULT_DURATIONS, ...options.durations },
      consistencyWindowMs: options.consistencyWindowMs ?? 0,
      accounts,
      parser,
      iam,
      kms: new KmsStore(startedAt - 86_400_000),
    });
    if (options.organization)
      w.organization = new Organization(
        options.organization,
        accounts.map((a) => a.accountId),
        startedAt,
      );
    w.optInRegions = options.optInRegions ?? {};
    seedWorld(w, seed, accounts[0]!.accountId);
    return w;
  };
  let world = makeWorld();

  const instance = (id: string) => {
    const inst = world.instances.get(id);
    if (!inst) throw new Error(`no instance ${id}`);
    world.settle(inst);
    return inst;
  };

  const control: EmulatorControl = {
    resources(filter = {}) {
      const now = world.now();
      const ok = (r: { account: string; region: string }) =>
        (!filter.account || r.account === filter.account) &&
        (!filter.region || r.region === filter.region) &&
        (filter.account === AMAZON_ACCOUNT || r.account !== AMAZON_ACCOUNT);
      const gone = filter.includeGone ?? false;
      for (const inst of world.instances.values()) world.settle(inst, now);
      return {
        instances: [...world.instances.values()]
          .filter((i) => ok(i) && (gone || i.state !== 'terminated'))
          .map((i) => ({
            id: i.id,
            account: i.account,
            region: i.region,
            state: i.state,
            imageId: i.imageId,
            ...(i.billing ? { platformDetails: i.billing.platformDetails, usageOperation: i.billing.usageOperation } : {}),
            tags: tagsOf(i.tags),
            agentOnline: i.online,
            imageState: i.win.imageState,
            computerName: i.win.computerName,
          })),
        images: [...world.images.values()]
          .filter((i) => ok(i) && (gone || !i.deregistered))
          .map((i) => ({
            id: i.id,
            account: i.account,
            region: i.region,
            name: i.name,
            state: world.imageState(i, now),
            ...(i.billing ? { platformDetails: i.billing.platformDetails, usageOperation: i.billing.usageOperation } : {}),
            ...(i.sourceImageId ? { sourceImageId: i.sourceImageId } : {}),
            ...(i.sourceInstanceId ? { sourceInstanceId: i.sourceInstanceId } : {}),
            snapshotIds: i.bdms.map((b) => b.snapshotId),
            tags: tagsOf(i.tags),
          })),
        snapshots: [...world.snapshots.values()]
          .filter((s) => ok(s) && (gone || !s.deleted))
          .map((s) => ({
            id: s.id,
            account: s.account,
            region: s.region,
            state: s.deleted ? 'deleted' : world.snapshotState(s, now),
            volumeId: s.volumeId,
            tags: tagsOf(s.tags),
          })),
        volumes: [...world.volumes.values()]
          .filter((v) => ok(v) && (gone || !v.deleted))
          .map((v) => ({ id: v.id, account: v.account, region: v.region, instanceId: v.instanceId, size: v.size, tags: tagsOf(v.tags) })),
        commands: [...world.commands.values()]
          .filter((c) => ok(c))
          .map((c) => ({
            id: c.id,
            account: c.account,
            region: c.region,
            documentName: c.documentName,
            instanceIds: c.instanceIds,
            statuses: c.invocations.map((i) => i.status),
          })),
        parameters: [...world.parameters.entries()]
          .filter(([k]) => !k.startsWith('*|'))
          .map(([k, p]) => {
            const [account, region] = k.split('|');
            return { account: account!, region: region!, name: p.name, type: p.type };
          })
          .filter((p) => ok(p)),
        buckets: [...world.s3.buckets.values()].map((b) => ({ name: b.name, account: b.account, region: b.region })).filter((b) => ok(b)),
        s3Objects: world.s3.objects().filter((o) => ok(o)),
      };
    },
    calls: () => [...http.calls],
    addFault: (fault) => {
      http.faults.push({ ...fault });
    },
    clearFaults: () => {
      http.faults.length = 0;
    },
    async reset() {
      world = makeWorld();
      http.world = world;
      http.resetTraffic();
    },
    setGuest(instanceId, behaviour) {
      const inst = instance(instanceId);
      inst.behaviour = { ...inst.behaviour, ...behaviour };
      if (behaviour.pendingReboot !== undefined) inst.win.pendingReboot = behaviour.pendingReboot;
      if (behaviour.tiWorkerRunning !== undefined) inst.win.tiWorkerRunning = behaviour.tiWorkerRunning;
      if (behaviour.agentNeverOnline) {
        inst.online = false;
        inst.agentOnlineAt = undefined;
      }
    },
    setGuestDefaults(behaviour) {
      world.guestDefaults = { ...behaviour };
    },
    terminateFromOutside(instanceId) {
      const inst = instance(instanceId);
      if (inst.state !== 'terminated' && inst.state !== 'shutting-down') world.beginTerminate(inst, world.now());
    },
    failFastLaunch(imageId, reason) {
      failFastLaunch(world, imageId, reason);
    },
    fastLaunchState(imageId) {
      return fastLaunchOf(world, imageId)?.state;
    },
    setImageOutcome(outcome) {
      world.imageOutcomes.push({ ...outcome });
    },
    putParameter(p) {
      world.parameters.set(`${p.account}|${p.region}|${p.name}`, {
        name: p.name,
        type: p.type ?? 'String',
        value: p.value,
        version: (world.parameters.get(`${p.account}|${p.region}|${p.name}`)?.version ?? 0) + 1,
        lastModified: world.now(),
        dataType: 'text',
        ...(p.type === 'SecureString' ? { keyId: 'alias/aws/ssm' } : {}),
      });
    },
    setDurations(d) {
      for (const inst of world.instances.values()) world.settle(inst);
      world.durations = { ...world.durations, ...d };
    },
    importSnapshot(p) {
      const id = newId('snap');
      const now = world.now();
      world.snapshots.set(id, {
        id,
        account: p.account,
        region: p.region,
        volumeId: 'vol-ffffffff',
        volumeSize: p.size ?? 30,
        createdAt: now,
        readyAt: now,
        description: 'Created by AWS-VMImport service',
        tags: new Map(),
        encrypted: false,
        deleted: false,
      });
      return id;
    },
    denyRole(roleArn) {
      world.deniedRoles.add(roleArn);
    },
    readGuestFile(instanceId, path) {
      return instance(instanceId).win.fs.read(path)?.toString('utf8');
    },
    setIamPropagation(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new Error(`IAM propagation must be a number of milliseconds >= 0, not ${String(ms)}`);
      iamPropagationMs = ms;
      world.iam.propagationMs = ms;
    },
    holdRefill: () => http.holdRefill(),
    advanceRefill: (ms) => http.advanceRefill(ms),
    releaseRefill: () => http.releaseRefill(),
    now: () => world.now(),
  };

  const http = new EmulatorHttp(world, accounts, options.throttling ?? true, (method, path, query, body) => routeControl(control, method, path, query, body));
  // Generated members have no access keys; AssumeRole reaches them.
  for (const a of world.organization?.accounts ?? []) http.knownAccounts.add(a.id);
  const server: Server = createServer({ keepAlive: true }, http.handle);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const automation = new AutomationService({ endpoint: `http://127.0.0.1:${port}`, accounts, timeScale: options.timeScale ?? 1 });
  http.ssmExtra = automation.handlers;
  const imageBuilder = new ImageBuilderService({ endpoint: `http://127.0.0.1:${port}`, accounts, timeScale: options.timeScale ?? 1, s3: () => world.s3 });
  http.imageBuilder = imageBuilder.handlers;
  const resetWorld = control.reset;
  control.reset = async () => {
    automation.reset();
    imageBuilder.reset();
    await resetWorld();
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    control,
    stop: () =>
      new Promise<void>((resolve) => {
        automation.close();
        imageBuilder.reset();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The HTTP mirror of the control handle. Returns undefined for an unknown route (404). */
function routeControl(control: EmulatorControl, method: string, path: string, query: URLSearchParams, body: unknown): unknown {
  const b = (body ?? {}) as Record<string, unknown>;
  const parts = path.split('/');
  if (method === 'GET' && path === 'resources') {
    return control.resources({
      ...(query.get('account') ? { account: query.get('account')! } : {}),
      ...(query.get('region') ? { region: query.get('region')! } : {}),
      ...(query.get('includeGone') === 'true' ? { includeGone: true } : {}),
    });
  }
  if (method === 'GET' && path === 'calls') return control.calls();
  if (method === 'GET' && path === 'now') return { now: control.now() };
  if (method === 'POST' && path === 'faults') return (control.addFault(b as unknown as Fault), { ok: true });
  if (method === 'DELETE' && path === 'faults') return (control.clearFaults(), { ok: true });
  if (method === 'POST' && path === 'reset') return control.reset().then(() => ({ ok: true }));
  if (method === 'POST' && path === 'guest-defaults') return (control.setGuestDefaults(b as GuestBehaviour), { ok: true });
  if (method === 'POST' && parts[0] === 'guests' && parts[1]) return (control.setGuest(parts[1], b as GuestBehaviour), { ok: true });
  if (method === 'GET' && parts[0] === 'guests' && parts[1] && parts[2] === 'file') {
    const content = control.readGuestFile(parts[1], query.get('path') ?? '');
    return content === undefined ? { exists: false } : { exists: true, content };
  }
  if (method === 'POST' && parts[0] === 'instances' && parts[1] && parts[2] === 'terminate') return (control.terminateFromOutside(parts[1]), { ok: true });
  if (method === 'POST' && path === 'fast-launch-failures') return (control.failFastLaunch(String(b.imageId), String(b.reason)), { ok: true });
  if (method === 'POST' && path === 'image-outcomes') return (control.setImageOutcome(b as ImageOutcome), { ok: true });
  if (method === 'POST' && path === 'parameters') return (control.putParameter(b as Parameters<EmulatorControl['putParameter']>[0]), { ok: true });
  if (method === 'POST' && path === 'durations') return (control.setDurations(b as Partial<Durations>), { ok: true });
  if (method === 'POST' && path === 'snapshots') return { snapshotId: control.importSnapshot(b as { account: string; region: string; size?: number }) };
  if (method === 'POST' && path === 'denied-roles') return (control.denyRole(String(b.roleArn)), { ok: true });
  if (method === 'POST' && path === 'refill/hold') return (control.holdRefill(), { ok: true });
  if (method === 'POST' && path === 'refill/advance') return (control.advanceRefill(Number(b.ms)), { ok: true });
  if (method === 'POST' && path === 'refill/release') return (control.releaseRefill(), { ok: true });
  if (method === 'POST' && path === 'iam-propagation') return (control.setIamPropagation(Number(b.ms)), { ok: true });
  return undefined;
}
