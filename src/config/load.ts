/**
 * Load a config file: parse YAML or JSON keeping positions, check it against
 * the schema, apply defaults and cross-field rules, and report every problem
 * at once with file, line and column and, for unknown keys, a "did you mean".
 */
import { readFileSync, statSync } from 'node:fs';
import { closest, distance } from 'fastest-levenshtein';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type Issue, type SourcePosition } from '../errors.js';
import { auditSettingsSchema, configSchema, type AuditSettings } from './schema.js';
import { resolveConfig, type ResolveOptions } from './resolve.js';
import { checkSource, decodeScript, isProblem, MAX_SOURCES_TOTAL_BYTES } from './sources.js';
import type { ResolvedConfig } from './types.js';

/**
 * The most characters a config may hold, as written and with every YAML alias
 * expanded: 4 Mi. A config is a few kilobytes; inline scripts are bounded on
 * their own (schema.ts), and this stops an anchor referenced many times
 * (one 5 MB string under 99 aliases) from growing into gigabytes downstream.
 */
export const MAX_CONFIG_CHARS = 4 * 1024 * 1024;

/** Aliases the yaml library resolves per anchor before it calls the document an attack. */
const MAX_ALIAS_COUNT = 100;

const SIZE_HINT = 'write the config without repeating large values through aliases; put large scripts in files next to the config';

export interface LoadConfigOptions extends Omit<ResolveOptions, 'configPath'> {}

/** Read, validate and resolve the config at `path`; throws `ConfigError` listing every issue. */
export function loadConfig(path: string, options: LoadConfigOptions = {}): ResolvedConfig {
  return parseConfig(readConfigText(path), { ...options, configPath: path });
}

function readConfigText(path: string): string {
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new ConfigError(`cannot read config ${path}: not a regular file`, [], { hint: 'name a YAML or JSON file' });
    if (stat.size > MAX_CONFIG_CHARS)
      throw new ConfigError(`config ${path} is ${stat.size} bytes, over the limit of ${MAX_CONFIG_CHARS}`, [], { hint: SIZE_HINT });
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot read config ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`, [], {
      hint: code === 'ENOENT' ? 'check the path; examples/ has configs to start from' : undefined,
    });
  }
}

/**
 * The `audit:` section of a file: a winami config (its other keys are not read) or a file holding
 * only that section. Throws `ConfigError` with every problem and its position, or when there is
 * no such section.
 */
export function loadAuditSettings(path: string): AuditSettings {
  return parseAuditSettings(readConfigText(path), path);
}

/** `loadAuditSettings` on text; `file` names it in positions. */
export function parseAuditSettings(text: string, file = '<config>'): AuditSettings {
  const { doc, raw, at } = parseMapping(text, file);
  if (!('audit' in raw)) {
    throw new ConfigError(`${file} has no audit: section`, [{ path: '', message: 'expected a key audit', position: at(0) }], {
      hint: 'write the settings under audit:, e.g. audit: { inventory: { maxAge: 45d, requiredKbs: [KB5034439] } } (docs/inventory.md)',
    });
  }
  const parsed = auditSettingsSchema.safeParse(raw.audit);
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((i) => zodIssues(i, ['audit'], doc, at));
    throw new ConfigError(`${file} has ${issues.length} problem${issues.length === 1 ? '' : 's'} in its audit: section`, dedupe(issues));
  }
  return parsed.data;
}

/** A YAML or JSON document holding a mapping, with positions; every parse problem throws a `ConfigError`. */
function parseMapping(text: string, file: string): { doc: Document; raw: Record<string, unknown>; at: (offset: number) => SourcePosition } {
  if (text.length > MAX_CONFIG_CHARS)
    throw new ConfigError(`${file} holds ${text.length} characters, over the limit of ${MAX_CONFIG_CHARS}`, [], { hint: SIZE_HINT });
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): SourcePosition => {
    const p = lineCounter.linePos(offset);
    return { file, line: p.line, column: p.col };
  };
  if (doc.errors.length) {
    throw new ConfigError(
      `${file} is not valid YAML or JSON`,
      doc.errors.map((e) => ({ path: '', message: e.message.split('\n')[0]!, position: at(e.pos[0]) })),
    );
  }
  if (expandedChars(doc, MAX_CONFIG_CHARS) > MAX_CONFIG_CHARS) {
    throw new ConfigError(`${file} expands through YAML aliases past the limit of ${MAX_CONFIG_CHARS} characters`, [], { hint: SIZE_HINT });
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    // The yaml library's own alias checks (unresolved, or too many) throw ReferenceError.
    throw new ConfigError(`${file}: ${(err as Error).message}`, [], { hint: SIZE_HINT });
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${file} must hold a mapping of settings`, [{ path: '', message: 'expected keys such as name, region, windows', position: at(0) }]);
  }
  return { doc, raw: raw as Record<string, unknown>, at };
}

/** Validate and resolve config text; `configPath` is used for positions and relative paths. */
export function parseConfig(text: string, options: ResolveOptions = {}): ResolvedConfig {
  const file = options.configPath ?? '<config>';
  const { doc, raw, at } = parseMapping(text, file);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((i) => zodIssues(i, [], doc, at));
    throw new ConfigError(`${file} has ${issues.length} problem${issues.length === 1 ? '' : 's'}`, dedupe(issues));
  }
  const { config, issues } = resolveConfig(parsed.data, options);
  issues.push(...checkLocalFiles(config));
  for (const issue of issues) issue.position ??= positionOf(doc, issue.path.split('.').filter(Boolean), at);
  if (issues.length) throw new ConfigError(`${file} has ${issues.length} problem${issues.length === 1 ? '' : 's'}`, issues);
  return config;
}

/**
 * Files the config points at (scripts, files to copy) must be regular files
 * inside the config's folder tree (or a root the caller named), within the
 * size limit; scripts must also be valid text.
 */
function checkLocalFiles(config: ResolvedConfig): Issue[] {
  const issues: Issue[] = [];
  let total = 0;
  config.customize.forEach((step, i) => {
    const check = (rel: string, path: string): string | undefined => {
      const r = checkSource(rel, config);
      if (isProblem(r)) {
        issues.push({ path, message: r.message, hint: r.hint });
        return undefined;
      }
      total += r.bytes;
      if (total > MAX_SOURCES_TOTAL_BYTES) {
        issues.push({
          path,
          message: `local sources add up to ${total} bytes here, over the limit of ${MAX_SOURCES_TOTAL_BYTES} for one bundle`,
          hint: 'put large payloads in S3 and fetch them from a script step',
        });
        return undefined;
      }
      return r.realPath;
    };
    if ('script' in step) {
      const real = check(step.script, `customize.${i}.script`);
      if (real) {
        try {
          decodeScript(readFileSync(real), step.script);
        } catch (err) {
          issues.push({ path: `customize.${i}.script`, message: (err as Error).message });
        }
      }
    }
    if ('file' in step) check(step.file.source, `customize.${i}.file.source`);
  });
  return issues;
}

/**
 * Characters the document holds with every alias expanded, counted on the
 * parsed tree without building the JS value. Returns Infinity for an alias
 * to an anchor still being read (a recursive alias). Stops counting once
 * past `limit`.
 */
function expandedChars(doc: Document, limit: number): number {
  const anchors = new Map<string, number>();
  const open = new Set<string>();
  const size = (node: unknown): number => {
    if (node === null || node === undefined) return 0;
    if (isAlias(node)) {
      if (open.has(node.source)) return Infinity;
      return anchors.get(node.source) ?? 0;
    }
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) open.add(anchor);
    let n = 0;
    if (isScalar(node)) n = String(node.value ?? '').length + 1;
    else if (isMap(node) || isSeq(node)) {
      for (const item of node.items) {
        n += isPair(item) ? size(item.key) + size(item.value) : size(item);
        if (n > limit) break;
      }
    }
    if (anchor) {
      open.delete(anchor);
      anchors.set(anchor, n);
    }
    return n;
  };
  return size(doc.contents);
}

type Zissue = z.core.$ZodIssue;

function zodIssues(issue: Zissue, prefix: PropertyKey[], doc: Document, at: (o: number) => SourcePosition): Issue[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length) {
    // Report the branch that came closest: the one with the fewest problems.
    const best = [...issue.errors].sort((a, b) => a.length - b.length)[0]!;
    return best.flatMap((i) => zodIssues(i as Zissue, path, doc, at));
  }
  if (issue.code === 'invalid_key') {
    // A record key the schema refused: report the key's own problems, at the key.
    return issue.issues.map((inner) => ({ path: path.join('.'), message: inner.message, position: positionOf(doc, path.map(String), at, true) }));
  }
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(doc, path);
    return issue.keys.map((key) => {
      const keyPath = [...path, key];
      const suggestion = suggest(key, known);
      return {
        path: keyPath.join('.'),
        message: `unknown key "${key}"`,
        hint: suggestion ? `did you mean "${suggestion}"?` : known.length ? `known keys here: ${known.join(', ')}` : undefined,
        position: positionOf(doc, keyPath.map(String), at, true),
      } satisfies Issue as Issue;
    });
  }
  const missing = doc.getIn(path as string[]) === undefined && !doc.hasIn(path as string[]);
  return [{ path: path.join('.'), ...friendly(issue, missing), position: positionOf(doc, path.map(String), at) }];
}

function friendly(issue: Zissue, missing: boolean): { message: string; hint?: string } {
  const choices = issue.code === 'invalid_value' ? `one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` : undefined;
  if (missing) return choices ? { message: 'is required', hint: `set it to ${choices}` } : { message: 'is required' };
  if (choices) return { message: `must be ${choices}` };
  return { message: issue.message };
}

function suggest(key: string, known: string[]): string | undefined {
  if (!known.length) return undefined;
  const ci = known.find((k) => k.toLowerCase() === key.toLowerCase());
  if (ci) return ci;
  const best = closest(key, known);
  return distance(key, best) <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

/** Keys the schema allows at a path, for "did you mean". */
function knownKeys(_doc: Document, path: PropertyKey[]): string[] {
  return [...schemaKeysAt(configSchema as unknown as ZodLike, path.map(String))].sort();
}

interface ZodLike {
  _zod: {
    def: {
      type: string;
      shape?: Record<string, ZodLike>;
      innerType?: ZodLike;
      options?: ZodLike[];
      element?: ZodLike;
      in?: ZodLike;
      out?: ZodLike;
      valueType?: ZodLike;
    };
  };
}

function schemaKeysAt(schema: ZodLike, path: string[]): Set<string> {
  const def = schema._zod.def;
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'nullable':
    case 'prefault':
      return schemaKeysAt(def.innerType!, path);
    case 'pipe':
      return new Set([...schemaKeysAt(def.in!, path), ...schemaKeysAt(def.out!, path)]);
    case 'union':
      return new Set(def.options!.flatMap((o) => [...schemaKeysAt(o, path)]));
    case 'array':
      return path.length ? schemaKeysAt(def.element!, path.slice(1)) : new Set();
    case 'record':
      return path.length ? schemaKeysAt(def.valueType!, path.slice(1)) : new Set();
    case 'object': {
      if (!path.length) return new Set(Object.keys(def.shape!));
      const child = def.shape![path[0]!];
      return child ? schemaKeysAt(child, path.slice(1)) : new Set();
    }
    default:
      return new Set();
  }
}

/** Position of the node at `path` (or of its key), falling back to the nearest ancestor that exists. */
function positionOf(doc: Document, path: string[], at: (o: number) => SourcePosition, ofKey = false): SourcePosition | undefined {
  for (let n = path.length; n >= 0; n--) {
    const parentPath = path.slice(0, Math.max(0, n - 1));
    const parent = n === 0 ? doc.contents : doc.getIn(parentPath, true);
    const last = path[n - 1];
    if (n > 0 && isMap(parent)) {
      const pair = parent.items.find((p) => String((p.key as { value?: unknown })?.value ?? p.key) === last);
      if (pair) {
        const node = (ofKey || n < path.length ? pair.key : (pair.value ?? pair.key)) as { range?: [number, number, number] };
        if (node?.range) return at(node.range[0]);
      }
    } else if (n > 0 && isSeq(parent)) {
      const item = parent.items[Number(last)] as { range?: [number, number, number] } | undefined;
      if (item?.range) return at(item.range[0]);
    } else if (n === 0) {
      const node = doc.contents as { range?: [number, number, number] } | null;
      if (node?.range) return at(node.range[0]);
    }
  }
  return undefined;
}

function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}|${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
