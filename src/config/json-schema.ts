/**
 * The JSON Schema editors use to complete and check configs, generated from
 * the zod schema (input side: what users write). Shipped as
 * `schema/winami.schema.json`; a test fails when it is out of date.
 */
import { z } from 'zod';
import { configSchema } from './schema.js';

export const SCHEMA_ID = 'https://github.com/winami/winami/schema/winami.schema.json';

/** The config's JSON Schema (draft 2020-12), as a formatted string ending in a newline. */
export function configJsonSchema(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return `${JSON.stringify({ $id: SCHEMA_ID, title: 'winami image config', ...schema }, null, 2)}\n`;
}
