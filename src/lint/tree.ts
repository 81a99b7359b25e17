/**
 * YAML and JSON documents with positions, through the `yaml` package's node
 * ranges and `LineCounter`. JSON is parsed with `JSON.parse` first, for its
 * stricter syntax, then through `yaml` (a superset) for the ranges.
 */
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair } from 'yaml';

/** A parsed YAML or JSON document, or the syntax errors that stopped it. */
export interface TreeDocument {
  document: Document.Parsed | undefined;
  lines: LineCounter;
  errors: { message: string; line: number; column: number }[];
}

/** One key of a mapping, with its nodes. */
export interface TreeEntry {
  key: string;
  keyNode: Node | null;
  value: Node | null;
}

/** Parse YAML (or, with `json`, JSON) keeping positions; never throws. */
export function parseTree(text: string, json: boolean): TreeDocument {
  const lines = new LineCounter();
  const source = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
  if (json) {
    try {
      JSON.parse(source);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const at = /position (\d+)/.exec(message);
      lines.addNewLine(0);
      const offset = at ? Number(at[1]) : 0;
      return { document: undefined, lines, errors: [{ message: `Invalid JSON: ${message}`, ...lineCol(source, offset) }] };
    }
  }
  const document = parseDocument(source, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const errors = document.errors.map((e) => {
    const p = lines.linePos(e.pos[0]);
    return { message: e.message.split('\n')[0] ?? e.message, line: p.line, column: p.col };
  });
  return { document: errors.length ? undefined : document, lines, errors };
}

function lineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) (line++, (last = i));
  return { line, column: offset - last };
}

/** 1-based position of a node's start (line 1, column 1 for a missing node). */
export function nodePos(tree: TreeDocument, node: Node | null | undefined): { line: number; column: number } {
  const start = node?.range?.[0];
  if (start === undefined) return { line: 1, column: 1 };
  const p = tree.lines.linePos(start);
  return { line: p.line, column: p.col };
}

/** The entries of a mapping node, or `undefined` when it is not a mapping. */
export function entries(node: Node | null | undefined): TreeEntry[] | undefined {
  if (!isMap(node)) return undefined;
  return (node.items as Pair<Node | null, Node | null>[]).map((p) => ({
    key: isScalar(p.key) ? String(p.key.value) : String(p.key),
    keyNode: p.key,
    value: p.value,
  }));
}

/** The items of a sequence node, or `undefined` when it is not a sequence. */
export function items(node: Node | null | undefined): (Node | null)[] | undefined {
  return isSeq(node) ? (node.items as (Node | null)[]) : undefined;
}

/** A scalar's JavaScript value, or `undefined` when the node is not a scalar. */
export function scalar(node: Node | null | undefined): unknown {
  return isScalar(node) ? node.value : undefined;
}

/** What kind of YAML value a node is, for messages. */
export function describeNode(node: Node | null | undefined): string {
  if (node === null || node === undefined) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return node.value === null ? 'null' : typeof node.value === 'string' ? 'a string' : `a ${typeof node.value}`;
  return 'an alias';
}
