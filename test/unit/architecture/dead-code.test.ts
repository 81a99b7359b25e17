import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot } from '../../../src/util/package-root.js';

const src = join(packageRoot(), 'src');

function sources(d: string): { path: string; text: string }[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) => {
    const p = join(d, e.name);
    if (e.isDirectory()) return sources(p);
    return p.endsWith('.ts') ? [{ path: relative(src, p), text: readFileSync(p, 'utf8') }] : [];
  });
}

describe('no dead code in src/', () => {
  const files = sources(src);

  it('lists only port operations the library calls', () => {
    const ports = files.find((f) => f.path === join('aws', 'ports.ts'))!.text;
    const ops = [...ports.matchAll(/^ {2}([a-z][A-Za-z]+): \[/gm)].map((m) => m[1]!);
    expect(ops.length).to.be.greaterThan(20);
    const callers = files.filter((f) => f.path !== join('aws', 'ports.ts'));
    const uncalled = ops.filter((op) => !callers.some((f) => f.text.includes(`.${op}(`)));
    expect(uncalled).to.deep.equal([]);
  });

  it("holds no module only tests or benchmarks import (the emulator's throttling buckets live under test/emulator)", () => {
    // Importers: src/ itself and the maintenance scripts (schema, answer files); entry points: the package's own.
    const root = packageRoot();
    const importers = [
      ...files.map((f) => ({ path: join(src, f.path), text: f.text })),
      ...sources(join(root, 'scripts')).map((f) => ({ path: join(src, f.path), text: f.text, scripts: true })),
    ];
    const imported = new Set<string>();
    for (const f of importers) {
      const from = 'scripts' in f ? join(root, 'scripts', relative(src, f.path), '..') : join(f.path, '..');
      for (const m of f.text.matchAll(/from '(\.[^']+)'|import\('(\.[^']+)'\)/g)) imported.add(join(from, (m[1] ?? m[2])!).replace(/\.js$/, '.ts'));
    }
    const entry = new Set(['index.ts', join('cli', 'launcher.ts'), join('cli', 'main.ts')]);
    const orphans = files.filter((f) => !f.path.endsWith('.d.ts') && !entry.has(f.path) && !imported.has(join(src, f.path))).map((f) => f.path);
    expect(orphans).to.deep.equal([]);
  });
});
