#!/usr/bin/env node
/**
 * The `winami` executable (package.json `bin`). `--version` is answered
 * here; anything else runs the bundled CLI with its code cache
 * (run-bundle.ts), or the unbundled `main.js` when no bundle was built (a
 * plain `tsc`).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const bundle = fileURLToPath(new URL('../../cli/winami.cjs', import.meta.url));
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  const { VERSION } = await import('./version.js');
  process.stdout.write(`${VERSION}\n`);
} else if (existsSync(bundle)) {
  const { runBundle } = await import('./run-bundle.js');
  runBundle(bundle);
} else {
  await import('./main.js');
}
