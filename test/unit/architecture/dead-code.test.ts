import { expect } from 'chai';
import { dirname, join, relative } from 'node:path';
import { packageRoot } from '../../../src/util/package-root.js';
import { sourceFiles } from '../source-files.js';

const root = packageRoot();
const src = join(root, 'src');

describe('no dead code in src/', () => {
  const files = sourceFiles(src);

  it('lists only port operations the library calls', () => {
    const ports = files.find((f) => f.path === join(src, 'aws', 'ports.ts'))!.text;
    const ops = [...ports.matchAll(/^ {2}([a-z][A-Za-z]+): \[/gm)].map((m) => m[1]!);
    expect(ops.length).to.be.greaterThan(20);
    const callers = files.filter((f) => f.path !== join(src, 'aws', 'ports.ts'));
    const uncalled = ops.filter((op) => !callers.some((f) => f.text.includes(`.${op}(`)));
    expect(uncalled).to.deep.equal([]);
  });

  it("holds no module only tests or benchmarks import (the emulator's throttling buckets live under emulator/)", () => {
    // Importers: src/ itself, the shipped emulator and the maintenance scripts (schema, answer files); entry points: the package's own.
    const imported = new Set<string>();
    for (const f of [...files, ...sourceFiles(join(root, 'scripts')), ...sourceFiles(join(root, 'emulator'))]) {
      for (const m of f.text.matchAll(/from '(\.[^']+)'|import\('(\.[^']+)'\)/g)) imported.add(join(dirname(f.path), (m[1] ?? m[2])!).replace(/\.js$/, '.ts'));
    }
    const entry = new Set(['index.ts', join('cli', 'launcher.ts'), join('cli', 'main.ts')].map((p) => join(src, p)));
    const orphans = files.filter((f) => !f.path.endsWith('.d.ts') && !entry.has(f.path) && !imported.has(f.path)).map((f) => relative(src, f.path));
    expect(orphans).to.deep.equal([]);
  });
});
