/**
 * Local sources a config points at (`script:` and `file:` steps): confined to
 * the config's folder tree, or to roots the caller names explicitly; regular
 * files only, never /proc, /sys or /dev; and no larger than the bundle can
 * carry. The same check runs when the config is loaded (a config error at the
 * key) and again when the file is read for the bundle, on the file actually
 * opened, so a file swapped in between is still refused.
 */
import { closeSync, fstatSync, openSync, readSync, realpathSync, statSync, constants } from 'node:fs';
import { isAbsolute, relative, resolve as resolvePath, sep } from 'node:path';

/**
 * The largest local source winami reads: 4 MiB. The bake delivers every file
 * through SSM SendCommand as base64 in scripts of at most 40,000 characters
 * (`bake/scripts.ts`), so 4 MiB is about 140 SendCommand round trips of a few
 * seconds each: minutes of delivery. Larger payloads belong in S3, fetched by
 * a script on the instance.
 */
export const MAX_SOURCE_BYTES = 4 * 1024 * 1024;

/**
 * The most bytes all local sources of one config may add up to: 16 MiB, four
 * sources at the per-file limit (about 560 deliveries), so that one large file
 * named by many steps cannot grow the bundle without bound.
 */
export const MAX_SOURCES_TOTAL_BYTES = 16 * 1024 * 1024;

/** Pseudo-filesystems whose "files" are the machine's own state (environment, memory, devices). */
const SPECIAL_ROOTS = ['/proc', '/sys', '/dev'];

/** Where local sources may come from. */
export interface SourceRoots {
  /** The config's folder (relative sources resolve against it). */
  baseDir: string;
  /** Extra folders a user named explicitly (`--allow-source-root`). */
  allowSourceRoots?: readonly string[];
}

/** A source that passed the checks: its real path and size. */
export interface CheckedSource {
  realPath: string;
  bytes: number;
}

/** Why a source was refused, and what to do instead. */
export interface SourceProblem {
  message: string;
  hint: string;
}

function within(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function realRoots(roots: SourceRoots): string[] {
  return [roots.baseDir, ...(roots.allowSourceRoots ?? [])].flatMap((r) => {
    try {
      return [realpathSync(resolvePath(r))];
    } catch {
      return [];
    }
  });
}

function kindOf(stat: import('node:fs').Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'a special file';
}

const WIDEN_HINT = "keep sources inside the config's folder, or name their folder with --allow-source-root DIR (library option allowSourceRoots)";

/** Check one source (relative to the config's folder, or absolute); returns the problem or the real path. */
export function checkSource(source: string, roots: SourceRoots, maxBytes = MAX_SOURCE_BYTES): CheckedSource | SourceProblem {
  const abs = resolvePath(roots.baseDir, source);
  let real: string;
  try {
    real = realpathSync(abs);
  } catch {
    return { message: `file not found: ${abs}`, hint: 'paths are relative to the config file' };
  }
  if (SPECIAL_ROOTS.some((r) => within(real, r))) {
    return {
      message: `${real} is a special file of this machine (under ${SPECIAL_ROOTS.join(', ')}); winami never copies those`,
      hint: 'copy the content into a regular file next to the config',
    };
  }
  const allowed = realRoots(roots);
  if (!allowed.some((r) => within(real, r))) {
    const via = real === abs ? '' : ` (${abs} leads there through a symlink)`;
    return { message: `${real} is outside the config's folder ${allowed[0] ?? roots.baseDir}${via}`, hint: WIDEN_HINT };
  }
  const stat = statSync(real);
  if (!stat.isFile()) return { message: `${real} is not a regular file: it is ${kindOf(stat)}`, hint: 'point at a regular file' };
  if (stat.size > maxBytes)
    return {
      message: `${real} is ${stat.size} bytes, over the limit of ${maxBytes} bytes for a local source`,
      hint: 'put large payloads in S3 and fetch them from a script step',
    };
  return { realPath: real, bytes: stat.size };
}

/** True when `checkSource` refused the source. */
export function isProblem(r: CheckedSource | SourceProblem): r is SourceProblem {
  return 'message' in r;
}

/**
 * Read a source for the bundle: checked again, then opened without following
 * a symlink and checked on the open descriptor (regular file, size) before
 * a byte is read. Throws an `Error` whose message says why.
 */
export function readSource(source: string, roots: SourceRoots, maxBytes = MAX_SOURCE_BYTES): Buffer {
  const checked = checkSource(source, roots, maxBytes);
  if (isProblem(checked)) throw new Error(checked.message);
  const fd = openSync(checked.realPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${checked.realPath} is not a regular file: it is ${kindOf(stat)}`);
    if (stat.size > maxBytes) throw new Error(`${checked.realPath} is ${stat.size} bytes, over the limit of ${maxBytes} bytes for a local source`);
    const buf = Buffer.alloc(stat.size);
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}

/** Byte offset of the first byte that is not part of well-formed UTF-8 (RFC 3629), or undefined. */
export function firstInvalidUtf8(bytes: Uint8Array): number | undefined {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) ((need = 1), (min = 0x80));
    else if (b >= 0xe0 && b <= 0xef) ((need = 2), (min = 0x800));
    else if (b >= 0xf0 && b <= 0xf4) ((need = 3), (min = 0x10000));
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return i;
    i += need + 1;
  }
  return undefined;
}

/**
 * A script's text: UTF-16 with a BOM, or UTF-8 (a BOM dropped). Invalid
 * UTF-8 is refused rather than replaced with U+FFFD, which would change the
 * script silently (`café` would run as `caf�`).
 */
export function decodeScript(bytes: Buffer, name: string): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  const bad = firstInvalidUtf8(bytes);
  if (bad !== undefined) {
    throw new Error(
      `${name} is not valid UTF-8: byte ${bad} (0x${bytes[bad]!.toString(16).padStart(2, '0')}) starts no valid sequence; save it as UTF-8 (or UTF-16 with a BOM)`,
    );
  }
  const text = bytes.toString('utf8');
  return text.startsWith('\ufeff') ? text.slice(1) : text;
}
