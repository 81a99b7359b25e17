/** time-zone: Shell-Setup/TimeZone is a Windows time-zone id (`tzutil /l`), not a display or IANA name. */
import { WINDOWS_TIME_ZONES, timeZoneProblem } from '../../knowledge/windows/index.js';
import { couldBe, isBarePlaceholder, isPartialPlaceholder, sameWord, skipValueCheck } from '../placeholder.js';
import type { Rule, RuleFinding } from '../types.js';
import { atText, q } from './util.js';

/** A time-zone abbreviation (AEST, CEST), an offset name (GMT_PLUS_1) or an id in capitals: a defect, not a placeholder. */
const looksLikeTimeZone = (upper: string) => /^[A-Z]{2,4}[SD]?T$/.test(upper) || /GMT|UTC/.test(upper) || sameWord(upper, WINDOWS_TIME_ZONES);

export const timeZone: Rule = (ctx) => {
  const out: RuleFinding[] = [];
  for (const s of ctx.unattend?.settings ?? []) {
    if (s.spec?.name !== 'TimeZone' || s.component.name !== 'Microsoft-Windows-Shell-Setup' || s.path !== 'TimeZone') continue;
    const v = s.el.text;
    if (v === '' || skipValueCheck(v, ctx.options.allowPlaceholders)) continue;
    if (isBarePlaceholder(v, ctx.options.allowPlaceholders, looksLikeTimeZone)) continue;
    if (isPartialPlaceholder(v, ctx.options.allowPlaceholders)) {
      if (!couldBe(v, WINDOWS_TIME_ZONES))
        out.push(
          atText(
            s.el,
            `TimeZone ${q(v)} cannot become a Windows time-zone id whatever its placeholders hold`,
            'use an id tzutil /l prints, such as "Pacific Standard Time"',
          ),
        );
      continue;
    }
    const p = timeZoneProblem(v);
    if (p)
      out.push(
        atText(
          s.el,
          `TimeZone: ${p.message}`,
          p.suggestion ? `did you mean \`${p.suggestion}\`?` : 'use an id tzutil /l prints, such as UTC or "Pacific Standard Time"',
        ),
      );
  }
  return out;
};
