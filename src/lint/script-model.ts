/**
 * The PowerShell that seals an image, as the seal-script rules see it: the
 * commands it runs (name and arguments, unquoted) and its here-strings, with
 * positions in the linted file. Sources: a `.ps1` file whole, or the inline
 * lines of the `powershell` provisioners of a Packer template (`.pkr.hcl`,
 * or legacy JSON), joined into one script with a line map back to the file.
 * Parsed with the project's tree-sitter PowerShell grammar, so quoting,
 * here-strings and comments are told apart from commands.
 */
import type { Node } from 'web-tree-sitter';
import { powershellParser } from '../powershell/parse.js';

/** One command invocation. */
export interface ScriptCommand {
  /** The command as written, quotes removed (`Start-Process`, `C:\...\sysprep.exe`). */
  name: string;
  /** Its arguments in order, quotes removed; parameters keep their dash (`-Schedule`). */
  args: string[];
  /** Raw text of each argument. */
  rawArgs: string[];
  line: number;
  column: number;
}

/** One here-string literal. */
export interface HereString {
  /** `@"…"@` (variables expand) rather than `@'…'@`. */
  expandable: boolean;
  content: string;
  /** Position of the content's first line in the file. */
  line: number;
  /** The file line of each line of `content`. */
  lines: number[];
}

/** A seal script: its commands in order and its here-strings. */
export interface ScriptModel {
  commands: ScriptCommand[];
  hereStrings: HereString[];
  /** Where PowerShell failed to parse (line in the file), if anywhere. */
  syntaxErrorLine?: number;
}

/** A piece of PowerShell inside a file and the file line of each of its lines. */
export interface ScriptSource {
  text: string;
  /** `lineMap[i]` is the file line (1-based) of script line i + 1. */
  lineMap: number[];
}

function unquote(text: string): string {
  const t = text.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) return t.slice(1, -1);
  return t;
}

function walk(node: Node, visit: (n: Node) => void): void {
  visit(node);
  for (const c of node.children) if (c) walk(c, visit);
}

/** `--flag=value` or `-flag=value` as native programs take it, the `=` followed by the value. */
const NATIVE_FLAG_VALUE = /(^|[\s(])(--?[A-Za-z][\w-]*)=(?=[^\s;|#)=])/g;

/**
 * `ec2launch.exe sysprep --shutdown=true` derails the grammar, which then
 * swallows the next line into the same command. Each such `=` is parsed as
 * `:` (PowerShell's own `-name:value`, same length, so every position holds)
 * and recorded by line and column, to be put back in the model's text.
 */
function maskFlagValues(text: string): { text: string; masked: Set<string> } {
  const masked = new Set<string>();
  const lines = text.split('\n').map((line, row) =>
    line.replace(NATIVE_FLAG_VALUE, (_m, pre: string, flag: string, offset: number) => {
      masked.add(`${row}:${offset + pre.length + flag.length}`);
      return `${pre}${flag}:`;
    }),
  );
  return { text: lines.join('\n'), masked };
}

/** Parse `source` into a model whose positions are file positions. */
export async function buildScriptModel(source: ScriptSource): Promise<ScriptModel> {
  const parser = await powershellParser();
  const { text, masked } = maskFlagValues(source.text);
  const tree = parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  const fileLine = (row: number) => source.lineMap[row] ?? row + 1;
  const lines = text.split('\n');
  const isMasked = (row: number, column: number) => masked.has(`${row}:${column}`);
  /** A node's text with the masked `=` put back. */
  const original = (n: Node): string => {
    if (!masked.size) return n.text;
    let { row, column } = n.startPosition;
    let out = '';
    for (const ch of n.text) {
      out += ch === ':' && isMasked(row, column) ? '=' : ch;
      if (ch === '\n') {
        row++;
        column = 0;
      } else column += ch.length;
    }
    return out;
  };
  try {
    const model: ScriptModel = { commands: [], hereStrings: [] };
    walk(tree.rootNode, (n) => {
      if (n.type === 'command') {
        const nameNode = n.children.find((c) => c?.type === 'command_name' || c?.type === 'command_name_expr');
        const elements = n.children.find((c) => c?.type === 'command_elements');
        const parts = (elements?.children ?? []).filter((c): c is Node => !!c && c.type !== 'command_argument_sep');
        const args: string[] = [];
        const rawArgs: string[] = [];
        parts.forEach((p, i) => {
          const prev = parts[i - 1];
          // `--flag` then `value` right after a masked `=`: one argument, as the native program receives it.
          if (
            prev &&
            isMasked(prev.endPosition.row, prev.endPosition.column) &&
            p.startPosition.row === prev.endPosition.row &&
            p.startPosition.column === prev.endPosition.column + 1
          ) {
            args[args.length - 1] += `=${unquote(original(p))}`;
            rawArgs[rawArgs.length - 1] += `=${original(p)}`;
          } else {
            args.push(unquote(original(p)));
            rawArgs.push(original(p));
          }
        });
        // The grammar stops a command at `--flag=value` (PowerShell passes it whole to a native
        // program): take the `=value` back from the rest of the line.
        const rest = (lines[n.endPosition.row] ?? '').slice(n.endPosition.column);
        const glued = /^=([^\s;|#]+)/.exec(rest);
        if (glued && args.length && args[args.length - 1]!.startsWith('-')) {
          args[args.length - 1] += `=${glued[1]!}`;
          rawArgs[rawArgs.length - 1] += `=${glued[1]!}`;
          for (const more of rest.slice(glued[0].length).split(/[;|#]/)[0]!.trim().split(/\s+/).filter(Boolean)) {
            args.push(unquote(more));
            rawArgs.push(more);
          }
        }
        model.commands.push({
          name: unquote(nameNode ? original(nameNode) : ''),
          args,
          rawArgs,
          line: fileLine(n.startPosition.row),
          column: n.startPosition.column + 1,
        });
      } else if (n.type === 'expandable_here_string_literal' || n.type === 'verbatim_here_string_characters') {
        const raw = original(n);
        const m = /^@(["'])\r?\n([\s\S]*?)\r?\n?\1@$/.exec(raw);
        if (m) {
          const lines = m[2]!.split('\n').map((_, i) => fileLine(n.startPosition.row + 1 + i));
          model.hereStrings.push({ expandable: m[1] === '"', content: m[2]!, line: lines[0] ?? fileLine(n.startPosition.row), lines });
        }
      }
      if ((n.isError || n.isMissing) && model.syntaxErrorLine === undefined) model.syntaxErrorLine = fileLine(n.startPosition.row);
    });
    return model;
  } finally {
    tree.delete();
  }
}

/** A `.ps1` file: the whole text, line for line. */
export function powershellSource(text: string): ScriptSource {
  const lines = text.replace(/^\ufeff/, '').split('\n');
  return { text: lines.join('\n'), lineMap: lines.map((_, i) => i + 1) };
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Decode one HCL double-quoted string body (the common escapes; `${…}` stays as written). */
function hclString(body: string): string {
  return body.replace(/\\(["\\nrt])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c));
}

/**
 * The `inline` lines of every `provisioner "powershell"` block of a Packer
 * HCL template, one script line per string (a string holding line breaks
 * spans several), mapped to the line of the string in the file.
 */
export function packerHclSource(text: string): ScriptSource {
  const out: ScriptSource = { text: '', lineMap: [] };
  const lines: string[] = [];
  const block = /provisioner\s+"powershell"\s*\{/g;
  for (let m = block.exec(text); m; m = block.exec(text)) {
    const inline = /\binline\s*=\s*\[/g;
    inline.lastIndex = m.index;
    const a = inline.exec(text);
    // Only the inline list of this block: stop at the next provisioner.
    const next = text.indexOf('provisioner', m.index + m[0].length);
    if (!a || (next >= 0 && a.index > next)) continue;
    let i = a.index + a[0].length;
    while (i < text.length && text[i] !== ']') {
      if (text[i] === '"') {
        let j = i + 1;
        while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
        const value = hclString(text.slice(i + 1, j));
        const at = lineAt(text, i);
        // Every line of one quoted string sits on the string's own line in the file.
        for (const l of value.split('\n')) {
          lines.push(l);
          out.lineMap.push(at);
        }
        i = j + 1;
      } else if (text.startsWith('<<', i)) {
        const h = /^<<-?([A-Za-z_]+)\r?\n([\s\S]*?)\r?\n\s*\1/.exec(text.slice(i));
        if (!h) break;
        const at = lineAt(text, i) + 1;
        h[2]!.split('\n').forEach((l, k) => {
          lines.push(l);
          out.lineMap.push(at + k);
        });
        i += h[0].length;
      } else i++;
    }
  }
  out.text = lines.join('\n');
  return out;
}

/** The inline lines of the `powershell` provisioners of a legacy Packer JSON template. */
export function packerJsonSource(text: string): ScriptSource {
  const out: ScriptSource = { text: '', lineMap: [] };
  const lines: string[] = [];
  let doc: { provisioners?: { type?: string; inline?: unknown }[] };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch {
    return out;
  }
  let from = 0;
  for (const p of doc.provisioners ?? []) {
    if (p.type !== 'powershell' || !Array.isArray(p.inline)) continue;
    for (const s of p.inline) {
      if (typeof s !== 'string') continue;
      const at = text.indexOf(JSON.stringify(s).slice(1, -1), from);
      const line = at >= 0 ? lineAt(text, at) : 1;
      if (at >= 0) from = at;
      for (const l of s.split('\n')) {
        lines.push(l);
        out.lineMap.push(line);
      }
    }
  }
  out.text = lines.join('\n');
  return out;
}
