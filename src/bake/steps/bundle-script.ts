/** Find the bundle's scripts and turn one into the text of a Run Command. */
import { StepError } from '../../errors.js';
import type { Bundle, BundleFileLike } from '../bundle-types.js';
import { ps, SCRIPT_BUDGET } from '../scripts.js';

/** The bundle file at `path` (e.g. `scripts/check-ready.ps1`); a StepError if the bundle lacks it. */
export function bundleFile(bundle: Bundle, path: string, step: string): BundleFileLike {
  const f = bundle.files.find((x) => x.path === path || x.path.endsWith(`/${path}`));
  if (!f) throw new StepError(step, `the bundle has no ${path}`, { hint: 'This is a bug in the renderer; run `winami prepare` to inspect the bundle.' });
  return f;
}

/**
 * The command text: the script itself when it fits one SendCommand, otherwise
 * a call of its delivered copy (its exit code passed on, so 3010 still reboots).
 */
export function commandFor(file: BundleFileLike): string {
  const text = file.content.toString('utf8').replace(/^\uFEFF/, '');
  if (text.length <= SCRIPT_BUDGET || !file.destination) return text;
  return `# winami: run ${file.path}\r\n& ${ps(file.destination)}\r\nexit $LASTEXITCODE`;
}
