/**
 * `cleanupBuild`: remove everything a build left, found by its
 * `winami:build-id` tag in every region (and by the journal, when given):
 * instances (terminated and waited for), images (deregistered), snapshots,
 * volumes, and the temporary secret parameters. Running it twice is harmless:
 * the second run finds nothing. Images the journal records as the outputs of
 * a successful bake are kept unless `includeOutputs` is set; without a
 * journal, the images tagged `winami:complete=true` (set as a successful
 * bake's last act) are kept unless it is set, and every other image goes.
 *
 * EC2 lists a new resource only after a while (eventual consistency), so a
 * cleanup right after a bake died can miss what it made moments before. What
 * the journal names and the listing misses is looked up by id (again and
 * again within the grace, when it was made within it); and when the journal
 * shows a create call with no answer (lost, or the process died during it),
 * or there is no journal to say what the build did last, the region is listed
 * and cleaned again once the grace has passed.
 */
import { existsSync } from 'node:fs';
import type { AwsSession } from '../aws/ports.js';
import { awsErrorCode, isAwsCode } from '../aws/errors.js';
import { pollUntil, realClock } from '../aws/poll-until.js';
import { retryLater } from '../aws/retry.js';
import { CONSISTENCY_GRACE_MS, lookWithinGrace } from '../aws/consistency.js';
import { UsageError } from '../errors.js';
import { reportTo, silentReporter, type Reporter } from '../reporter.js';
import { BUILD_ID_TAG, COMPLETE_TAG, deleteSnapshot } from './aws-helpers.js';
import { disableFastLaunch } from '../image/fast-launch.js';
import { journalPath as defaultJournalPath, readJournal } from './journal.js';
import { secretParameterName } from './steps/put-secrets.js';
import type { ResourceKind } from './state.js';
import { deleteObjectKeys, parseS3Uri, s3Uri } from '../aws/s3-objects.js';

/** The secret slots a bake may create temporary parameters for (docs/bundle.md). */
const SECRET_SLOTS = ['administratorPassword', 'domainJoinPassword', 'windowsProductKey', 'sqlProductKey'];

export interface CleanupOptions {
  session: AwsSession;
  buildId?: string;
  /** A journal file; its build id and regions are used. */
  journal?: string;
  /** Regions to search besides the journal's; none and no journal: every region the account has. */
  regions?: string[];
  /** Also remove the images a successful bake produced. */
  includeOutputs?: boolean;
  /** Where to look for `.winami/builds/<id>.jsonl` when only a build id is given. */
  journalDir?: string;
  dryRun?: boolean;
  reporter?: Reporter;
  abortSignal?: AbortSignal;
  /** Poll delay while waiting for terminations, ms. */
  pollMs?: number;
  timeoutMs?: number;
  /**
   * How long (real ms) after a create call EC2 may not list what it made
   * (eventual consistency; default 10 s). Within it, what the journal names
   * and EC2 does not know yet is looked up again; after a create call the
   * journal has no answer for, or with no journal at all, every region is
   * listed again once it has passed.
   */
  consistencyGraceMs?: number;
}

export interface CleanupResult {
  buildId: string;
  regions: string[];
  removed: { kind: ResourceKind; id: string; region: string }[];
  kept: { kind: ResourceKind; id: string; region: string }[];
  failed: { kind: ResourceKind; id: string; region: string; error: string }[];
}

const gone = (err: unknown) => {
  const code = awsErrorCode(err) ?? '';
  return /NotFound|ParameterNotFound|InvalidAMIID\.Unavailable/.test(code);
};

/** Remove everything tagged with the build id. */
export async function cleanupBuild(o: CleanupOptions): Promise<CleanupResult> {
  const report = reportTo(o.reporter ?? silentReporter);
  const opt = o.abortSignal ? { abortSignal: o.abortSignal } : undefined;
  let journalFile = o.journal;
  if (!journalFile && o.buildId) {
    const p = defaultJournalPath(o.journalDir ?? process.cwd(), o.buildId);
    if (existsSync(p)) journalFile = p;
  }
  const j = journalFile ? readJournal(journalFile) : undefined;
  const buildId = o.buildId ?? j?.buildId;
  if (!buildId) throw new UsageError('give --build-id or a --journal that names a build');
  const keptIds = new Set<string>();
  if (j && !o.includeOutputs && journalFile) {
    const { readFileSync } = await import('node:fs');
    for (const line of readFileSync(journalFile, 'utf8').split('\n')) {
      try {
        const r = JSON.parse(line) as { type?: string; reason?: string; id?: string };
        if (r.type === 'kept' && r.reason === 'output' && r.id) keptIds.add(r.id);
      } catch {
        /* torn line */
      }
    }
  }
  let regions = [...new Set([...(o.regions ?? []), ...(j?.regions ?? [])])];
  if (regions.length === 0) {
    const out = await o.session.ec2().describeRegions({}, opt);
    regions = (out.Regions ?? []).flatMap((r) => (r.RegionName ? [r.RegionName] : []));
    if (regions.length === 0) regions = [o.session.defaultRegion];
  }
  const result: CleanupResult = { buildId, regions, removed: [], kept: [], failed: [] };
  // Every call retried through throttling and 5xx storms, within the cleanup's deadline.
  const retryStart = Date.now();
  const deadlineMs = o.timeoutMs ?? 600_000;
  const call = <T>(fn: () => Promise<T>): Promise<T> =>
    retryLater(fn, { deadlineMs: Math.max(0, deadlineMs - (Date.now() - retryStart)), minDelayMs: Math.min(1_000, o.pollMs ?? 1_000), signal: o.abortSignal });
  const tagFilter = [{ Name: `tag:${BUILD_ID_TAG}`, Values: [buildId] }];
  /** Remove one resource; `'deferred'` when `deferIf` says the error should be tried again later (nothing recorded). */
  const attempt = async (kind: ResourceKind, id: string, region: string, fn: () => Promise<unknown>, deferIf?: (err: unknown) => boolean) => {
    if (keptIds.has(id)) {
      result.kept.push({ kind, id, region });
      return;
    }
    if (o.dryRun) {
      result.removed.push({ kind, id, region });
      return;
    }
    try {
      await call(fn);
      result.removed.push({ kind, id, region });
      report.info('cleanup.removed', `removed ${kind} ${id} in ${region}`, { kind, id, region });
    } catch (err) {
      if (gone(err)) return;
      if (deferIf?.(err)) return 'deferred';
      result.failed.push({ kind, id, region, error: (err as Error).message });
      report.error('cleanup.failed', `could not remove ${kind} ${id} in ${region}: ${(err as Error).message}`, { kind, id, region });
    }
  };
  // Builds an AWS engine ran for this bake: stopped, then what carries their ARN goes (the kept outputs stay).
  for (const x of j?.executions ?? []) {
    const { stopImageBuilderBuild, sweepImageBuilderBuild } = await import('../engines/run-imagebuilder.js');
    const poll = o.pollMs ?? 5_000;
    try {
      if (!o.dryRun)
        await stopImageBuilderBuild(o.session, x.region, x.arn, { pollMs: poll, timeoutMs: deadlineMs, ...(o.reporter ? { reporter: o.reporter } : {}) });
      const gone = await sweepImageBuilderBuild(o.session, regions, x.arn, {
        pollMs: poll,
        timeoutMs: deadlineMs,
        keep: keptIds,
        dryRun: o.dryRun ?? false,
        ...(o.reporter ? { reporter: o.reporter } : {}),
      });
      result.removed.push(...gone);
    } catch (err) {
      result.failed.push({ kind: 'image', id: x.arn, region: x.region, error: (err as Error).message });
      report.error('cleanup.failed', `could not stop or clear ${x.arn}: ${(err as Error).message}`, { kind: 'image', id: x.arn, region: x.region });
    }
  }
  const graceMs = o.consistencyGraceMs ?? CONSISTENCY_GRACE_MS;
  const startedAt = Date.now();
  const handled = new Set<string>();
  /** The bundle objects an engine bake uploaded and its journal does not record as deleted (S3 objects carry no build tag: only the journal knows them). */
  const removeBundleObjects = async (region: string) => {
    const byBucket = new Map<string, string[]>();
    for (const r of j?.outstanding ?? []) {
      const at = r.kind === 's3-object' && r.region === region ? parseS3Uri(r.id) : undefined;
      if (at) byBucket.set(at.bucket, [...(byBucket.get(at.bucket) ?? []), at.key]);
    }
    if (byBucket.size === 0) return;
    const s3 = o.session.s3?.(region);
    for (const [bucket, keys] of byBucket) {
      if (o.dryRun) {
        for (const key of keys) result.removed.push({ kind: 's3-object', id: s3Uri(bucket, key), region });
        continue;
      }
      if (!s3) {
        for (const key of keys) result.failed.push({ kind: 's3-object', id: s3Uri(bucket, key), region, error: 'this AWS session has no S3 client' });
        continue;
      }
      const out = await call(() => deleteObjectKeys(s3, bucket, keys));
      for (const key of out.deleted) {
        result.removed.push({ kind: 's3-object', id: s3Uri(bucket, key), region });
        report.info('cleanup.removed', `removed s3-object ${s3Uri(bucket, key)} in ${region}`, { kind: 's3-object', id: s3Uri(bucket, key), region });
      }
      for (const f of out.failed) result.failed.push({ kind: 's3-object', id: s3Uri(bucket, f.key), region, error: f.error });
    }
  };
  await Promise.all(
    regions.map(async (region) => {
      const ec2 = o.session.ec2(region);
      const ssm = o.session.ssm(region);
      const journaled = (j?.outstanding ?? []).filter((r) => r.region === region);
      /** What the journal names of `kind` and `listed` lacks, as EC2 shows it by id (looked up again within its grace). */
      const byId = async <T>(kind: ResourceKind, listed: Set<string>, look: (id: string) => Promise<T | null | undefined>): Promise<T[]> => {
        const found: T[] = [];
        for (const r of journaled.filter((x) => x.kind === kind && !listed.has(x.id) && !handled.has(x.id))) {
          const lookup = async () => {
            try {
              return await call(() => look(r.id));
            } catch (err) {
              if (gone(err)) return undefined;
              throw err;
            }
          };
          const f = await lookWithinGrace(lookup, { until: r.time + graceMs, ...(o.abortSignal ? { signal: o.abortSignal } : {}) });
          if (f) found.push(f);
        }
        return found;
      };
      /**
       * One pass over the region; `final` is false when another pass follows. A snapshot still in use then is
       * tried again in that pass: its image may be one EC2 does not list yet (just created), deregistered
       * only once it does.
       */
      let deferred = 0;
      const cleanRegion = async (final: boolean) => {
        // Instances first: terminating them releases their volumes.
        const res = await call(() =>
          ec2.describeInstances(
            { Filters: [...tagFilter, { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped', 'shutting-down'] }] },
            opt,
          ),
        );
        const listedInstances = new Set((res.Reservations ?? []).flatMap((r) => r.Instances ?? []).flatMap((i) => (i.InstanceId ? [i.InstanceId] : [])));
        const instances = [
          ...listedInstances,
          ...(await byId('instance', listedInstances, async (id) => {
            const out = await ec2.describeInstances({ InstanceIds: [id] }, opt);
            const inst = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === id);
            return inst && inst.State?.Name !== 'terminated' ? id : null;
          })),
        ].filter((id) => !handled.has(id));
        for (const id of instances) {
          handled.add(id);
          await attempt('instance', id, region, () => ec2.terminateInstances({ InstanceIds: [id] }, opt));
        }
        if (instances.length && !o.dryRun) {
          await pollUntil({
            what: `instances of build ${buildId} in ${region} to terminate`,
            probe: (signal) => ec2.describeInstances({ InstanceIds: instances }, { abortSignal: signal }),
            acceptor: (out) => {
              const live = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).filter((i) => i.State?.Name !== 'terminated');
              return live.length === 0
                ? { state: 'success', value: out }
                : { state: 'retry', observed: live.map((i) => `${i.InstanceId} ${i.State?.Name}`).join(', ') };
            },
            timeoutMs: o.timeoutMs ?? 600_000,
            minDelayMs: o.pollMs ?? 5_000,
            maxDelayMs: (o.pollMs ?? 5_000) * 4,
            ...(o.abortSignal ? { abortSignal: o.abortSignal } : {}),
            clock: realClock,
          }).catch((err) => report.warn('cleanup.wait', (err as Error).message));
        }
        const listedImages = (await call(() => ec2.describeImages({ Owners: ['self'], Filters: tagFilter, IncludeDeprecated: true }, opt))).Images ?? [];
        const images = [
          ...listedImages,
          ...(await byId('image', new Set(listedImages.map((i) => i.ImageId!)), async (id) => {
            const img = (await ec2.describeImages({ ImageIds: [id], IncludeDeprecated: true }, opt)).Images?.find((i) => i.ImageId === id);
            return img ?? null;
          })),
        ].filter((img) => img.State !== 'deregistered' && !handled.has(img.ImageId!));
        for (const img of images) {
          handled.add(img.ImageId!);
          // Without the journal, the completion tag says which images were the outputs of a bake that finished;
          // an available image without it comes from a bake that never did (its billing may be unchecked).
          const complete = (img.Tags ?? []).some((t) => t.Key === COMPLETE_TAG && t.Value === 'true');
          if (!j && !o.includeOutputs && img.State === 'available' && complete) keptIds.add(img.ImageId!);
          if (keptIds.has(img.ImageId!)) for (const m of img.BlockDeviceMappings ?? []) if (m.Ebs?.SnapshotId) keptSnapshots.add(m.Ebs.SnapshotId);
          await attempt('image', img.ImageId!, region, async () => {
            // A bake that crashed after enabling Fast Launch: disable it first, so EC2 removes its pre-provisioned snapshots.
            if (img.State === 'available') {
              const poll = o.pollMs ?? 5_000;
              await disableFastLaunch(
                ec2,
                img.ImageId!,
                {
                  timeoutMs: o.timeoutMs ?? 600_000,
                  minDelayMs: poll,
                  maxDelayMs: poll * 4,
                  clock: realClock,
                  ...(o.abortSignal ? { abortSignal: o.abortSignal } : {}),
                },
                o.reporter ?? silentReporter,
              );
            }
            await ec2.deregisterImage({ ImageId: img.ImageId! }, opt);
          });
        }
        const listedSnapshots = (await call(() => ec2.describeSnapshots({ OwnerIds: ['self'], Filters: tagFilter }, opt))).Snapshots ?? [];
        const snapshots = [
          ...listedSnapshots.map((x) => x.SnapshotId!),
          ...(await byId('snapshot', new Set(listedSnapshots.map((x) => x.SnapshotId!)), async (id) =>
            (await ec2.describeSnapshots({ SnapshotIds: [id] }, opt)).Snapshots?.some((x) => x.SnapshotId === id) ? id : null,
          )),
        ].filter((id) => !handled.has(id));
        for (const id of snapshots) {
          handled.add(id);
          if (keptSnapshots.has(id)) keptIds.add(id);
          const inUse = final ? undefined : (err: unknown) => isAwsCode(err, 'InvalidSnapshot.InUse');
          if ((await attempt('snapshot', id, region, () => deleteSnapshot(ec2, id, o.abortSignal), inUse)) === 'deferred') {
            handled.delete(id);
            deferred++;
          }
        }
        const vols = await call(() => ec2.describeVolumes({ Filters: [...tagFilter, { Name: 'status', Values: ['available', 'error'] }] }, opt));
        for (const v of vols.Volumes ?? []) {
          if (handled.has(v.VolumeId!)) continue;
          handled.add(v.VolumeId!);
          await attempt('volume', v.VolumeId!, region, () => ec2.deleteVolume({ VolumeId: v.VolumeId! }, opt));
        }
      };
      const keptSnapshots = new Set<string>();
      // A create call the journal has no answer for may have made something no record names; without a journal,
      // nothing says what the build made last. Either way, clean again once EC2 lists what was made before now.
      const settleAt = j ? Math.max(0, ...j.unconfirmed.filter((u) => u.region === region).map((u) => u.time + graceMs)) : startedAt + graceMs;
      await cleanRegion(o.dryRun === true || settleAt <= Date.now());
      if (!o.dryRun && (settleAt > Date.now() || deferred > 0)) {
        if (settleAt > Date.now()) await realClock.sleep(settleAt - Date.now(), o.abortSignal);
        await cleanRegion(true);
      }
      const params = new Set([
        ...SECRET_SLOTS.map((s) => secretParameterName(buildId, s)),
        ...(j?.outstanding ?? []).filter((r) => r.kind === 'parameter' && r.region === region).map((r) => r.id),
      ]);
      await removeBundleObjects(region);
      for (const name of params) {
        if (o.dryRun) continue;
        try {
          await call(() => ssm.deleteParameter({ Name: name }, opt));
          result.removed.push({ kind: 'parameter', id: name, region });
        } catch (err) {
          if (!gone(err)) result.failed.push({ kind: 'parameter', id: name, region, error: (err as Error).message });
        }
      }
    }),
  );
  return result;
}
