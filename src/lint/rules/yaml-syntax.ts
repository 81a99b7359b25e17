/** yaml-syntax: the YAML parser's errors. */
import type { Rule } from '../types.js';

export const yamlSyntax: Rule = (ctx) => (ctx.tree?.errors ?? []).map((e) => ({ message: `YAML syntax: ${e.message}`, line: e.line, column: e.column }));
