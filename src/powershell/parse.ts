/**
 * PowerShell syntax checking with tree-sitter-powershell's bundled WebAssembly
 * grammar, so scripts are checked on any OS without PowerShell installed.
 */
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { Language, Parser, type Node } from 'web-tree-sitter';

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
    // V8 compiles the grammar (a few MB of wasm) a second time with its
    // optimizing tier on background threads, ~9 s of CPU that the process
    // must wait for before it can exit; the baseline tier alone parses every
    // script of a bundle in well under a second. Lazy compilation compiles a
    // function when it is first called, so the grammar's unused code is never
    // compiled (~25 ms less start-up). Set before any wasm compiles.
    setFlagsFromString('--liftoff-only');
    setFlagsFromString('--wasm-lazy-compilation');
    await Parser.init();
    const wasm = require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm');
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
