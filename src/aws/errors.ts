/**
 * AWS error classification as tables, in one place: which codes mean
 * "throttled", "eventually consistent, try again", "missing permission", and
 * how to turn an SDK exception into an `AwsError` that says what to do.
 */
import { AwsError } from '../errors.js';

/** Codes the SDK and winami treat as throttling (Smithy service-error-classification). */
export const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'EC2ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'BandwidthLimitExceeded',
  'LimitExceededException',
]);

/**
 * NotFound codes that, just after a create call, mean "not visible yet" rather
 * than "gone" (EC2 eventual consistency; SSM's InvocationDoesNotExist right
 * after SendCommand).
 */
export const EVENTUALLY_CONSISTENT_CODES: ReadonlySet<string> = new Set([
  'InvalidInstanceID.NotFound',
  'InvalidAMIID.NotFound',
  'InvalidSnapshot.NotFound',
  'InvalidVolume.NotFound',
  'InvocationDoesNotExist',
  'InvalidInstanceId',
]);

/** Codes that mean the caller lacks a permission. */
export const ACCESS_DENIED_CODES: ReadonlySet<string> = new Set(['UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException', 'AuthFailure']);

/**
 * What to do about answers that are not AWS's (response-check.ts) and calls
 * that got no answer in time (timeouts.ts, and the SDK's own `TimeoutError`).
 */
const NETWORK_HINTS: Readonly<Record<string, string>> = {
  NotAnAwsResponse:
    'Something between winami and AWS answered instead of AWS. Open the endpoint in a browser to see the page (log in to a captive portal or proxy), and check --endpoint / AWS_ENDPOINT_URL and HTTPS_PROXY.',
  CallTimeout:
    'The endpoint accepted the connection but did not answer. Check the network route, proxy and firewall to the AWS endpoint (or the VPC endpoint), then retry.',
  TimeoutError: 'The endpoint did not answer in time. Check the network route, proxy and firewall to the AWS endpoint (or the VPC endpoint), then retry.',
  ETIMEDOUT: 'The endpoint did not answer in time. Check the network route, proxy and firewall to the AWS endpoint (or the VPC endpoint), then retry.',
};

/**
 * Codes that mean there are no usable credentials: none found by the SDK's
 * provider chain (`CredentialsProviderError`, `TokenProviderError` for an
 * SSO token), or expired or unknown ones (STS `ExpiredToken`,
 * `InvalidClientTokenId`; `ExpiredTokenException`/`UnrecognizedClientException`
 * from JSON-protocol services such as SSM).
 */
export const CREDENTIALS_CODES: ReadonlySet<string> = new Set([
  'CredentialsProviderError',
  'TokenProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
]);

/** What to do when credentials are missing or expired: the ways the SDK's default chain finds them. */
export const CREDENTIALS_HINT =
  'Give winami AWS credentials one of the ways the AWS SDK looks for them: a profile (--profile NAME or AWS_PROFILE, from ~/.aws/config and ~/.aws/credentials); ' +
  'the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, plus AWS_SESSION_TOKEN for temporary ones); ' +
  'IAM Identity Center (SSO): `aws sso login --profile NAME`, which also renews an expired session; ' +
  'a role: role_arn with source_profile in the profile, web identity (AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE), or the instance or container role where winami runs. ' +
  'Expired temporary credentials must be fetched again.';

/** The error code of an SDK exception (its `name`, or `Code` for older shapes). */
export function awsErrorCode(err: unknown): string | undefined {
  if (!err || typeof err !== 'object') return undefined;
  // Port errors are already wrapped: their `code` is winami's ('AWS'), the AWS code is `awsCode`.
  if (err instanceof AwsError) return err.awsCode;
  const e = err as { name?: unknown; Code?: unknown; code?: unknown; awsCode?: unknown };
  if (typeof e.awsCode === 'string') return e.awsCode;
  for (const v of [e.Code, e.code, e.name]) if (typeof v === 'string' && v !== 'Error') return v;
  return undefined;
}

/**
 * True when `err` carries one of these AWS error codes, however it arrives:
 * an SDK exception, or a port error wrapped as `AwsError` (its `awsCode`).
 * The one way winami asks "did AWS say X".
 */
export function isAwsCode(err: unknown, ...codes: string[]): boolean {
  const code = awsErrorCode(err);
  return code !== undefined && codes.includes(code);
}

export function isThrottling(err: unknown): boolean {
  const code = awsErrorCode(err);
  return code !== undefined && THROTTLING_CODES.has(code);
}

export function isEventuallyConsistent(err: unknown): boolean {
  const code = awsErrorCode(err);
  return code !== undefined && EVENTUALLY_CONSISTENT_CODES.has(code);
}

export function isAccessDenied(err: unknown): boolean {
  const code = awsErrorCode(err);
  return code !== undefined && ACCESS_DENIED_CODES.has(code);
}

/** The services behind winami's ports, by their IAM prefix. */
export type AwsService = 'ec2' | 'ssm' | 'sts' | 'iam' | 'kms' | 'organizations' | 'imagebuilder' | 's3';

/** S3 operations whose IAM action has another name (the S3 user guide's list of actions by operation). */
const S3_ACTIONS: Record<string, string> = { headBucket: 's3:ListBucket', deleteObjects: 's3:DeleteObject', listObjectsV2: 's3:ListBucket' };

/** `describeImages` → `DescribeImages`. */
export function operationName(method: string): string {
  return method.charAt(0).toUpperCase() + method.slice(1);
}

/** The IAM action for a port method, e.g. (`ec2`, `describeImages`) → `ec2:DescribeImages`. */
export function iamAction(service: AwsService, method: string): string {
  if (service === 's3' && S3_ACTIONS[method]) return S3_ACTIONS[method];
  return `${service}:${operationName(method)}`;
}

/**
 * Wrap an SDK exception in an `AwsError` naming the call, the resource and,
 * for access-denied errors, the IAM action to grant.
 */
export function toAwsError(service: AwsService, method: string, err: unknown, resource?: string): AwsError {
  if (err instanceof AwsError) return err;
  const code = awsErrorCode(err);
  const op = operationName(method);
  const raw = err instanceof Error ? err.message : String(err);
  const action = iamAction(service, method);
  const denied = code !== undefined && ACCESS_DENIED_CODES.has(code);
  const on = resource ? ` on ${resource}` : '';
  const hint =
    code && CREDENTIALS_CODES.has(code)
      ? CREDENTIALS_HINT
      : denied
        ? `Grant ${action} to the caller's IAM policy (see \`winami iam-policy\`).`
        : code && THROTTLING_CODES.has(code)
          ? 'EC2 throttled the account after retries; run fewer builds at once or raise the account limit.'
          : code && NETWORK_HINTS[code]
            ? NETWORK_HINTS[code]
            : undefined;
  return new AwsError(op, `${op}${on} failed: ${code ? `${code}: ` : ''}${raw}`, {
    ...(code === undefined ? {} : { awsCode: code }),
    ...(resource === undefined ? {} : { resource }),
    ...(denied ? { iamAction: action } : {}),
    ...(hint === undefined ? {} : { hint }),
    cause: err,
  });
}
