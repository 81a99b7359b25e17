/** Writes schema/winami.schema.json from the zod schema (`npm run schema`). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configJsonSchema } from '../src/config/json-schema.js';
import { packageRoot } from '../src/util/package-root.js';

const target = join(packageRoot(), 'schema', 'winami.schema.json');
writeFileSync(target, configJsonSchema());
process.stdout.write(`wrote ${target}\n`);
