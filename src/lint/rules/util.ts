/** Small helpers shared by the rules: positions and value parsing. */
import type { RuleFinding } from '../types.js';
import type { XmlAttribute, XmlElement } from '../xml.js';

/** A finding at an element's start tag. */
export function atElement(el: XmlElement, message: string, hint?: string): RuleFinding {
  return hint === undefined ? { message, line: el.line, column: el.column } : { message, hint, line: el.line, column: el.column };
}

/** A finding at an element's text. */
export function atText(el: XmlElement, message: string, hint?: string): RuleFinding {
  return hint === undefined ? { message, line: el.textLine, column: el.textColumn } : { message, hint, line: el.textLine, column: el.textColumn };
}

/** A finding at an attribute's value. */
export function atAttribute(a: XmlAttribute, message: string, hint?: string): RuleFinding {
  return hint === undefined ? { message, line: a.valueLine, column: a.valueColumn } : { message, hint, line: a.valueLine, column: a.valueColumn };
}

/** XML boolean parsing as Setup reads it: true/false in any case, or 1/0. */
export function parseBoolean(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  return undefined;
}

/** Child element by local name. */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.localName === name);
}

/** Quote a user-supplied string for a message. */
export function q(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}
