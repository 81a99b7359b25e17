/** Expand globs, read each file, detect its kind and lint it. */
import { readFile, stat } from 'node:fs/promises';
import { glob, isDynamicPattern } from 'tinyglobby';
import { ConfigError, UsageError } from '../errors.js';
import { detectKind } from './detect.js';
import { lintTextAsync } from './lint-text.js';
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
        throw new ConfigError(
          `Cannot read ${JSON.stringify(p)}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`,
          [{ path: p, message: err.message }],
          { hint: 'check the path' },
        );
      });
      if (s.isDirectory()) {
        for (const f of await glob(['**/*'], { cwd: p, absolute: false, onlyFiles: true, dot: true, ignore: ['**/node_modules/**', '**/.git/**'] })) {
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

/** A file found by walking a directory and not linted, with the reason. */
export interface SkippedFile {
  file: string;
  reason: string;
}

/** What `lintFiles` returns: the findings, the files linted and the files skipped. */
export interface LintFilesResult {
  findings: Finding[];
  files: string[];
  skipped: SkippedFile[];
}

/** Why a walked file whose kind cannot be told is skipped. */
function skipReason(file: string): string {
  const name = file.toLowerCase();
  if (/\.(xml)$/.test(name)) return 'XML, but not an answer file or EC2Config settings (root element and name)';
  if (/\.ya?ml$/.test(name)) return 'YAML without a top-level config: list of stages, so not an agent-config.yml';
  if (/\.json$/.test(name)) return 'JSON that is none of LaunchConfig.json, agent-config JSON or a Packer template';
  if (/\.hcl$|\.tf$/.test(name)) return 'HCL that is not a Packer template (*.pkr.hcl)';
  return 'not a kind winami lints (unattend, agent settings, .ps1, Packer templates)';
}

/**
 * Lint every file the patterns match. Unreadable files raise a ConfigError; a
 * glob matching nothing a UsageError. A file found by walking a directory
 * whose kind cannot be told is skipped and listed with the reason; a file
 * named or globbed is always linted.
 */
export async function lintFiles(patterns: string[], options: Omit<LintOptions, 'fileName'> = {}): Promise<LintFilesResult> {
  if (!patterns.length) throw new UsageError('No files to lint', { hint: 'winami lint <files or globs>' });
  const { files: matched, walked } = await expand(patterns);
  const findings: Finding[] = [];
  const files: string[] = [];
  const skipped: SkippedFile[] = [];
  for (const file of matched) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new ConfigError(`Cannot read ${JSON.stringify(file)}: ${message}`, [{ path: file, message }]);
    }
    if (walked.has(file) && !options.kind && !detectKind(file, text)) {
      skipped.push({ file, reason: skipReason(file) });
      continue;
    }
    files.push(file);
    findings.push(...(await lintTextAsync(text, { ...options, fileName: file })));
  }
  return { findings, files, skipped };
}
