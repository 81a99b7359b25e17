/**
 * EC2 Fast Launch for Windows AMIs: EnableFastLaunch, DescribeFastLaunchImages
 * and DisableFastLaunch, shapes and element names from botocore's ec2
 * 2016-11-15 model. States (FastLaunchStateCode): enabling → enabled (or
 * enabling-failed when a failure is injected), disabling → gone from
 * DescribeFastLaunchImages (the model has no `disabled` code). What AWS
 * refuses here and the codes the emulator answers with are in SPEC.md
 * ("Fast Launch"); codes the docs do not name are marked UNCONFIRMED there.
 */
import type { Ec2Context, Handler } from './ec2.js';
import { requireParam } from './ec2.js';
import { requireLaunchTemplate } from './ec2-launch-templates.js';
import { el, iso, qBool, qInt, qList, qObj, qObjects, qStr, set } from './wire.js';
import { ApiError, type Image, type World } from './world.js';

/** The fewest parallel launches EnableFastLaunch accepts ("Value must be 6 or greater", API reference). */
export const MIN_PARALLEL_LAUNCHES = 6;
/** The default TargetResourceCount and MaxParallelLaunches when left out (UNCONFIRMED; the console's defaults). */
export const DEFAULT_TARGET_RESOURCE_COUNT = 5;
export const DEFAULT_MAX_PARALLEL_LAUNCHES = 6;

export interface FastLaunchRecord {
  imageId: string;
  ownerId: string;
  region: string;
  account: string;
  targetResourceCount: number;
  maxParallelLaunches: number;
  launchTemplate?: { id?: string; name?: string; version: string };
  /** When enabling ends (enabled, or enabling-failed when `failReason` is set). */
  enabledAt: number;
  /** Set by DisableFastLaunch: when the record disappears. */
  disabledAt?: number;
  failReason?: string;
  transitionAt: number;
}

interface FastLaunchWorld {
  records: Map<string, FastLaunchRecord>;
  /** Image ids whose next enabling ends in enabling-failed, with the reason. */
  failNext: Map<string, string>;
}

const byWorld = new WeakMap<World, FastLaunchWorld>();

function of(world: World): FastLaunchWorld {
  let s = byWorld.get(world);
  if (!s) byWorld.set(world, (s = { records: new Map(), failNext: new Map() }));
  return s;
}

/** Control: make the next EnableFastLaunch of `imageId` (`*`: of any image) end in `enabling-failed` with this reason. */
export function failFastLaunch(world: World, imageId: string, reason: string): void {
  of(world).failNext.set(imageId, reason);
}

/** Control/tests: the Fast Launch record of an image as it stands (undefined once disabled). */
export function fastLaunchOf(world: World, imageId: string, now = Date.now()): (FastLaunchRecord & { state: string }) | undefined {
  const r = of(world).records.get(imageId);
  if (!r) return undefined;
  const state = stateOf(r, now);
  return state ? { ...r, state } : undefined;
}

/** Time-derived state; undefined once disabling has finished (the record is gone). */
function stateOf(r: FastLaunchRecord, now: number): string | undefined {
  if (r.disabledAt !== undefined) return now < r.disabledAt ? 'disabling' : undefined;
  if (now < r.enabledAt) return 'enabling';
  return r.failReason ? 'enabling-failed' : 'enabled';
}

function dryRun(c: Ec2Context): void {
  if (qBool(c.q, 'DryRun')) throw new ApiError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
}

function imageFor(c: Ec2Context, id: string): Image {
  if (!/^ami-[0-9a-f]{8,17}$/.test(id)) throw new ApiError('InvalidAMIID.Malformed', `Invalid id: "${id}" (expecting "ami-...")`);
  const img = c.world.images.get(id);
  const shared = img && (img.launchPermissions.has(c.account) || img.launchPermissions.has('all'));
  if (!img || img.region !== c.region || (img.account !== c.account && !shared && !img.isPublic) || c.now < img.visibleAt) {
    throw new ApiError('InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`);
  }
  if (img.deregistered) throw new ApiError('InvalidAMIID.Unavailable', `The image ID '${id}' is no longer available`);
  // "You can only change these settings for Windows AMIs that you own or that have been shared with you."
  if (img.account !== c.account && !shared) throw new ApiError('AuthFailure', `Not authorized for image:${id}`);
  return img;
}

function itemXml(r: FastLaunchRecord, state: string): string {
  const lt = r.launchTemplate;
  return (
    el('imageId', r.imageId) +
    el('resourceType', 'snapshot') +
    `<snapshotConfiguration>${el('targetResourceCount', r.targetResourceCount)}</snapshotConfiguration>` +
    (lt ? `<launchTemplate>${el('launchTemplateId', lt.id)}${el('launchTemplateName', lt.name)}${el('version', lt.version)}</launchTemplate>` : '') +
    el('maxParallelLaunches', r.maxParallelLaunches) +
    el('ownerId', r.ownerId) +
    el('state', state) +
    el('stateTransitionReason', state === 'enabling-failed' ? r.failReason : 'Client.UserInitiated') +
    el('stateTransitionTime', iso(r.transitionAt))
  );
}

const enableFastLaunch: Handler = (c) => {
  const img = imageFor(c, requireParam(c.q, 'ImageId'));
  if (img.billing?.platform !== 'windows') {
    // UNCONFIRMED code: the docs say Fast Launch is for Windows AMIs, without naming the error.
    throw new ApiError('InvalidParameterValue', `Fast launch is only supported for Windows AMIs; ${img.id} is not a Windows AMI.`);
  }
  const imageState = c.world.imageState(img, c.now);
  if (imageState !== 'available') throw new ApiError('IncorrectState', `The image ${img.id} is ${imageState}; fast launch needs an available image.`);
  const resourceType = qStr(c.q, 'ResourceType') ?? 'snapshot';
  if (resourceType !== 'snapshot')
    throw new ApiError('InvalidParameterValue', `Value (${resourceType}) for parameter ResourceType is invalid. Supported values: snapshot.`);
  const target = qInt(qObj(c.q, 'SnapshotConfiguration'), 'TargetResourceCount') ?? DEFAULT_TARGET_RESOURCE_COUNT;
  if (target < 1) throw new ApiError('InvalidParameterValue', `Value (${target}) for parameter TargetResourceCount is invalid. It must be at least 1.`);
  const parallel = qInt(c.q, 'MaxParallelLaunches') ?? DEFAULT_MAX_PARALLEL_LAUNCHES;
  if (parallel < MIN_PARALLEL_LAUNCHES) {
    throw new ApiError(
      'InvalidParameterValue',
      `Value (${parallel}) for parameter MaxParallelLaunches is invalid. The value must be ${MIN_PARALLEL_LAUNCHES} or greater.`,
    );
  }
  const ltq = qObj(c.q, 'LaunchTemplate');
  let launchTemplate: FastLaunchRecord['launchTemplate'];
  if (ltq) {
    const id = qStr(ltq, 'LaunchTemplateId');
    const name = qStr(ltq, 'LaunchTemplateName');
    const version = qStr(ltq, 'Version');
    if (!version) throw new ApiError('MissingParameter', 'The request must contain the parameter LaunchTemplate.Version');
    if (id && name) throw new ApiError('InvalidParameterCombination', 'Specify either LaunchTemplateId or LaunchTemplateName, but not both.');
    if (!id && !name)
      throw new ApiError('MissingParameter', 'The request must contain the parameter LaunchTemplate.LaunchTemplateId or LaunchTemplate.LaunchTemplateName');
    // The template must exist in this region (EC2's launch template NotFound codes).
    requireLaunchTemplate(c, id, name);
    launchTemplate = { ...(id ? { id } : {}), ...(name ? { name } : {}), version };
  }
  dryRun(c);
  const fl = of(c.world);
  const prior = fl.records.get(img.id);
  const priorState = prior && stateOf(prior, c.now);
  // "Amazon EC2 must remove all pre-provisioned snapshots before you can enable Windows fast launch again."
  if (priorState === 'disabling')
    throw new ApiError('IncorrectState', `Fast launch is being disabled for ${img.id}; wait until its pre-provisioned snapshots are removed.`);
  const failKey = fl.failNext.has(img.id) ? img.id : '*';
  const failReason = fl.failNext.get(failKey);
  fl.failNext.delete(failKey);
  const settled = priorState === 'enabled';
  // Enabling launches instances that run Sysprep specialize and OOBE, then snapshots them.
  const enabledAt = settled ? c.now : c.now + c.world.d('instanceBoot') + c.world.d('sysprep') + c.world.d('snapshot');
  const r: FastLaunchRecord = {
    imageId: img.id,
    ownerId: img.account,
    region: c.region,
    account: c.account,
    targetResourceCount: target,
    maxParallelLaunches: parallel,
    ...(launchTemplate ? { launchTemplate } : {}),
    enabledAt,
    ...(failReason ? { failReason } : {}),
    transitionAt: c.now,
  };
  fl.records.set(img.id, r);
  return itemXml(r, stateOf(r, c.now)!);
};

const describeFastLaunchImages: Handler = (c) => {
  const ids = qList(c.q, 'ImageId');
  for (const id of ids) if (!/^ami-[0-9a-f]{8,17}$/.test(id)) throw new ApiError('InvalidAMIID.Malformed', `Invalid id: "${id}" (expecting "ami-...")`);
  const max = qInt(c.q, 'MaxResults');
  if (max !== undefined && (max < 0 || max > 200))
    throw new ApiError('InvalidParameterValue', `Value (${max}) for parameter MaxResults is invalid. Expecting a value between 0 and 200.`);
  const filters = qObjects(c.q, 'Filter').map((f) => ({ name: qStr(f, 'Name') ?? '', values: qList(f, 'Value') }));
  for (const f of filters) {
    if (!['resource-type', 'owner-id', 'state'].includes(f.name)) throw new ApiError('InvalidParameterValue', `The filter '${f.name}' is invalid`);
  }
  dryRun(c);
  const items: string[] = [];
  for (const r of of(c.world).records.values()) {
    if (r.account !== c.account || r.region !== c.region) continue;
    if (ids.length && !ids.includes(r.imageId)) continue;
    const img = c.world.images.get(r.imageId);
    if (!img || img.deregistered) continue;
    const state = stateOf(r, c.now);
    if (!state) continue;
    const fields: Record<string, string> = { 'resource-type': 'snapshot', 'owner-id': r.ownerId, state };
    if (!filters.every((f) => f.values.includes(fields[f.name]!))) continue;
    items.push(itemXml(r, state));
  }
  return set('fastLaunchImageSet', items);
};

const disableFastLaunch: Handler = (c) => {
  const img = imageFor(c, requireParam(c.q, 'ImageId'));
  dryRun(c);
  const r = of(c.world).records.get(img.id);
  const state = r && stateOf(r, c.now);
  // UNCONFIRMED code: the docs do not say what disabling an image without Fast Launch answers.
  if (!r || !state) throw new ApiError('InvalidParameterValue', `Fast launch is not enabled for ${img.id}.`);
  if (state === 'disabling') return itemXml(r, state);
  // Without Force, an image still enabling cannot be disabled (UNCONFIRMED); Force "overrides any errors
  // that are encountered while cleaning up resources".
  if (state === 'enabling' && !qBool(c.q, 'Force'))
    throw new ApiError('IncorrectState', `Fast launch for ${img.id} is still enabling; try again later or use Force.`);
  r.disabledAt = c.now + c.world.d('snapshot') / 2;
  r.transitionAt = c.now;
  return itemXml(r, 'disabling');
};

/** The Fast Launch actions. */
export const FAST_LAUNCH_HANDLERS: Readonly<Record<string, Handler>> = {
  EnableFastLaunch: enableFastLaunch,
  DescribeFastLaunchImages: describeFastLaunchImages,
  DisableFastLaunch: disableFastLaunch,
};
