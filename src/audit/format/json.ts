/** The audit result as one JSON document (JSON.stringify escapes every string). */
import { sortFindings, type AuditResult } from '../result.js';

export function formatJson(result: AuditResult): string {
  return `${JSON.stringify({ ...result, findings: sortFindings(result.findings) }, null, 2)}\n`;
}
