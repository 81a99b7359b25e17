/**
 * The reviewed output of every example (`answer-files/`): render each
 * top-level `examples/*.yaml` in memory exactly as `prepare` writes it, read
 * the committed tree back, and compare the two byte for byte, so a change to a
 * template, a helper or a default shows up as drift until it is reviewed and
 * regenerated with `npm run answer-files`.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadConfig } from '../config/load.js';
import { renderBundle } from './bundle.js';

/** Files keyed by posix path relative to the answer-files root (`<example>/<bundle path>`). */
export type FileTree = Map<string, Buffer>;

/** How a committed tree differs from a fresh rendering. */
export interface AnswerFilesDiff {
  /** Present in both with different bytes. */
  drifted: string[];
  /** Rendered but absent from the committed tree. */
  missing: string[];
  /** In the committed tree but produced by no example. */
  stale: string[];
}

/** The command that regenerates `answer-files/`, named in every drift message. */
export const REGENERATE_COMMAND = 'npm run answer-files';

/** The example configs rendered into `answer-files/`: top-level `*.yaml` only, sorted. */
export function exampleConfigs(examplesDir: string): string[] {
  return readdirSync(examplesDir)
    .filter((f) => f.endsWith('.yaml') && statSync(join(examplesDir, f)).isFile())
    .sort();
}

/**
 * Render every example as `prepare` would (no clock, no build id, secrets as
 * tokens), keyed `<example file name without .yaml>/<bundle path>`.
 */
export async function renderAnswerFiles(examplesDir: string): Promise<FileTree> {
  const tree: FileTree = new Map();
  for (const file of exampleConfigs(examplesDir)) {
    const name = file.slice(0, -'.yaml'.length);
    const bundle = await renderBundle(loadConfig(join(examplesDir, file)));
    for (const f of bundle.files) tree.set(`${name}/${f.path}`, f.content);
  }
  return tree;
}

/** Read every file under `dir` (empty when `dir` does not exist). */
export function readFileTree(dir: string): FileTree {
  const tree: FileTree = new Map();
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else tree.set(path, readFileSync(join(dir, path)));
    }
  };
  if (existsSync(dir)) walk('');
  return tree;
}

/** Compare a fresh rendering with the committed tree; every list is sorted. */
export function compareFileTrees(rendered: FileTree, committed: FileTree): AnswerFilesDiff {
  const drifted: string[] = [];
  const missing: string[] = [];
  for (const [path, content] of rendered) {
    const old = committed.get(path);
    if (old === undefined) missing.push(path);
    else if (!old.equals(content)) drifted.push(path);
  }
  const stale = [...committed.keys()].filter((p) => !rendered.has(p));
  return { drifted: drifted.sort(), missing: missing.sort(), stale: stale.sort() };
}

/** A message naming every difference and the command that fixes them; empty when there are none. */
export function describeDiff(diff: AnswerFilesDiff, dirLabel = 'answer-files/'): string {
  const parts = [
    ...diff.drifted.map((p) => `  changed: ${p}`),
    ...diff.missing.map((p) => `  missing: ${p}`),
    ...diff.stale.map((p) => `  stale (no example produces it): ${p}`),
  ];
  if (!parts.length) return '';
  return [
    `${dirLabel} does not match what the examples render (${parts.length} file${parts.length === 1 ? '' : 's'}):`,
    ...parts,
    `Review the change, then regenerate with \`${REGENERATE_COMMAND}\` and commit ${dirLabel}.`,
  ].join('\n');
}

/** Replace `dir` with exactly the files of `tree`. */
export function writeFileTree(dir: string, tree: FileTree): void {
  rmSync(dir, { recursive: true, force: true });
  for (const [path, content] of tree) {
    const target = join(dir, ...path.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}
