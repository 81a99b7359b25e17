/**
 * Runs the bundled CLI (`dist/cli/winami.cjs`, made by scripts/bundle-cli.ts)
 * with the V8 code cache the build recorded beside it
 * (`dist/cli/winami.cjs.cache`), so a start deserializes compiled code
 * instead of parsing and compiling ~2 MB of JavaScript. Node 20 has no
 * compile cache for modules (`module.enableCompileCache` is Node 22), hence
 * a CommonJS bundle run through `vm.Script`, which takes one. A cache V8
 * refuses (another Node version or flags) or a missing one only costs time.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';
import { applyWasmFlags } from '../powershell/wasm-flags.js';

/** Options of `runBundle`. */
export interface RunBundleOptions {
  /**
   * Record the code cache when the process exits (the build does this once);
   * it then holds every function the run compiled.
   */
  writeCache?: boolean;
}

type ModuleWrapper = (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;

/** The code cache file of a bundle. */
export function codeCachePath(bundle: string): string {
  return `${bundle}.cache`;
}

/** Load and run the bundle at `bundle` as a CommonJS module; returns whether V8 took the cache. */
export function runBundle(bundle: string, options: RunBundleOptions = {}): { cacheAccepted: boolean } {
  // The cache records V8's flags; set the ones the bundle sets later, first.
  applyWasmFlags();
  const cacheFile = codeCachePath(bundle);
  let cachedData: Buffer | undefined;
  if (!options.writeCache) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  const script = new Script(Module.wrap(readFileSync(bundle, 'utf8')), { filename: bundle, ...(cachedData ? { cachedData } : {}) });
  if (options.writeCache) {
    // Renamed into place: a bin starting meanwhile reads the old cache or the new one, never half of one.
    process.once('exit', () => {
      writeFileSync(`${cacheFile}.${process.pid}`, script.createCachedData());
      renameSync(`${cacheFile}.${process.pid}`, cacheFile);
    });
  }
  const wrapper = script.runInThisContext() as ModuleWrapper;
  const module = { exports: {} };
  wrapper.call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  return { cacheAccepted: cachedData !== undefined && !script.cachedDataRejected };
}
