/**
 * Build step (run by `npm run build` after tsc and the template
 * precompilation): bundles the compiled CLI, `dist/src/cli/main.js`, into
 * `dist/cli/winami.js`, the `bin` of the package. One file instead of a few
 * hundred modules is most of what `winami prepare` spends starting up.
 *
 * Each command's library code goes into a chunk of its own, loaded only when
 * that command runs. The AWS SDK stays external, so it is still resolved from
 * node_modules and only by commands that call AWS. web-tree-sitter and
 * tree-sitter-powershell stay external because they locate their wasm files
 * beside their own modules. Files winami reads at run time (package.json,
 * templates/) are found by `packageRoot()`, which walks up from the bundle.
 */
import { chmodSync, existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { packageRoot } from '../src/util/package-root.js';

// package.json's `bin` points at winami.js in here.
const BUNDLE_DIR = join(packageRoot(), 'dist', 'cli');

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

const root = packageRoot();
// Built beside the old bundle and swapped in, so a CLI already running keeps its chunks.
const staging = `${BUNDLE_DIR}.new-${process.pid}`;
const old = `${BUNDLE_DIR}.old-${process.pid}`;
rmSync(staging, { recursive: true, force: true });
const result = await build({
  entryPoints: { winami: join(root, 'dist', 'src', 'cli', 'main.js') },
  outdir: staging,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  external: ['@aws-sdk/*', 'web-tree-sitter', 'tree-sitter-powershell'],
  // CommonJS dependencies (handlebars, yargs' helpers) call require() for Node's own modules.
  banner: { js: "import { createRequire as __winamiCreateRequire } from 'node:module'; const require = __winamiCreateRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  plugins: [zodEnglishOnly, plainTextWidth],
});
chmodSync(join(staging, 'winami.js'), 0o755);
if (existsSync(BUNDLE_DIR)) renameSync(BUNDLE_DIR, old);
renameSync(staging, BUNDLE_DIR);
rmSync(old, { recursive: true, force: true });
const outputs = Object.entries(result.metafile.outputs);
const bytes = outputs.reduce((n, [, o]) => n + o.bytes, 0);
process.stdout.write(`bundled the CLI into ${join(BUNDLE_DIR, 'winami.js')} (${outputs.length} files, ${Math.round(bytes / 1024)} KiB)\n`);
