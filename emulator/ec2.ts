/**
 * EC2 Query actions. Each handler takes the decoded request and returns the
 * inner XML of `<ActionResponse>`; errors are thrown as `ApiError`s with
 * EC2's codes.
 */
import { AMAZON_ACCOUNT } from './options.js';
import { OPT_IN_REGIONS } from './organizations.js';
import { copyKey, launchKeys } from './ebs-encryption.js';
import { imageItem, instanceXml, snapshotXml, stateXml, volumeXml } from './ec2-xml.js';
import { GuestFs } from './guest-fs.js';
import { el, iso, isoSeconds, newId, qBool, qInt, qList, qObj, qObjects, qStr, set, type QueryObject, type XmlChunks } from './wire.js';
import { IMAGE_STATE } from './windows.js';
import { checkArchitecture, checkOffered, launchType } from './instance-types.js';
import { networkOf, networkTagged, networkTaggable, placeLaunch } from './vpc.js';
import {
  ApiError,
  DEFAULT_REGIONS,
  type DiskOrigin,
  type Image,
  type ImageBdm,
  type Instance,
  type InstanceStateName,
  type Snapshot,
  type World,
} from './world.js';

export interface Ec2Context {
  world: World;
  account: string;
  region: string;
  q: QueryObject;
  now: number;
}

/** An EC2 action: the decoded request in, the inner XML of its response out. */
export type Handler = (c: Ec2Context) => string | XmlChunks;

// ---- helpers ----

function wildcard(pattern: string): RegExp {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 's');
}

/** A request filter with its values as wildcard patterns. */
export interface Filter {
  name: string;
  values: string[];
  res: RegExp[];
}

export function filtersOf(q: QueryObject): Filter[] {
  return qObjects(q, 'Filter').map((f) => {
    const name = qStr(f, 'Name') ?? '';
    const values = qList(f, 'Value');
    return { name, values, res: values.map(wildcard) };
  });
}

export function matchAny(f: Filter, actual: string | readonly string[] | undefined): boolean {
  if (actual === undefined) return false;
  const list = typeof actual === 'string' ? [actual] : actual;
  return list.some((a) => f.res.some((r) => r.test(a)));
}

export function tagFilter(f: Filter, tags: ReadonlyMap<string, string>): boolean | undefined {
  if (f.name.startsWith('tag:')) {
    const v = tags.get(f.name.slice(4));
    return v !== undefined && matchAny(f, v);
  }
  if (f.name === 'tag-key') return matchAny(f, [...tags.keys()]);
  if (f.name === 'tag-value') return matchAny(f, [...tags.values()]);
  return undefined;
}

export function tagSpecs(q: QueryObject, allowed: string[]): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const spec of qObjects(q, 'TagSpecification')) {
    const type = qStr(spec, 'ResourceType') ?? '';
    if (!allowed.includes(type)) {
      throw new ApiError('InvalidParameterValue', `'${type}' is not a valid taggable resource type for this operation.`);
    }
    const tags = out.get(type) ?? new Map<string, string>();
    for (const t of qObjects(spec, 'Tag')) tags.set(qStr(t, 'Key') ?? '', qStr(t, 'Value') ?? '');
    out.set(type, tags);
  }
  return out;
}

export function paginate<T>(items: T[], q: QueryObject, min = 5, max = 1000): { page: T[]; next?: string } {
  const maxResults = qInt(q, 'MaxResults');
  const token = qStr(q, 'NextToken');
  let start = 0;
  if (token) {
    start = Number(Buffer.from(token, 'base64').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) throw new ApiError('InvalidNextToken', 'The token provided is not valid.');
  }
  if (maxResults === undefined) return { page: items.slice(start) };
  if (maxResults < min || maxResults > max) {
    throw new ApiError('InvalidParameterValue', `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value between ${min} and ${max}.`);
  }
  const page = items.slice(start, start + maxResults);
  const end = start + page.length;
  return end < items.length ? { page, next: Buffer.from(String(end)).toString('base64') } : { page };
}

export function nextTokenXml(next: string | undefined): string {
  return next ? el('nextToken', next) : '';
}

const ID_PATTERNS: Record<string, { re: RegExp; malformed: string }> = {
  ami: { re: /^ami-[0-9a-f]{8}([0-9a-f]{9})?$/, malformed: 'InvalidAMIID.Malformed' },
  i: { re: /^i-[0-9a-f]{8}([0-9a-f]{9})?$/, malformed: 'InvalidInstanceID.Malformed' },
  snap: { re: /^snap-[0-9a-f]{8}([0-9a-f]{9})?$/, malformed: 'InvalidSnapshotID.Malformed' },
  vol: { re: /^vol-[0-9a-f]{8}([0-9a-f]{9})?$/, malformed: 'InvalidVolumeID.Malformed' },
};

function checkId(kind: keyof typeof ID_PATTERNS, id: string): void {
  const p = ID_PATTERNS[kind]!;
  if (!p.re.test(id)) {
    throw new ApiError(p.malformed, `Invalid id: "${id}" (expecting "${kind}-...")`);
  }
}

function canSee(img: Image, account: string): boolean {
  return img.account === account || img.isPublic || img.launchPermissions.has(account) || img.launchPermissions.has('all');
}

/**
 * An image by id, visible to the caller; InvalidAMIID.Unavailable once it is
 * deregistered (as EC2 answers DeregisterImage and RunInstances for a
 * deregistered AMI), else InvalidAMIID.NotFound.
 */
function imageById(c: Ec2Context, id: string): Image {
  checkId('ami', id);
  const img = c.world.images.get(id);
  if (!img || img.region !== c.region || !canSee(img, c.account) || c.now < img.visibleAt) {
    throw new ApiError('InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`);
  }
  if (img.deregistered) throw new ApiError('InvalidAMIID.Unavailable', `The image ID '${id}' is no longer available`);
  return img;
}

function ownImage(c: Ec2Context, id: string): Image {
  const img = imageById(c, id);
  if (img.account !== c.account) throw new ApiError('AuthFailure', `Not authorized for image:${id}`);
  return img;
}

function instanceById(c: Ec2Context, id: string): Instance {
  checkId('i', id);
  const inst = c.world.instances.get(id);
  if (!inst || inst.account !== c.account || inst.region !== c.region || c.now < inst.visibleAt) {
    throw new ApiError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
  }
  c.world.settle(inst, c.now);
  return inst;
}

function instancesByIds(c: Ec2Context, ids: string[]): Instance[] {
  const missing: string[] = [];
  const out: Instance[] = [];
  for (const id of ids) {
    checkId('i', id);
    const inst = c.world.instances.get(id);
    if (!inst || inst.account !== c.account || inst.region !== c.region || c.now < inst.visibleAt) missing.push(id);
    else {
      c.world.settle(inst, c.now);
      out.push(inst);
    }
  }
  if (missing.length === 1) throw new ApiError('InvalidInstanceID.NotFound', `The instance ID '${missing[0]}' does not exist`);
  if (missing.length > 1) throw new ApiError('InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`);
  return out;
}

function snapshotById(c: Ec2Context, id: string): Snapshot {
  checkId('snap', id);
  const s = c.world.snapshots.get(id);
  if (!s || s.deleted || s.region !== c.region || s.account !== c.account || c.now < (s.visibleAt ?? 0)) {
    throw new ApiError('InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
  }
  return s;
}

export function requireParam(q: QueryObject, name: string): string {
  const v = qStr(q, name);
  if (v === undefined || v === '') throw new ApiError('MissingParameter', `The request must contain the parameter ${name}`);
  return v;
}

const IMAGE_NAME = /^[A-Za-z0-9()[\] ./\-'@_]{3,128}$/;

function checkImageName(c: Ec2Context, name: string): void {
  if (!IMAGE_NAME.test(name)) {
    throw new ApiError(
      'InvalidAMIName.Malformed',
      `AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_'`,
    );
  }
  const dup = c.world.imageByName.get(`${c.region}|${c.account}|${name}`);
  if (dup && !dup.deregistered) throw new ApiError('InvalidAMIName.Duplicate', `AMI name ${name} is already in use by AMI ${dup.id}`);
}

function applyOutcome(c: Ec2Context, action: 'CreateImage' | 'CopyImage' | 'RegisterImage', img: Image): void {
  const o = c.world.takeImageOutcome(action, c.account, c.region);
  if (!o) return;
  if (o.fail) img.failReason = { ...o.fail };
  if (o.billing === 'empty') img.billing = { platformDetails: '', usageOperation: '' };
  else if (o.billing) img.billing = { ...(img.billing?.platform ? { platform: img.billing.platform } : {}), ...o.billing };
}

// ---- images ----

function imageMatches(c: Ec2Context, img: Image, filters: Filter[]): boolean {
  const state = c.world.imageState(img, c.now);
  for (const f of filters) {
    const t = tagFilter(f, img.tags);
    if (t !== undefined) {
      if (!t) return false;
      continue;
    }
    let actual: string | string[] | undefined;
    switch (f.name) {
      case 'image-id':
        actual = img.id;
        break;
      case 'name':
        actual = img.name;
        break;
      case 'state':
        actual = state;
        break;
      case 'platform':
        actual = img.billing?.platform;
        break;
      case 'owner-id':
        actual = img.account;
        break;
      case 'owner-alias':
        actual = img.ownerAlias;
        break;
      case 'is-public':
        actual = String(img.isPublic);
        break;
      case 'architecture':
        actual = img.architecture;
        break;
      case 'description':
        actual = img.description;
        break;
      case 'source-image-id':
        actual = img.sourceImageId;
        break;
      case 'source-image-region':
        actual = img.sourceImageRegion;
        break;
      case 'source-instance-id':
        actual = img.sourceInstanceId;
        break;
      case 'block-device-mapping.snapshot-id':
        actual = img.bdms.map((b) => b.snapshotId);
        break;
      case 'block-device-mapping.encrypted':
        actual = img.bdms.map((b) => String(b.encrypted));
        break;
      case 'root-device-type':
        actual = 'ebs';
        break;
      case 'virtualization-type':
        actual = img.virtualizationType;
        break;
      case 'image-type':
        actual = 'machine';
        break;
      case 'creation-date':
        actual = isoSeconds(img.createdAt);
        break;
      case 'state-reason-code':
        actual = state === 'failed' ? img.failReason?.code : undefined;
        break;
      default:
        throw new ApiError('InvalidParameterValue', `The filter '${f.name}' is invalid`);
    }
    if (!matchAny(f, actual)) return false;
  }
  return true;
}

const describeImages: Handler = (c) => {
  const { world, q } = c;
  const ids = qList(q, 'ImageId');
  const owners = qList(q, 'Owner');
  const executable = qList(q, 'ExecutableBy');
  const filters = filtersOf(q);
  const includeDeprecated = qBool(q, 'IncludeDeprecated') ?? false;
  if (ids.length && qStr(q, 'MaxResults')) {
    throw new ApiError('InvalidParameterCombination', 'The parameter ImageIds cannot be used with the parameter MaxResults');
  }
  const nowIso = iso(c.now);
  const keep = (img: Image) =>
    canSee(img, c.account) &&
    c.now >= img.visibleAt &&
    (includeDeprecated || ids.length > 0 || img.account === c.account || !img.deprecationTime || img.deprecationTime > nowIso) &&
    (owners.length === 0 ||
      owners.some((o) => o === img.account || (o === 'self' && img.account === c.account) || (o === 'amazon' && img.ownerAlias === 'amazon'))) &&
    (executable.length === 0 ||
      executable.some((u) => (u === 'all' ? img.isPublic : img.launchPermissions.has(u === 'self' ? c.account : u) || (img.isPublic && u !== 'self'))));
  let candidates: Image[];
  if (ids.length) {
    const missing: string[] = [];
    candidates = [];
    for (const id of ids) {
      checkId('ami', id);
      const img = world.images.get(id);
      if (!img || img.region !== c.region || !canSee(img, c.account) || c.now < img.visibleAt) missing.push(id);
      else if (!img.deregistered) candidates.push(img);
      else {
        const seen = world.deregisteredLookup(img, c.now);
        if (seen === 'listed') candidates.push(img);
        else if (seen === 'notFound') missing.push(id);
      }
    }
    if (missing.length) throw new ApiError('InvalidAMIID.NotFound', `The image id '[${missing.join(', ')}]' does not exist`);
  } else if (owners.length && exactNames(filters)) {
    // Exact names (no wildcard) resolve through the name index instead of a scan.
    candidates = [];
    for (const o of new Set(owners.map((x) => (x === 'self' ? c.account : x === 'amazon' ? AMAZON_ACCOUNT : x)))) {
      for (const n of exactNames(filters)!) {
        const img = world.imageByName.get(`${c.region}|${o}|${n}`);
        if (img) candidates.push(img);
      }
    }
  } else if (owners.length) {
    candidates = [];
    const seen = new Set<string>();
    for (const o of owners) {
      const acct = o === 'self' ? c.account : o === 'amazon' ? AMAZON_ACCOUNT : o;
      if (seen.has(acct)) continue;
      seen.add(acct);
      const idx = world.imageIndex.get(`${c.region}|${acct}`);
      if (idx) candidates = candidates.length ? candidates.concat(idx.list) : idx.list;
    }
  } else {
    candidates = [];
    for (const [key, idx] of world.imageIndex) if (key.startsWith(`${c.region}|`)) candidates = candidates.concat(idx.list);
  }
  const maxResults = qInt(q, 'MaxResults');
  const token = qStr(q, 'NextToken');
  let start = 0;
  if (token) {
    start = Number(Buffer.from(token, 'base64').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) throw new ApiError('InvalidParameterValue', 'Unable to parse pagination token');
  }
  if (maxResults !== undefined && (maxResults < 5 || maxResults > 1000)) {
    throw new ApiError('InvalidParameterValue', `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`);
  }
  const limit = maxResults ?? Infinity;
  const out: XmlChunks = ['<imagesSet>'];
  let n = 0;
  let i = start;
  for (; i < candidates.length && n < limit; i++) {
    const img = candidates[i]!;
    if (!keep(img) || !imageMatches(c, img, filters)) continue;
    out.push(imageItem(world, img, c.now));
    n++;
  }
  out.push('</imagesSet>');
  if (maxResults !== undefined && i < candidates.length) out.push(el('nextToken', Buffer.from(String(i)).toString('base64')));
  return out;
};

function exactNames(filters: Filter[]): string[] | undefined {
  const f = filters.find((x) => x.name === 'name');
  return f && f.values.every((v) => !/[*?]/.test(v)) ? f.values : undefined;
}

function bdmsFromRequest(q: QueryObject): QueryObject[] {
  return qObjects(q, 'BlockDeviceMapping');
}

const createImage: Handler = (c) => {
  const { world, q, now } = c;
  const inst = instanceById(c, requireParam(q, 'InstanceId'));
  const name = requireParam(q, 'Name');
  checkImageName(c, name);
  if (inst.state !== 'running' && inst.state !== 'stopped') {
    throw new ApiError('IncorrectInstanceState', `The instance '${inst.id}' is not in a state from which it can be imaged.`);
  }
  const tags = tagSpecs(q, ['image', 'snapshot']);
  const suppressed = new Set<string>();
  const dotOverrides = new Map<string, boolean>();
  for (const b of bdmsFromRequest(q)) {
    const dev = qStr(b, 'DeviceName') ?? '';
    if (qStr(b, 'NoDevice') !== undefined) suppressed.add(dev);
    const ebs = qObj(b, 'Ebs');
    if (ebs) {
      if (qStr(ebs, 'VolumeSize') !== undefined || qStr(ebs, 'Encrypted') !== undefined) {
        throw new ApiError('InvalidBlockDeviceMapping', `The volume size and encryption of an existing volume cannot be changed by CreateImage (${dev}).`);
      }
      const dot = qBool(ebs, 'DeleteOnTermination');
      if (dot !== undefined) dotOverrides.set(dev, dot);
    }
  }
  const disk = world.diskOf(inst);
  const imageId = newId('ami');
  const readyAt = now + world.d('imageCreate');
  const bdms: ImageBdm[] = [];
  for (const vid of inst.volumeIds) {
    const v = world.volumes.get(vid);
    if (!v || v.deleted || suppressed.has(v.device)) continue;
    const snap: Snapshot = {
      id: newId('snap'),
      account: c.account,
      region: c.region,
      volumeId: v.id,
      volumeSize: v.size,
      createdAt: now,
      readyAt,
      description: `Created by CreateImage(${inst.id}) for ${imageId}`,
      tags: new Map(tags.get('snapshot') ?? []),
      encrypted: v.encrypted,
      ...(v.kmsKeyId ? { kmsKeyId: v.kmsKeyId } : {}),
      ...(v.device === inst.rootDeviceName ? { origin: disk } : {}),
      deleted: false,
    };
    world.snapshots.set(snap.id, snap);
    bdms.push({
      deviceName: v.device,
      snapshotId: snap.id,
      volumeSize: v.size,
      volumeType: v.volumeType,
      deleteOnTermination: dotOverrides.get(v.device) ?? v.deleteOnTermination,
      encrypted: v.encrypted,
      ...(v.kmsKeyId ? { kmsKeyId: v.kmsKeyId } : {}),
    });
  }
  const src = world.images.get(inst.imageId);
  const img: Image = {
    id: imageId,
    account: c.account,
    region: c.region,
    name,
    ...(qStr(q, 'Description') !== undefined ? { description: qStr(q, 'Description')! } : {}),
    createdAt: now,
    readyAt,
    visibleAt: now + world.opts.consistencyWindowMs,
    ...(inst.billing ? { billing: { ...inst.billing } } : {}),
    architecture: inst.architecture,
    rootDeviceName: inst.rootDeviceName,
    bdms,
    tags: new Map(tags.get('image') ?? []),
    isPublic: false,
    launchPermissions: new Set(),
    sourceInstanceId: inst.id,
    virtualizationType: 'hvm',
    enaSupport: true,
    ...(src?.bootMode ? { bootMode: src.bootMode } : {}),
    origin: disk,
    deregistered: false,
  };
  applyOutcome(c, 'CreateImage', img);
  world.addImage(img);
  if (inst.state === 'running' && !(qBool(q, 'NoReboot') ?? false)) world.reboot(inst, now);
  return el('imageId', img.id);
};

const registerImage: Handler = (c) => {
  const { world, q, now } = c;
  const name = requireParam(q, 'Name');
  checkImageName(c, name);
  const tags = tagSpecs(q, ['image']);
  const rootDeviceName = qStr(q, 'RootDeviceName') ?? '/dev/sda1';
  const bdms: ImageBdm[] = [];
  let rootSnap: Snapshot | undefined;
  for (const b of bdmsFromRequest(q)) {
    const dev = qStr(b, 'DeviceName') ?? '';
    const ebs = qObj(b, 'Ebs');
    const sid = qStr(ebs, 'SnapshotId');
    if (!sid) continue;
    const snap = snapshotById(c, sid);
    if (dev === rootDeviceName) rootSnap = snap;
    bdms.push({
      deviceName: dev,
      snapshotId: sid,
      volumeSize: qInt(ebs, 'VolumeSize') ?? snap.volumeSize,
      volumeType: qStr(ebs, 'VolumeType') ?? 'gp3',
      deleteOnTermination: qBool(ebs, 'DeleteOnTermination') ?? true,
      encrypted: snap.encrypted,
    });
  }
  if (!rootSnap) throw new ApiError('InvalidBlockDeviceMapping', `The root device name ${rootDeviceName} has no snapshot in the block device mapping.`);
  // RegisterImage derives billing from the snapshot's metadata; without any it bills as Linux/UNIX (domain-facts §7.2).
  const origin: DiskOrigin = rootSnap.origin ?? {
    agent: 'ec2launch-v2',
    fs: new GuestFs(),
    computerName: 'EC2AMAZ-UNKNOWN',
    imageState: IMAGE_STATE.complete,
    sealed: false,
    v1Scheduled: false,
  };
  const billing = origin.billing ? { ...origin.billing } : { platformDetails: 'Linux/UNIX', usageOperation: 'RunInstances' };
  const img: Image = {
    id: newId('ami'),
    account: c.account,
    region: c.region,
    name,
    ...(qStr(q, 'Description') !== undefined ? { description: qStr(q, 'Description')! } : {}),
    createdAt: now,
    readyAt: now + world.d('imageCreate') / 10,
    visibleAt: now + world.opts.consistencyWindowMs,
    billing,
    architecture: qStr(q, 'Architecture') ?? 'i386',
    rootDeviceName,
    bdms,
    tags: new Map(tags.get('image') ?? []),
    isPublic: false,
    launchPermissions: new Set(),
    virtualizationType: qStr(q, 'VirtualizationType') ?? 'paravirtual',
    enaSupport: qBool(q, 'EnaSupport') ?? false,
    ...(qStr(q, 'BootMode') ? { bootMode: qStr(q, 'BootMode')! } : {}),
    ...(qStr(q, 'ImdsSupport') ? { imdsSupport: qStr(q, 'ImdsSupport')! } : {}),
    origin,
    deregistered: false,
  };
  applyOutcome(c, 'RegisterImage', img);
  world.addImage(img);
  return el('imageId', img.id);
};

const deregisterImage: Handler = (c) => {
  const img = ownImage(c, requireParam(c.q, 'ImageId'));
  c.world.deregister(img, c.now);
  let extra = '';
  if (qBool(c.q, 'DeleteAssociatedSnapshots')) {
    const results: string[] = [];
    for (const b of img.bdms) {
      const s = c.world.snapshots.get(b.snapshotId);
      const inUse = [...c.world.images.values()].some((o) => !o.deregistered && o.bdms.some((x) => x.snapshotId === b.snapshotId));
      if (s && !s.deleted && !inUse) s.deleted = true;
      // `skipped`: kept because another AMI uses it (DeleteSnapshotReturnCode, EC2 API reference).
      results.push(el('snapshotId', b.snapshotId) + el('returnCode', inUse ? 'skipped' : 'success'));
    }
    extra = set('deleteSnapshotResultSet', results);
  }
  return el('return', true) + extra;
};

const copyImage: Handler = (c) => {
  const { world, q, now } = c;
  const name = requireParam(q, 'Name');
  const sourceId = requireParam(q, 'SourceImageId');
  const sourceRegion = requireParam(q, 'SourceRegion');
  const token = qStr(q, 'ClientToken');
  const tokenKey = token ? `${c.account}|${c.region}|${token}` : undefined;
  if (tokenKey) {
    const prior = world.copyTokens.get(tokenKey);
    if (prior) return el('imageId', prior);
  }
  if (!DEFAULT_REGIONS.includes(sourceRegion)) throw new ApiError('InvalidRegion', `Invalid region: ${sourceRegion}`);
  const src = imageById({ ...c, region: sourceRegion }, sourceId);
  if (world.imageState(src, now) !== 'available') {
    throw new ApiError('IncorrectState', `Image ${sourceId} is not in a valid state for copying: ${world.imageState(src, now)}`);
  }
  const encrypted = qBool(q, 'Encrypted') ?? false;
  const kmsKeyId = qStr(q, 'KmsKeyId');
  if (kmsKeyId && !encrypted) throw new ApiError('InvalidParameterCombination', 'KmsKeyId requires Encrypted to be true');
  const tags = tagSpecs(q, ['image', 'snapshot']);
  const key = copyKey(world, c.account, c.region, encrypted, kmsKeyId, src);
  const imageId = newId('ami');
  const readyAt = now + world.d('imageCopy');
  const bdms: ImageBdm[] = src.bdms.map((b) => {
    const from = world.snapshots.get(b.snapshotId);
    const snap: Snapshot = {
      id: newId('snap'),
      account: c.account,
      region: c.region,
      volumeId: 'vol-ffffffff',
      volumeSize: b.volumeSize,
      createdAt: now,
      readyAt,
      description: `Copied for DestinationAmi ${imageId} from SourceAmi ${src.id} for SourceSnapshot ${b.snapshotId}. Task created on ${iso(now).slice(0, 10)}.`,
      tags: new Map(tags.get('snapshot') ?? []),
      encrypted: b.encrypted || encrypted,
      ...(key.keyArn ? { kmsKeyId: key.keyArn } : {}),
      ...(from?.origin ? { origin: from.origin } : {}),
      deleted: false,
    };
    world.snapshots.set(snap.id, snap);
    const { kmsKeyId: _sourceKey, ...rest } = b;
    return { ...rest, snapshotId: snap.id, encrypted: b.encrypted || encrypted, ...(key.keyArn ? { kmsKeyId: key.keyArn } : {}) };
  });
  const imageTags = new Map<string, string>();
  if (qBool(q, 'CopyImageTags') && src.account === c.account) {
    for (const [k, v] of src.tags) if (!k.startsWith('aws:')) imageTags.set(k, v);
  }
  for (const [k, v] of tags.get('image') ?? []) imageTags.set(k, v);
  const img: Image = {
    id: imageId,
    account: c.account,
    region: c.region,
    name,
    ...(qStr(q, 'Description') !== undefined
      ? { description: qStr(q, 'Description')! }
      : src.description !== undefined
        ? { description: src.description }
        : {}),
    createdAt: now,
    readyAt,
    visibleAt: now + world.opts.consistencyWindowMs,
    ...(src.billing ? { billing: { ...src.billing } } : {}),
    architecture: src.architecture,
    rootDeviceName: src.rootDeviceName,
    bdms,
    tags: imageTags,
    isPublic: false,
    launchPermissions: new Set(),
    sourceImageId: src.id,
    sourceImageRegion: sourceRegion,
    virtualizationType: src.virtualizationType,
    enaSupport: src.enaSupport,
    ...(src.bootMode ? { bootMode: src.bootMode } : {}),
    ...(src.imdsSupport ? { imdsSupport: src.imdsSupport } : {}),
    origin: src.origin,
    deregistered: false,
  };
  if (key.failed) img.failReason = { ...key.failed };
  applyOutcome(c, 'CopyImage', img);
  world.addImage(img);
  if (tokenKey) world.copyTokens.set(tokenKey, img.id);
  return el('imageId', img.id);
};

const describeImageAttribute: Handler = (c) => {
  const img = imageById(c, requireParam(c.q, 'ImageId'));
  const attr = requireParam(c.q, 'Attribute');
  let body = el('imageId', img.id);
  switch (attr) {
    case 'launchPermission':
      if (img.account !== c.account) throw new ApiError('AuthFailure', `Not authorized for image:${img.id}`);
      body += set('launchPermission', [
        ...(img.isPublic ? [el('group', 'all')] : []),
        ...[...img.launchPermissions].filter((u) => u !== 'all').map((u) => el('userId', u)),
      ]);
      break;
    case 'description':
      body += `<description>${el('value', img.description ?? '')}</description>`;
      break;
    case 'bootMode':
      body += `<bootMode>${el('value', img.bootMode ?? '')}</bootMode>`;
      break;
    case 'imdsSupport':
      body += `<imdsSupport>${el('value', img.imdsSupport ?? '')}</imdsSupport>`;
      break;
    case 'blockDeviceMapping':
      body += set(
        'blockDeviceMapping',
        img.bdms.map(
          (b) =>
            el('deviceName', b.deviceName) +
            `<ebs>${el('snapshotId', b.snapshotId)}${el('volumeSize', b.volumeSize)}${el('deleteOnTermination', b.deleteOnTermination)}${el('volumeType', b.volumeType)}${el('encrypted', b.encrypted)}</ebs>`,
        ),
      );
      break;
    default:
      throw new ApiError('InvalidRequest', `Attribute ${attr} is not supported by the emulator`);
  }
  return body;
};

const modifyImageAttribute: Handler = (c) => {
  const img = ownImage(c, requireParam(c.q, 'ImageId'));
  const q = c.q;
  const apply = (op: 'add' | 'remove', perms: QueryObject[]) => {
    for (const p of perms) {
      const user = qStr(p, 'UserId');
      const group = qStr(p, 'Group');
      if (group === 'all') img.isPublic = op === 'add';
      if (user) {
        if (!/^\d{12}$/.test(user)) throw new ApiError('InvalidAMIAttributeItemValue', `Invalid attribute item value "${user}" for userId item type.`);
        if (op === 'add') img.launchPermissions.add(user);
        else img.launchPermissions.delete(user);
      }
    }
  };
  const lp = qObj(q, 'LaunchPermission');
  if (lp) {
    apply('add', qObjects(lp, 'Add'));
    apply('remove', qObjects(lp, 'Remove'));
  }
  const attr = qStr(q, 'Attribute');
  if (attr === 'launchPermission') {
    const op = (qStr(q, 'OperationType') ?? 'add') as 'add' | 'remove';
    apply(op, [...qList(q, 'UserId').map((u) => ({ UserId: u })), ...qList(q, 'UserGroup').map((g) => ({ Group: g }))]);
  }
  const desc = qObj(q, 'Description');
  if (desc) img.description = qStr(desc, 'Value') ?? '';
  if (attr === 'description' && qStr(q, 'Value') !== undefined) img.description = qStr(q, 'Value');
  img.xml = undefined;
  return '';
};

const enableImageDeprecation: Handler = (c) => {
  const img = ownImage(c, requireParam(c.q, 'ImageId'));
  const at = Date.parse(requireParam(c.q, 'DeprecateAt'));
  if (!Number.isFinite(at)) throw new ApiError('InvalidParameterValue', 'Invalid value for DeprecateAt');
  if (at < c.now - 60_000) throw new ApiError('InvalidParameterValue', 'The deprecation time cannot be in the past.');
  // "If you specify a value for seconds, Amazon EC2 rounds the seconds to the nearest minute" (EnableImageDeprecation).
  const rounded = Math.round(at / 60_000) * 60_000;
  img.deprecationTime = iso(rounded);
  img.xml = undefined;
  return el('return', true);
};

const disableImageDeprecation: Handler = (c) => {
  const img = ownImage(c, requireParam(c.q, 'ImageId'));
  delete img.deprecationTime;
  img.xml = undefined;
  return el('return', true);
};

// ---- instances ----

/**
 * RunInstances' ClientTokens, per world: account|region|token → the request's
 * parameters and the reservation it made. EC2 answers a repeat with the same
 * token and parameters with that reservation, launching nothing, and refuses
 * one with other parameters (Ensuring idempotency in Amazon EC2 API requests).
 */
const runTokens = new WeakMap<World, Map<string, { params: string; reservationId: string; instanceIds: string[] }>>();

/** The reservation answer for instances already launched. */
function reservationXml(c: Parameters<Handler>[0], reservationId: string, instances: Instance[]): string {
  return (
    el('reservationId', reservationId) +
    el('ownerId', c.account) +
    set('groupSet', []) +
    set(
      'instancesSet',
      instances.map((inst) => instanceXml(c.world, inst)),
    )
  );
}

/**
 * RunInstances' network parameters: instance-level `SubnetId`/`SecurityGroupId.N`/`SecurityGroup.N`, or the
 * first network interface's (`NetworkInterface.1.SubnetId`, `.SecurityGroupId.N`, `.AssociatePublicIpAddress`).
 */
function launchNetworkParams(q: QueryObject): Parameters<typeof placeLaunch>[1] {
  const nics = qObjects(q, 'NetworkInterface');
  const nic = nics[0];
  const subnetId = qStr(q, 'SubnetId');
  if (nic && subnetId)
    throw new ApiError('InvalidParameterCombination', 'Network interfaces and an instance-level subnet ID may not be specified on the same request');
  if (nic && qList(q, 'SecurityGroupId').length) {
    throw new ApiError('InvalidParameterCombination', 'Network interfaces and an instance-level security groups may not be specified on the same request');
  }
  const nicSubnet = qStr(nic, 'SubnetId');
  const zoneName = qStr(qObj(q, 'Placement'), 'AvailabilityZone');
  const associate = qBool(nic, 'AssociatePublicIpAddress');
  return {
    ...((subnetId ?? nicSubnet) ? { subnetId: (subnetId ?? nicSubnet)! } : {}),
    groupIds: nic ? qList(nic, 'SecurityGroupId') : qList(q, 'SecurityGroupId'),
    groupNames: qList(q, 'SecurityGroup'),
    ...(zoneName ? { zoneName } : {}),
    ...(associate !== undefined ? { associatePublicIp: associate } : {}),
    nicCount: nics.length,
  };
}

const runInstances: Handler = (c) => {
  const { world, q } = c;
  const token = qStr(q, 'ClientToken');
  if (token !== undefined && (token.length > 64 || !/^[\x20-\x7e]*$/.test(token))) {
    throw new ApiError('InvalidParameterValue', `Value (${token}) for parameter clientToken is invalid. The client token must be at most 64 ASCII characters.`);
  }
  const tokens = runTokens.get(world) ?? new Map<string, { params: string; reservationId: string; instanceIds: string[] }>();
  runTokens.set(world, tokens);
  const tokenKey = token ? `${c.account}|${c.region}|${token}` : undefined;
  const params = JSON.stringify(Object.entries(q).filter(([k]) => k !== 'ClientToken' && k !== 'Action' && k !== 'Version'));
  const prior = tokenKey ? tokens.get(tokenKey) : undefined;
  if (prior) {
    if (prior.params !== params)
      throw new ApiError('IdempotentParameterMismatch', `The client token ${token} was already used by a RunInstances request with different parameters.`);
    return reservationXml(c, prior.reservationId, prior.instanceIds.map((id) => world.instances.get(id)!).filter(Boolean));
  }
  const image = imageById(c, requireParam(q, 'ImageId'));
  const state = world.imageState(image, c.now);
  if (state !== 'available') throw new ApiError('InvalidAMIID.Unavailable', `Image ${image.id} is not available (state: ${state})`);
  const min = qInt(q, 'MinCount') ?? 1;
  const max = qInt(q, 'MaxCount') ?? min;
  if (min < 1 || max < min) throw new ApiError('InvalidParameterValue', 'MinCount and MaxCount must be at least 1, and MaxCount at least MinCount');
  const tags = tagSpecs(q, ['instance', 'volume', 'network-interface', 'spot-instances-request']);
  const profile = qObj(q, 'IamInstanceProfile');
  let iamInstanceProfile: { arn: string; id: string } | undefined;
  if (profile) {
    const arn = qStr(profile, 'Arn');
    const found = world.iam.profileForLaunch(c.account, arn !== undefined ? { arn } : { name: qStr(profile, 'Name') ?? '' }, c.now);
    iamInstanceProfile = { arn: found.arn, id: found.id };
  }
  const encryption = launchKeys(world, c.account, c.region, image, bdmsFromRequest(q));
  const mo = qObj(q, 'MetadataOptions');
  const metadataOptions = {
    httpTokens: qStr(mo, 'HttpTokens') ?? (image.imdsSupport === 'v2.0' ? 'required' : 'optional'),
    httpPutResponseHopLimit: qInt(mo, 'HttpPutResponseHopLimit') ?? (image.imdsSupport === 'v2.0' ? 2 : 1),
    httpEndpoint: qStr(mo, 'HttpEndpoint') ?? 'enabled',
    instanceMetadataTags: qStr(mo, 'InstanceMetadataTags') ?? 'disabled',
  };
  const volumeSizes = new Map<string, number>();
  for (const b of bdmsFromRequest(q)) {
    const size = qInt(qObj(b, 'Ebs'), 'VolumeSize');
    if (size !== undefined) volumeSizes.set(qStr(b, 'DeviceName') ?? '', size);
  }
  const type = launchType(qStr(q, 'InstanceType') ?? 'm1.small');
  checkArchitecture(type, image.architecture);
  const net = networkOf(world, c.account, c.region);
  const placement = placeLaunch(net, launchNetworkParams(q));
  checkOffered(type, placement.zone);
  const subnet = net.subnets.get(placement.subnetId)!;
  const reservationId = newId('r');
  const instances: Instance[] = [];
  for (let i = 0; i < max; i++) {
    instances.push(
      world.launch({
        account: c.account,
        region: c.region,
        image,
        instanceType: type.name,
        reservationId,
        index: i,
        tags: new Map(tags.get('instance') ?? []),
        volumeTags: new Map(tags.get('volume') ?? []),
        ...(iamInstanceProfile ? { iamInstanceProfile } : {}),
        metadataOptions,
        ...(qStr(q, 'ClientToken') ? { clientToken: qStr(q, 'ClientToken')! } : {}),
        ...(qStr(q, 'KeyName') ? { keyName: qStr(q, 'KeyName')! } : {}),
        volumeSizes,
        volumeKeys: encryption.volumeKeys,
        ...(encryption.failure ? { launchFailure: encryption.failure } : {}),
        network: {
          subnetId: subnet.id,
          vpcId: placement.vpcId,
          availabilityZone: placement.zone.name,
          groupIds: placement.groupIds,
          privateIp: net.allocateIp(subnet),
          associatePublicIp: placement.associatePublicIp,
        },
      }),
    );
  }
  if (tokenKey) tokens.set(tokenKey, { params, reservationId, instanceIds: instances.map((i) => i.id) });
  return reservationXml(c, reservationId, instances);
};

function instanceMatches(inst: Instance, filters: Filter[]): boolean {
  for (const f of filters) {
    const t = tagFilter(f, inst.tags);
    if (t !== undefined) {
      if (!t) return false;
      continue;
    }
    let actual: string | string[] | undefined;
    switch (f.name) {
      case 'instance-id':
        actual = inst.id;
        break;
      case 'instance-state-name':
        actual = inst.state;
        break;
      case 'instance-state-code':
        actual = String({ pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80 }[inst.state]);
        break;
      case 'image-id':
        actual = inst.imageId;
        break;
      case 'instance-type':
        actual = inst.instanceType;
        break;
      case 'reservation-id':
        actual = inst.reservationId;
        break;
      case 'platform':
        actual = inst.billing?.platform;
        break;
      case 'platform-details':
        actual = inst.billing?.platformDetails;
        break;
      case 'usage-operation':
        actual = inst.billing?.usageOperation;
        break;
      case 'iam-instance-profile.arn':
        actual = inst.iamInstanceProfile?.arn;
        break;
      case 'private-ip-address':
        actual = inst.privateIp;
        break;
      case 'ip-address':
        actual = inst.publicIp;
        break;
      case 'subnet-id':
        actual = inst.subnetId;
        break;
      case 'vpc-id':
        actual = inst.vpcId;
        break;
      case 'instance.group-id':
        actual = inst.groupIds;
        break;
      case 'architecture':
        actual = inst.architecture;
        break;
      case 'availability-zone':
        actual = inst.availabilityZone;
        break;
      case 'client-token':
        actual = inst.clientToken;
        break;
      default:
        throw new ApiError('InvalidParameterValue', `The filter '${f.name}' is invalid`);
    }
    if (!matchAny(f, actual)) return false;
  }
  return true;
}

function selectInstances(c: Ec2Context): Instance[] {
  const ids = qList(c.q, 'InstanceId');
  if (ids.length && qStr(c.q, 'MaxResults')) {
    throw new ApiError('InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
  }
  const filters = filtersOf(c.q);
  let list: Instance[];
  if (ids.length) list = instancesByIds(c, ids);
  else {
    list = [];
    for (const inst of c.world.instances.values()) {
      if (inst.account !== c.account || inst.region !== c.region || c.now < inst.visibleAt) continue;
      c.world.settle(inst, c.now);
      list.push(inst);
    }
  }
  return list.filter((i) => instanceMatches(i, filters));
}

const describeInstances: Handler = (c) => {
  const { page, next } = paginate(selectInstances(c), c.q);
  const byRes = new Map<string, Instance[]>();
  for (const inst of page) {
    const l = byRes.get(inst.reservationId) ?? [];
    l.push(inst);
    byRes.set(inst.reservationId, l);
  }
  const items = [...byRes].map(
    ([rid, insts]) =>
      el('reservationId', rid) +
      el('ownerId', c.account) +
      set('groupSet', []) +
      set(
        'instancesSet',
        insts.map((i) => instanceXml(c.world, i)),
      ),
  );
  return set('reservationSet', items) + nextTokenXml(next);
};

const describeInstanceStatus: Handler = (c) => {
  const includeAll = qBool(c.q, 'IncludeAllInstances') ?? false;
  const list = selectInstances(c).filter((i) => includeAll || i.state === 'running');
  const { page, next } = paginate(list, c.q);
  const items = page.map((inst) => {
    const running = inst.state === 'running';
    const ready = running && (inst.online || c.now - inst.launchedAt >= 2 * c.world.d('instanceBoot'));
    const status = running ? (ready ? 'ok' : 'initializing') : 'not-applicable';
    const detail = running ? (ready ? 'passed' : 'initializing') : undefined;
    const summary = (tag: string) =>
      `<${tag}>${el('status', status)}${set('details', detail ? [el('name', 'reachability') + el('status', detail)] : [])}</${tag}>`;
    return (
      el('instanceId', inst.id) +
      el('availabilityZone', inst.availabilityZone) +
      set('eventsSet', []) +
      stateXml('instanceState', inst.state) +
      summary('systemStatus') +
      summary('instanceStatus')
    );
  });
  return set('instanceStatusSet', items) + nextTokenXml(next);
};

function stateChanges(c: Ec2Context, change: (inst: Instance) => void): string {
  const ids = qList(c.q, 'InstanceId');
  if (!ids.length) throw new ApiError('MissingParameter', 'The request must contain the parameter InstanceId');
  const insts = instancesByIds(c, ids);
  const items: string[] = [];
  for (const inst of insts) {
    const prev: InstanceStateName = inst.state;
    change(inst);
    items.push(el('instanceId', inst.id) + stateXml('currentState', inst.state) + stateXml('previousState', prev));
  }
  return set('instancesSet', items);
}

const stopInstances: Handler = (c) =>
  stateChanges(c, (inst) => {
    if (inst.state === 'stopped' || inst.state === 'stopping') return;
    if (inst.state !== 'running' && inst.state !== 'pending') {
      throw new ApiError('IncorrectInstanceState', `This instance '${inst.id}' is not in a state from which it can be stopped.`);
    }
    c.world.beginStop(inst, c.now, { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' });
  });

const startInstances: Handler = (c) =>
  stateChanges(c, (inst) => {
    if (inst.state === 'running' || inst.state === 'pending') return;
    if (inst.state !== 'stopped') {
      throw new ApiError('IncorrectInstanceState', `The instance '${inst.id}' is not in a state from which it can be started.`);
    }
    c.world.beginStart(inst, c.now);
  });

const terminateInstances: Handler = (c) =>
  stateChanges(c, (inst) => {
    if (inst.state === 'terminated' || inst.state === 'shutting-down') return;
    c.world.beginTerminate(inst, c.now);
  });

const rebootInstances: Handler = (c) => {
  const insts = instancesByIds(c, qList(c.q, 'InstanceId'));
  for (const inst of insts) {
    if (inst.state !== 'running') throw new ApiError('IncorrectInstanceState', `The instance '${inst.id}' is not in a state from which it can be rebooted.`);
    c.world.reboot(inst, c.now);
  }
  return el('return', true);
};

const getConsoleOutput: Handler = (c) => {
  const inst = instanceById(c, requireParam(c.q, 'InstanceId'));
  const text = inst.win.console.join('\r\n');
  return el('instanceId', inst.id) + el('timestamp', iso(c.now)) + el('output', Buffer.from(text).toString('base64'));
};

const getPasswordData: Handler = (c) => {
  const inst = instanceById(c, requireParam(c.q, 'InstanceId'));
  const pw = inst.state === 'running' && inst.win.adminPassword ? Buffer.from(inst.win.adminPassword).toString('base64') : '';
  return el('instanceId', inst.id) + el('timestamp', iso(c.now)) + el('passwordData', pw);
};

// ---- volumes and snapshots ----

const describeVolumes: Handler = (c) => {
  const ids = qList(c.q, 'VolumeId');
  const filters = filtersOf(c.q);
  let list = [...c.world.volumes.values()].filter((v) => !v.deleted && v.account === c.account && v.region === c.region);
  for (const v of list) {
    const inst = c.world.instances.get(v.instanceId);
    if (inst) c.world.settle(inst, c.now);
  }
  list = list.filter((v) => !v.deleted);
  if (ids.length) {
    for (const id of ids) {
      checkId('vol', id);
      if (!list.some((v) => v.id === id)) throw new ApiError('InvalidVolume.NotFound', `The volume '${id}' does not exist.`);
    }
    list = list.filter((v) => ids.includes(v.id));
  }
  list = list.filter((v) =>
    filters.every((f) => {
      const t = tagFilter(f, v.tags);
      if (t !== undefined) return t;
      const inst = c.world.instances.get(v.instanceId);
      const attached = inst !== undefined && inst.state !== 'terminated';
      const actual: Record<string, string | undefined> = {
        'volume-id': v.id,
        'attachment.instance-id': attached ? v.instanceId : undefined,
        'attachment.device': attached ? v.device : undefined,
        status: attached ? 'in-use' : 'available',
        'snapshot-id': v.snapshotId,
        size: String(v.size),
        'volume-type': v.volumeType,
        encrypted: String(v.encrypted),
      };
      if (!(f.name in actual)) throw new ApiError('InvalidParameterValue', `The filter '${f.name}' is invalid`);
      return matchAny(f, actual[f.name]);
    }),
  );
  const { page, next } = paginate(list, c.q);
  return (
    set(
      'volumeSet',
      page.map((v) => volumeXml(c.world, v)),
    ) + nextTokenXml(next)
  );
};

function snapshotOfVolume(c: Ec2Context, volumeId: string, description: string, tags: Map<string, string>): Snapshot {
  checkId('vol', volumeId);
  const v = c.world.volumes.get(volumeId);
  if (!v || v.deleted || v.account !== c.account || v.region !== c.region)
    throw new ApiError('InvalidVolume.NotFound', `The volume '${volumeId}' does not exist.`);
  const inst = c.world.instances.get(v.instanceId);
  if (inst) c.world.settle(inst, c.now);
  const isRoot = inst !== undefined && v.device === inst.rootDeviceName;
  const snap: Snapshot = {
    id: newId('snap'),
    account: c.account,
    region: c.region,
    volumeId: v.id,
    volumeSize: v.size,
    createdAt: c.now,
    readyAt: c.now + c.world.d('snapshot'),
    description,
    tags,
    encrypted: v.encrypted,
    ...(isRoot && inst ? { origin: c.world.diskOf(inst) } : {}),
    deleted: false,
    visibleAt: c.now + c.world.opts.consistencyWindowMs,
  };
  c.world.snapshots.set(snap.id, snap);
  return snap;
}

const createSnapshot: Handler = (c) => {
  const tags = tagSpecs(c.q, ['snapshot']);
  const snap = snapshotOfVolume(c, requireParam(c.q, 'VolumeId'), qStr(c.q, 'Description') ?? '', new Map(tags.get('snapshot') ?? []));
  return snapshotXml(c.world, snap, c.now);
};

const createSnapshots: Handler = (c) => {
  const spec = qObj(c.q, 'InstanceSpecification');
  const inst = instanceById(c, qStr(spec, 'InstanceId') ?? requireParam(c.q, 'InstanceSpecification.InstanceId'));
  const excludeBoot = qBool(spec, 'ExcludeBootVolume') ?? false;
  const tags = tagSpecs(c.q, ['snapshot']);
  const copyFromVolume = qStr(c.q, 'CopyTagsFromSource') === 'volume';
  const items: string[] = [];
  for (const vid of inst.volumeIds) {
    const v = c.world.volumes.get(vid);
    if (!v || v.deleted || (excludeBoot && v.device === inst.rootDeviceName)) continue;
    const t = new Map<string, string>(copyFromVolume ? v.tags : []);
    for (const [k, x] of tags.get('snapshot') ?? []) t.set(k, x);
    const s = snapshotOfVolume(c, vid, qStr(c.q, 'Description') ?? '', t);
    items.push(
      el('description', s.description) +
        (s.tags.size ? [...s.tags].reduce((acc, [k, x]) => `${acc}<item>${el('key', k)}${el('value', x)}</item>`, '<tagSet>') + '</tagSet>' : '') +
        el('encrypted', s.encrypted) +
        el('volumeId', s.volumeId) +
        el('state', 'pending') +
        el('volumeSize', s.volumeSize) +
        el('startTime', iso(s.createdAt)) +
        el('progress', '0%') +
        el('ownerId', s.account) +
        el('snapshotId', s.id),
    );
  }
  return set('snapshotSet', items);
};

const describeSnapshots: Handler = (c) => {
  const ids = qList(c.q, 'SnapshotId');
  const owners = qList(c.q, 'Owner').map((o) => (o === 'self' ? c.account : o));
  const filters = filtersOf(c.q);
  if (ids.length && qStr(c.q, 'MaxResults'))
    throw new ApiError('InvalidParameterCombination', 'The parameter snapshotSet cannot be used with the parameter maxResults');
  let list: Snapshot[];
  if (ids.length) list = ids.map((id) => snapshotById(c, id));
  else list = [...c.world.snapshots.values()].filter((s) => !s.deleted && s.region === c.region && s.account === c.account && c.now >= (s.visibleAt ?? 0));
  if (owners.length) list = list.filter((s) => owners.includes(s.account));
  list = list.filter((s) =>
    filters.every((f) => {
      const t = tagFilter(f, s.tags);
      if (t !== undefined) return t;
      const actual: Record<string, string | undefined> = {
        'snapshot-id': s.id,
        status: c.world.snapshotState(s, c.now),
        'volume-id': s.volumeId,
        'owner-id': s.account,
        description: s.description,
        encrypted: String(s.encrypted),
        'volume-size': String(s.volumeSize),
      };
      if (!(f.name in actual)) throw new ApiError('InvalidParameterValue', `The filter '${f.name}' is invalid`);
      return matchAny(f, actual[f.name]);
    }),
  );
  const { page, next } = paginate(list, c.q);
  return (
    set(
      'snapshotSet',
      page.map((s) => snapshotXml(c.world, s, c.now)),
    ) + nextTokenXml(next)
  );
};

const deleteSnapshot: Handler = (c) => {
  const snap = snapshotById(c, requireParam(c.q, 'SnapshotId'));
  for (const img of c.world.images.values()) {
    if (!img.deregistered && img.bdms.some((b) => b.snapshotId === snap.id)) {
      throw new ApiError('InvalidSnapshot.InUse', `The snapshot ${snap.id} is currently in use by ${img.id}`);
    }
  }
  snap.deleted = true;
  return el('return', true);
};

// ---- tags and regions ----

type Taggable = { tags: Map<string, string>; xml?: unknown };

function taggable(c: Ec2Context, id: string): { res: Taggable; type: string } {
  if (id.startsWith('ami-')) {
    const img = ownImage(c, id);
    return { res: img, type: 'image' };
  }
  if (id.startsWith('i-')) return { res: instanceById(c, id), type: 'instance' };
  if (id.startsWith('snap-')) return { res: snapshotById(c, id), type: 'snapshot' };
  if (id.startsWith('vol-')) {
    const v = c.world.volumes.get(id);
    if (!v || v.deleted || v.account !== c.account || v.region !== c.region) throw new ApiError('InvalidVolume.NotFound', `The volume '${id}' does not exist.`);
    return { res: v, type: 'volume' };
  }
  const network = networkTaggable(networkOf(c.world, c.account, c.region), id);
  if (network) return network;
  throw new ApiError('InvalidID', `The ID '${id}' is not valid`);
}

const createTags: Handler = (c) => {
  const ids = qList(c.q, 'ResourceId');
  const tags = qObjects(c.q, 'Tag');
  const targets = ids.map((id) => taggable(c, id));
  for (const { res } of targets) {
    for (const t of tags) res.tags.set(qStr(t, 'Key') ?? '', qStr(t, 'Value') ?? '');
    res.xml = undefined;
  }
  return el('return', true);
};

const deleteTags: Handler = (c) => {
  const ids = qList(c.q, 'ResourceId');
  const tags = qObjects(c.q, 'Tag');
  for (const { res } of ids.map((id) => taggable(c, id))) {
    if (!tags.length) res.tags.clear();
    for (const t of tags) {
      const k = qStr(t, 'Key') ?? '';
      const v = qStr(t, 'Value');
      if (v === undefined || res.tags.get(k) === v) res.tags.delete(k);
    }
    res.xml = undefined;
  }
  return el('return', true);
};

const describeTags: Handler = (c) => {
  const filters = filtersOf(c.q);
  const rows: { id: string; type: string; key: string; value: string }[] = [];
  const add = (id: string, type: string, tags: Map<string, string>) => {
    for (const [key, value] of tags) rows.push({ id, type, key, value });
  };
  for (const idx of [c.world.imageIndex.get(`${c.region}|${c.account}`)]) for (const img of idx?.list ?? []) add(img.id, 'image', img.tags);
  for (const inst of c.world.instances.values()) if (inst.account === c.account && inst.region === c.region) add(inst.id, 'instance', inst.tags);
  for (const s of c.world.snapshots.values()) if (!s.deleted && s.account === c.account && s.region === c.region) add(s.id, 'snapshot', s.tags);
  for (const v of c.world.volumes.values()) if (!v.deleted && v.account === c.account && v.region === c.region) add(v.id, 'volume', v.tags);
  for (const r of networkTagged(networkOf(c.world, c.account, c.region))) add(r.id, r.type, r.tags);
  const list = rows.filter((r) =>
    filters.every((f) => {
      const actual: Record<string, string> = { 'resource-id': r.id, 'resource-type': r.type, key: r.key, value: r.value };
      if (!(f.name in actual)) throw new ApiError('InvalidParameterValue', `The filter '${f.name}' is invalid`);
      return matchAny(f, actual[f.name]);
    }),
  );
  const { page, next } = paginate(list, c.q);
  return (
    set(
      'tagSet',
      page.map((r) => el('resourceId', r.id) + el('resourceType', r.type) + el('key', r.key) + el('value', r.value)),
    ) + nextTokenXml(next)
  );
};

const describeRegions: Handler = (c) => {
  const names = qList(c.q, 'RegionName');
  const filters = filtersOf(c.q);
  for (const n of names)
    if (!DEFAULT_REGIONS.includes(n) && !OPT_IN_REGIONS.includes(n)) throw new ApiError('InvalidParameterValue', `Invalid region names: ${n}`);
  // Enabled regions only, unless AllRegions or the names ask for the others; opt-in status per account.
  const enabled = c.world.optInRegions[c.account] ?? [];
  const all = qBool(c.q, 'AllRegions') === true;
  const status = (r: string) => (DEFAULT_REGIONS.includes(r) ? 'opt-in-not-required' : enabled.includes(r) ? 'opted-in' : 'not-opted-in');
  const list = [...DEFAULT_REGIONS, ...OPT_IN_REGIONS].filter(
    (r) =>
      (names.length ? names.includes(r) : all || status(r) !== 'not-opted-in') &&
      filters.every((f) => (f.name === 'region-name' ? matchAny(f, r) : f.name === 'opt-in-status' ? matchAny(f, status(r)) : true)),
  );
  return set(
    'regionInfo',
    list.map((r) => el('regionName', r) + el('regionEndpoint', `ec2.${r}.amazonaws.com`) + el('optInStatus', status(r))),
  );
};

/** Every EC2 action the emulator answers. */
export const EC2_HANDLERS: Readonly<Record<string, Handler>> = {
  DescribeImages: describeImages,
  CreateImage: createImage,
  RegisterImage: registerImage,
  DeregisterImage: deregisterImage,
  CopyImage: copyImage,
  DescribeImageAttribute: describeImageAttribute,
  ModifyImageAttribute: modifyImageAttribute,
  EnableImageDeprecation: enableImageDeprecation,
  DisableImageDeprecation: disableImageDeprecation,
  RunInstances: runInstances,
  DescribeInstances: describeInstances,
  DescribeInstanceStatus: describeInstanceStatus,
  StopInstances: stopInstances,
  StartInstances: startInstances,
  RebootInstances: rebootInstances,
  TerminateInstances: terminateInstances,
  GetConsoleOutput: getConsoleOutput,
  GetPasswordData: getPasswordData,
  DescribeVolumes: describeVolumes,
  CreateSnapshot: createSnapshot,
  CreateSnapshots: createSnapshots,
  DescribeSnapshots: describeSnapshots,
  DeleteSnapshot: deleteSnapshot,
  CreateTags: createTags,
  DeleteTags: deleteTags,
  DescribeTags: describeTags,
  DescribeRegions: describeRegions,
};

/** Whether a call counts as filtered or paginated, for the throttling bucket choice (domain-facts §8.2). */
export function filteredOrPaginated(q: QueryObject): boolean {
  return Object.keys(q).some((k) => k === 'Filter' || k === 'MaxResults' || k === 'NextToken' || k === 'InstanceId' || k === 'SnapshotId' || k === 'VolumeId');
}
