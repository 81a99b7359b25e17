/**
 * `prepare`: one config file → a reviewed bundle on disk (answer file, agent
 * settings, PowerShell, plan.json), validated before anything is written.
 * Offline: no AWS call is made and the SDK is never loaded.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ExitCode, WinamiError } from './errors.js';
import { reportTo, silentReporter, type Reporter } from './reporter.js';
import { loadConfig } from './config/load.js';
import type { ResolvedConfig } from './config/types.js';
import { renderBundle, type Bundle } from './render/bundle.js';

export interface PrepareOptions {
  /** The config file. */
  configPath: string;
  /** The directory to write the bundle into; replaced when it holds an earlier bundle. */
  outDir: string;
  /** Accept literal secrets in the config (for throwaway tests only). */
  allowPlaintextSecrets?: boolean;
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
  const config = loadConfig(options.configPath, { allowPlaintextSecrets: options.allowPlaintextSecrets ?? false });
  report.info('prepare.config', `${config.name}: ${config.windows.release} ${config.windows.edition} with ${config.launchAgent}`, {
    name: config.name,
    launchAgent: config.launchAgent,
  });
  const bundle = await renderBundle(config);
  for (const w of bundle.warnings) report.warn('prepare.lint', `${w.file}:${w.line}:${w.column} ${w.ruleId}: ${w.message}`, { ...w });
  const outDir = resolve(options.outDir);
  writeBundle(bundle, outDir, options.force ?? false);
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

/**
 * Write into a fresh sibling directory, then swap it into place, so a failed
 * write never leaves a half bundle and an earlier bundle is replaced whole.
 */
function writeBundle(bundle: Bundle, outDir: string, force: boolean): void {
  if (existsSync(outDir)) {
    const entries = readdirSync(outDir);
    if (entries.length && !entries.includes('plan.json') && !force) {
      throw new WinamiError('OUT_DIR_NOT_EMPTY', ExitCode.USAGE, `${outDir} holds files that are not a winami bundle`, {
        hint: 'choose an empty or new directory for --out, or pass --force to replace it',
      });
    }
  }
  const parent = dirname(outDir);
  mkdirSync(parent, { recursive: true });
  const stamp = `${process.pid}-${Date.now()}`;
  const staging = join(parent, `.${outDir.split(/[\\/]/).pop()}.winami-new-${stamp}`);
  const old = join(parent, `.${outDir.split(/[\\/]/).pop()}.winami-old-${stamp}`);
  try {
    for (const file of bundle.files) {
      const target = join(staging, ...file.path.split('/'));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.content);
    }
    if (existsSync(outDir)) renameSync(outDir, old);
    renameSync(staging, outDir);
  } catch (err) {
    if (!existsSync(outDir) && existsSync(old)) renameSync(old, outDir);
    throw err;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
}
