/**
 * Durations as configs write them: a number of seconds, or one or more
 * `<number><unit>` parts with units `ms`, `s`, `m`, `h` and `d`, compound as
 * Go's time.ParseDuration (and so Packer) writes them: `90s`, `20m`,
 * `1h30m`, `2h45m10s`, `1.5h`, `180d`.
 */

const PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/y;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** The source of a regular expression matching a duration string whose units are among `units`. */
export function durationPattern(units: readonly (keyof typeof UNIT_MS)[]): string {
  // Longest first, so `ms` is not read as `m` followed by garbage.
  const alt = [...units].sort((a, b) => b.length - a.length).join('|');
  return `^(?:\\d+(?:\\.\\d+)?\\s*(?:${alt})\\s*)+$`;
}

/** `90s`, `20m`, `1h30m`, `2h`, `180d` or a number of seconds → milliseconds. */
export function parseDurationMs(value: number | string): number {
  if (typeof value === 'number') return value * 1000;
  const text = value.trim();
  let total = 0;
  let at = 0;
  while (at < text.length) {
    PART.lastIndex = at;
    const m = PART.exec(text);
    if (!m) throw new Error(`not a duration: ${value}`);
    total += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
    at = PART.lastIndex;
    while (text[at] === ' ') at++;
  }
  if (at === 0) throw new Error(`not a duration: ${value}`);
  return Math.round(total);
}
