/**
 * The Handlebars helpers every template uses. Each helper is a pure function
 * from a value to the text that stands for it in one target language, and is
 * exported so tests can throw hostile input at it. Templates are compiled
 * with `noEscape` (no HTML escaping), so a value reaches a file only through
 * one of these helpers.
 */
import Handlebars from 'handlebars';
import { stringify as yamlStringify } from 'yaml';

/** A value a helper refused, with the config field it came from and why. */
export class RenderValueError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'RenderValueError';
    this.field = field;
  }
}

/** Options of `xmlText`. */
export interface XmlTextOptions {
  /** Config path named in errors, e.g. `windowsSettings.registeredOwner`. */
  field?: string;
  /**
   * Refuse anything outside printable ASCII (plus tab, CR, LF). Windows Setup
   * reads answer-file values through code paths that mangle non-ASCII text
   * (time-zone ids, owner names and command lines come out garbled or fail
   * validation), so winami refuses them rather than seal a broken image.
   */
  asciiOnly?: boolean;
}

function describeChar(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The first code point XML 1.0 does not allow (`Char` production), or undefined. */
export function firstNonXmlChar(value: string): { index: number; code: number } | undefined {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return { index: i, code: c };
    }
    if (c >= 0xdc00 && c <= 0xdfff) return { index: i, code: c };
    const ok = c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xfffd);
    if (!ok) return { index: i, code: c };
  }
  return undefined;
}

function asString(value: unknown, field: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new RenderValueError(field, `expected text, got ${value === null ? 'null' : typeof value}`);
}

/**
 * Escape text for an XML element or attribute value: `& < > " '` become
 * entities, and tab, LF and CR become character references so that neither
 * attribute-value normalization nor line-end normalization changes them.
 * Throws `RenderValueError` for characters XML 1.0 cannot carry at all, and,
 * with `asciiOnly`, for non-ASCII text.
 */
export function xmlText(value: unknown, options: XmlTextOptions = {}): string {
  const field = options.field ?? 'value';
  const text = asString(value, field);
  const bad = firstNonXmlChar(text);
  if (bad) {
    throw new RenderValueError(field, `contains ${describeChar(bad.code)} at position ${bad.index + 1}, which XML 1.0 does not allow in any form`);
  }
  if (options.asciiOnly) {
    const i = text.search(/[^\t\n\r\x20-\x7e]/);
    if (i >= 0) {
      throw new RenderValueError(
        field,
        `contains ${describeChar(text.codePointAt(i)!)} at position ${i + 1}; Windows Setup mishandles non-ASCII text in answer files, so use ASCII only`,
      );
    }
  }
  return text.replace(/[&<>"'\t\n\r]/g, (ch) => XML_ENTITIES[ch]!);
}

const XML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** The characters PowerShell treats as a single quote: ' and U+2018, U+2019, U+201A, U+201B. */
export const POWERSHELL_SINGLE_QUOTES = /['\u2018\u2019\u201a\u201b]/g;

/**
 * A PowerShell single-quoted (verbatim) string literal. Nothing inside is
 * expanded; each quote character, ASCII or typographic, is doubled because
 * PowerShell ends a single-quoted string at any of them. NUL is refused:
 * PowerShell reads script files as text and NUL does not survive that.
 */
export function psLiteral(value: unknown, field = 'value'): string {
  const text = asString(value, field);
  if (text.includes('\0')) throw new RenderValueError(field, 'contains NUL (U+0000), which cannot appear in a PowerShell script');
  return `'${text.replace(POWERSHELL_SINGLE_QUOTES, (q) => q + q)}'`;
}

/** Reverse of `psLiteral`, as PowerShell's tokenizer reads a verbatim string (for tests and checks). */
export function psLiteralValue(literal: string): string {
  if (literal.length < 2 || !/^['\u2018\u2019\u201a\u201b]/.test(literal)) throw new Error('not a single-quoted literal');
  const body = literal.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (/['\u2018\u2019\u201a\u201b]/.test(c)) {
      const next = body[i + 1];
      if (next === undefined || !/['\u2018\u2019\u201a\u201b]/.test(next)) throw new Error(`unpaired quote at ${i + 1}`);
      out += next;
      i++;
    } else out += c;
  }
  return out;
}

/**
 * A YAML double-quoted scalar that reads back as exactly `value`: JSON string
 * escaping, plus `\uXXXX` for every character YAML does not allow raw in a
 * stream (DEL, C1 controls, U+FEFF, U+2028/U+2029, lone surrogates, U+FFFE/U+FFFF).
 */
export function yamlScalar(value: unknown, field = 'value'): string {
  const text = asString(value, field);
  return JSON.stringify(text).replace(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Any value (mapping, list, scalar) as block YAML, every line indented by
 * `indent` spaces, for user-written structures such as task inputs. The
 * `yaml` package quotes and escapes whatever needs it.
 */
export function yamlBlock(value: unknown, indent: number): string {
  // Every string double-quoted: one escaping rule for all values, and the
  // secret tokens that resolve-secrets.ps1 replaces always sit inside "...".
  const text = yamlStringify(value, { lineWidth: 0, minContentWidth: 0, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', sortMapEntries: false });
  const pad = ' '.repeat(indent);
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => (line === '' ? line : pad + line))
    .join('\n');
}

/** JSON text of a value (a JSON string literal for text). */
export function jsonValue(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new RenderValueError('value', `cannot be written as JSON (${typeof value})`);
  return text;
}

type HelperOptions = Handlebars.HelperOptions;

function isOptions(x: unknown): x is HelperOptions {
  return typeof x === 'object' && x !== null && 'hash' in x && 'data' in x;
}

/** The field name passed to a helper as its second argument, or `value`. */
function fieldArg(args: unknown[]): string {
  const f = args.find((a) => typeof a === 'string');
  return typeof f === 'string' ? f : 'value';
}

/**
 * The helpers by name, as templates call them:
 * - `{{xml value "field"}}`: XML text or attribute value.
 * - `{{unattend value "field"}}`: XML text in an answer file (ASCII only).
 * - `{{ps value "field"}}`: PowerShell single-quoted literal.
 * - `{{yaml value "field"}}`: YAML double-quoted scalar.
 * - `{{yamlBlock value indent}}`: block YAML for a user-written structure.
 * - `{{json value}}`: JSON value.
 * - `{{raw text}}`: text written as is; only for what is raw by design (the
 *   user's own PowerShell, `extraXml` fragments, each checked well formed).
 * - `{{eq a b}}`, `{{not a}}`: comparisons for `{{#if}}`; they print nothing users wrote.
 */
export const HELPERS = {
  xml(value: unknown, ...rest: unknown[]): string {
    return xmlText(value, { field: fieldArg(rest.filter((r) => !isOptions(r))) });
  },
  unattend(value: unknown, ...rest: unknown[]): string {
    return xmlText(value, { field: fieldArg(rest.filter((r) => !isOptions(r))), asciiOnly: true });
  },
  ps(value: unknown, ...rest: unknown[]): string {
    return psLiteral(value, fieldArg(rest.filter((r) => !isOptions(r))));
  },
  yaml(value: unknown, ...rest: unknown[]): string {
    return yamlScalar(value, fieldArg(rest.filter((r) => !isOptions(r))));
  },
  yamlBlock(value: unknown, indent: unknown): string {
    return yamlBlock(value, typeof indent === 'number' ? indent : 0);
  },
  json(value: unknown): string {
    return jsonValue(value);
  },
  raw(value: unknown): string {
    if (typeof value !== 'string') throw new RenderValueError('raw', `expected text, got ${value === null ? 'null' : typeof value}`);
    return value;
  },
  eq(a: unknown, b: unknown): boolean {
    return a === b;
  },
  not(a: unknown): boolean {
    return !a;
  },
} as const;

/** Names of the helpers that write a value into a file (the rest only decide). */
export const VALUE_HELPERS: readonly string[] = ['xml', 'unattend', 'ps', 'yaml', 'yamlBlock', 'json', 'raw'];

/** A Handlebars instance of winami's own, with only these helpers registered. */
export function createHandlebars(): typeof Handlebars {
  const hb = Handlebars.create();
  for (const [name, fn] of Object.entries(HELPERS)) hb.registerHelper(name, fn as Handlebars.HelperDelegate);
  return hb;
}

/** Compile options every template uses: fail on missing fields, no HTML escaping. */
export const COMPILE_OPTIONS = { strict: true, noEscape: true } as const;
