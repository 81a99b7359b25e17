/** Findings as CSV, one row per finding, evidence as a JSON column. Formula-looking cells are neutralised. */
import { sortFindings, type AuditResult } from '../result.js';
import { escapeCsv } from './escape.js';
import { safeJson } from '../../util/visible-text.js';

export const CSV_COLUMNS = ['severity', 'rule', 'account', 'region', 'resource_type', 'resource_id', 'message', 'platform_details', 'usage_operation', 'name', 'time', 'evidence'] as const;

export function formatCsv(result: AuditResult): string {
  const rows = sortFindings(result.findings).map((f) =>
    [f.severity, f.ruleId, f.account, f.region, f.resourceType, f.resourceId, f.message, f.evidence.platformDetails, f.evidence.usageOperation, f.evidence.name, f.time, safeJson(f.evidence)]
      .map(escapeCsv)
      .join(','),
  );
  return `${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}
