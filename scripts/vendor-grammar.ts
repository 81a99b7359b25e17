/**
 * Build step: copies the PowerShell grammar's WebAssembly build (and its MIT
 * licence) from the tree-sitter-powershell devDependency into
 * `dist/grammar/`, which the package ships. winami only needs that .wasm
 * file (src/powershell/parse.ts loads it with web-tree-sitter); depending on
 * tree-sitter-powershell at run time would install its native bindings too,
 * and its `install: node-gyp-build` script makes npm warn at every install
 * of winami.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageRoot } from '../src/util/package-root.js';

const require = createRequire(import.meta.url);
const from = dirname(require.resolve('tree-sitter-powershell/package.json'));
const to = join(packageRoot(), 'dist', 'grammar');
mkdirSync(to, { recursive: true });
copyFileSync(join(from, 'tree-sitter-powershell.wasm'), join(to, 'tree-sitter-powershell.wasm'));
copyFileSync(join(from, 'LICENSE'), join(to, 'LICENSE.tree-sitter-powershell'));
process.stdout.write(`copied the PowerShell grammar into ${to}\n`);
