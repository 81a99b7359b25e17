/**
 * `winami copy` for an existing golden image: the one image copy of
 * `image/copy.ts` (which the bake's copy step uses too) to every target in
 * parallel, idempotent (a ClientToken per target, and an existing copy with
 * the same name and source is reused), each copy's billing verified and a bad
 * copy discarded at once. Never throws: each target's outcome says how it ended.
 */
import type { Tag } from '@aws-sdk/client-ec2';
import type { AwsSession } from '../aws/ports.js';
import { reportTo, silentReporter, type Reporter } from '../reporter.js';
import { asWinamiError, CancelledError } from '../errors.js';
import type { Expectation } from './expectations.js';
import { verifyImageBilling, type VerifyResult } from './verify.js';
import type { DiscardResult, ImageWaitOptions } from '../image/lifecycle.js';
import { copyClientToken, copyImage } from '../image/copy.js';
import { awsErrorCode } from '../aws/errors.js';

export { copyClientToken };

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

function tagList(tags: Record<string, string> | undefined): Tag[] {
  return Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
}

/** Copy to one region, wait, verify, discard if bad. Never throws: the outcome says what happened. */
export async function copyImageToRegion(session: AwsSession, target: CopyTarget, o: CopyImageOptions): Promise<CopyOutcome> {
  const report = reportTo(o.reporter ?? silentReporter);
  const ec2 = session.ec2(target.region);
  const outcome: CopyOutcome = { region: target.region, status: 'failed', reused: false };
  const tags = tagList(o.tags);
  const events = o.reporter ? { reporter: o.reporter } : {};
  try {
    const verdict = await copyImage(
      ec2,
      {
        sourceImageId: o.sourceImageId,
        sourceRegion: o.sourceRegion,
        region: target.region,
        name: o.name,
        description: o.description,
        clientToken: copyClientToken(o.clientTokenPrefix, target.region),
        kmsKeyId: target.kmsKeyId,
        copySourceTags: Boolean(o.copySourceTags),
        tagSpecifications: (['image', 'snapshot'] as const).map((ResourceType) => ({ ResourceType, Tags: tags })),
        reuseExisting: true,
      },
      {
        verify: async (imageId) =>
          (outcome.verify = await verifyImageBilling(ec2, imageId, o.expectation, {
            wait: { ...DEFAULT_WAIT, ...o.wait, ...(o.abortSignal ? { abortSignal: o.abortSignal } : {}) },
            ...events,
          })),
        onCreated: async (imageId, reused) => {
          outcome.imageId = imageId;
          outcome.reused = reused;
          if (reused)
            report.info('billing.copy.reused', `${target.region}: reusing ${imageId}, an existing copy of ${o.sourceImageId} named ${o.name}`, {
              region: target.region,
              imageId,
            });
          else report.info('billing.copy.started', `${target.region}: copying ${o.sourceImageId} as ${imageId}`, { region: target.region, imageId });
          await o.onCreated?.(target.region, imageId);
        },
        discard: { ...events, ...(o.ownerAccountId ? { ownerAccountId: o.ownerAccountId } : {}) },
        ...events,
        ...(o.abortSignal ? { abortSignal: o.abortSignal } : {}),
      },
    );
    if (verdict.status === 'copy-failed') outcome.error = { code: 'COPY_FAILED', message: verdict.error.message };
    if (verdict.status === 'bad-billing') outcome.error = { code: 'BAD_BILLING', message: verdict.verify.check.problems.map((p) => p.message).join('; ') };
    if (verdict.discard) outcome.discard = verdict.discard;
    outcome.status = verdict.status === 'verified' ? 'verified' : 'discarded';
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
