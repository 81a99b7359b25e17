/**
 * The guest's virtual disk: case-insensitive Windows paths to bytes. It is
 * copied into snapshots and images, so files written before CreateImage are
 * present on instances launched from the image.
 */

export interface GuestFile {
  path: string;
  data: Buffer;
}

/** The canonical key of a Windows path: backslashes, no trailing separator, lowercase. */
export function pathKey(path: string): string {
  let p = path.replace(/\//g, '\\').replace(/\\+$/, '');
  if (p.startsWith('Microsoft.PowerShell.Core\\FileSystem::')) p = p.slice('Microsoft.PowerShell.Core\\FileSystem::'.length);
  return p.toLowerCase();
}

function parentKey(key: string): string | undefined {
  const i = key.lastIndexOf('\\');
  return i > 0 ? key.slice(0, i) : undefined;
}

export class GuestFs {
  private readonly files = new Map<string, GuestFile>();
  private readonly dirs = new Set<string>();

  read(path: string): Buffer | undefined {
    return this.files.get(pathKey(path))?.data;
  }

  write(path: string, data: Buffer): void {
    const key = pathKey(path);
    this.files.set(key, { path, data });
    for (let p = parentKey(key); p; p = parentKey(p)) this.dirs.add(p);
  }

  append(path: string, data: Buffer): void {
    const old = this.read(path);
    this.write(path, old ? Buffer.concat([old, data]) : data);
  }

  mkdir(path: string): void {
    const key = pathKey(path);
    for (let p: string | undefined = key; p; p = parentKey(p)) this.dirs.add(p);
  }

  exists(path: string): boolean {
    const key = pathKey(path);
    return this.files.has(key) || this.dirs.has(key) || /^[a-z]:$/.test(key);
  }

  isDir(path: string): boolean {
    return this.dirs.has(pathKey(path));
  }

  /** Remove a file, or a directory (recursively when `recurse`). False if nothing was there. */
  remove(path: string, recurse: boolean): boolean {
    const key = pathKey(path);
    if (this.files.delete(key)) return true;
    if (!this.dirs.has(key)) return false;
    const prefix = `${key}\\`;
    const children = [...this.files.keys()].filter((k) => k.startsWith(prefix));
    if (children.length > 0 && !recurse) return false;
    for (const k of children) this.files.delete(k);
    for (const d of [...this.dirs]) if (d === key || d.startsWith(prefix)) this.dirs.delete(d);
    return true;
  }

  list(): GuestFile[] {
    return [...this.files.values()];
  }

  clone(): GuestFs {
    const c = new GuestFs();
    for (const [k, f] of this.files) c.files.set(k, { path: f.path, data: f.data });
    for (const d of this.dirs) c.dirs.add(d);
    return c;
  }
}
