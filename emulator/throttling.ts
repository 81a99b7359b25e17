/**
 * EC2 request token buckets per account, region and action, from "Request
 * throttling for the Amazon EC2 API"
 * (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html),
 * domain-facts §8.2. Used by the emulator to throttle as EC2 does and by
 * benchmarks to compute the bound an audit cannot beat.
 */

export interface Bucket {
  capacity: number;
  refillPerSecond: number;
}

export const THROTTLING_SOURCE = 'https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html';

/** Actions with a bucket of their own. */
export const ACTION_BUCKETS: Readonly<Record<string, Bucket>> = {
  CopyImage: { capacity: 100, refillPerSecond: 1 },
  DeregisterImage: { capacity: 100, refillPerSecond: 5 },
  ModifyImageAttribute: { capacity: 100, refillPerSecond: 5 },
  CreateTags: { capacity: 100, refillPerSecond: 10 },
  DeleteTags: { capacity: 100, refillPerSecond: 10 },
  CreateSnapshot: { capacity: 100, refillPerSecond: 5 },
  DeleteSnapshot: { capacity: 100, refillPerSecond: 5 },
  ModifySnapshotAttribute: { capacity: 100, refillPerSecond: 5 },
  RunInstances: { capacity: 5, refillPerSecond: 2 },
  StartInstances: { capacity: 5, refillPerSecond: 2 },
  TerminateInstances: { capacity: 100, refillPerSecond: 5 },
  AssociateIamInstanceProfile: { capacity: 100, refillPerSecond: 5 },
  ModifyInstanceMetadataOptions: { capacity: 100, refillPerSecond: 5 },
  CreateStoreImageTask: { capacity: 50, refillPerSecond: 0.1 },
  CreateRestoreImageTask: { capacity: 50, refillPerSecond: 0.1 },
  EnableFastLaunch: { capacity: 5, refillPerSecond: 2 },
  DisableFastLaunch: { capacity: 5, refillPerSecond: 2 },
};

/** Category buckets. */
export const CATEGORY_BUCKETS = {
  nonMutating: { capacity: 100, refillPerSecond: 20 },
  unfilteredNonMutating: { capacity: 50, refillPerSecond: 10 },
  mutating: { capacity: 50, refillPerSecond: 5 },
} as const satisfies Record<string, Bucket>;

/** Actions that use the smaller bucket when called with neither a filter nor pagination. */
export const UNFILTERED_ACTIONS: ReadonlySet<string> = new Set([
  'DescribeInstances',
  'DescribeInstanceStatus',
  'DescribeNetworkInterfaces',
  'DescribeSecurityGroups',
  'DescribeSnapshots',
  'DescribeSpotInstanceRequests',
  'DescribeVolumes',
]);

/** Resource-rate buckets, drained by the number of instances a call affects. */
export const RESOURCE_BUCKETS: Readonly<Record<string, Bucket>> = {
  RunInstances: { capacity: 1000, refillPerSecond: 2 },
  TerminateInstances: { capacity: 1000, refillPerSecond: 20 },
  StartInstances: { capacity: 1000, refillPerSecond: 2 },
  StopInstances: { capacity: 1000, refillPerSecond: 20 },
};

const NON_MUTATING = /^(Describe|List|Search|Get)/;

/** The bucket a call draws from, and its key (calls with the same key share a bucket). */
export function bucketFor(action: string, filteredOrPaginated: boolean): { key: string; bucket: Bucket } {
  const own = ACTION_BUCKETS[action];
  if (own) return { key: action, bucket: own };
  if (NON_MUTATING.test(action)) {
    if (UNFILTERED_ACTIONS.has(action) && !filteredOrPaginated) return { key: `unfiltered:${action}`, bucket: CATEGORY_BUCKETS.unfilteredNonMutating };
    return { key: action, bucket: CATEGORY_BUCKETS.nonMutating };
  }
  return { key: action, bucket: CATEGORY_BUCKETS.mutating };
}

/**
 * SSM request buckets per account and region. SSM answers an empty bucket with
 * HTTP 400 `ThrottlingException` "Rate exceeded" (botocore ssm model
 * `ThrottlingException`; the message as the AWS CLI and SDKs print it, e.g.
 * aws/aws-sdk-js-v3#4350, aws-solutions/instance-scheduler-on-aws#284 "Status
 * Code: 400; Error Code: ThrottlingException").
 */
export const SSM_THROTTLING_SOURCE = 'https://docs.aws.amazon.com/general/latest/gr/ssm.html';

/**
 * Parameter Store's default ("standard") throughput: 40 transactions per
 * second shared by GetParameter, GetParameters and GetParametersByPath
 * (Systems Manager service quotas, "Max throughput"; quoted 2022 by
 * dev.classmethod.jp). The burst is not published: one second's worth.
 */
export const SSM_PARAMETER_READ_BUCKET: Bucket = { capacity: 40, refillPerSecond: 40 };

/** SSM actions sharing the Parameter Store read quota. */
export const SSM_PARAMETER_READS: ReadonlySet<string> = new Set(['GetParameter', 'GetParameters', 'GetParametersByPath']);

/**
 * SSM actions with a bucket of their own. PutParameter: 3 TPS at standard
 * throughput, which AWS Support gave in
 * github-aws-runners/terraform-aws-github-runner#2944 (not in AWS's quota
 * tables; second-hand).
 */
export const SSM_ACTION_BUCKETS: Readonly<Record<string, Bucket>> = {
  PutParameter: { capacity: 3, refillPerSecond: 3 },
};

/**
 * Every other SSM action (SendCommand, GetCommandInvocation,
 * ListCommand(Invocation)s, DescribeInstanceInformation …): AWS publishes no
 * per-API rate for these (searched: the quotas page lists Parameter Store
 * throughput only). Assumed like EC2's non-mutating bucket, per action.
 */
export const SSM_DEFAULT_BUCKET: Bucket = { capacity: 100, refillPerSecond: 20 };

/** The SSM bucket a call draws from, and its key (calls with the same key share a bucket). */
export function ssmBucketFor(action: string): { key: string; bucket: Bucket } {
  if (SSM_PARAMETER_READS.has(action)) return { key: 'ssm:parameter-read', bucket: SSM_PARAMETER_READ_BUCKET };
  const own = SSM_ACTION_BUCKETS[action];
  return { key: `ssm:${action}`, bucket: own ?? SSM_DEFAULT_BUCKET };
}
