import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_CODES } from '../../../src/events.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { sourceFiles } from '../source-files.js';

const root = packageRoot();

/** The codes in the first column of the tables of docs/events.md. */
function documentedCodes(): string[] {
  return [...readFileSync(join(root, 'docs', 'events.md'), 'utf8').matchAll(/^\|\s*`([^`]+)`\s*\|/gm)].map((m) => m[1]!);
}

/** Every string-literal code passed to `report.info|warn|error|debug(` or put in an event object under src/. */
function emittedCodes(): { code: string; where: string }[] {
  return sourceFiles(join(root, 'src')).flatMap(({ path, text }) =>
    [...text.matchAll(/(?:\.(?:info|warn|error|debug)|\[level\])\(\s*'([^']+)'|\bcode: '([a-z][\w-]*(?:\.[\w-]+)+)'/g)].map((m) => ({
      code: (m[1] ?? m[2])!,
      where: path.slice(root.length + 1),
    })),
  );
}

describe('the event registry, the code and the docs', () => {
  it('docs/events.md lists every registered code, each once, and no other', () => {
    const documented = documentedCodes();
    expect(new Set(documented).size, 'a code listed twice').to.equal(documented.length);
    expect([...documented].sort()).to.deep.equal([...EVENT_CODES].sort());
  });

  it('every code emitted under src/ is registered (the compiler checks it too; this also catches a cast)', () => {
    const emitted = emittedCodes();
    expect(emitted.length, 'the scan finds the emitting calls').to.be.greaterThan(80);
    const registered = new Set<string>(EVENT_CODES);
    expect(emitted.filter((e) => !registered.has(e.code))).to.deep.equal([]);
  });

  it('has the step events for each prefix the runner uses, and no code twice', () => {
    expect(EVENT_CODES).to.include.members(['bake.step.start', 'bake.cleanup.timeout', 'run.step.failed']);
    expect(new Set(EVENT_CODES).size).to.equal(EVENT_CODES.length);
  });
});
