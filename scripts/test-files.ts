/**
 * The order `npm test` gives mocha its files (printed one per line): the
 * slowest first, so that no long file starts last and runs alone at the end
 * while the other workers have nothing left; then the rest in path order. A
 * file missing from the list simply runs among the rest.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot } from '../src/util/package-root.js';

/** The slowest files, slowest first (test time per file, measured in a whole run on a 2-core machine). */
const SLOWEST = [
  'integration/consistency-window',
  'integration/imagebuilder-bake',
  'integration/windows-update-bake',
  'integration/imagebuilder-finish',
  'integration/fast-launch-bake',
  'integration/bake-faults',
  'integration/package-tarball',
  'integration/automation-bake',
  'integration/sql-bake',
  'integration/bake-cancel',
  'integration/automation-s3',
  'integration/examples-bake',
  'integration/audit-report-browser',
  'integration/bake-cleanup',
  'integration/billing-cli',
  'emulator-tests/emulator-imagebuilder',
  'integration/prune-cli',
  'unit/engines/export',
  'emulator-tests/emulator-ssm-fidelity',
  'integration/imagebuilder-s3',
  'integration/bake-chaos',
  'emulator-tests/emulator-cli-session',
  'integration/bake-network',
  'unit/render/hostile-cli',
  'emulator-tests/emulator-automation',
  'emulator-tests/emulator-cli-session-iam',
  'integration/audit-organization',
  'integration/readme-emulator-bake',
];

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.js') ? [join(dir, e.name)] : [],
  );
}

/** Every compiled test file, relative to the package root, slowest first. */
function orderedTestFiles(root = packageRoot()): string[] {
  const all = testFiles(join(root, 'dist', 'test'))
    .map((f) => relative(root, f))
    .sort();
  const first = SLOWEST.map((f) => `dist/test/${f}.test.js`).filter((f) => all.includes(f));
  return [...first, ...all.filter((f) => !first.includes(f))];
}

process.stdout.write(`${orderedTestFiles().join('\n')}\n`);
