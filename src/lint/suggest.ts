/** "Did you mean" suggestions: a case-insensitive match first, then the nearest name by edit distance. */
import { distance } from 'fastest-levenshtein';

/** The best candidate for `name`, or `undefined` when nothing is close. */
export function nearest(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const cl = c.toLowerCase();
    if (cl === lower) return c;
    const d = distance(lower, cl);
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  const limit = Math.max(2, Math.floor(name.length * 0.4));
  return bestDistance <= limit ? best : undefined;
}

/** `did you mean "X"?` or `undefined`. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const n = nearest(name, candidates);
  return n === undefined ? undefined : `did you mean \`${n}\`?`;
}
