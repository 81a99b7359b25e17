/**
 * Regenerates answer-files/ from examples/*.yaml (`npm run answer-files`):
 * each example rendered exactly as `winami prepare` writes it, offline.
 * Review the diff before committing it; test/unit/render/answer-files.test.ts
 * fails while the two disagree.
 */
import { join } from 'node:path';
import { compareFileTrees, readFileTree, renderAnswerFiles, writeFileTree } from '../src/render/answer-files.js';
import { packageRoot } from '../src/util/package-root.js';

const root = packageRoot();
const target = join(root, 'answer-files');
const rendered = await renderAnswerFiles(join(root, 'examples'));
const diff = compareFileTrees(rendered, readFileTree(target));
writeFileTree(target, rendered);
const examples = new Set([...rendered.keys()].map((p) => p.split('/')[0]));
process.stdout.write(
  `wrote ${rendered.size} files for ${examples.size} examples to ${target}` +
    ` (${diff.drifted.length} changed, ${diff.missing.length} new, ${diff.stale.length} removed)\n`,
);
for (const p of diff.drifted) process.stdout.write(`  changed ${p}\n`);
for (const p of diff.missing) process.stdout.write(`  new     ${p}\n`);
for (const p of diff.stale) process.stdout.write(`  removed ${p}\n`);
