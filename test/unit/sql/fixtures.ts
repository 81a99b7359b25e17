/** Config builders for the SQL tests: small YAML documents parsed by the real loader. */
import { parseConfig } from '../../../src/config/load.js';
import type { ResolvedConfig } from '../../../src/config/types.js';

/** A byol-prepare config; `sql` lines are merged over the defaults below. */
export function byolConfig(over: Record<string, string> = {}, release = '2022'): ResolvedConfig {
  const sql: Record<string, string> = {
    mode: 'byol-prepare',
    version: '"2022"',
    edition: 'standard',
    media: 's3://media-bucket/sql/SQLServer2022-x64-ENU.iso',
    productKey: 'ssm:/winami/sql/product-key',
    ...over,
  };
  const lines = Object.entries(sql)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `  ${k}: ${v}`);
  return parseConfig([`name: sql-byol`, `region: us-east-1`, `windows:`, `  release: "${release}"`, `sql:`, ...lines].join('\n'));
}

/** A license-included config for an AWS "Windows with SQL Server" source. */
export function licenseIncludedConfig(edition = 'standard', release = '2022', instanceName?: string): ResolvedConfig {
  return parseConfig(
    [
      `name: sql-li`,
      `region: us-east-1`,
      `windows:`,
      `  release: "${release}"`,
      `sql:`,
      `  mode: license-included`,
      `  version: "2022"`,
      `  edition: ${edition}`,
      ...(instanceName ? [`  instanceName: ${instanceName}`] : []),
    ].join('\n'),
  );
}

/** A config without a sql section. */
export function plainConfig(): ResolvedConfig {
  return parseConfig(['name: plain', 'region: us-east-1', 'windows:', '  release: "2022"'].join('\n'));
}
