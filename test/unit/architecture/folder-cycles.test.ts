import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { packageRoot } from '../../../src/util/package-root.js';

/**
 * The folders under src/ form a layered graph: a folder may import another
 * only if that one never imports it back, directly or through others. Every
 * static import and re-export counts, type-only ones too (they are
 * dependencies of the design even when erased). A top-level file (src/x.ts) is
 * a node of its own.
 */
export function folderGraph(src: string): Map<string, Map<string, string>> {
  const edges = new Map<string, Map<string, string>>();
  const node = (file: string) => {
    const parts = relative(src, file).split(sep);
    return parts.length > 1 ? parts[0]! : parts[0]!.replace(/\.ts$/, '.ts');
  };
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) {
        const text = readFileSync(p, 'utf8');
        for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/g)) {
          const target = resolve(dirname(p), m[1]!).replace(/\.js$/, '.ts');
          const a = node(p);
          const b = node(target);
          if (a === b) continue;
          if (!edges.has(a)) edges.set(a, new Map());
          if (!edges.get(a)!.has(b)) edges.get(a)!.set(b, `${relative(src, p)} -> ${m[1]}`);
        }
      }
    }
  };
  walk(src);
  return edges;
}

/** Strongly connected components with more than one node: each is a cycle of folders. */
export function folderCycles(edges: Map<string, Map<string, string>>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) out.push(c.sort());
    }
  };
  const nodes = new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])]);
  for (const v of nodes) if (!idx.has(v)) visit(v);
  return out;
}

describe('no import cycles between the folders of src/', () => {
  it('finds a cycle when there is one (the check can fail)', () => {
    const g = new Map([
      ['render', new Map([['sql', 'render/bundle.ts -> ../sql/bundle.js']])],
      ['sql', new Map([['render', 'sql/ini.ts -> ../render/helpers.js']])],
      ['cli', new Map([['render', 'cli/x.ts -> ../render/x.js']])],
    ]);
    expect(folderCycles(g)).to.deep.equal([['render', 'sql']]);
  });

  it('has none in src/', () => {
    const edges = folderGraph(join(packageRoot(), 'src'));
    expect(edges.size).to.be.greaterThan(10);
    const cycles = folderCycles(edges).map((c) => ({
      folders: c,
      imports: c.flatMap((a) => [...(edges.get(a) ?? [])].filter(([b]) => c.includes(b)).map(([, how]) => how)),
    }));
    expect(cycles).to.deep.equal([]);
  });
});
