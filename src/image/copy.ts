/**
 * One image copy, for the bake's copy step and for `winami copy`: start it
 * (or reuse an existing copy of the same source and name), hand its id to the
 * caller before any wait, wait for it to be `available` with the acceptors
 * of `waitForImageAvailable` while its billing is checked, and discard a copy
 * that went `failed` or is billed wrongly.
 *
 * The billing check is the caller's (`verify`): this folder sits below the
 * billing one. CopyImage is expected to keep an image's billing, but AWS does
 * not document it (domain-facts §7.2), so every copy is checked.
 */
import type { Image, TagSpecification } from '@aws-sdk/client-ec2';
import type { Ec2Port } from '../aws/ports.js';
import { PollFailureError } from '../aws/poll-until.js';
import { reportTo, silentReporter, type Reporter } from '../reporter.js';
import { discardImage, type DiscardOptions, type DiscardResult } from './lifecycle.js';

/** What to copy where. */
export interface CopyRequest {
  sourceImageId: string;
  sourceRegion: string;
  /** The destination region (the port's). */
  region: string;
  /** Name of the copy (3–128 characters). */
  name: string;
  description?: string | undefined;
  /** A retried request with the same token finds the same copy instead of making a second one. */
  clientToken: string;
  /** Encrypt the copy: with `kmsKeyId` (which must exist in the destination), else the account's default key. */
  encrypted?: boolean;
  kmsKeyId?: string | undefined;
  /** Copy the source's user-defined tags too (CopyImageTags). */
  copySourceTags?: boolean;
  tagSpecifications?: TagSpecification[];
  /** Reuse an existing copy in the destination with this name from this source, rather than starting one. */
  reuseExisting?: boolean;
}

/** The billing check of a copy: at least whether it passed, and the image it saw. */
export interface CopyCheck {
  ok: boolean;
  image: Image;
  check: { problems: { message: string }[] };
}

export interface CopyOptions<V extends CopyCheck> {
  /** Wait until the copy is available (throwing `PollFailureError` if it cannot be) and check its billing. */
  verify: (imageId: string) => Promise<V>;
  /**
   * Wraps the CopyImage call (the bake journals a create before it is sent and
   * remembers a call whose answer never came, so its sweep looks again).
   */
  aroundCreate?: (call: () => Promise<string>) => Promise<string>;
  /** Called the moment the copy's id is known, before any wait (the bake records it for cleanup). */
  onCreated?: (imageId: string, reused: boolean) => void | Promise<void>;
  /**
   * Discard a failed or wrongly billed copy at once, with these options.
   * Without it the copy is left to the caller (the bake discards every copy
   * and the image in its cleanup, so that an image is in all regions or none).
   */
  discard?: DiscardOptions;
  reporter?: Reporter;
  abortSignal?: AbortSignal;
}

/** How one copy ended, short of an error (AWS errors, time-outs and cancels are thrown). */
export type CopyVerdict<V extends CopyCheck> = { imageId: string; reused: boolean; discard?: DiscardResult } & (
  { status: 'verified'; verify: V } | { status: 'bad-billing'; verify: V } | { status: 'copy-failed'; error: PollFailureError }
);

/** The ClientToken for one destination: `<prefix>-<region>`, at most 128 characters. */
export function copyClientToken(prefix: string, region: string): string {
  return `${prefix}-${region}`.slice(0, 128);
}

/** An existing copy in the destination with this name from this source, if any. */
async function existingCopy(ec2: Ec2Port, r: CopyRequest, abortSignal: AbortSignal | undefined): Promise<string | undefined> {
  const out = await ec2.describeImages({ Owners: ['self'], Filters: [{ Name: 'name', Values: [r.name] }] }, abortSignal ? { abortSignal } : undefined);
  const match = (out.Images ?? []).find((i) => i.SourceImageId === r.sourceImageId && i.State !== 'failed' && i.State !== 'deregistered');
  return match?.ImageId;
}

async function startCopy(ec2: Ec2Port, r: CopyRequest, abortSignal: AbortSignal | undefined): Promise<string> {
  const encrypted = r.encrypted || r.kmsKeyId !== undefined;
  const out = await ec2.copyImage(
    {
      Name: r.name,
      SourceImageId: r.sourceImageId,
      SourceRegion: r.sourceRegion,
      ClientToken: r.clientToken,
      ...(r.description ? { Description: r.description } : {}),
      ...(encrypted ? { Encrypted: true } : {}),
      ...(r.kmsKeyId ? { KmsKeyId: r.kmsKeyId } : {}),
      ...(r.copySourceTags ? { CopyImageTags: true } : {}),
      ...(r.tagSpecifications?.length ? { TagSpecifications: r.tagSpecifications } : {}),
    },
    abortSignal ? { abortSignal } : undefined,
  );
  if (!out.ImageId) throw new Error(`CopyImage to ${r.region} returned no image id`);
  return out.ImageId;
}

/** Copy one image to one region, wait for it, check its billing, and discard it if bad (when asked to). */
export async function copyImage<V extends CopyCheck>(ec2: Ec2Port, r: CopyRequest, o: CopyOptions<V>): Promise<CopyVerdict<V>> {
  const report = reportTo(o.reporter ?? silentReporter);
  const reusedId = r.reuseExisting ? await existingCopy(ec2, r, o.abortSignal) : undefined;
  const start = () => startCopy(ec2, r, o.abortSignal);
  const imageId = reusedId ?? (await (o.aroundCreate ? o.aroundCreate(start) : start()));
  const reused = reusedId !== undefined;
  await o.onCreated?.(imageId, reused);
  const discard = async (): Promise<{ discard?: DiscardResult }> => (o.discard ? { discard: await discardImage(ec2, imageId, o.discard) } : {});
  let verify: V;
  try {
    verify = await o.verify(imageId);
  } catch (err) {
    if (!(err instanceof PollFailureError)) throw err;
    // The copy went `failed` (or another state it never leaves): what is left of it goes.
    return { imageId, reused, status: 'copy-failed', error: err, ...(await discard()) };
  }
  if (verify.ok) return { imageId, reused, status: 'verified', verify };
  if (o.discard)
    report.error('billing.copy.bad-billing', `${r.region}: the copy ${imageId} is billed wrongly; discarding it`, {
      region: r.region,
      imageId,
      problems: verify.check.problems,
    });
  return { imageId, reused, status: 'bad-billing', verify, ...(await discard()) };
}
