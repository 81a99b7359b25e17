/**
 * PowerShell syntax checking with tree-sitter-powershell's bundled WebAssembly
 * grammar, so scripts are checked on any OS without PowerShell installed.
 */
import { createRequire } from 'node:module';
import { Language, Parser, type Node } from 'web-tree-sitter';
import { applyWasmFlags } from './wasm-flags.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/package-root.js';

export interface PowerShellSyntaxError {
  line: number;
  column: number;
  /** The offending source text, cut to 80 characters. */
  text: string;
  kind: 'error' | 'missing';
}

let parserPromise: Promise<Parser> | undefined;

/** One shared parser; loading the grammar costs ~30 ms, so it is done once and lazily. */
export function powershellParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    const require = createRequire(import.meta.url);
    applyWasmFlags();
    // Named here, not found beside web-tree-sitter's module: the bundled CLI carries that module.
    const runtimeWasm = require.resolve('web-tree-sitter/web-tree-sitter.wasm');
    await Parser.init({ locateFile: (name: string) => (name === 'web-tree-sitter.wasm' ? runtimeWasm : name) });
    // Copied from tree-sitter-powershell at build time (scripts/vendor-grammar.ts): only the .wasm ships.
    // A checkout compiled with tsc alone has no copy yet, but has the devDependency.
    const vendored = join(packageRoot(), 'dist', 'grammar', 'tree-sitter-powershell.wasm');
    const wasm = existsSync(vendored) ? vendored : require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm');
    const language = await Language.load(wasm);
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return parserPromise;
}

/** Every ERROR or MISSING node in `source`; empty when the script parses cleanly. */
export async function powershellSyntaxErrors(source: string): Promise<PowerShellSyntaxError[]> {
  const parser = await powershellParser();
  const tree = parser.parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    const errors: PowerShellSyntaxError[] = [];
    if (tree.rootNode.hasError) collect(tree.rootNode, errors);
    return errors;
  } finally {
    tree.delete();
  }
}

function collect(node: Node, out: PowerShellSyntaxError[]): void {
  if (node.isError || node.isMissing) {
    out.push({
      line: node.startPosition.row + 1,
      column: node.startPosition.column + 1,
      text: node.text.slice(0, 80),
      kind: node.isMissing ? 'missing' : 'error',
    });
    return;
  }
  for (const child of node.children) if (child && child.hasError) collect(child, out);
}
