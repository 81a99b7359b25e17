/**
 * EC2 Fast Launch for Windows AMIs: the documented limits and the basis of
 * winami's estimate of what the pre-provisioned snapshots cost.
 */

/** EnableFastLaunch's MaxParallelLaunches: "Value must be 6 or greater." (EC2 API reference, EnableFastLaunch). */
export const MIN_PARALLEL_LAUNCHES = 6;

/**
 * The default Service Quota for max parallel launches across all AMIs of an
 * account, per region (EC2 User Guide, "EC2 Fast Launch prerequisites": "The
 * default quota for Max parallel launches across all AMIs in an account is 40
 * per Region"). A config above it is refused; a quota raised by request is the
 * user's to check.
 */
export const DEFAULT_PARALLEL_LAUNCH_QUOTA = 40;

/**
 * EBS snapshot storage, Standard tier, USD per GB-month in us-east-1, as listed
 * on https://aws.amazon.com/ebs/pricing/ (UNCONFIRMED here: the price page was
 * not fetched; prices differ by region and change). Each pre-provisioned
 * snapshot is a snapshot of a volume that went through Sysprep specialize and
 * OOBE (EC2 User Guide, "Use EC2 Fast Launch for your Windows instances"); the
 * Standard tier bills the blocks stored, at most the volume's size, so the
 * estimate is an upper bound. The temporary t3 instances that make the
 * snapshots are billed as instances and are not in the estimate.
 */
export const SNAPSHOT_USD_PER_GB_MONTH = 0.05;

export const FAST_LAUNCH_PRICING_BASIS =
  'upper bound: targetResourceCount × root volume GiB × USD 0.05 per GB-month (EBS snapshot Standard tier, us-east-1, https://aws.amazon.com/ebs/pricing/); snapshots bill stored blocks only, prices vary by region, and the temporary t3 instances that make the snapshots are billed separately';

/** The estimated monthly cost, in USD, of one region's pre-provisioned snapshots. */
export function fastLaunchMonthlyUsd(targetResourceCount: number, rootVolumeGiB: number): number {
  return Math.round(targetResourceCount * rootVolumeGiB * SNAPSHOT_USD_PER_GB_MONTH * 100) / 100;
}
