import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The directory holding winami's package.json (templates/, schema/ and examples/ live there). */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'templates'))) return (cached = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error('winami: cannot find the package root (package.json beside templates/)');
    dir = parent;
  }
}
