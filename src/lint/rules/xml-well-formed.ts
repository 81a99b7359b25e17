/** xml-well-formed: the scanner's first error, if any. */
import type { Rule } from '../types.js';

export const xmlWellFormed: Rule = (ctx) => {
  const e = ctx.xml?.error;
  return e ? [{ message: `Malformed XML: ${e.message}`, line: e.line, column: e.column }] : [];
};
