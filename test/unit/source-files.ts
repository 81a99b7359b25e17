import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every `.ts` file below `dir`, with its path and text, for tests that read the source itself. */
export function sourceFiles(dir: string): { path: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') ? [{ path: p, text: readFileSync(p, 'utf8') }] : [];
  });
}
