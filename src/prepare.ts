/**
 * `prepare`: one config file → a reviewed bundle on disk (answer file, agent
 * settings, PowerShell, plan.json), validated before anything is written.
 * Offline: no AWS call is made and the SDK is never loaded.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ExitCode, UsageError, WinamiError } from './errors.js';
import { reportTo, silentReporter, type Reporter } from './reporter.js';
import { loadConfig } from './config/load.js';
import type { ResolvedConfig } from './config/types.js';
import { renderBundle, type Bundle } from './render/bundle.js';

/** The file `prepare` writes into every bundle directory: it marks the directory as winami's to replace. */
export const BUNDLE_MARKER = '.winami-bundle';
/** The marker's content: the bundle format id. */
export const BUNDLE_FORMAT = 'winami-bundle/1';

export interface PrepareOptions {
  /** The config file. */
  configPath: string;
  /**
   * The directory to write the bundle into; replaced whole when it holds
   * winami's marker (`BUNDLE_MARKER`). Never the config's folder, the working
   * directory, or an ancestor of either.
   */
  outDir: string;
  /** Accept literal secrets in the config (for throwaway tests only). */
  allowPlaintextSecrets?: boolean;
  /** Folders `script:` and `file:` sources may come from besides the config's own folder tree. */
  allowSourceRoots?: readonly string[];
  /** Replace `outDir` even when it holds files that are not a winami bundle. */
  force?: boolean;
  reporter?: Reporter;
}

export interface PreparedFile {
  path: string;
  sha256: string;
  bytes: number;
  role: string;
  destination?: string;
}

export interface PrepareResult {
  outDir: string;
  name: string;
  release: string;
  edition: string;
  launchAgent: string;
  expectation: ResolvedConfig['expectation'];
  files: PreparedFile[];
  /** Linter findings below error level (errors stop the prepare). */
  warnings: Bundle['warnings'];
}

/** Render, validate and write the bundle for one config. */
export async function prepare(options: PrepareOptions): Promise<PrepareResult> {
  const report = reportTo(options.reporter ?? silentReporter);
  const config = loadConfig(options.configPath, {
    allowPlaintextSecrets: options.allowPlaintextSecrets ?? false,
    ...(options.allowSourceRoots ? { allowSourceRoots: options.allowSourceRoots } : {}),
  });
  report.info('prepare.config', `${config.name}: ${config.windows.release} ${config.windows.edition} with ${config.launchAgent}`, {
    name: config.name,
    launchAgent: config.launchAgent,
  });
  const bundle = await renderBundle(config);
  for (const w of bundle.warnings) report.warn('prepare.lint', `${w.file}:${w.line}:${w.column} ${w.ruleId}: ${w.message}`, { ...w });
  const outDir = resolve(options.outDir);
  writeBundle(bundle, outDir, options.configPath, options.force ?? false);
  report.info('prepare.written', `wrote ${bundle.files.length} files to ${outDir}`, { outDir, files: bundle.files.length });
  return {
    outDir,
    name: config.name,
    release: config.windows.release,
    edition: config.windows.edition,
    launchAgent: config.launchAgent,
    expectation: config.expectation,
    files: bundle.files.map((f) => ({
      path: f.path,
      sha256: f.sha256,
      bytes: f.content.length,
      role: f.role,
      ...(f.destination === undefined ? {} : { destination: f.destination }),
    })),
    warnings: bundle.warnings,
  };
}

/** Is `path` the same as `other` or an ancestor of it? */
function isSameOrAncestor(path: string, other: string): boolean {
  const rel = relative(path, other);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The real path of `path`, or of its nearest existing ancestor joined with the rest. */
function realish(path: string): string {
  const rest: string[] = [];
  let p = path;
  for (;;) {
    try {
      return join(realpathSync(p), ...rest.reverse());
    } catch {
      const parent = dirname(p);
      if (parent === p) return path;
      rest.push(basename(p));
      p = parent;
    }
  }
}

const WRITE_ERRORS = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'EISDIR', 'ENOSPC', 'ENAMETOOLONG', 'ELOOP', 'EBUSY']);

function cannotWrite(outDir: string, err: unknown): never {
  const code = (err as NodeJS.ErrnoException).code;
  if (code && WRITE_ERRORS.has(code)) {
    throw new UsageError(`cannot write the bundle to ${outDir}: ${code}`, { hint: 'choose a directory you can write to for --out', cause: err });
  }
  throw err;
}

/** Does `outDir` hold winami's marker with the format id this version writes? */
function holdsMarker(outDir: string): boolean {
  try {
    const marker = join(outDir, BUNDLE_MARKER);
    return lstatSync(marker).isFile() && readFileSync(marker, 'utf8') === `${BUNDLE_FORMAT}\n`;
  } catch {
    return false;
  }
}

/**
 * Refuse an `--out` that is not winami's to replace: the folder holding the
 * config or the working directory (or an ancestor of either) always; a file;
 * and, without `force`, a non-empty folder without winami's marker.
 */
function checkOutDir(outDir: string, configPath: string, force: boolean): void {
  const out = realish(outDir);
  for (const [what, dir] of [
    ['the folder that holds the config', realish(dirname(resolve(configPath)))],
    ['the working directory', realish(process.cwd())],
  ] as const) {
    if (isSameOrAncestor(out, dir)) {
      throw new UsageError(
        `--out ${outDir} is ${out === dir ? what : `an ancestor of ${what}`} (${dir}); winami replaces --out whole, so it never writes there`,
        {
          hint: `name a new folder for the bundle, e.g. --out ${join(dirname(resolve(configPath)), 'out')}`,
        },
      );
    }
  }
  let stat: import('node:fs').Stats;
  try {
    stat = statSync(outDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    cannotWrite(outDir, err);
  }
  if (!stat.isDirectory()) throw new UsageError(`--out ${outDir} is a file, not a directory`, { hint: 'name a new or empty directory for --out' });
  let entries: string[];
  try {
    entries = readdirSync(outDir);
  } catch (err) {
    cannotWrite(outDir, err);
  }
  if (!entries.length || holdsMarker(outDir) || force) return;
  throw new WinamiError(
    'OUT_DIR_NOT_EMPTY',
    ExitCode.USAGE,
    `${outDir} holds files that are not a winami bundle (it has no ${BUNDLE_MARKER} marker with ${BUNDLE_FORMAT})`,
    {
      hint: 'choose an empty or new directory for --out, or pass --force to replace it whole (a bundle from before the marker needs --force once)',
    },
  );
}

/**
 * Write into a fresh sibling directory, then swap it into place, so a failed
 * write never leaves a half bundle and an earlier bundle is replaced whole.
 * The marker file says the directory is winami's to replace next time.
 */
function writeBundle(bundle: Bundle, outDir: string, configPath: string, force: boolean): void {
  checkOutDir(outDir, configPath, force);
  const parent = dirname(outDir);
  const stamp = `${process.pid}-${Date.now()}`;
  const staging = join(parent, `.${basename(outDir)}.winami-new-${stamp}`);
  const old = join(parent, `.${basename(outDir)}.winami-old-${stamp}`);
  try {
    mkdirSync(parent, { recursive: true });
    for (const file of bundle.files) {
      const target = join(staging, ...file.path.split('/'));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.content);
    }
    writeFileSync(join(staging, BUNDLE_MARKER), `${BUNDLE_FORMAT}\n`);
    if (existsSync(outDir)) renameSync(outDir, old);
    renameSync(staging, outDir);
  } catch (err) {
    if (!existsSync(outDir) && existsSync(old)) renameSync(old, outDir);
    cannotWrite(outDir, err);
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
}
