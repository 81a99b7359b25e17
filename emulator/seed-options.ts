/**
 * Validation of seed options, given in code or as a JSON file (`--seed`):
 * every problem is reported at once, each naming the field and the fix.
 */
import { readFileSync } from 'node:fs';
import type { SeedOptions } from './options.js';
import { DEFAULT_REGIONS } from './world.js';
import { OPT_IN_REGIONS } from './organizations.js';

/** Seed options that are not valid; `problems` lists every one. */
export class SeedError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid emulator seed (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SeedError';
  }
}

const KEYS = ['regions', 'images', 'imageAccounts', 'emptyBillingEvery'];

/** Check seed options; returns them typed, or throws a SeedError listing every problem. */
export function checkSeedOptions(value: unknown, source = 'seed options'): SeedOptions {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SeedError(source, [
      `expected a JSON object like {"regions": ["us-east-1"], "images": 100, "imageAccounts": ["111111111111"]}, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`,
    ]);
  }
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v)) if (!KEYS.includes(k)) problems.push(`"${k}" is not a seed option; use one of ${KEYS.join(', ')}`);
  if (v.regions !== undefined) {
    if (!Array.isArray(v.regions) || v.regions.length === 0)
      problems.push('"regions" must be a non-empty array of region names, e.g. ["us-east-1", "eu-west-1"]');
    else
      for (const r of v.regions)
        if (typeof r !== 'string' || (!DEFAULT_REGIONS.includes(r) && !OPT_IN_REGIONS.includes(r)))
          problems.push(`"regions" has ${JSON.stringify(r)}, which is not one of the emulated regions (${[...DEFAULT_REGIONS, ...OPT_IN_REGIONS].join(', ')})`);
  }
  if (v.images !== undefined && !(Number.isInteger(v.images) && (v.images as number) >= 0 && (v.images as number) <= 1_000_000)) {
    problems.push(`"images" must be a whole number from 0 to 1000000 (synthetic images per account and region), got ${JSON.stringify(v.images)}`);
  }
  if (v.imageAccounts !== undefined) {
    if (!Array.isArray(v.imageAccounts) || v.imageAccounts.length === 0)
      problems.push('"imageAccounts" must be a non-empty array of 12-digit account ids, e.g. ["111111111111"]');
    else
      for (const a of v.imageAccounts)
        if (typeof a !== 'string' || !/^\d{12}$/.test(a))
          problems.push(`"imageAccounts" has ${JSON.stringify(a)}; write a 12-digit account id as a string, e.g. "111111111111"`);
  }
  if (v.emptyBillingEvery !== undefined && !(Number.isInteger(v.emptyBillingEvery) && (v.emptyBillingEvery as number) >= 1)) {
    problems.push(
      `"emptyBillingEvery" must be a whole number from 1 (every n-th synthetic image has no billing fields), got ${JSON.stringify(v.emptyBillingEvery)}`,
    );
  }
  if (problems.length) throw new SeedError(source, problems);
  return v as SeedOptions;
}

/** Read and check a seed file (JSON). */
export function readSeedFile(path: string): SeedOptions {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SeedError(path, [
      `cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)}); pass the path of an existing JSON file to --seed`,
    ]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new SeedError(path, [`not valid JSON: ${(err as Error).message}`]);
  }
  return checkSeedOptions(parsed, path);
}

/** Seed options from `startEmulator`'s `seed` (object or file path), checked. */
export function resolveSeed(seed: SeedOptions | string | undefined): SeedOptions {
  if (typeof seed === 'string') return readSeedFile(seed);
  return seed === undefined ? {} : checkSeedOptions(seed);
}
