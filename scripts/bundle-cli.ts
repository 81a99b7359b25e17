/**
 * Build step (run by `npm run build` after tsc and the template
 * precompilation): bundles the compiled CLI, `dist/src/cli/main.js`, into one
 * CommonJS file, `dist/cli/winami.cjs`, and records V8's code cache for it,
 * `dist/cli/winami.cjs.cache`, by running the bundle once (a prepare of an
 * example). The `winami` bin (src/cli/launcher.ts) runs the bundle with that
 * cache (src/cli/run-bundle.ts). One file instead of a few hundred modules,
 * and compiled code instead of source, are most of what `winami prepare`
 * spent starting up.
 *
 * The AWS SDK (and the Smithy runtime under it) stays external, so it is still resolved from node_modules and
 * only by commands that call AWS. tree-sitter's runtime wasm is resolved from
 * node_modules and the PowerShell grammar from dist/grammar (copied there by
 * scripts/vendor-grammar.ts) by src/powershell/parse.ts; files winami reads at run time (package.json,
 * templates/sql) are found by `packageRoot()`, which walks up from the
 * bundle.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { codeCachePath } from '../src/cli/run-bundle.js';
import { packageRoot } from '../src/util/package-root.js';

const root = packageRoot();
// src/cli/launcher.ts runs winami.cjs in here.
const BUNDLE_DIR = join(root, 'dist', 'cli');
/** The config the build runs once to record the code cache (not the one the bench times). */
const WARM_UP_CONFIG = join(root, 'examples', 'windows-2025-base.yaml');

/**
 * zod re-exports all of its ~80 locales (a third of its code) from its main
 * entry; winami only ever uses the English messages zod installs by default,
 * so the bundle's `z.locales` holds English alone.
 */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: join(args.resolveDir, '..', 'locales', 'en.js'), namespace: 'zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: root,
    }));
  },
};

/**
 * yargs and cliui measure help text with `string-width`, which builds
 * Unicode-property regular expressions at load (~30 ms per start); the
 * bundle uses src/cli/text-width.ts instead (winami's help is plain text;
 * test/unit/render/bundle-cli.test.ts checks the help reads the same).
 */
const plainTextWidth: Plugin = {
  name: 'plain-text-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, () => ({ path: join(root, 'dist', 'src', 'cli', 'text-width.js') }));
  },
};

/**
 * web-tree-sitter's ESM build loads `module` with `await import()` into a
 * function-scoped `var require`, which shadows CommonJS's once import() is
 * compiled to require(); its CommonJS build is the same code without that.
 */
const treeSitterCommonJs: Plugin = {
  name: 'web-tree-sitter-cjs',
  setup(b) {
    b.onResolve({ filter: /^web-tree-sitter$/ }, () => ({ path: join(root, 'node_modules', 'web-tree-sitter', 'web-tree-sitter.cjs') }));
  },
};

// Built beside the old bundle and swapped in, so a CLI already running is not cut short
// (until the cache below is recorded, the bin compiles the bundle from source).
const staging = `${BUNDLE_DIR}.new-${process.pid}`;
const old = `${BUNDLE_DIR}.old-${process.pid}`;
const bundle = join(staging, 'winami.cjs');
rmSync(staging, { recursive: true, force: true });
const result = await build({
  entryPoints: [join(root, 'dist', 'src', 'cli', 'main.js')],
  outfile: bundle,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // Commands' lazy import()s become lazily run module bodies; externals are require()d (run-bundle.ts runs the bundle as CommonJS).
  supported: { 'dynamic-import': false },
  external: ['@aws-sdk/*', '@smithy/*'],
  define: { 'import.meta.url': '__winamiBundleUrl' },
  banner: { js: "var __winamiBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  legalComments: 'none',
  logLevel: 'warning',
  write: false,
  plugins: [zodEnglishOnly, plainTextWidth, treeSitterCommonJs],
});
const output = result.outputFiles[0]!;
mkdirSync(staging, { recursive: true });
// main.ts's #! line is not JavaScript inside the CommonJS wrapper; the bin has its own.
writeFileSync(bundle, output.text.replace(/^#!.*\n/, ''));

if (existsSync(BUNDLE_DIR)) renameSync(BUNDLE_DIR, old);
renameSync(staging, BUNDLE_DIR);
rmSync(old, { recursive: true, force: true });

// Record the code cache where the bin will load the bundle from (V8 keeps the script's name in it):
// run the bundle once, as the bin would, writing the cache at exit.
const finalBundle = join(BUNDLE_DIR, 'winami.cjs');
const out = mkdtempSync(join(tmpdir(), 'winami-warm-up-'));
try {
  const runner = pathToFileURL(join(root, 'dist', 'src', 'cli', 'run-bundle.js')).href;
  const args = ['prepare', WARM_UP_CONFIG, '--out', join(out, 'bundle'), '--quiet'];
  const code = `process.argv = [process.argv[0], 'winami', ...${JSON.stringify(args)}]; const { runBundle } = await import(${JSON.stringify(runner)}); runBundle(${JSON.stringify(finalBundle)}, { writeCache: true });`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(codeCachePath(finalBundle))) throw new Error(`recording the code cache failed (exit ${r.status}): ${r.stderr}`);
} finally {
  rmSync(out, { recursive: true, force: true });
}

const bytes = statSync(finalBundle).size;
const cacheBytes = statSync(codeCachePath(finalBundle)).size;
process.stdout.write(
  `bundled the CLI into ${join(BUNDLE_DIR, 'winami.cjs')} (${Math.round(bytes / 1024)} KiB, code cache ${Math.round(cacheBytes / 1024)} KiB)\n`,
);
