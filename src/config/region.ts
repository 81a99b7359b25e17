/** Whether a region exists, and the nearest known one when it does not. */
import { KNOWN_REGIONS } from '../knowledge/regions.js';
import { nearest } from '../lint/suggest.js';

/** `undefined` for a known region; otherwise the problem and a hint with the nearest known region. */
export function unknownRegionProblem(region: string): { message: string; hint: string } | undefined {
  if (KNOWN_REGIONS.has(region)) return undefined;
  const near = nearest(region, KNOWN_REGIONS);
  return {
    message: `${region} is not an AWS region winami knows`,
    hint: near ? `did you mean ${near}?` : 'use a region such as us-east-1 (src/knowledge/regions.ts lists the known ones)',
  };
}
