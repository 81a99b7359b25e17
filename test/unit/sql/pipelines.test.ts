import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import yargs from 'yargs';
import { COMMANDS } from '../../../src/cli/commands/index.js';
import { loadConfig } from '../../../src/config/load.js';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const DIR = join(ROOT, 'examples', 'pipelines');

/** Every string scalar in a YAML tree. */
function strings(node: unknown, out: string[] = []): string[] {
  if (typeof node === 'string') out.push(node);
  else if (Array.isArray(node)) node.forEach((n) => strings(n, out));
  else if (node && typeof node === 'object') Object.values(node).forEach((n) => strings(n, out));
  return out;
}

/** Every combination of a matrix's lists. */
function combinations(matrix: Record<string, unknown[]>): Record<string, string>[] {
  return Object.entries(matrix).reduce<Record<string, string>[]>(
    (acc, [k, values]) => acc.flatMap((row) => values.map((v) => ({ ...row, [k]: String(v) }))),
    [{}],
  );
}

/** `winami` command lines in a CI file, with matrix variables filled for each cell. */
function invocations(text: string, cells: Record<string, string>[]): string[][] {
  const out: string[][] = [];
  for (const s of strings(parseYaml(text))) {
    const at = s.indexOf('winami ');
    if (at < 0 || !/npx winami /.test(s)) continue;
    for (const cell of cells) {
      const line = s
        .slice(at)
        .replace(/\$\{\{\s*matrix\.(\w+)\s*\}\}/g, (_, k: string) => cell[k] ?? `<unset ${k}>`)
        .replace(/\$\{(\w+)\}/g, (_, k: string) => cell[k] ?? `<unset ${k}>`)
        .split(/\s+>\s+/)[0]!;
      out.push(line.trim().split(/\s+/).slice(1));
    }
  }
  return out;
}

/** Parse argv with the real command definitions, refusing unknown options. */
function parseWithCli(argv: string[]): Record<string, unknown> {
  let parsed: Record<string, unknown> | undefined;
  let y = yargs(argv)
    .strict()
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new Error(msg);
    });
  for (const c of COMMANDS) {
    y = y.command(c.command, c.describe, c.builder, (args) => {
      parsed = args as Record<string, unknown>;
    });
  }
  y.parseSync();
  if (!parsed) throw new Error(`no command matched ${argv.join(' ')}`);
  return parsed;
}

const FILES: { file: string; cells: (doc: any) => Record<string, string>[] }[] = [
  { file: 'github-actions.yml', cells: (doc) => combinations(doc.jobs.bake.strategy.matrix) },
  { file: 'codebuild-buildspec.yml', cells: () => [{}] },
  { file: 'gitlab-ci.yml', cells: (doc) => combinations(doc['bake-sql'].parallel.matrix[0]) },
];

describe('examples/pipelines', () => {
  for (const { file, cells } of FILES) {
    it(`${file}: parses, and every winami call uses real options and configs that load`, () => {
      const text = readFileSync(join(DIR, file), 'utf8');
      const doc = parseYaml(text);
      const calls = invocations(text, cells(doc));
      expect(calls.length, 'winami calls').to.be.greaterThan(0);
      for (const argv of calls) {
        const args = parseWithCli(argv);
        expect(argv[0]).to.equal('bake');
        expect(args.json, argv.join(' ')).to.equal(true);
        expect(args.manifest, argv.join(' ')).to.be.a('string');
        const configs = args.configs as string[];
        expect(configs.length).to.be.greaterThan(0);
        for (const c of configs) {
          const path = join(ROOT, c);
          expect(existsSync(path), path).to.equal(true);
          const config = loadConfig(path);
          expect(config.sql?.mode).to.equal('license-included');
          expect(config.image.publishParameter).to.match(/^\/golden\//);
        }
      }
    });
  }

  it('the GitHub matrix covers Windows 2019/2022/2025 x SQL Web/Standard/Enterprise, with OIDC credentials and the manifest kept', () => {
    const text = readFileSync(join(DIR, 'github-actions.yml'), 'utf8');
    const doc = parseYaml(text);
    expect(combinations(doc.jobs.bake.strategy.matrix)).to.have.length(9);
    expect(doc.permissions['id-token']).to.equal('write');
    const uses = (doc.jobs.bake.steps as { uses?: string }[]).map((s) => s.uses).filter(Boolean);
    expect(uses).to.include.members(['aws-actions/configure-aws-credentials@v4', 'actions/upload-artifact@v4']);
  });

  it('the check catches an option the CLI does not have', () => {
    expect(() => parseWithCli(['bake', 'a.yaml', '--concurency', '4'])).to.throw(/Unknown argument/);
  });
});
