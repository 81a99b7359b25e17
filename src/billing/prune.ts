/**
 * Retention for an image family: the images winami made for one config name
 * (tag `winami:config`, complete ones only), in each region. Keeps the `keep`
 * newest per region and, with `olderThanMs`, anything younger; never touches
 * an image an instance (pending, running, stopping or stopped) was launched
 * from, that a launch template's default version names, or whose id an SSM
 * parameter of data type `aws:ec2:image` holds. The rest is listed with its
 * snapshots and, only with `apply`, discarded (Fast Launch disabled first).
 */
import type { Image } from '@aws-sdk/client-ec2';
import type { AwsSession, Ec2Port, SsmPort } from '../aws/ports.js';
import { reportTo, silentReporter, type Reporter } from '../reporter.js';
import { discardImage, type DiscardOptions } from '../image/lifecycle.js';
// The tags the bake puts on its output images: the family is its config name, complete ones only.
import { COMPLETE_TAG, CONFIG_TAG } from '../knowledge/winami-tags.js';

export interface PruneOptions {
  session: AwsSession;
  /** The config `name` whose images form the family. */
  family: string;
  /** How many of the newest images to keep in each region (at least 0). */
  keep: number;
  /** Keep any image younger than this, whatever `keep` says. */
  olderThanMs?: number;
  /** Regions to look in. */
  regions: string[];
  /** Deregister and delete; without it, only the plan. */
  apply: boolean;
  /** The caller's account (images another account owns are never touched). */
  ownerAccountId?: string;
  reporter?: Reporter;
  abortSignal?: AbortSignal;
  now?: number;
  /** Passed to discardImage (waits and retries). */
  discard?: Pick<DiscardOptions, 'fastLaunchWait' | 'retry'>;
}

/** One image of the family. */
export interface PruneImage {
  region: string;
  imageId: string;
  name: string | undefined;
  creationDate: string | undefined;
  snapshotIds: string[];
}

export interface PruneResult {
  family: string;
  applied: boolean;
  /** Kept, each with why. */
  kept: (PruneImage & { reasons: string[] })[];
  /** To deregister (a plan), or deregistered (applied), with the snapshots deleted. */
  pruned: (PruneImage & { deletedSnapshots: string[]; keptSnapshots: { snapshotId: string; reason: string }[]; fastLaunchDisabled?: boolean })[];
  /** Applied but failed. */
  failed: (PruneImage & { error: string })[];
}

async function familyImages(ec2: Ec2Port, region: string, family: string, signal?: AbortSignal): Promise<PruneImage[]> {
  const images: Image[] = [];
  let NextToken: string | undefined;
  do {
    const out = await ec2.describeImages(
      {
        Owners: ['self'],
        IncludeDeprecated: true,
        Filters: [
          { Name: `tag:${CONFIG_TAG}`, Values: [family] },
          { Name: `tag:${COMPLETE_TAG}`, Values: ['true'] },
        ],
        MaxResults: 1000,
        ...(NextToken ? { NextToken } : {}),
      },
      signal ? { abortSignal: signal } : undefined,
    );
    images.push(...(out.Images ?? []));
    NextToken = out.NextToken;
  } while (NextToken);
  return images
    .filter((i) => i.ImageId && i.State !== 'deregistered')
    .map((i) => ({
      region,
      imageId: i.ImageId!,
      name: i.Name,
      creationDate: i.CreationDate,
      snapshotIds: (i.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [])),
    }))
    .sort((a, b) => (b.creationDate ?? '').localeCompare(a.creationDate ?? ''));
}

/** Image id → instances launched from it that are not terminated. */
async function instanceUsers(ec2: Ec2Port, imageIds: string[], signal?: AbortSignal): Promise<Map<string, string[]>> {
  const users = new Map<string, string[]>();
  if (imageIds.length === 0) return users;
  let NextToken: string | undefined;
  do {
    const out = await ec2.describeInstances(
      {
        Filters: [
          { Name: 'image-id', Values: imageIds },
          { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
        ],
        MaxResults: 1000,
        ...(NextToken ? { NextToken } : {}),
      },
      signal ? { abortSignal: signal } : undefined,
    );
    for (const inst of (out.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
      if (inst.ImageId && inst.InstanceId)
        users.set(inst.ImageId, [...(users.get(inst.ImageId) ?? []), `${inst.InstanceId} (${inst.State?.Name ?? 'unknown'})`]);
    }
    NextToken = out.NextToken;
  } while (NextToken);
  return users;
}

/** Image id → launch templates whose default version names it. */
async function templateUsers(ec2: Ec2Port, signal?: AbortSignal): Promise<Map<string, string[]>> {
  const users = new Map<string, string[]>();
  let NextToken: string | undefined;
  do {
    // Without a template id or name, $Default describes every template's default version (API reference).
    const out = await ec2.describeLaunchTemplateVersions(
      { Versions: ['$Default'], MaxResults: 200, ...(NextToken ? { NextToken } : {}) },
      signal ? { abortSignal: signal } : undefined,
    );
    for (const v of out.LaunchTemplateVersions ?? []) {
      const id = v.LaunchTemplateData?.ImageId;
      if (id) users.set(id, [...(users.get(id) ?? []), `${v.LaunchTemplateName ?? v.LaunchTemplateId} (version ${v.VersionNumber})`]);
    }
    NextToken = out.NextToken;
  } while (NextToken);
  return users;
}

/** Image id → SSM parameters (data type aws:ec2:image) that hold it. */
async function parameterUsers(ssm: SsmPort, signal?: AbortSignal): Promise<Map<string, string[]>> {
  const names: string[] = [];
  let NextToken: string | undefined;
  do {
    const out = await ssm.describeParameters(
      { ParameterFilters: [{ Key: 'DataType', Option: 'Equals', Values: ['aws:ec2:image'] }], MaxResults: 50, ...(NextToken ? { NextToken } : {}) },
      signal ? { abortSignal: signal } : undefined,
    );
    for (const p of out.Parameters ?? []) if (p.Name) names.push(p.Name);
    NextToken = out.NextToken;
  } while (NextToken);
  const users = new Map<string, string[]>();
  for (let i = 0; i < names.length; i += 10) {
    const out = await ssm.getParameters({ Names: names.slice(i, i + 10) }, signal ? { abortSignal: signal } : undefined);
    for (const p of out.Parameters ?? []) if (p.Value && p.Name) users.set(p.Value, [...(users.get(p.Value) ?? []), p.Name]);
  }
  return users;
}

/** Plan (and, with `apply`, carry out) the retention of one family. */
export async function pruneFamily(o: PruneOptions): Promise<PruneResult> {
  const report = reportTo(o.reporter ?? silentReporter);
  const now = o.now ?? Date.now();
  const result: PruneResult = { family: o.family, applied: o.apply, kept: [], pruned: [], failed: [] };
  for (const region of o.regions) {
    const ec2 = o.session.ec2(region);
    const images = await familyImages(ec2, region, o.family, o.abortSignal);
    if (images.length === 0) continue;
    const [instances, templates, parameters] = await Promise.all([
      instanceUsers(
        ec2,
        images.map((i) => i.imageId),
        o.abortSignal,
      ),
      templateUsers(ec2, o.abortSignal),
      parameterUsers(o.session.ssm(region), o.abortSignal),
    ]);
    const candidates: PruneImage[] = [];
    images.forEach((img, index) => {
      const reasons: string[] = [];
      if (index < o.keep) reasons.push(`one of the ${o.keep} newest in ${region}`);
      const created = img.creationDate ? Date.parse(img.creationDate) : NaN;
      if (o.olderThanMs !== undefined && !(now - created > o.olderThanMs))
        reasons.push(`created ${img.creationDate ?? 'at an unknown time'}, not older than the --older-than limit`);
      for (const i of instances.get(img.imageId) ?? []) reasons.push(`instance ${i} was launched from it`);
      for (const t of templates.get(img.imageId) ?? []) reasons.push(`launch template ${t} names it as its default version`);
      for (const p of parameters.get(img.imageId) ?? []) reasons.push(`SSM parameter ${p} holds its id`);
      if (reasons.length) {
        result.kept.push({ ...img, reasons });
        report.info('prune.kept', `keeping ${img.imageId} (${region}): ${reasons.join('; ')}`, { region, imageId: img.imageId, reasons });
      } else candidates.push(img);
    });
    for (const img of candidates) {
      if (!o.apply) {
        result.pruned.push({ ...img, deletedSnapshots: img.snapshotIds, keptSnapshots: [] });
        report.info('prune.plan', `would deregister ${img.imageId} (${region}) and delete ${img.snapshotIds.join(', ') || 'no snapshots'}`, {
          region,
          imageId: img.imageId,
          snapshotIds: img.snapshotIds,
        });
        continue;
      }
      try {
        const d = await discardImage(ec2, img.imageId, {
          ...(o.ownerAccountId ? { ownerAccountId: o.ownerAccountId } : {}),
          ...(o.reporter ? { reporter: o.reporter } : {}),
          ...(o.abortSignal ? { abortSignal: o.abortSignal } : {}),
          ...o.discard,
        });
        if (d.status === 'refused') throw new Error(d.reason ?? 'refused');
        result.pruned.push({
          ...img,
          deletedSnapshots: d.deletedSnapshots,
          keptSnapshots: d.keptSnapshots,
          ...(d.fastLaunchDisabled ? { fastLaunchDisabled: true } : {}),
        });
        report.info('prune.deregistered', `deregistered ${img.imageId} (${region}) and deleted ${d.deletedSnapshots.join(', ') || 'no snapshots'}`, {
          region,
          imageId: img.imageId,
          deletedSnapshots: d.deletedSnapshots,
        });
      } catch (err) {
        if (o.abortSignal?.aborted) throw err;
        result.failed.push({ ...img, error: (err as Error).message });
        report.warn('prune.failed', `could not prune ${img.imageId} (${region}): ${(err as Error).message}`, { region, imageId: img.imageId });
      }
    }
  }
  return result;
}
