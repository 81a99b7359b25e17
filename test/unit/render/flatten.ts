/**
 * An answer file as a flat list of settings: `pass / component / path =
 * value`, one row per leaf element. List items are keyed as Setup keys them:
 * by `Order` (`RunSynchronousCommand[1]`), else `wcm:keyValue`, else a `Key`
 * child. Used to compare a rendered file with an agent's default file setting
 * by setting.
 */
import { attr, parseXml, type XmlElement } from '../../../src/lint/xml.js';

/** One leaf setting. */
export interface FlatSetting {
  pass: string;
  component: string;
  path: string;
  value: string;
}

function itemKey(el: XmlElement): string | undefined {
  if (!attr(el, 'wcm:action')) return undefined;
  const order = el.children.find((c) => c.localName === 'Order')?.text;
  return order ?? attr(el, 'wcm:keyValue')?.value ?? el.children.find((c) => c.localName === 'Key')?.text;
}

function walk(el: XmlElement, prefix: string, into: (path: string, value: string) => void): void {
  for (const c of el.children) {
    const key = itemKey(c);
    const path = `${prefix}${prefix ? '/' : ''}${c.localName}${key !== undefined ? `[${key}]` : ''}`;
    if (c.children.length) walk(c, path, into);
    else into(path, c.text);
  }
}

/** The settings of a well-formed answer file; throws on malformed XML. */
export function flattenUnattend(text: string): FlatSetting[] {
  const doc = parseXml(text);
  if (!doc.root) throw new Error(`not well-formed XML: ${doc.error?.message ?? 'no root'} (line ${doc.error?.line ?? 0})`);
  const out: FlatSetting[] = [];
  for (const settings of doc.root.children.filter((c) => c.localName === 'settings')) {
    const pass = attr(settings, 'pass')?.value ?? '';
    for (const comp of settings.children.filter((c) => c.localName === 'component')) {
      const component = attr(comp, 'name')?.value ?? '';
      walk(comp, '', (path, value) => out.push({ pass, component, path, value }));
    }
  }
  return out;
}
