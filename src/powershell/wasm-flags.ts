/**
 * The V8 flags winami runs the PowerShell grammar's WebAssembly with. Kept
 * apart from parse.ts so that the CLI launcher can set them before it
 * compiles the bundle: V8's code cache records the flags it was made with
 * and is refused when they differ.
 */
import { setFlagsFromString } from 'node:v8';

let applied = false;

/**
 * V8 compiles the grammar (a few MB of wasm) a second time with its
 * optimizing tier on background threads, ~9 s of CPU that the process must
 * wait for before it can exit; the baseline tier alone parses every script of
 * a bundle in well under a second. Lazy compilation compiles a function when
 * it is first called, so the grammar's unused code is never compiled (~25 ms
 * less start-up). Must run before any wasm compiles.
 */
export function applyWasmFlags(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString('--liftoff-only');
  setFlagsFromString('--wasm-lazy-compilation');
}
