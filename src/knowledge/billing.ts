/**
 * EC2 billing fields. `PlatformDetails` ↔ `UsageOperation`, from the EC2 User
 * Guide page "AMI billing information fields"
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/billing-info-fields.html),
 * domain-facts §7.1. AWS calls its table a sample, not exhaustive: a pair not
 * listed here is "unknown", not "wrong".
 */

export const BILLING_SOURCE = 'https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/billing-info-fields.html';

export interface BillingCode {
  platformDetails: string;
  usageOperation: string;
}

export const BILLING_TABLE = [
  { platformDetails: 'Linux/UNIX', usageOperation: 'RunInstances' },
  { platformDetails: 'Red Hat BYOL Linux', usageOperation: 'RunInstances:00g0' },
  { platformDetails: 'Red Hat Enterprise Linux', usageOperation: 'RunInstances:0010' },
  { platformDetails: 'Red Hat Enterprise Linux with HA', usageOperation: 'RunInstances:1010' },
  { platformDetails: 'Red Hat Enterprise Linux with SQL Server Standard and HA', usageOperation: 'RunInstances:1014' },
  { platformDetails: 'Red Hat Enterprise Linux with SQL Server Enterprise and HA', usageOperation: 'RunInstances:1110' },
  { platformDetails: 'Red Hat Enterprise Linux with SQL Server Standard', usageOperation: 'RunInstances:0014' },
  { platformDetails: 'Red Hat Enterprise Linux with SQL Server Web', usageOperation: 'RunInstances:0210' },
  { platformDetails: 'Red Hat Enterprise Linux with SQL Server Enterprise', usageOperation: 'RunInstances:0110' },
  { platformDetails: 'SQL Server Enterprise', usageOperation: 'RunInstances:0100' },
  { platformDetails: 'SQL Server Standard', usageOperation: 'RunInstances:0004' },
  { platformDetails: 'SQL Server Web', usageOperation: 'RunInstances:0200' },
  { platformDetails: 'SUSE Linux', usageOperation: 'RunInstances:000g' },
  { platformDetails: 'Ubuntu Pro', usageOperation: 'RunInstances:0g00' },
  { platformDetails: 'Windows', usageOperation: 'RunInstances:0002' },
  { platformDetails: 'Windows BYOL', usageOperation: 'RunInstances:0800' },
  { platformDetails: 'Windows with SQL Server Enterprise', usageOperation: 'RunInstances:0102' },
  { platformDetails: 'Windows with SQL Server Standard', usageOperation: 'RunInstances:0006' },
  { platformDetails: 'Windows with SQL Server Web', usageOperation: 'RunInstances:0202' },
] as const satisfies readonly BillingCode[];

/** Named expectations a config, a tag (`winami:expect`) or `--expect` can use. */
export const EXPECTATIONS = {
  windows: { platformDetails: 'Windows', usageOperation: 'RunInstances:0002' },
  'windows-byol': { platformDetails: 'Windows BYOL', usageOperation: 'RunInstances:0800' },
  'windows-sql-web': { platformDetails: 'Windows with SQL Server Web', usageOperation: 'RunInstances:0202' },
  'windows-sql-standard': { platformDetails: 'Windows with SQL Server Standard', usageOperation: 'RunInstances:0006' },
  'windows-sql-enterprise': { platformDetails: 'Windows with SQL Server Enterprise', usageOperation: 'RunInstances:0102' },
  linux: { platformDetails: 'Linux/UNIX', usageOperation: 'RunInstances' },
  rhel: { platformDetails: 'Red Hat Enterprise Linux', usageOperation: 'RunInstances:0010' },
  'rhel-byol': { platformDetails: 'Red Hat BYOL Linux', usageOperation: 'RunInstances:00g0' },
  suse: { platformDetails: 'SUSE Linux', usageOperation: 'RunInstances:000g' },
  'ubuntu-pro': { platformDetails: 'Ubuntu Pro', usageOperation: 'RunInstances:0g00' },
} as const satisfies Record<string, BillingCode>;

export type ExpectationName = keyof typeof EXPECTATIONS;
export const EXPECTATION_NAMES = Object.keys(EXPECTATIONS) as ExpectationName[];

/** The table's UsageOperation for a PlatformDetails value, if listed. */
export function usageOperationFor(platformDetails: string): string | undefined {
  return BILLING_TABLE.find((row) => row.platformDetails === platformDetails)?.usageOperation;
}

/** The table's PlatformDetails for a UsageOperation value, if listed. */
export function platformDetailsFor(usageOperation: string): string | undefined {
  return BILLING_TABLE.find((row) => row.usageOperation === usageOperation)?.platformDetails;
}

/** SQL Server editions and what a license-included Windows image of each bills as (domain-facts §7.1, §11). */
export const SQL_EDITION_BILLING = {
  express: 'windows',
  developer: 'windows',
  web: 'windows-sql-web',
  standard: 'windows-sql-standard',
  enterprise: 'windows-sql-enterprise',
} as const satisfies Record<string, ExpectationName>;

export type SqlEdition = keyof typeof SQL_EDITION_BILLING;
export const SQL_EDITIONS = Object.keys(SQL_EDITION_BILLING) as SqlEdition[];
