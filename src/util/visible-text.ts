/**
 * Text from AWS (names, descriptions, tag values, error messages) is
 * user-generated and may carry characters a terminal, spreadsheet or browser
 * acts on instead of showing: ESC sequences (clear screen, OSC-8 links), BEL,
 * NUL, C1 controls such as CSI, and the Unicode bidirectional and zero-width
 * controls that reorder or hide text. Text outputs show each as a visible
 * `\uXXXX`; JSON outputs escape each the way JSON does, which parses back to
 * the same string.
 */

/** Characters no output passes through raw: C0 (except tab, LF, CR), DEL, C1, bidi and zero-width controls, U+2028/U+2029, BOM. */
// eslint-disable-next-line no-control-regex
export const UNSAFE_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]/g;

function escapeChar(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** `text` with every unsafe character shown as `\uXXXX`; tab, LF and CR are kept. */
export function visibleText(value: unknown): string {
  return String(value ?? '').replace(UNSAFE_CHARS, escapeChar);
}

/** One line for a terminal cell: line breaks and tabs become a space, unsafe characters `\uXXXX`. */
export function visibleLine(value: unknown): string {
  return visibleText(value).replace(/[\r\n\t]+/g, ' ');
}

/**
 * JSON text whose every unsafe character is a `\uXXXX` escape. Outside
 * strings JSON has no such characters, so escaping them in the text is
 * lossless: `JSON.parse` gives back the same value.
 */
export function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(UNSAFE_CHARS, escapeChar);
}
