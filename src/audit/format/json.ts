/** The audit result as one JSON document; control and bidi characters are `\uXXXX` escapes, so values parse back exactly. */
import { sortFindings, type AuditResult } from '../result.js';
import { safeJson } from '../../util/visible-text.js';

export function formatJson(result: AuditResult): string {
  return `${safeJson({ ...result, findings: sortFindings(result.findings) }, 2)}\n`;
}
