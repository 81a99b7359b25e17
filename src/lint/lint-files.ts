/** Expand globs, read each file, detect its kind and lint it. */
import { readFile, stat } from 'node:fs/promises';
import { glob, isDynamicPattern } from 'tinyglobby';
import { ConfigError, UsageError } from '../errors.js';
import { detectKind } from './detect.js';
import { lintText } from './lint-text.js';
import type { Finding, LintOptions } from './types.js';

/** Files matched by `patterns` (globs or paths), sorted and deduplicated. */
export async function expandPatterns(patterns: string[]): Promise<string[]> {
  return (await expand(patterns)).files;
}

/** The files, and which of them were found by walking a directory rather than named. */
async function expand(patterns: string[]): Promise<{ files: string[]; walked: Set<string> }> {
  const files = new Set<string>();
  const walked = new Set<string>();
  const named = new Set<string>();
  for (const p of patterns) {
    if (!isDynamicPattern(p)) {
      const s = await stat(p).catch((err: NodeJS.ErrnoException) => {
        throw new ConfigError(`Cannot read ${JSON.stringify(p)}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, [{ path: p, message: err.message }], { hint: 'check the path' });
      });
      if (s.isDirectory()) {
        for (const f of await glob(['**/*.{xml,yml,yaml,json}'], { cwd: p, absolute: false, onlyFiles: true })) {
          const path = `${p.replace(/\/+$/, '')}/${f}`;
          files.add(path);
          walked.add(path);
        }
      } else {
        files.add(p);
        named.add(p);
      }
      continue;
    }
    const matched = await glob([p], { onlyFiles: true, expandDirectories: false });
    if (!matched.length) throw new UsageError(`No file matches ${JSON.stringify(p)}`, { hint: 'check the pattern; quote it so the shell does not expand it' });
    for (const f of matched) {
      files.add(f);
      named.add(f);
    }
  }
  // Named as well as walked: named wins.
  for (const f of named) walked.delete(f);
  return { files: [...files].sort(), walked };
}

/**
 * Lint every file the patterns match. Unreadable files raise a ConfigError; a
 * glob matching nothing a UsageError. A file found by walking a directory
 * whose kind cannot be told (a bundle's plan.json) is skipped, not an error;
 * a file named or globbed is always linted.
 */
export async function lintFiles(patterns: string[], options: Omit<LintOptions, 'fileName'> = {}): Promise<{ findings: Finding[]; files: string[] }> {
  if (!patterns.length) throw new UsageError('No files to lint', { hint: 'winami lint <files or globs>' });
  const { files: matched, walked } = await expand(patterns);
  const findings: Finding[] = [];
  const files: string[] = [];
  for (const file of matched) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new ConfigError(`Cannot read ${JSON.stringify(file)}: ${message}`, [{ path: file, message }]);
    }
    if (walked.has(file) && !options.kind && !detectKind(file, text)) continue;
    files.push(file);
    findings.push(...lintText(text, { ...options, fileName: file }));
  }
  return { findings, files };
}
