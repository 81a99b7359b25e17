/**
 * Escaping for each output format. Everything that came from AWS (names, tags,
 * descriptions) is user-generated: control and bidi characters are shown as
 * visible `\uXXXX` in text formats (src/util/visible-text.ts) before the
 * format's own escaping.
 */
import { visibleLine, visibleText } from '../../util/visible-text.js';

/** Text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return visibleText(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * One CSV field (RFC 4180). A value a spreadsheet would run as a formula
 * (leading `=`, `+`, `-`, `@`, tab or CR) is prefixed with `'` (OWASP CSV
 * injection advice); fields with commas, quotes or line breaks are quoted.
 */
export function escapeCsv(value: unknown): string {
  let s = value === null || value === undefined ? '' : visibleText(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Control characters and line breaks out of a single-line terminal cell. */
export function oneLine(value: unknown): string {
  return visibleLine(value);
}
