/**
 * locale-name: International-Core (and -WinPE) locale settings hold Windows
 * locale names (`en-US`, not `en_US`); InputLocale may also hold keyboard
 * ids. A well-formed name outside winami's table is a warning.
 */
import { WINDOWS_LOCALES, localeProblem, type LocaleField } from '../../knowledge/windows/index.js';
import { couldBe, isBarePlaceholder, isPartialPlaceholder, sameWord, skipValueCheck } from '../placeholder.js';
import type { Rule, RuleFinding } from '../types.js';
import { atText, q } from './util.js';

const FIELDS = new Set<string>(['InputLocale', 'SystemLocale', 'UILanguage', 'UILanguageFallback', 'UserLocale']);
const COMPONENTS = new Set(['Microsoft-Windows-International-Core', 'Microsoft-Windows-International-Core-WinPE']);

/** A locale name in capitals or with an underscore (EN_US, DE-DE, ZH_HANS_CN): a defect, not a placeholder. */
const looksLikeLocale = (upper: string) => /^[A-Z]{2,3}[-_](?:[A-Z]{4}[-_])?(?:[A-Z]{2}|[0-9]{3})$/.test(upper) || sameWord(upper, WINDOWS_LOCALES);

export const localeName: Rule = (ctx) => {
  const out: RuleFinding[] = [];
  for (const s of ctx.unattend?.settings ?? []) {
    if (!s.spec || !COMPONENTS.has(s.component.name ?? '') || !FIELDS.has(s.spec.name)) continue;
    const v = s.el.text;
    if (v === '' || skipValueCheck(v, ctx.options.allowPlaceholders)) continue;
    if (isBarePlaceholder(v, ctx.options.allowPlaceholders, looksLikeLocale)) continue;
    if (isPartialPlaceholder(v, ctx.options.allowPlaceholders)) {
      if (!couldBe(v, WINDOWS_LOCALES, 'i') && !/[0-9a-f]{4}:|\{/i.test(v))
        out.push(
          atText(s.el, `${s.spec.name} ${q(v)} cannot become a Windows locale name whatever its placeholders hold`, 'Windows locale names use a hyphen: en-US'),
        );
      continue;
    }
    const p = localeProblem(v, s.spec.name as LocaleField);
    if (p)
      out.push({
        ...atText(
          s.el,
          `${s.spec.name}: ${p.message}`,
          p.suggestion ? `did you mean \`${p.suggestion}\`?` : 'use a Windows locale name such as en-US, de-DE or ja-JP',
        ),
        ...(p.level === 'warning' ? { severity: 'warning' as const } : {}),
      });
  }
  return out;
};
