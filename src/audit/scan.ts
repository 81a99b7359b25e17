/**
 * Scan one account-region: stream owned images page by page through the
 * rules, collect the little the other rules need (snapshot ids in use, owned
 * image ids, launch images of instances), list instances in parallel with
 * the images, and snapshots after them, judging each page of snapshots as it
 * comes against the whole image list.
 */
import type { Image, Instance } from '@aws-sdk/client-ec2';
import type { Ec2Port } from '../aws/ports.js';
import { awsErrorCode } from '../aws/errors.js';
import { AwsError } from '../errors.js';
import { evaluate } from './evaluate.js';
import type { ScopeFailure } from './result.js';
import type { Finding, Rule, RuleContext } from './types.js';

export interface ScanOptions {
  account: string;
  region: string;
  ec2: Ec2Port;
  rules: readonly Rule<any>[];
  ctx: RuleContext;
  snapshots: boolean;
  instances: boolean;
  pageSize: number;
  abortSignal?: AbortSignal | undefined;
  onFinding: (f: Finding) => void;
  onPage: (kind: 'images' | 'snapshots' | 'instances', count: number) => void;
  /** Awaited every 100 images or snapshots judged: back-pressure from the report being written. */
  afterPage?: () => Promise<void>;
  /**
   * Runs each listing call together with the judging of its page: shared by
   * the scopes of an audit, it bounds how many pages are held at once.
   */
  pageGate?: <T>(work: () => Promise<T>) => Promise<T>;
}

export interface ScanResult {
  images: number;
  snapshots: number;
  instances: number;
  failures: ScopeFailure[];
}

interface SnapshotLite {
  SnapshotId?: string | undefined;
  VolumeSize?: number | undefined;
  Description?: string | undefined;
  Encrypted?: boolean | undefined;
  StartTime?: Date | undefined;
}

/** The image a snapshot was made for, from the description CreateImage/CopyImage give it. */
export function imageOfSnapshotDescription(description: string | undefined): string | undefined {
  if (!description) return undefined;
  const m = /\bDestinationAmi (ami-[0-9a-z]+)/.exec(description) ?? /^Created by CreateImage\([^)]*\) for (ami-[0-9a-z]+)/.exec(description);
  return m?.[1];
}

/** Images (or snapshots) judged between two waits for the report's room. */
const SLICE = 100;

function failure(account: string, region: string, stage: string, err: unknown): ScopeFailure {
  const e = err as Partial<AwsError> & Error;
  const awsCode = e instanceof AwsError ? e.awsCode : awsErrorCode(err);
  return {
    account,
    region,
    stage,
    message: e?.message ?? String(err),
    ...(awsCode ? { awsCode } : {}),
    ...(e instanceof AwsError && e.iamAction ? { iamAction: e.iamAction } : {}),
  };
}

const ungated = <T>(work: () => Promise<T>): Promise<T> => work();

async function paginate<T>(
  gate: <R>(work: () => Promise<R>) => Promise<R>,
  fetch: (token: string | undefined) => Promise<{ items: T[]; next: string | undefined }>,
  onPage: (items: T[]) => void | Promise<void>,
): Promise<void> {
  let token: string | undefined;
  do {
    token = await gate(async () => {
      const { items, next } = await fetch(token);
      await onPage(items);
      return next;
    });
  } while (token);
}

/** Scan one account-region; failures of one stage are recorded, the other stages still run. */
export async function scanRegion(o: ScanOptions): Promise<ScanResult> {
  const { account, region, ec2 } = o;
  const call = o.abortSignal ? { abortSignal: o.abortSignal } : undefined;
  const result: ScanResult = { images: 0, snapshots: 0, instances: 0, failures: [] };
  const emit = (fs: Finding[]) => fs.forEach(o.onFinding);
  const gate = o.pageGate ?? ungated;

  const instances: Instance[] = [];
  const launchImageIds = new Set<string>();
  const instancesDone = o.instances
    ? paginate<Instance>(
        gate,
        async (NextToken) => {
          const out = await ec2.describeInstances(
            {
              MaxResults: 1000,
              Filters: [{ Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] }],
              ...(NextToken ? { NextToken } : {}),
            },
            call,
          );
          return { items: (out.Reservations ?? []).flatMap((r) => r.Instances ?? []), next: out.NextToken };
        },
        (items) => {
          for (const i of items) {
            instances.push({
              InstanceId: i.InstanceId,
              ImageId: i.ImageId,
              State: i.State,
              PlatformDetails: i.PlatformDetails,
              UsageOperation: i.UsageOperation,
              LaunchTime: i.LaunchTime,
              Tags: i.Tags,
            });
            if (i.ImageId) launchImageIds.add(i.ImageId);
          }
          o.onPage('instances', items.length);
        },
      ).then(
        () => true,
        (err) => (result.failures.push(failure(account, region, 'instances', err)), false),
      )
    : Promise.resolve(false);

  const ownedIds = new Set<string>();
  const usedSnapshots = new Set<string>();
  // Snapshots are judged against the whole image list: they are listed once it is read, and judged page by page, so
  // memory never holds a region's snapshots (nor a page of them waiting while other scopes' pages are in hand).
  let imagesListed!: (ok: boolean) => void;
  const imagesDone = new Promise<boolean>((resolve) => (imagesListed = resolve));
  let judged = 0;
  const snapshotsDone = o.snapshots
    ? imagesDone.then(async (imagesOk) => {
        if (!imagesOk) {
          result.failures.push({
            account,
            region,
            stage: 'snapshots',
            message: 'snapshots were not judged: without the image list, a snapshot in use cannot be told from one left behind',
          });
          return false;
        }
        let listed = 0;
        try {
          await paginate(
            gate,
            async (NextToken) => {
              const out = await ec2.describeSnapshots({ OwnerIds: ['self'], MaxResults: 1000, ...(NextToken ? { NextToken } : {}) }, call);
              return { items: out.Snapshots ?? [], next: out.NextToken };
            },
            async (items) => {
              o.onPage('snapshots', items.length);
              listed += items.length;
              for (const s of items) {
                if (o.afterPage && ++judged % SLICE === 0) await o.afterPage();
                judgeSnapshot({
                  SnapshotId: s.SnapshotId,
                  VolumeSize: s.VolumeSize,
                  Description: s.Description,
                  Encrypted: s.Encrypted,
                  StartTime: s.StartTime,
                });
              }
            },
          );
        } catch (err) {
          result.failures.push(failure(account, region, 'snapshots', err));
          return false;
        }
        result.snapshots = listed;
        return true;
      })
    : Promise.resolve(false);
  const judgeSnapshot = (snapshot: SnapshotLite) => {
    const createdFor = imageOfSnapshotDescription(snapshot.Description);
    emit(
      evaluate(
        {
          kind: 'snapshot',
          account,
          region,
          snapshot,
          usedByImage: snapshot.SnapshotId !== undefined && usedSnapshots.has(snapshot.SnapshotId),
          createdForImageId: createdFor,
          createdForImageExists: createdFor === undefined ? undefined : ownedIds.has(createdFor),
        },
        o.rules,
        o.ctx,
      ),
    );
  };

  // Owned images stream through the rules; only ids and snapshot ids are kept.
  const launchImages = new Map<string, Image>();
  const imagesOk = await paginate<Image>(
    gate,
    async (NextToken) => {
      const out = await ec2.describeImages({ Owners: ['self'], IncludeDeprecated: true, MaxResults: o.pageSize, ...(NextToken ? { NextToken } : {}) }, call);
      return { items: out.Images ?? [], next: out.NextToken };
    },
    async (items) => {
      for (let i = 0; i < items.length; i++) {
        const image = items[i]!;
        if (image.ImageId) ownedIds.add(image.ImageId);
        for (const m of image.BlockDeviceMappings ?? []) if (m?.Ebs?.SnapshotId) usedSnapshots.add(m.Ebs.SnapshotId);
        emit(evaluate({ kind: 'image', account, region, image }, o.rules, o.ctx));
        // A page's findings reach the report in slices, each once it has room: never a whole page of them buffered at once.
        if (o.afterPage && i % SLICE === SLICE - 1) await o.afterPage();
      }
      result.images += items.length;
      o.onPage('images', items.length);
      if (o.afterPage) await o.afterPage();
    },
  ).then(
    () => true,
    (err) => (result.failures.push(failure(account, region, 'images', err)), false),
  );

  imagesListed(imagesOk);
  await snapshotsDone;

  if (await instancesDone) {
    try {
      await fetchLaunchImages(ec2, [...launchImageIds], launchImages, call);
      for (const instance of instances) {
        emit(
          evaluate({ kind: 'instance', account, region, instance, image: instance.ImageId ? launchImages.get(instance.ImageId) : undefined }, o.rules, o.ctx),
        );
      }
      result.instances = instances.length;
    } catch (err) {
      result.failures.push(failure(account, region, 'launch-images', err));
    }
  }
  return result;
}

/** Describe launch images by id in batches; ids that no longer exist are simply absent. */
async function fetchLaunchImages(ec2: Ec2Port, ids: string[], into: Map<string, Image>, call: { abortSignal: AbortSignal } | undefined): Promise<void> {
  for (let i = 0; i < ids.length; i += 100) {
    const batch = ids.slice(i, i + 100);
    try {
      const out = await ec2.describeImages({ ImageIds: batch, IncludeDeprecated: true }, call);
      for (const img of out.Images ?? []) if (img.ImageId) into.set(img.ImageId, img);
    } catch (err) {
      // One unknown id fails the whole batch; ask one at a time to find the rest.
      if (!/^InvalidAMIID\./.test(awsErrorCode(err) ?? '')) throw err;
      for (const id of batch) {
        try {
          const out = await ec2.describeImages({ ImageIds: [id], IncludeDeprecated: true }, call);
          for (const img of out.Images ?? []) if (img.ImageId) into.set(img.ImageId, img);
        } catch (e) {
          if (!/^InvalidAMIID\./.test(awsErrorCode(e) ?? '')) throw e;
        }
      }
    }
  }
}
