import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '../../../src/errors.js';
import { EXIT_CODE_NAMES } from '../../../src/exit-codes.js';
import { packageRoot } from '../../../src/util/package-root.js';

/** The `| code | text |` rows of every table in a file's "Exit codes" sections. */
function exitCodeRows(text: string): { code: number; text: string }[] {
  const rows: { code: number; text: string }[] = [];
  for (const section of text.split(/^## /m).filter((s) => /^Exit codes\b/.test(s))) {
    for (const m of section.matchAll(/^\|\s*(\d+)\s*\|\s*(.*?)\s*\|/gm)) rows.push({ code: Number(m[1]), text: m[2]! });
  }
  return rows;
}

const root = packageRoot();
const docs = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const codes = Object.values(ExitCode) as number[];

describe('exit codes in the docs', () => {
  it("README's table lists every ExitCode, each once, in order", () => {
    const rows = exitCodeRows(readFileSync(join(root, 'README.md'), 'utf8'));
    expect(rows.map((r) => r.code)).to.deep.equal(codes);
  });

  for (const doc of docs) {
    it(`${doc}: every exit-code row is an ExitCode and starts with its name`, () => {
      for (const row of exitCodeRows(readFileSync(join(root, doc), 'utf8'))) {
        expect(codes, `${doc}: exit code ${row.code}`).to.include(row.code);
        const name = (EXIT_CODE_NAMES as Record<number, string>)[row.code]!;
        expect(row.text.toLowerCase().startsWith(name.toLowerCase()), `${doc}: exit code ${row.code} should begin "${name}", not "${row.text}"`).to.equal(true);
      }
    });
  }

  it('names every ExitCode, and --help lists them from that table', () => {
    expect(Object.keys(EXIT_CODE_NAMES).map(Number)).to.deep.equal(codes);
    const help = spawnSync(process.execPath, [join(root, 'dist', 'src', 'cli', 'main.js'), '--help'], {
      encoding: 'utf8',
      env: { ...process.env, COLUMNS: '400' },
    });
    const flat = help.stdout.replace(/\s+/g, ' ');
    for (const [code, name] of Object.entries(EXIT_CODE_NAMES)) expect(flat).to.contain(`${code} ${name}`);
  });
});
