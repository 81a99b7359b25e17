/**
 * The bake-time check of the source image against the `sql` section. The
 * config loader can only read an edition from a source it can name (an SSM
 * public parameter or a name filter); for `source: { ami: … }` only the
 * resolved image tells, so the bake runs this after DescribeImages and stops
 * in preflight, before launching anything, when it fails.
 */
import type { Image } from '@aws-sdk/client-ec2';
import { ConfigError, type Issue } from '../errors.js';
import type { ResolvedConfig } from '../config/types.js';
import { sqlEditionInName } from '../config/resolve.js';
import { EXPECTATIONS, SQL_EDITION_BILLING, type SqlEdition } from '../knowledge/billing.js';

/** SQL editions AWS bills with their own code on a license-included Windows image. */
const SQL_BILLED = new Set(['windows-sql-web', 'windows-sql-standard', 'windows-sql-enterprise']);

/** Every mismatch between the source image (name and billing fields) and the config's `sql` section. */
export function sourceSqlIssues(config: ResolvedConfig, image: Pick<Image, 'ImageId' | 'Name' | 'PlatformDetails' | 'UsageOperation'>): Issue[] {
  const sql = config.sql;
  if (!sql) return [];
  const issues: Issue[] = [];
  const label = `${image.ImageId ?? 'source'} "${image.Name ?? ''}"`;
  const found = image.Name ? sqlEditionInName(image.Name) : undefined;
  const billedAs = Object.entries(EXPECTATIONS).find(
    ([name, code]) => SQL_BILLED.has(name) && code.platformDetails === image.PlatformDetails && code.usageOperation === image.UsageOperation,
  )?.[0];
  if (sql.mode === 'license-included') {
    const expected = EXPECTATIONS[SQL_EDITION_BILLING[sql.edition as SqlEdition]];
    if (!found) {
      issues.push({ path: 'source', message: `sql.mode is license-included but the source ${label} is not a "Windows with SQL Server" image` });
    } else if (found.edition !== sql.edition || found.version !== sql.version) {
      issues.push({
        path: 'sql.edition',
        message: `declares SQL Server ${sql.version} ${sql.edition} but the source ${label} is SQL Server ${found.version} ${found.edition}`,
        hint: 'make sql.version and sql.edition match the source image, or change the source',
      });
    }
    if (image.PlatformDetails !== expected.platformDetails || image.UsageOperation !== expected.usageOperation) {
      issues.push({
        path: 'sql.edition',
        message: `SQL Server ${sql.edition} license-included bills as "${expected.platformDetails}" (${expected.usageOperation}) but the source ${label} bills as "${image.PlatformDetails ?? ''}" (${image.UsageOperation ?? ''})`,
        hint: 'the image would inherit the source billing: pick a source of the declared edition',
      });
    }
  } else if (found || billedAs) {
    issues.push({
      path: 'source',
      message: `byol-prepare installs SQL Server itself, but the source ${label} already has license-included SQL Server (billed as "${image.PlatformDetails ?? ''}")`,
      hint: 'use a plain Windows source image',
    });
  } else {
    // The image inherits the source's billing, so sql.licensing must be what the source already is.
    const expected = EXPECTATIONS[sql.licensing as 'windows' | 'windows-byol'];
    if (image.PlatformDetails !== expected.platformDetails || image.UsageOperation !== expected.usageOperation) {
      issues.push({
        path: 'sql.licensing',
        message: `sql.licensing ${sql.licensing} bills as "${expected.platformDetails}" (${expected.usageOperation}) but the source ${label} bills as "${image.PlatformDetails ?? ''}" (${image.UsageOperation ?? ''}), and the image would inherit that`,
        hint:
          sql.licensing === 'windows-byol'
            ? 'start from a Windows BYOL image (imported with your own license), or set sql.licensing: windows'
            : 'start from a license-included Windows image, or set sql.licensing: windows-byol',
      });
    }
  }
  return issues;
}

/** Throw a `ConfigError` (the same exit code as the loader's refusal) listing every issue `sourceSqlIssues` finds. */
export function assertSourceMatchesSql(config: ResolvedConfig, image: Pick<Image, 'ImageId' | 'Name' | 'PlatformDetails' | 'UsageOperation'>): void {
  const issues = sourceSqlIssues(config, image);
  if (issues.length) {
    throw new ConfigError(`the source image does not match the sql section of ${config.name}`, issues, {
      hint: 'fix sql.version / sql.edition or the source, then bake again',
      data: { imageId: image.ImageId, name: image.Name },
    });
  }
}
