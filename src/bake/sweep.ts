/**
 * The bake's last act: find everything tagged with its build id in every
 * region it touched, remove what is neither an output nor kept on request,
 * then look again and report what exists. The steps' cleanups remove what the
 * state knows; this finds what it does not: an instance launched by a request
 * whose answer was lost and never retried with the same token, a snapshot of
 * a half-made image, anything a cleanup that gave up left. What the bake then
 * reports as left behind is what a describe call saw, not what the state
 * believed.
 */
import type { Ec2Port } from '../aws/ports.js';
import { pollUntil } from '../aws/poll-until.js';
import { retryLater } from '../aws/retry.js';
import { awsErrorCode } from '../aws/errors.js';
import { reportTo } from '../reporter.js';
import { disableFastLaunch } from '../image/fast-launch.js';
import { BUILD_ID_TAG, ROLE_TAG } from './aws-helpers.js';
import { delays, graceEndOf, graceMs, markRemoved, type BakeContext } from './context.js';
import { lookWithinGrace } from '../aws/consistency.js';
import type { BakeState, ResourceKind, TrackedResource } from './state.js';

/** EC2 actions the sweep calls: the describes always, the rest only for strays. */
export const SWEEP_ACTIONS = ['ec2:DescribeInstances', 'ec2:DescribeImages', 'ec2:DescribeSnapshots', 'ec2:DescribeVolumes'] as const;
export const SWEEP_REMOVE_ACTIONS = ['ec2:TerminateInstances', 'ec2:DeregisterImage', 'ec2:DeleteSnapshot', 'ec2:DeleteVolume'] as const;

export interface SweepResult {
  /** What exists after the sweep, outputs excepted (resources kept on request included, marked so). */
  existing: TrackedResource[];
  /** Strays the sweep removed (not in the state, or in it but not cleaned). */
  removed: { kind: ResourceKind; id: string; region: string }[];
  /** False when a listing failed: `existing` is then incomplete and the caller falls back on the state. */
  verified: boolean;
  errors: string[];
}

interface Found {
  kind: ResourceKind;
  id: string;
  region: string;
  role: string;
  /** Snapshots an image uses (kept with a kept image). */
  snapshots?: string[];
  /** An image's state. */
  state?: string;
}

const roleOf = (tags: { Key?: string | undefined; Value?: string | undefined }[] | undefined) => tags?.find((t) => t.Key === ROLE_TAG)?.Value ?? 'unknown';
const goneCode = (err: unknown) => /NotFound|InvalidAMIID\.Unavailable/.test(awsErrorCode(err) ?? '');

/** Everything of the build in one region that is not gone. */
async function list(ec2: Ec2Port, region: string, buildId: string, call: <T>(fn: () => Promise<T>) => Promise<T>, signal: AbortSignal): Promise<Found[]> {
  const tag = { Name: `tag:${BUILD_ID_TAG}`, Values: [buildId] };
  const opt = { abortSignal: signal };
  const [inst, imgs, snaps, vols] = await Promise.all([
    call(() =>
      ec2.describeInstances({ Filters: [tag, { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped', 'shutting-down'] }] }, opt),
    ),
    call(() => ec2.describeImages({ Owners: ['self'], Filters: [tag], IncludeDeprecated: true }, opt)),
    call(() => ec2.describeSnapshots({ OwnerIds: ['self'], Filters: [tag] }, opt)),
    // In-use volumes belong to an instance listed above and go with it.
    call(() => ec2.describeVolumes({ Filters: [tag, { Name: 'status', Values: ['creating', 'available', 'error'] }] }, opt)),
  ]);
  return [
    ...(inst.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => ({ kind: 'instance' as const, id: i.InstanceId!, region, role: roleOf(i.Tags) })),
    ...(imgs.Images ?? [])
      .filter((i) => i.State !== 'deregistered')
      .map((i) => ({
        kind: 'image' as const,
        id: i.ImageId!,
        region,
        role: roleOf(i.Tags),
        ...(i.State ? { state: i.State } : {}),
        snapshots: (i.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [])),
      })),
    ...(snaps.Snapshots ?? []).map((s) => ({ kind: 'snapshot' as const, id: s.SnapshotId!, region, role: roleOf(s.Tags) })),
    ...(vols.Volumes ?? []).map((v) => ({ kind: 'volume' as const, id: v.VolumeId!, region, role: roleOf(v.Tags) })),
  ];
}

/**
 * One resource the bake recorded, looked up by id: found, `null` when EC2
 * shows it gone, undefined when EC2 does not know it (yet).
 */
async function byId(ec2: Ec2Port, r: TrackedResource, call: <T>(fn: () => Promise<T>) => Promise<T>, signal: AbortSignal): Promise<Found | null | undefined> {
  const opt = { abortSignal: signal };
  const found = { kind: r.kind, id: r.id, region: r.region, role: r.role };
  try {
    if (r.kind === 'instance') {
      const out = await call(() => ec2.describeInstances({ InstanceIds: [r.id] }, opt));
      const inst = (out.Reservations ?? []).flatMap((x) => x.Instances ?? []).find((i) => i.InstanceId === r.id);
      return inst && inst.State?.Name !== 'terminated' ? found : null;
    }
    if (r.kind === 'image') {
      const out = await call(() => ec2.describeImages({ ImageIds: [r.id], IncludeDeprecated: true }, opt));
      const img = out.Images?.find((i) => i.ImageId === r.id);
      if (!img || img.State === 'deregistered') return null;
      return { ...found, snapshots: (img.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [])) };
    }
    if (r.kind === 'snapshot') {
      const out = await call(() => ec2.describeSnapshots({ SnapshotIds: [r.id] }, opt));
      return out.Snapshots?.some((x) => x.SnapshotId === r.id) ? found : null;
    }
    return null;
  } catch (err) {
    if (goneCode(err)) return undefined;
    throw err;
  }
}

/**
 * Sweep the build's tag in `regions`: remove strays (anything not kept), then
 * list again. `keep` holds the ids of outputs and of resources kept on
 * request; `signal` is the removals' deadline, `listMs` the time the last
 * listing gets after them.
 *
 * EC2 lists a new resource only after a while (eventual consistency), so a
 * listing right after a create can miss it. What the bake recorded within the
 * consistency grace and the listing misses is looked up by id until the grace
 * has passed. A create call whose answer never came (state.unconfirmed) may
 * have made something no id names: once its grace has passed, the region is
 * listed and swept again.
 */
export async function sweepBuild(
  state: BakeState,
  ctx: BakeContext,
  o: { regions: string[]; keep: Set<string>; signal: AbortSignal; deadlineMs: number; listMs: number },
): Promise<SweepResult> {
  const report = reportTo(ctx.reporter);
  const result: SweepResult = { existing: [], removed: [], verified: true, errors: [] };
  const retry = { deadlineMs: o.deadlineMs, signal: o.signal, minDelayMs: delays(ctx, 'instanceState').minDelayMs, clock: ctx.clock };
  const call = <T>(fn: () => Promise<T>) => retryLater(fn, retry);
  // The listing that decides the report has its own time, after the removals have used theirs.
  const finalList = (ec2: Ec2Port, region: string) => {
    const signal = AbortSignal.timeout(o.listMs);
    return list(ec2, region, state.buildId, (fn) => retryLater(fn, { ...retry, deadlineMs: o.listMs, signal }), signal);
  };
  const opt = { abortSignal: o.signal };
  await Promise.all(
    o.regions.map(async (region) => {
      const ec2 = ctx.session.ec2(region);
      // The tag listing, plus what the bake recorded within the grace and the listing does not show yet.
      const gather = async (): Promise<Found[]> => {
        const listed = await list(ec2, region, state.buildId, call, o.signal);
        const ids = new Set(listed.map((f) => f.id));
        const unseen = state.resources.filter(
          (r) => r.region === region && !r.removed && !r.kept && !ids.has(r.id) && graceEndOf(state, ctx, r.id, region) > ctx.clock.now(),
        );
        for (const r of unseen) {
          const f = await lookWithinGrace(() => byId(ec2, r, call, o.signal), {
            until: graceEndOf(state, ctx, r.id, region),
            signal: o.signal,
            clock: ctx.clock,
          });
          if (f) listed.push(f);
        }
        return listed;
      };
      const handled = new Set<string>();
      const remove = async (f: Found, fn: () => Promise<unknown>) => {
        handled.add(f.id);
        try {
          await call(fn);
          result.removed.push({ kind: f.kind, id: f.id, region });
          report.warn('bake.sweep.removed', `removed ${f.kind} ${f.id} (${f.role}) in ${region}, which the bake's cleanup had not`, {
            kind: f.kind,
            id: f.id,
            region,
            role: f.role,
          });
        } catch (err) {
          if (!goneCode(err)) result.errors.push(`${f.kind} ${f.id} in ${region}: ${(err as Error).message}`);
        }
      };
      const keptSnapshotsOf = (found: Found[]) => new Set(found.filter((f) => f.kind === 'image' && o.keep.has(f.id)).flatMap((f) => f.snapshots ?? []));
      /** Remove the strays among `found`; the number removed or tried. */
      const removeStrays = async (found: Found[]): Promise<number> => {
        const keptSnapshots = keptSnapshotsOf(found);
        const strays = found.filter((f) => !o.keep.has(f.id) && !keptSnapshots.has(f.id) && !handled.has(f.id));
        const instances = strays.filter((f) => f.kind === 'instance');
        for (const f of instances) await remove(f, () => ec2.terminateInstances({ InstanceIds: [f.id] }, opt));
        for (const f of strays.filter((x) => x.kind === 'image'))
          await remove(f, async () => {
            // An image whose Fast Launch the steps' cleanup could not disable: disable it first, so EC2 removes the
            // pre-provisioned snapshots (DisableFastLaunch is the call documented to clean them up; DeregisterImage's
            // reference does not say it does). Only a config with Fast Launch can leave one, and only its policy allows the calls.
            if (state.config.image.fastLaunch && f.state === 'available') {
              const d = delays(ctx, 'image');
              await disableFastLaunch(ec2, f.id, { timeoutMs: o.deadlineMs, ...d, abortSignal: o.signal, clock: ctx.clock }, ctx.reporter);
            }
            await ec2.deregisterImage({ ImageId: f.id }, opt);
          });
        for (const f of strays.filter((x) => x.kind === 'snapshot')) await remove(f, () => ec2.deleteSnapshot({ SnapshotId: f.id }, opt));
        for (const f of strays.filter((x) => x.kind === 'volume')) await remove(f, () => ec2.deleteVolume({ VolumeId: f.id }, opt));
        if (instances.length) {
          const d = delays(ctx, 'instanceState');
          await pollUntil({
            what: `stray instances of build ${state.buildId} in ${region} to terminate`,
            probe: (signal) => call(() => ec2.describeInstances({ InstanceIds: instances.map((i) => i.id) }, { abortSignal: signal })),
            acceptor: (out) => {
              const live = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).filter((i) => i.State?.Name !== 'terminated');
              return live.length === 0
                ? { state: 'success', value: out }
                : { state: 'retry', observed: live.map((i) => `${i.InstanceId} ${i.State?.Name}`).join(', ') };
            },
            timeoutMs: o.deadlineMs,
            ...d,
            abortSignal: o.signal,
            clock: ctx.clock,
          }).catch((err: Error) => result.errors.push(err.message));
        }
        return strays.length;
      };
      let found: Found[];
      let swept: number;
      try {
        found = await gather();
        swept = await removeStrays(found);
        // A create call with no answer: once EC2 lists whatever it made, sweep again.
        const settleAt = Math.max(0, ...state.unconfirmed.filter((u) => u.region === region).map((u) => u.at + graceMs(ctx)));
        if (settleAt > ctx.clock.now()) {
          await ctx.clock.sleep(settleAt - ctx.clock.now(), o.signal);
          found = await gather();
          swept += await removeStrays(found);
        }
      } catch (err) {
        result.verified = false;
        result.errors.push(`${region}: ${(err as Error).message}`);
        return;
      }
      if (swept) {
        try {
          found = await finalList(ec2, region);
        } catch (err) {
          result.verified = false;
          result.errors.push(`${region}: ${(err as Error).message}`);
          return;
        }
      }
      const keptSnapshots = keptSnapshotsOf(found);
      const exists = new Set(found.map((f) => f.id));
      // What the state tracks and no longer exists is gone, whoever removed it: the journal says so too.
      for (const r of state.resources)
        if (r.region === region && r.kind !== 'parameter' && !r.removed && !r.kept && !exists.has(r.id)) markRemoved(state, ctx, r.id, region);
      for (const f of found) {
        const tracked = state.resources.find((r) => r.id === f.id && r.region === region);
        if (tracked?.kept === 'output' || (f.kind === 'snapshot' && keptSnapshots.has(f.id))) continue;
        result.existing.push(tracked ? { ...tracked } : { kind: f.kind, id: f.id, region, role: f.role });
      }
      // Kept on request (--on-error keep) and never removed by the bake: it exists even when a listing made within
      // EC2's consistency window does not show it yet.
      for (const r of state.resources) {
        if (r.region === region && r.kept === 'on-error-keep' && !r.removed && !exists.has(r.id)) result.existing.push({ ...r });
      }
    }),
  );
  return result;
}
