/**
 * Wire helpers: EC2/STS Query form decoding into nested objects, XML building
 * by string concatenation with escaping, and ids.
 */
import { randomBytes, randomUUID } from 'node:crypto';

/** A decoded Query request: `Filter.1.Value.2=x` becomes `{Filter: [{Value: [, 'x']}]}`-like nesting (arrays are 0-based, in index order). */
export type QueryValue = string | QueryObject | QueryValue[];
export interface QueryObject {
  [key: string]: QueryValue;
}

/** Decode a form-encoded body into a nested object; numeric segments become list positions. */
export function parseQuery(body: string): QueryObject {
  const root: Record<string, unknown> = {};
  for (const part of body.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
    const value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
    const segs = key.split('.');
    let node: Record<string, unknown> = root;
    for (let i = 0; i < segs.length - 1; i++) {
      const s = segs[i]!;
      let next = node[s];
      if (typeof next !== 'object' || next === null) {
        next = {};
        node[s] = next;
      }
      node = next as Record<string, unknown>;
    }
    node[segs[segs.length - 1]!] = value;
  }
  return normalize(root) as QueryObject;
}

function normalize(v: unknown): QueryValue {
  if (typeof v === 'string') return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((k) => normalize(o[String(k)]));
  }
  const out: QueryObject = {};
  for (const k of keys) out[k] = normalize(o[k]);
  return out;
}

/** A list member of a Query object (`ImageId.N`), as strings. */
export function qList(q: QueryObject | undefined, key: string): string[] {
  const v = q?.[key];
  if (v === undefined) return [];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' ? [v] : [];
}

/** A list of structures (`Filter.N.Name`). */
export function qObjects(q: QueryObject | undefined, key: string): QueryObject[] {
  const v = q?.[key];
  if (v === undefined) return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.filter((x): x is QueryObject => typeof x === 'object' && x !== null && !Array.isArray(x));
}

export function qStr(q: QueryObject | undefined, key: string): string | undefined {
  const v = q?.[key];
  return typeof v === 'string' ? v : undefined;
}

export function qObj(q: QueryObject | undefined, key: string): QueryObject | undefined {
  const v = q?.[key];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined;
}

export function qBool(q: QueryObject | undefined, key: string): boolean | undefined {
  const v = qStr(q, key);
  return v === undefined ? undefined : v.toLowerCase() === 'true';
}

export function qInt(q: QueryObject | undefined, key: string): number | undefined {
  const v = qStr(q, key);
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escape text for XML element content and attributes. */
export function esc(s: string): string {
  return /[&<>"']/.test(s) ? s.replace(/[&<>"']/g, (c) => ESC[c]!) : s;
}

/** A response body in pieces (cached UTF-8 buffers and strings), joined once when sent. */
export type XmlChunks = Array<string | Buffer>;

/** `<tag>value</tag>`, or nothing when the value is undefined. */
export function el(tag: string, value: string | number | boolean | undefined | null): string {
  if (value === undefined || value === null) return '';
  return `<${tag}>${typeof value === 'string' ? esc(value) : String(value)}</${tag}>`;
}

/** `<tag><item>..</item>...</tag>` from already-serialized items. */
export function set(tag: string, items: readonly string[]): string {
  let s = `<${tag}>`;
  for (const i of items) s += `<item>${i}</item>`;
  return `${s}</${tag}>`;
}

/** EC2's tagSet. */
export function tagSetXml(tags: ReadonlyMap<string, string>): string {
  let s = '<tagSet>';
  for (const [k, v] of tags) s += `<item><key>${esc(k)}</key><value>${esc(v)}</value></item>`;
  return `${s}</tagSet>`;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** An image's CreationDate: whole seconds, as EC2 writes it (`2024-01-10T05:43:29.000Z`). */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString();
}

/** EC2-style id: prefix + 17 lowercase hex digits. */
export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

export function requestId(): string {
  return randomUUID();
}

export function uuid(): string {
  return randomUUID();
}
