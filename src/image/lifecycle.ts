/**
 * An image's lifecycle after winami asks for it, in one place for the bake's
 * steps and the commands (register, copy, discard): describe it, wait for it
 * to leave `pending`, and discard it with its snapshots.
 *
 * The wait's acceptors are those of the SDK's `waitUntilImageAvailable`
 * (domain-facts §9.1: success when `available`, failure on `failed`), plus the
 * states the model lists that can never become available. Library code only
 * holds ports, so it uses `pollUntil` rather than the SDK waiter.
 *
 * A discard deregisters the image, then deletes its snapshots unless another
 * image still uses them (or the caller asked to keep them); for a half-made
 * image that lists none, the snapshots tagged with the build id and role are
 * deleted too. Idempotent; never touches an image another account owns.
 */
import type { Image } from '@aws-sdk/client-ec2';
import type { Ec2Port } from '../aws/ports.js';
import { awsErrorCode } from '../aws/errors.js';
import { PollFailureError, pollUntil, type PollOptions, type Verdict } from '../aws/poll-until.js';
import { retryLater, type RetryOptions } from '../aws/retry.js';
import { lookWithinGrace } from '../aws/consistency.js';
import { AwsError } from '../errors.js';
import { reportTo, silentReporter, type Reporter } from '../reporter.js';

/** How long and how often to poll. Defaults follow the SDK image waiter: 15 s, growing to 120 s. */
export interface ImageWaitOptions {
  timeoutMs: number;
  minDelayMs?: number;
  maxDelayMs?: number;
  abortSignal?: AbortSignal;
  clock?: PollOptions<unknown>['clock'];
  onObservation?: (observed: string, attempt: number) => void;
}

/** States an image never leaves for `available`. */
const NEVER_AVAILABLE = new Set(['failed', 'invalid', 'error', 'deregistered', 'disabled']);

/** Where an image stands on its way to `available`: the acceptors every image wait uses. */
export function imageAvailability(image: Image): Verdict<Image> {
  const state = image.State ?? 'unknown';
  if (state === 'available') return { state: 'success', value: image };
  if (NEVER_AVAILABLE.has(state))
    return { state: 'failure', reason: `its state is ${state}${image.StateReason?.Message ? ` (${image.StateReason.Message})` : ''}` };
  return { state: 'retry', observed: `state ${state}` };
}

/** Describe one image; throws an `AwsError` with code `InvalidAMIID.NotFound` when it does not exist. */
export async function describeImage(ec2: Ec2Port, imageId: string, abortSignal?: AbortSignal): Promise<Image> {
  const out = await ec2.describeImages({ ImageIds: [imageId], IncludeDeprecated: true }, abortSignal ? { abortSignal } : undefined);
  const image = out.Images?.find((i) => i.ImageId === imageId);
  if (!image) {
    throw new AwsError('DescribeImages', `image ${imageId} does not exist (or is not visible to this account in this region)`, {
      awsCode: 'InvalidAMIID.NotFound',
      resource: imageId,
      hint: 'Check the image id and --region; images shared from another account are only visible if shared with this one.',
    });
  }
  return image;
}

/** Poll until the image is `available`; throws `PollFailureError` if it fails, `PollTimeoutError` at the deadline. */
export function waitForImageAvailable(ec2: Ec2Port, imageId: string, o: ImageWaitOptions): Promise<Image> {
  return pollUntil<Image>({
    what: `image ${imageId} to be available`,
    probe: (signal) => describeImage(ec2, imageId, signal),
    acceptor: imageAvailability,
    timeoutMs: o.timeoutMs,
    minDelayMs: o.minDelayMs ?? 15_000,
    maxDelayMs: o.maxDelayMs ?? 120_000,
    ...(o.abortSignal ? { abortSignal: o.abortSignal } : {}),
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.onObservation ? { onObservation: o.onObservation } : {}),
  });
}
import { describeFastLaunch, disableFastLaunch, type FastLaunchWait } from './fast-launch.js';

export interface DiscardOptions {
  reporter?: Reporter;
  /** Report what would be done; change nothing. */
  dryRun?: boolean;
  /** Refuse unless the image's owner is this account (the caller's). */
  ownerAccountId?: string;
  /** Snapshots never to delete (e.g. the snapshot an image was registered from). */
  keepSnapshotIds?: string[];
  /** If EC2 refuses to deregister a still-pending image, wait this long for it to settle, then retry. Default 30 min. */
  pendingWait?: Omit<ImageWaitOptions, 'abortSignal'>;
  abortSignal?: AbortSignal;
  /**
   * How each call is retried through throttling and 5xx storms after the
   * SDK's own attempts, before the discard gives up. Default: for 5 minutes,
   * pauses from 1 s.
   */
  retry?: Omit<RetryOptions, 'signal'>;
  /**
   * Also delete the caller's snapshots matching these DescribeSnapshots
   * filters (e.g. a build's tags): a half-made image lists none of the
   * snapshots CreateImage already started, and they outlive its deregistration.
   */
  snapshotFilters?: { Name: string; Values: string[] }[];
  /** How to wait for Fast Launch to be disabled, when the image has it. Default: up to 30 min, polls from 10 s. */
  fastLaunchWait?: Omit<FastLaunchWait, 'abortSignal'>;
  /**
   * For an image created moments ago: for this long (real ms from the call)
   * a NotFound is EC2's eventual consistency, not absence, and the image is
   * looked up again with back-off. Default 0: NotFound means absent.
   */
  notFoundGraceMs?: number;
}

const DISCARD_RETRY: Omit<RetryOptions, 'signal'> = { deadlineMs: 5 * 60_000, minDelayMs: 1_000 };

/** A snapshot that was not deleted, and why. */
export interface KeptSnapshot {
  snapshotId: string;
  reason: string;
}

export interface DiscardResult {
  imageId: string;
  /** `discarded`: deregistered now; `absent`: already gone; `refused`: not ours; `planned`: dry run. */
  status: 'discarded' | 'absent' | 'refused' | 'planned';
  reason?: string;
  name?: string | undefined;
  /** Fast Launch was (or, in a dry run, would be) disabled first. */
  fastLaunchDisabled?: boolean;
  deletedSnapshots: string[];
  keptSnapshots: KeptSnapshot[];
}

function snapshotsOf(image: Image): string[] {
  return (image.BlockDeviceMappings ?? []).map((m) => m.Ebs?.SnapshotId).filter((s): s is string => typeof s === 'string' && s.length > 0);
}

/** Snapshot id → ids of other images (owned by the caller) that use it. */
async function otherUsers(
  ec2: Ec2Port,
  imageId: string,
  snapshotIds: string[],
  abortSignal: AbortSignal | undefined,
  call: Call,
): Promise<Map<string, string[]>> {
  const users = new Map<string, string[]>();
  if (snapshotIds.length === 0) return users;
  let NextToken: string | undefined;
  do {
    const token = NextToken;
    const out = await call(() =>
      ec2.describeImages(
        {
          Owners: ['self'],
          IncludeDeprecated: true,
          Filters: [{ Name: 'block-device-mapping.snapshot-id', Values: snapshotIds }],
          MaxResults: 1000,
          ...(token ? { NextToken: token } : {}),
        },
        abortSignal ? { abortSignal } : undefined,
      ),
    );
    for (const other of out.Images ?? []) {
      if (other.ImageId === imageId) continue;
      for (const s of snapshotsOf(other)) if (snapshotIds.includes(s)) users.set(s, [...(users.get(s) ?? []), other.ImageId ?? '?']);
    }
    NextToken = out.NextToken;
  } while (NextToken);
  return users;
}

type Call = <T>(fn: () => Promise<T>) => Promise<T>;

const NOT_FOUND = new Set(['InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable']);

/** Deregister `imageId` and delete the snapshots only it used (and those `snapshotFilters` name). */
export async function discardImage(ec2: Ec2Port, imageId: string, opts: DiscardOptions = {}): Promise<DiscardResult> {
  const report = reportTo(opts.reporter ?? silentReporter);
  const opt = opts.abortSignal ? { abortSignal: opts.abortSignal } : undefined;
  const call: Call = (fn) => retryLater(fn, { ...DISCARD_RETRY, ...opts.retry, signal: opts.abortSignal });
  const filters = opts.snapshotFilters;
  const tagged = async (): Promise<string[]> =>
    filters
      ? ((await call(() => ec2.describeSnapshots({ OwnerIds: ['self'], Filters: filters }, opt))).Snapshots ?? []).flatMap((x) =>
          x.SnapshotId ? [x.SnapshotId] : [],
        )
      : [];
  const absent = async (name?: string): Promise<DiscardResult> => {
    const r = await deleteSnapshots(ec2, imageId, await tagged(), opts, call);
    return { imageId, status: 'absent', name, ...r };
  };
  const graceEnds = Date.now() + (opts.notFoundGraceMs ?? 0);
  const ifFound = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await call(fn);
    } catch (err) {
      if (NOT_FOUND.has(awsErrorCode(err) ?? '')) return undefined;
      throw err;
    }
  };
  const found = await lookWithinGrace(() => ifFound(() => describeImage(ec2, imageId, opts.abortSignal)), {
    until: graceEnds,
    signal: opts.abortSignal,
  });
  if (!found) {
    report.info('billing.discard.absent', `${imageId} does not exist; nothing to discard`, { imageId });
    return absent();
  }
  let image: Image = found;
  if (image.State === 'deregistered') return absent(image.Name);
  if (opts.ownerAccountId && image.OwnerId !== opts.ownerAccountId) {
    const reason = `${imageId} is owned by account ${image.OwnerId ?? 'unknown'}, not ${opts.ownerAccountId}; winami only discards images the account owns`;
    report.warn('billing.discard.refused', reason, { imageId, ownerId: image.OwnerId });
    return { imageId, status: 'refused', reason, name: image.Name, deletedSnapshots: [], keptSnapshots: [] };
  }

  if (opts.dryRun) {
    const snaps = unique([...snapshotsOf(image), ...(await tagged())]);
    const users = await otherUsers(ec2, imageId, snaps, opts.abortSignal, call);
    const kept = keptFor(snaps, users, opts.keepSnapshotIds);
    const deleted = snaps.filter((s) => !kept.some((k) => k.snapshotId === s));
    const fastLaunch = image.State === 'available' ? await call(() => describeFastLaunch(ec2, imageId, opts.abortSignal)) : undefined;
    report.info(
      'billing.discard.plan',
      `would ${fastLaunch ? 'disable Fast Launch on, then ' : ''}deregister ${imageId} and delete ${deleted.length} snapshot(s)`,
      { imageId, deleted, kept, fastLaunch: fastLaunch?.State },
    );
    return {
      imageId,
      status: 'planned',
      name: image.Name,
      ...(fastLaunch ? { fastLaunchDisabled: true } : {}),
      deletedSnapshots: deleted,
      keptSnapshots: kept,
    };
  }

  // An image with Fast Launch: disable it first, so EC2 removes the pre-provisioned snapshots it made.
  let fastLaunchDisabled = false;
  if (image.State === 'available') {
    const wait = {
      timeoutMs: 30 * 60_000,
      minDelayMs: 10_000,
      maxDelayMs: 60_000,
      ...opts.fastLaunchWait,
      ...(opts.abortSignal ? { abortSignal: opts.abortSignal } : {}),
    };
    fastLaunchDisabled = await call(() => disableFastLaunch(ec2, imageId, wait, opts.reporter ?? silentReporter));
  }

  try {
    const deregistered = await lookWithinGrace(() => ifFound(() => ec2.deregisterImage({ ImageId: imageId }, opt)), {
      until: graceEnds,
      signal: opts.abortSignal,
    });
    if (!deregistered) return absent(image.Name);
  } catch (err) {
    const code = awsErrorCode(err) ?? '';
    if (image.State !== 'pending') throw err;
    // EC2 may refuse a pending image; wait for it to settle (available or failed) and try again.
    report.info('billing.discard.wait-pending', `${imageId} is still pending (${code}); waiting for it to settle before deregistering`, { imageId });
    image = await settle(ec2, imageId, opts);
    await call(() => ec2.deregisterImage({ ImageId: imageId }, opt));
  }
  report.info('billing.discard.deregistered', `deregistered ${imageId}`, { imageId });
  const r = await deleteSnapshots(ec2, imageId, unique([...snapshotsOf(image), ...(await tagged())]), opts, call);
  return { imageId, status: 'discarded', name: image.Name, ...(fastLaunchDisabled ? { fastLaunchDisabled } : {}), ...r };
}

const unique = (ids: string[]): string[] => [...new Set(ids)];

/** Delete the snapshots no other image uses and the caller did not ask to keep; already gone is fine. */
async function deleteSnapshots(
  ec2: Ec2Port,
  imageId: string,
  snaps: string[],
  opts: DiscardOptions,
  call: Call,
): Promise<Pick<DiscardResult, 'deletedSnapshots' | 'keptSnapshots'>> {
  const report = reportTo(opts.reporter ?? silentReporter);
  const opt = opts.abortSignal ? { abortSignal: opts.abortSignal } : undefined;
  const users = await otherUsers(ec2, imageId, snaps, opts.abortSignal, call);
  const kept = keptFor(snaps, users, opts.keepSnapshotIds);
  const deleted: string[] = [];
  for (const snapshotId of snaps) {
    if (kept.some((k) => k.snapshotId === snapshotId)) continue;
    try {
      await call(() => ec2.deleteSnapshot({ SnapshotId: snapshotId }, opt));
      deleted.push(snapshotId);
      report.info('billing.discard.snapshot-deleted', `deleted snapshot ${snapshotId} of ${imageId}`, { imageId, snapshotId });
    } catch (err) {
      const code = awsErrorCode(err) ?? '';
      if (code === 'InvalidSnapshot.NotFound') continue;
      if (code !== 'InvalidSnapshot.InUse') throw err;
      kept.push({ snapshotId, reason: 'EC2 says it is in use (another image registered from it meanwhile)' });
    }
  }
  for (const k of kept) report.info('billing.discard.snapshot-kept', `kept snapshot ${k.snapshotId}: ${k.reason}`, { imageId, ...k });
  return { deletedSnapshots: deleted, keptSnapshots: kept };
}

function keptFor(snaps: string[], users: Map<string, string[]>, keep: string[] = []): KeptSnapshot[] {
  const kept: KeptSnapshot[] = [];
  for (const s of snaps) {
    if (keep.includes(s)) kept.push({ snapshotId: s, reason: 'asked to keep it (the snapshot the image was registered from)' });
    else if (users.has(s)) kept.push({ snapshotId: s, reason: `also used by ${users.get(s)!.join(', ')}` });
  }
  return kept;
}

async function settle(ec2: Ec2Port, imageId: string, opts: DiscardOptions): Promise<Image> {
  const wait = { timeoutMs: 30 * 60_000, ...opts.pendingWait, ...(opts.abortSignal ? { abortSignal: opts.abortSignal } : {}) };
  try {
    return await waitForImageAvailable(ec2, imageId, wait);
  } catch (err) {
    if (err instanceof PollFailureError) return describeImage(ec2, imageId, opts.abortSignal); // failed images can be deregistered
    throw err;
  }
}
