/** json-syntax: the JSON parser's errors. */
import type { Rule } from '../types.js';

export const jsonSyntax: Rule = (ctx) =>
  (ctx.tree?.errors ?? []).map((e) => ({
    message: e.message.startsWith('Invalid JSON') ? e.message : `JSON syntax: ${e.message}`,
    line: e.line,
    column: e.column,
  }));
