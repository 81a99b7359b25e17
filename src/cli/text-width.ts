/**
 * The bundled CLI's stand-in for the `string-width` packages yargs and cliui
 * use to lay out help (scripts/bundle-cli.ts swaps it in). string-width
 * builds Unicode-property regular expressions (RGI_Emoji and others) when it
 * loads, ~30 ms at every start of the CLI, for text that is plain here:
 * winami's help is ASCII. Width is the count of code points, less ANSI
 * escapes, combining marks and zero-width characters, with CJK wide and
 * fullwidth characters counted twice; emoji sequences are not measured.
 */

// CSI and OSC sequences, as strip-ansi removes them.
const ANSI =
  /[\u001B\u009B][[\]()#;?]*(?:(?:(?:;[-a-zA-Z\d/#&.:=?%@~_]+)*|[a-zA-Z\d]+(?:;[-a-zA-Z\d/#&.:=?%@~_]*)*)?\u0007|(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PR-TZcf-nq-uy=><~])/g;

function isZeroWidth(cp: number): boolean {
  return (
    cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || (cp >= 0x300 && cp < 0x370) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f) || cp === 0xfeff
  );
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** Columns `text` takes in a terminal. */
export default function textWidth(text: string): number {
  if (typeof text !== 'string' || text.length === 0) return 0;
  let width = 0;
  for (const ch of text.replace(ANSI, '')) {
    const cp = ch.codePointAt(0)!;
    if (!isZeroWidth(cp)) width += isWide(cp) ? 2 : 1;
  }
  return width;
}
