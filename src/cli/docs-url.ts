import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/package-root.js';

const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { homepage?: string };

/**
 * Where `--help` sends readers: package.json's `homepage`, and the README and
 * docs/ shipped inside the installed package, readable offline.
 */
export const DOCS_URL = `${pkg.homepage ?? 'README.md'} (offline: ${join(packageRoot(), 'README.md')} and ${join(packageRoot(), 'docs')}/)`;
