/**
 * Copy an image to other regions, as the bake's copy step does and as
 * `winami copy` does for an existing golden image: all targets in parallel,
 * idempotent (a ClientToken per target, and an existing copy with the same
 * name and source is reused), each copy waited for and its billing verified
 * (CopyImage is expected to keep billing, but AWS does not document it,
 * domain-facts §7.2), and a bad copy discarded.
 */
import type { Tag } from '@aws-sdk/client-ec2';
import type { AwsSession, Ec2Port } from '../aws/ports.js';
import { reportTo, silentReporter, type Reporter } from '../reporter.js';
import { asWinamiError, CancelledError } from '../errors.js';
import type { Expectation } from './expectations.js';
import { verifyImageBilling, type VerifyResult } from './verify.js';
import { discardImage, type DiscardResult, type ImageWaitOptions } from '../image/lifecycle.js';
import { PollFailureError } from '../aws/poll-until.js';
import { awsErrorCode } from '../aws/errors.js';

/** One destination; a KMS key makes the copy encrypted with it (the key must exist in that region). */
export interface CopyTarget {
  region: string;
  kmsKeyId?: string;
}

export interface CopyImageOptions {
  sourceImageId: string;
  sourceRegion: string;
  /** Name of the copies (3–128 characters). */
  name: string;
  description?: string;
  /** What each copy must be billed as. */
  expectation: Expectation;
  /** Each target's ClientToken is `<prefix>-<region>` (≤ 128 characters): retrying with the same prefix never makes a second copy. */
  clientTokenPrefix: string;
  /** Tags for each copy and its snapshots. */
  tags?: Record<string, string>;
  /** Copy the source's user-defined tags too (CopyImageTags). */
  copySourceTags?: boolean;
  /** How long to wait for each copy; default 3 h, polling like the SDK image waiter. */
  wait?: Omit<ImageWaitOptions, 'abortSignal'>;
  reporter?: Reporter;
  abortSignal?: AbortSignal;
  /** Called the moment CopyImage returns a copy's id, before any wait (the bake journals it for crash cleanup). */
  onCreated?: (region: string, imageId: string) => void | Promise<void>;
  /** The caller's account, so a bad copy is only discarded when it is ours. */
  ownerAccountId?: string;
}

/** How one target ended. */
export interface CopyOutcome {
  region: string;
  imageId?: string;
  /** `verified`: copied and billed as expected; `discarded`: wrong billing or failed copy, removed; `failed`: error (see `error`); `cancelled`. */
  status: 'verified' | 'discarded' | 'failed' | 'cancelled';
  reused: boolean;
  verify?: VerifyResult;
  discard?: DiscardResult;
  error?: { code: string; message: string; hint?: string | undefined };
}

export interface CopyResult {
  ok: boolean;
  copies: CopyOutcome[];
}

const DEFAULT_WAIT = { timeoutMs: 3 * 60 * 60_000 };

/** The ClientToken for one target. */
export function copyClientToken(prefix: string, region: string): string {
  return `${prefix}-${region}`.slice(0, 128);
}

function tagList(tags: Record<string, string> | undefined): Tag[] {
  return Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
}

/** An existing copy in the target region with this name from this source, if any. */
async function existingCopy(ec2: Ec2Port, o: CopyImageOptions, call: { abortSignal: AbortSignal } | undefined): Promise<string | undefined> {
  const out = await ec2.describeImages({ Owners: ['self'], Filters: [{ Name: 'name', Values: [o.name] }] }, call);
  const match = (out.Images ?? []).find((i) => i.SourceImageId === o.sourceImageId && i.State !== 'failed' && i.State !== 'deregistered');
  return match?.ImageId;
}

/** Copy to one region, wait, verify, discard if bad. Never throws: the outcome says what happened. */
export async function copyImageToRegion(session: AwsSession, target: CopyTarget, o: CopyImageOptions): Promise<CopyOutcome> {
  const report = reportTo(o.reporter ?? silentReporter);
  const ec2 = session.ec2(target.region);
  const call = o.abortSignal ? { abortSignal: o.abortSignal } : undefined;
  const outcome: CopyOutcome = { region: target.region, status: 'failed', reused: false };
  try {
    let imageId = await existingCopy(ec2, o, call);
    if (imageId) {
      outcome.reused = true;
      report.info('billing.copy.reused', `${target.region}: reusing ${imageId}, an existing copy of ${o.sourceImageId} named ${o.name}`, {
        region: target.region,
        imageId,
      });
    } else {
      const tags = tagList(o.tags);
      const out = await ec2.copyImage(
        {
          Name: o.name,
          SourceImageId: o.sourceImageId,
          SourceRegion: o.sourceRegion,
          ClientToken: copyClientToken(o.clientTokenPrefix, target.region),
          ...(o.description ? { Description: o.description } : {}),
          ...(target.kmsKeyId ? { Encrypted: true, KmsKeyId: target.kmsKeyId } : {}),
          ...(o.copySourceTags ? { CopyImageTags: true } : {}),
          ...(tags.length
            ? {
                TagSpecifications: [
                  { ResourceType: 'image', Tags: tags },
                  { ResourceType: 'snapshot', Tags: tags },
                ],
              }
            : {}),
        },
        call,
      );
      imageId = out.ImageId;
      if (!imageId) throw new Error(`CopyImage to ${target.region} returned no image id`);
      report.info('billing.copy.started', `${target.region}: copying ${o.sourceImageId} as ${imageId}`, { region: target.region, imageId });
    }
    outcome.imageId = imageId;
    await o.onCreated?.(target.region, imageId);
    try {
      outcome.verify = await verifyImageBilling(ec2, imageId, o.expectation, {
        wait: { ...DEFAULT_WAIT, ...o.wait, ...(o.abortSignal ? { abortSignal: o.abortSignal } : {}) },
        ...(o.reporter ? { reporter: o.reporter } : {}),
      });
    } catch (err) {
      const e = asWinamiError(err);
      if (e instanceof CancelledError || !(err instanceof PollFailureError)) throw err;
      // The copy went `failed`: remove what is left of it.
      outcome.error = { code: 'COPY_FAILED', message: e.message };
      outcome.discard = await discardImage(ec2, imageId, {
        ...(o.reporter ? { reporter: o.reporter } : {}),
        ...(o.ownerAccountId ? { ownerAccountId: o.ownerAccountId } : {}),
      });
      outcome.status = 'discarded';
      return outcome;
    }
    if (outcome.verify.ok) {
      outcome.status = 'verified';
      return outcome;
    }
    report.error('billing.copy.bad-billing', `${target.region}: the copy ${imageId} is billed wrongly; discarding it`, {
      region: target.region,
      imageId,
      problems: outcome.verify.check.problems,
    });
    outcome.error = { code: 'BAD_BILLING', message: outcome.verify.check.problems.map((p) => p.message).join('; ') };
    outcome.discard = await discardImage(ec2, imageId, {
      ...(o.reporter ? { reporter: o.reporter } : {}),
      ...(o.ownerAccountId ? { ownerAccountId: o.ownerAccountId } : {}),
    });
    outcome.status = 'discarded';
    return outcome;
  } catch (err) {
    const e = asWinamiError(err);
    outcome.status = e instanceof CancelledError || o.abortSignal?.aborted ? 'cancelled' : 'failed';
    outcome.error = { code: awsErrorCode(e) ?? e.code, message: e.message, hint: e.hint };
    report.error('billing.copy.failed', `${target.region}: ${e.message}`, { region: target.region, imageId: outcome.imageId, code: outcome.error.code });
    return outcome;
  }
}

/** Copy to every target in parallel; `ok` when every copy is verified. */
export async function copyImageToRegions(session: AwsSession, o: CopyImageOptions & { targets: CopyTarget[] }): Promise<CopyResult> {
  const copies = await Promise.all(o.targets.map((t) => copyImageToRegion(session, t, o)));
  return { ok: copies.every((c) => c.status === 'verified'), copies };
}
