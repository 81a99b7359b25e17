/** Output formats of an audit, by name. */
import type { AuditResult } from '../result.js';
import { formatCsv } from './csv.js';
import { formatHtml } from './html.js';
import { formatJson } from './json.js';
import { formatSarif } from './sarif.js';
import { formatTable } from './table.js';

export const AUDIT_FORMATS = ['table', 'json', 'csv', 'html', 'sarif'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

/** Render a result in a format. */
export function formatAudit(result: AuditResult, format: AuditFormat, options: { width?: number; toolVersion?: string; wrap?: boolean } = {}): string {
  switch (format) {
    case 'json':
      return formatJson(result);
    case 'csv':
      return formatCsv(result);
    case 'html':
      return formatHtml(result);
    case 'sarif':
      return formatSarif(result, options.toolVersion);
    case 'table':
      return formatTable(result, options.width, options.wrap);
  }
}

export { formatCsv, formatHtml, formatJson, formatSarif, formatTable };
