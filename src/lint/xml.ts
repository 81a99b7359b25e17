/**
 * A small, strict XML scanner that keeps positions. fast-xml-parser gives no
 * line/column for elements, and every lint finding needs one, so this builds
 * its own tree. It checks well-formedness (one root, matching tags, quoted
 * attributes, no duplicate attributes, known entities) and stops at the first
 * error, as an XML parser must.
 */
import { LineIndex } from './position.js';

/** An attribute with the position of its name and of its value. */
export interface XmlAttribute {
  name: string;
  value: string;
  line: number;
  column: number;
  valueLine: number;
  valueColumn: number;
}

/** An element with its attributes, child elements and trimmed text content. */
export interface XmlElement {
  name: string;
  /** Part of the name after the prefix. */
  localName: string;
  /** Prefix before `:`, or `''`. */
  prefix: string;
  attributes: XmlAttribute[];
  children: XmlElement[];
  /** Decoded text content (child text only, not descendants), trimmed. */
  text: string;
  /** Position of the first non-blank text character, or of the element when there is none. */
  textLine: number;
  textColumn: number;
  line: number;
  column: number;
  /** Offset of `<` of the start tag, and just past the end tag's `>` (or the `/>`). */
  start: number;
  end: number;
  /** Offsets of the content between the start and end tags (equal for `<a/>`). */
  innerStart: number;
  innerEnd: number;
  parent: XmlElement | undefined;
}

/** The first well-formedness error. */
export interface XmlError {
  message: string;
  line: number;
  column: number;
}

/** A parsed document: a root element, or the error that stopped the scan. */
export interface XmlDocument {
  root?: XmlElement;
  error?: XmlError;
}

const NAME_START = /[A-Za-z_:\u00C0-\uFFFF]/;
const NAME_CHAR = /[A-Za-z0-9_:.\-\u00B7\u00C0-\uFFFF]/;
const ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Attribute value of `name` on `el`, if present. */
export function attr(el: XmlElement, name: string): XmlAttribute | undefined {
  return el.attributes.find((a) => a.name === name);
}

/** Parse `text`; never throws. */
export function parseXml(text: string): XmlDocument {
  const index = new LineIndex(text);
  try {
    return { root: new Scanner(text, index).document() };
  } catch (err) {
    if (err instanceof XmlSyntaxError) return { error: { message: err.message, ...index.at(Math.min(err.offset, text.length)) } };
    throw err;
  }
}

class Scanner {
  private i = 0;

  constructor(
    private readonly s: string,
    private readonly index: LineIndex,
  ) {}

  document(): XmlElement {
    if (this.s.charCodeAt(0) === 0xfeff) this.i = 1;
    let root: XmlElement | undefined;
    for (;;) {
      this.skipBlank();
      if (this.i >= this.s.length) break;
      if (this.s.startsWith('<?', this.i)) this.processingInstruction();
      else if (this.s.startsWith('<!--', this.i)) this.comment();
      else if (this.s.startsWith('<!DOCTYPE', this.i)) this.fail('DOCTYPE declarations are not allowed in answer files');
      else if (this.s[this.i] === '<') {
        if (root) this.fail('Only one root element is allowed; found another element after the root ended');
        root = this.element(undefined);
      } else this.fail('Text is not allowed outside the root element');
    }
    if (!root) this.fail('The document has no root element');
    return root;
  }

  private fail(message: string, offset = this.i): never {
    throw new XmlSyntaxError(message, offset);
  }

  private skipBlank(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i] ?? '')) this.i++;
  }

  private processingInstruction(): void {
    const end = this.s.indexOf('?>', this.i + 2);
    if (end < 0) this.fail('Unterminated processing instruction: missing "?>"');
    if (this.s.startsWith('<?xml', this.i) && /\s/.test(this.s[this.i + 5] ?? '') && this.i > 1) {
      this.fail('The XML declaration must be at the very start of the file');
    }
    this.i = end + 2;
  }

  private comment(): void {
    const end = this.s.indexOf('-->', this.i + 4);
    if (end < 0) this.fail('Unterminated comment: missing "-->"');
    if (this.s.slice(this.i + 4, end).includes('--')) this.fail('"--" is not allowed inside a comment');
    this.i = end + 3;
  }

  private name(): string {
    const start = this.i;
    if (!NAME_START.test(this.s[this.i] ?? '')) this.fail(`Expected a name, found ${JSON.stringify(this.s[this.i] ?? 'end of file')}`);
    this.i++;
    while (this.i < this.s.length && NAME_CHAR.test(this.s[this.i] ?? '')) this.i++;
    return this.s.slice(start, this.i);
  }

  private element(parent: XmlElement | undefined): XmlElement {
    const start = this.i;
    this.i++;
    const name = this.name();
    const pos = this.index.at(start + 1);
    const colon = name.indexOf(':');
    const el: XmlElement = {
      name,
      localName: colon >= 0 ? name.slice(colon + 1) : name,
      prefix: colon >= 0 ? name.slice(0, colon) : '',
      attributes: [],
      children: [],
      text: '',
      textLine: pos.line,
      textColumn: pos.column,
      line: pos.line,
      column: pos.column,
      start,
      end: start,
      innerStart: start,
      innerEnd: start,
      parent,
    };
    for (;;) {
      const before = this.i;
      this.skipBlank();
      const c = this.s[this.i];
      if (c === undefined) this.fail(`Unterminated start tag <${name}>`, start);
      if (c === '/') {
        if (this.s[this.i + 1] !== '>') this.fail('Expected "/>"');
        this.i += 2;
        el.end = el.innerStart = el.innerEnd = this.i;
        return el;
      }
      if (c === '>') {
        this.i++;
        el.innerStart = this.i;
        break;
      }
      if (this.i === before) this.fail(`Expected whitespace before the attribute in <${name}>`);
      this.attribute(el);
    }
    this.content(el);
    return el;
  }

  private attribute(el: XmlElement): void {
    const nameAt = this.i;
    const name = this.name();
    if (el.attributes.some((a) => a.name === name)) this.fail(`Duplicate attribute "${name}" on <${el.name}>`, nameAt);
    this.skipBlank();
    if (this.s[this.i] !== '=') this.fail(`Attribute "${name}" needs a value: ${name}="..."`);
    this.i++;
    this.skipBlank();
    const quote = this.s[this.i];
    if (quote !== '"' && quote !== "'") this.fail(`The value of attribute "${name}" must be in quotes`);
    const valueAt = this.i + 1;
    const end = this.s.indexOf(quote, valueAt);
    if (end < 0) this.fail(`Unterminated value of attribute "${name}"`, valueAt);
    const raw = this.s.slice(valueAt, end);
    const lt = raw.indexOf('<');
    if (lt >= 0) this.fail(`"<" is not allowed in the value of attribute "${name}"`, valueAt + lt);
    const value = this.decode(raw, valueAt);
    this.i = end + 1;
    const n = this.index.at(nameAt);
    const v = this.index.at(valueAt);
    el.attributes.push({ name, value, line: n.line, column: n.column, valueLine: v.line, valueColumn: v.column });
  }

  private content(el: XmlElement): void {
    let text = '';
    let firstText = -1;
    for (;;) {
      const lt = this.s.indexOf('<', this.i);
      if (lt < 0) this.fail(`Element <${el.name}> is not closed`, el.start);
      if (lt > this.i) {
        const raw = this.s.slice(this.i, lt);
        if (firstText < 0) {
          const m = /\S/.exec(raw);
          if (m) firstText = this.i + m.index;
        }
        if (raw.includes(']]>')) this.fail('"]]>" is not allowed in text', this.i + raw.indexOf(']]>'));
        text += this.decode(raw, this.i);
      }
      this.i = lt;
      if (this.s.startsWith('</', lt)) {
        el.innerEnd = lt;
        this.i += 2;
        const closeAt = this.i;
        const name = this.name();
        if (name !== el.name) this.fail(`End tag </${name}> does not match start tag <${el.name}> at line ${el.line}`, closeAt);
        this.skipBlank();
        if (this.s[this.i] !== '>') this.fail(`Expected ">" to close </${name}>`);
        this.i++;
        el.end = this.i;
        break;
      }
      if (this.s.startsWith('<!--', lt)) this.comment();
      else if (this.s.startsWith('<![CDATA[', lt)) {
        const end = this.s.indexOf(']]>', lt + 9);
        if (end < 0) this.fail('Unterminated CDATA section');
        if (firstText < 0 && /\S/.test(this.s.slice(lt + 9, end))) firstText = lt + 9 + (/\S/.exec(this.s.slice(lt + 9, end))?.index ?? 0);
        text += this.s.slice(lt + 9, end);
        this.i = end + 3;
      } else if (this.s.startsWith('<?', lt)) this.processingInstruction();
      else if (this.s.startsWith('<!', lt)) this.fail('Unexpected markup declaration');
      else el.children.push(this.element(el));
    }
    el.text = text.trim();
    if (firstText >= 0) {
      const p = this.index.at(firstText);
      el.textLine = p.line;
      el.textColumn = p.column;
    }
  }

  private decode(raw: string, offset: number): string {
    if (!raw.includes('&')) return raw;
    return raw.replace(/&([^;\s&<]*);?/g, (m, ent: string, at: number) => {
      if (!m.endsWith(';')) this.fail('"&" must start an entity reference such as &amp;', offset + at);
      const known = ENTITIES[ent];
      if (known !== undefined) return known;
      const num = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(ent);
      if (num) {
        const code = num[1] !== undefined ? parseInt(num[1], 16) : parseInt(num[2] ?? '', 10);
        if (code > 0 && code <= 0x10ffff) return String.fromCodePoint(code);
      }
      return this.fail(`Unknown entity "&${ent};"`, offset + at);
    });
  }
}
