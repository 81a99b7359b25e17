/** The audit result as one JSON document; control and bidi characters are `\uXXXX` escapes, so values parse back exactly. */
import { sortFindings, type AuditResult } from '../result.js';
import { safeJson } from '../../util/visible-text.js';
import type { Finding } from '../types.js';

export function formatJson(result: AuditResult): string {
  return `${safeJson({ ...result, findings: sortFindings(result.findings) }, 2)}\n`;
}

/** The opening of a streamed JSON report, up to its findings array. */
export const JSON_HEAD = '{\n  "findings": [';

/** One finding of a streamed JSON report; `first` says whether a comma goes before it. */
export function jsonItem(f: Finding, first: boolean): string {
  return `${first ? '' : ','}\n    ${safeJson(f, 2).replace(/\n/g, '\n    ')}`;
}

/** The rest of a streamed JSON report: every other field of the result, as `formatJson` writes them. */
export function jsonTail(result: AuditResult, anyFinding: boolean): string {
  const { findings: _f, ...rest } = result;
  const body = safeJson(rest, 2);
  return `${anyFinding ? '\n  ' : ''}],\n${body.slice(2)}\n`;
}
