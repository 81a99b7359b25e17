/**
 * The billing gate. AWS's RegisterImage documentation and the EC2 guide say:
 * after creating a Windows, SQL Server, RHEL or SUSE image, check its
 * `PlatformDetails`; if it is empty or does not match the expected operating
 * system, the creation failed (domain-facts §7.2). `checkBilling` is that
 * check as a pure function; `verifyImageBilling` fetches the image (waiting
 * for `available` if asked) and applies it.
 */
import type { Image } from '@aws-sdk/client-ec2';
import type { Ec2Port } from '../aws/ports.js';
import { platformDetailsFor, usageOperationFor, BILLING_SOURCE } from '../knowledge/billing.js';
import { reportTo, silentReporter, type Reporter } from '../reporter.js';
import { EXPECT_TAG, expectationFromAmiName, resolveExpectation, type Expectation } from './expectations.js';
import { describeImage, waitForImageAvailable, type ImageWaitOptions } from '../image/lifecycle.js';

/** The billing fields of an image, as DescribeImages returns them (any may be missing). */
export interface BillingFields {
  PlatformDetails?: string | undefined;
  UsageOperation?: string | undefined;
  Platform?: string | undefined;
}

/** Why a check failed. */
export type BillingProblemCode = 'empty' | 'inconsistent' | 'platform-mismatch' | 'unexpected';

export interface BillingProblem {
  code: BillingProblemCode;
  message: string;
}

/** Result of `checkBilling`. `notes` never fail the check (e.g. a pair AWS's sample table does not list). */
export interface BillingCheck {
  ok: boolean;
  problems: BillingProblem[];
  notes: string[];
}

const blank = (v: string | undefined): boolean => v === undefined || v.trim() === '';

/**
 * Check billing fields: both present, consistent with each other per the
 * billing table, consistent with `Platform`, and equal to the expectation.
 */
export function checkBilling(image: BillingFields, expectation?: Expectation): BillingCheck {
  const problems: BillingProblem[] = [];
  const notes: string[] = [];
  const pd = image.PlatformDetails;
  const uo = image.UsageOperation;
  if (blank(pd)) problems.push({ code: 'empty', message: 'PlatformDetails is empty: AWS derived no billing for this image, so its creation failed' });
  if (blank(uo)) problems.push({ code: 'empty', message: 'UsageOperation is empty: AWS derived no billing for this image, so its creation failed' });
  if (!blank(pd) && !blank(uo)) {
    const tableUo = usageOperationFor(pd!);
    const tablePd = platformDetailsFor(uo!);
    if (tableUo !== undefined && tableUo !== uo) {
      problems.push({ code: 'inconsistent', message: `PlatformDetails "${pd}" is billed as ${tableUo} per the billing table, but UsageOperation is ${uo}` });
    } else if (tablePd !== undefined && tablePd !== pd) {
      problems.push({ code: 'inconsistent', message: `UsageOperation ${uo} belongs to "${tablePd}" per the billing table, but PlatformDetails is "${pd}"` });
    } else if (tableUo === undefined && tablePd === undefined) {
      notes.push(`the pair "${pd}" / ${uo} is not in AWS's sample billing table (${BILLING_SOURCE}); it is not judged`);
    }
  }
  // Platform is `windows` (the model enum says `Windows`; compare case-insensitively, domain-facts §7.1).
  if (image.Platform?.toLowerCase() === 'windows' && !blank(pd) && !/^windows/i.test(pd!)) {
    problems.push({ code: 'platform-mismatch', message: `Platform is windows but the image is billed as "${pd}" (${uo ?? 'no UsageOperation'})` });
  }
  if (expectation && !blank(pd) && !blank(uo) && (pd !== expectation.platformDetails || uo !== expectation.usageOperation)) {
    problems.push({
      code: 'unexpected',
      message: `billed as "${pd}" / ${uo}, expected "${expectation.platformDetails}" / ${expectation.usageOperation} (${expectation.derivedFrom})`,
    });
  }
  return { ok: problems.length === 0, problems, notes };
}

/** Options for `verifyImageBilling`. */
export interface VerifyImageOptions {
  /** Wait for the image to be `available` first, with this deadline and these delays. */
  wait?: ImageWaitOptions;
  reporter?: Reporter;
  abortSignal?: AbortSignal;
}

/** What `verifyImageBilling` found. */
export interface VerifyResult {
  imageId: string;
  ok: boolean;
  state: string | undefined;
  name: string | undefined;
  ownerId: string | undefined;
  fields: { PlatformDetails: string | undefined; UsageOperation: string | undefined; Platform: string | undefined };
  expectation: Expectation | undefined;
  check: BillingCheck;
  image: Image;
}

/**
 * Fetch an image (waiting for `available` when `opts.wait` is given), then
 * check its billing. `expected` may be a function of the image (see
 * `expectationForImage`). Returns the result; it does not throw on a failed check,
 * only on AWS errors (unknown id → `AwsError` with `InvalidAMIID.NotFound`).
 */
export async function verifyImageBilling(
  ec2: Ec2Port,
  imageId: string,
  expected: Expectation | undefined | ((image: Image) => Expectation | undefined),
  opts: VerifyImageOptions = {},
): Promise<VerifyResult> {
  const report = reportTo(opts.reporter ?? silentReporter);
  const abortSignal = opts.abortSignal ?? opts.wait?.abortSignal;
  let image: Image;
  if (opts.wait) {
    report.info('billing.verify.wait', `waiting for ${imageId} to be available`, { imageId, timeoutMs: opts.wait.timeoutMs });
    image = await waitForImageAvailable(ec2, imageId, { ...opts.wait, ...(abortSignal ? { abortSignal } : {}) });
  } else {
    image = await describeImage(ec2, imageId, abortSignal);
  }
  const expectation = typeof expected === 'function' ? expected(image) : expected;
  const check = checkBilling(image, expectation);
  const result: VerifyResult = {
    imageId,
    ok: check.ok,
    state: image.State,
    name: image.Name,
    ownerId: image.OwnerId,
    fields: { PlatformDetails: image.PlatformDetails, UsageOperation: image.UsageOperation, Platform: image.Platform },
    expectation,
    check,
    image,
  };
  const data = { imageId, platformDetails: image.PlatformDetails, usageOperation: image.UsageOperation, expected: expectation, problems: check.problems };
  if (check.ok) report.info('billing.verify.ok', `${imageId} is billed as "${image.PlatformDetails}" / ${image.UsageOperation}`, data);
  else report.error('billing.verify.failed', `${imageId}: ${check.problems.map((p) => p.message).join('; ')}`, data);
  return result;
}

/**
 * The expectation for an image when none is given explicitly: its
 * `winami:expect` tag, else the SQL Server edition its name spells, else
 * none (then only presence and consistency are checked). An unknown tag value
 * throws a `UsageError`.
 */
export function expectationForImage(image: Pick<Image, 'Tags' | 'Name'>, explicit?: Expectation): Expectation | undefined {
  if (explicit) return explicit;
  const tag = image.Tags?.find((t) => t.Key === EXPECT_TAG)?.Value;
  if (tag !== undefined) return resolveExpectation({ tag });
  return image.Name ? expectationFromAmiName(image.Name) : undefined;
}
