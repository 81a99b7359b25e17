/** Findings as CSV, one row per finding, evidence as a JSON column. Formula-looking cells are neutralised. */
import { sortFindings, type AuditResult } from '../result.js';
import { escapeCsv } from './escape.js';
import type { Finding } from '../types.js';
import { safeJson } from '../../util/visible-text.js';

export const CSV_COLUMNS = [
  'severity',
  'rule',
  'account',
  'region',
  'resource_type',
  'resource_id',
  'message',
  'platform_details',
  'usage_operation',
  'name',
  'time',
  'evidence',
] as const;

/** The header line (with CRLF). */
export const CSV_HEAD = `${CSV_COLUMNS.join(',')}\r\n`;

/** One finding's row (with CRLF). */
export function csvRow(f: Finding): string {
  return `${[f.severity, f.ruleId, f.account, f.region, f.resourceType, f.resourceId, f.message, f.evidence.platformDetails, f.evidence.usageOperation, f.evidence.name, f.time, safeJson(f.evidence)].map(escapeCsv).join(',')}\r\n`;
}

export function formatCsv(result: AuditResult): string {
  return CSV_HEAD + sortFindings(result.findings).map(csvRow).join('');
}
