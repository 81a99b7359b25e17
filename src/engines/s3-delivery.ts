/**
 * The bundle of an Automation runbook delivered from S3 instead of inline: the
 * delivered files are objects under `<bucket>/<prefix>/`, and the runbook's
 * DeliverBundle steps fetch them on the builder with AWS Tools for
 * PowerShell's `Read-S3Object` (present on AWS's Windows AMIs), signed with the
 * instance profile's credentials; VerifyBundle then checks every SHA-256 as
 * for an inline delivery. The bucket and prefix are runbook parameters
 * (`BundleBucket`, `BundlePrefix`) restricted to characters that are inert in
 * PowerShell, so the same document serves the export (its defaults) and every
 * bake (a prefix of its own, deleted when the bake ends).
 */
import { createHash } from 'node:crypto';
import type { IamPort, S3Port } from '../aws/ports.js';
import { awsErrorCode } from '../aws/errors.js';
export { deleteObjectKeys as deleteBundle, s3Uri } from '../aws/s3-objects.js';
import { BUCKET_NAME } from '../config/schema.js';
import type { ResolvedConfig } from '../config/types.js';
import { ps, windowsDir } from '../bake/scripts.js';
import { CancelledError, ValidationError } from '../errors.js';
import type { reportTo } from '../reporter.js';
import type { EnginePlan } from './plan.js';

/** Where the bundle objects are: `s3://bucket/prefix/<bundle path>`. */
export interface BundleLocation {
  bucket: string;
  prefix: string;
}

/** Runbook parameter names of the location. */
export const BUNDLE_BUCKET_PARAMETER = 'BundleBucket';
export const BUNDLE_PREFIX_PARAMETER = 'BundlePrefix';
/** The `allowedPattern` of BundlePrefix: what `engine.bundlePrefix` allows, so no value can break out of a PowerShell single-quoted string. */
export const BUNDLE_PREFIX_PATTERN = '^[A-Za-z0-9!_.*()-]+(/[A-Za-z0-9!_.*()-]+)*$';

/** One object of the bundle: its key under the prefix (the bundle path) and its content. */
export interface BundleObject {
  path: string;
  content: Buffer;
  destination: string;
}

/** The objects of an engine plan. */
export function bundleObjects(plan: EnginePlan): BundleObject[] {
  return plan.deliveredFiles.map((f) => ({ path: f.path, content: f.content, destination: f.destination! }));
}

/** The bucket an export or bake uses: the option, else the config's `engine.bundleBucket`. */
export function bundleBucket(config: ResolvedConfig, option?: string): string | undefined {
  const bucket = option ?? config.engine?.bundleBucket;
  if (bucket !== undefined && !BUCKET_NAME.test(bucket)) {
    throw new ValidationError(
      `"${bucket}" is not an S3 bucket name`,
      [{ path: 'engine.bundleBucket', message: '3 to 63 lower-case letters, digits, dots and hyphens' }],
      {
        hint: 'Name an existing bucket in the config region, e.g. --bundle-bucket my-winami-bundles.',
      },
    );
  }
  return bucket;
}

/** The prefix of an export: the config's prefix, its name and a hash of the bundle, so an unchanged bundle keeps its keys. */
export function exportPrefix(config: ResolvedConfig, plan: EnginePlan): string {
  const h = createHash('sha256');
  for (const o of bundleObjects(plan)) h.update(`${o.path}\0${o.destination}\0`).update(o.content);
  return `${config.engine?.bundlePrefix ?? 'winami'}/${config.name}/${h.digest('hex').slice(0, 16)}`;
}

/** The prefix of one bake: its objects are its own, deleted when it ends. */
export function buildPrefix(config: ResolvedConfig, buildId: string): string {
  return `${config.engine?.bundlePrefix ?? 'winami'}/${config.name}/${buildId}`;
}

/**
 * The DeliverBundle commands: one `Read-S3Object` per file into its
 * destination (its folder created first, as the inline delivery does), packed within `budget`
 * characters per command. The key and path are PowerShell single-quoted
 * literals; the bucket and prefix are the runbook's parameters.
 */
export function s3DeliveryCommands(plan: EnginePlan, region: string, budget: number): string[] {
  const head = `$ErrorActionPreference = 'Stop'`;
  const lines = bundleObjects(plan).map(
    (o) =>
      `New-Item -ItemType Directory -Force -Path ${ps(windowsDir(o.destination))} | Out-Null\r\nRead-S3Object -BucketName '{{ ${BUNDLE_BUCKET_PARAMETER} }}' -Key ${ps(`{{ ${BUNDLE_PREFIX_PARAMETER} }}/${o.path}`)} -File ${ps(o.destination)} -Region ${ps(region)} | Out-Null`,
  );
  const commands: string[] = [];
  let current = [head];
  for (const line of lines) {
    if (current.length > 1 && current.join('\r\n').length + line.length + 2 > budget) {
      commands.push(current.join('\r\n'));
      current = [head];
    }
    current.push(line);
  }
  current.push(`Write-Output 'WINAMI fetched=${lines.length}'`);
  commands.push(current.join('\r\n'));
  return commands;
}

/**
 * Check the bucket before anything is created: it must exist, be the
 * caller's, and be in `region` (the builder reads it there). Errors say which
 * and what to do.
 */
export async function checkBundleBucket(s3: S3Port, bucket: string, region: string): Promise<void> {
  let out: { BucketRegion?: string };
  try {
    out = await s3.headBucket({ Bucket: bucket });
  } catch (err) {
    const code = awsErrorCode(err) ?? '';
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const why =
      code === 'NotFound' || code === 'NoSuchBucket' || status === 404
        ? `the bundle bucket ${bucket} does not exist`
        : code === 'Forbidden' || code === 'AccessDenied' || status === 403
          ? `the bundle bucket ${bucket} is not readable by these credentials (another account's, or s3:ListBucket is not allowed)`
          : status === 301 || code === 'PermanentRedirect'
            ? `the bundle bucket ${bucket} is not in ${region}`
            : `the bundle bucket ${bucket} could not be checked: ${(err as Error).message}`;
    throw new ValidationError(why, [{ path: 'engine.bundleBucket', message: why }], {
      hint: `Create it in the config region (aws s3 mb s3://${bucket} --region ${region}) or name another with --bundle-bucket.`,
    });
  }
  if (out.BucketRegion && out.BucketRegion !== region) {
    throw new ValidationError(
      `the bundle bucket ${bucket} is in ${out.BucketRegion}, not ${region}`,
      [{ path: 'engine.bundleBucket', message: 'must be in the config region' }],
      {
        hint: `Use a bucket in ${region}: the builder downloads the bundle from there.`,
      },
    );
  }
}

/** The ARN of an object, or of every object under a prefix with `key` = `prefix/*`. */
export function bundleObjectArn(region: string, bucket: string, key: string): string {
  const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return `arn:${partition}:s3:::${bucket}/${key}`;
}

/**
 * The builder's instance profile must let it read the bundle: its role is
 * simulated for `s3:GetObject` on one of the objects (IAM's
 * SimulatePrincipalPolicy, as the local bake's preflight checks the agent's
 * actions). A denial is an error before anything is created; a check the
 * caller may not make is only reported.
 */
export async function checkBuilderReadsBundle(
  iam: IamPort,
  profileName: string,
  objectArn: string,
  report: Pick<ReturnType<typeof reportTo>, 'warn'>,
): Promise<void> {
  let roleArn: string | undefined;
  let decision: string | undefined;
  try {
    // builder.instanceProfile may be an ARN (`arn:aws:iam::<account>:instance-profile/<path>/<name>`): GetInstanceProfile takes the name.
    const name = profileName.startsWith('arn:') ? profileName.slice(profileName.lastIndexOf('/') + 1) : profileName;
    roleArn = (await iam.getInstanceProfile({ InstanceProfileName: name })).InstanceProfile?.Roles?.[0]?.Arn;
    if (!roleArn) return;
    const out = await iam.simulatePrincipalPolicy({ PolicySourceArn: roleArn, ActionNames: ['s3:GetObject'], ResourceArns: [objectArn] });
    decision = out.EvaluationResults?.[0]?.EvalDecision;
  } catch (err) {
    report.warn('engine.bundle.unchecked', `could not check that ${profileName} may read the bundle: ${(err as Error).message}`, { profileName });
    return;
  }
  if (decision !== undefined && decision !== 'allowed') {
    throw new ValidationError(
      `the builder's role ${roleArn} does not allow s3:GetObject on ${objectArn}: the builder downloads the bundle from S3`,
      [{ path: 'builder.instanceProfile', message: `s3:GetObject on ${objectArn} is ${decision}` }],
      { hint: 'Add the builderInstanceProfile policy of `winami iam-policy CONFIG --engine automation --bundle-bucket NAME` to the role.' },
    );
  }
}

/**
 * Upload every bundle object under `prefix`. `onKey` hears each key before
 * its PutObject is sent (for the journal), so `winami cleanup` knows it even
 * if the process dies mid-request. A cancel takes effect between objects:
 * the PutObject in flight is let finish, because a request abandoned by the
 * client may still be stored after the caller has deleted what it sent.
 */
export async function uploadBundle(
  s3: S3Port,
  location: BundleLocation,
  objects: readonly Pick<BundleObject, 'path' | 'content'>[],
  onKey: (key: string) => void,
  signal?: AbortSignal,
): Promise<string[]> {
  const keys: string[] = [];
  for (const o of objects) {
    if (signal?.aborted) throw new CancelledError('cancelled while uploading the bundle');
    const key = `${location.prefix}/${o.path}`;
    onKey(key);
    await s3.putObject({ Bucket: location.bucket, Key: key, Body: o.content, ContentType: 'application/octet-stream' });
    keys.push(key);
  }
  return keys;
}
