/**
 * Windows locale names as unattend's International-Core settings take them
 * (SystemLocale, UserLocale, UILanguage, UILanguageFallback, InputLocale):
 * language-REGION with a hyphen, e.g. `en-US`, `de-DE`, `ja-JP`. `en_US` (the
 * POSIX spelling) is not one. Windows compares names case-insensitively, so
 * case is not an error. UserLocale may carry an alternate sort order after an
 * underscore (`de-DE_phoneb`, `es-ES_tradnl`). InputLocale also takes
 * `LCID:KLID` pairs (`0409:00000409`) and IME GUID pairs, several joined by `;`.
 *
 * Sources: Microsoft, "Available Language Packs for Windows"
 * (https://learn.microsoft.com/en-us/windows-hardware/manufacture/desktop/available-language-packs-for-windows),
 * "Default Input Profiles (Input Locales) in Windows"
 * (https://learn.microsoft.com/en-us/windows-hardware/manufacture/desktop/default-input-locales-for-windows-language-packs),
 * and the International-Core setting pages
 * (https://learn.microsoft.com/en-us/windows-hardware/customize/desktop/unattend/microsoft-windows-international-core).
 */
export const WINDOWS_LOCALES = [
  'af-ZA',
  'am-ET',
  'ar-AE',
  'ar-BH',
  'ar-DZ',
  'ar-EG',
  'ar-IQ',
  'ar-JO',
  'ar-KW',
  'ar-LB',
  'ar-LY',
  'ar-MA',
  'ar-OM',
  'ar-QA',
  'ar-SA',
  'ar-SY',
  'ar-TN',
  'ar-YE',
  'as-IN',
  'az-Latn-AZ',
  'be-BY',
  'bg-BG',
  'bn-BD',
  'bn-IN',
  'bs-Latn-BA',
  'ca-ES',
  'cs-CZ',
  'cy-GB',
  'da-DK',
  'de-AT',
  'de-CH',
  'de-DE',
  'de-LI',
  'de-LU',
  'el-GR',
  'en-AU',
  'en-BZ',
  'en-CA',
  'en-GB',
  'en-IE',
  'en-IN',
  'en-JM',
  'en-MY',
  'en-NZ',
  'en-PH',
  'en-SG',
  'en-TT',
  'en-US',
  'en-ZA',
  'en-ZW',
  'es-AR',
  'es-BO',
  'es-CL',
  'es-CO',
  'es-CR',
  'es-DO',
  'es-EC',
  'es-ES',
  'es-GT',
  'es-HN',
  'es-MX',
  'es-NI',
  'es-PA',
  'es-PE',
  'es-PR',
  'es-PY',
  'es-SV',
  'es-US',
  'es-UY',
  'es-VE',
  'et-EE',
  'eu-ES',
  'fa-IR',
  'fi-FI',
  'fil-PH',
  'fr-BE',
  'fr-CA',
  'fr-CH',
  'fr-FR',
  'fr-LU',
  'fr-MC',
  'ga-IE',
  'gd-GB',
  'gl-ES',
  'gu-IN',
  'ha-Latn-NG',
  'he-IL',
  'hi-IN',
  'hr-BA',
  'hr-HR',
  'hu-HU',
  'hy-AM',
  'id-ID',
  'ig-NG',
  'is-IS',
  'it-CH',
  'it-IT',
  'ja-JP',
  'ka-GE',
  'kk-KZ',
  'km-KH',
  'kn-IN',
  'ko-KR',
  'kok-IN',
  'ky-KG',
  'lb-LU',
  'lo-LA',
  'lt-LT',
  'lv-LV',
  'mi-NZ',
  'mk-MK',
  'ml-IN',
  'mn-MN',
  'mr-IN',
  'ms-BN',
  'ms-MY',
  'mt-MT',
  'nb-NO',
  'ne-NP',
  'nl-BE',
  'nl-NL',
  'nn-NO',
  'or-IN',
  'pa-IN',
  'pl-PL',
  'prs-AF',
  'ps-AF',
  'pt-BR',
  'pt-PT',
  'quz-PE',
  'ro-RO',
  'ru-RU',
  'rw-RW',
  'sd-Arab-PK',
  'si-LK',
  'sk-SK',
  'sl-SI',
  'sq-AL',
  'sr-Cyrl-BA',
  'sr-Cyrl-RS',
  'sr-Latn-RS',
  'sv-FI',
  'sv-SE',
  'sw-KE',
  'ta-IN',
  'te-IN',
  'tg-Cyrl-TJ',
  'th-TH',
  'ti-ET',
  'tk-TM',
  'tn-ZA',
  'tr-TR',
  'tt-RU',
  'ug-CN',
  'uk-UA',
  'ur-PK',
  'uz-Latn-UZ',
  'vi-VN',
  'wo-SN',
  'xh-ZA',
  'yo-NG',
  'zh-CN',
  'zh-HK',
  'zh-MO',
  'zh-SG',
  'zh-TW',
  'zu-ZA',
] as const;

const BY_LOWER = new Map<string, string>(WINDOWS_LOCALES.map((l) => [l.toLowerCase(), l]));
const SORT_ORDERS = ['phoneb', 'tradnl', 'stroke', 'radstr', 'pronun', 'technl', 'modern', 'unicod'];
const SHAPE = /^[a-z]{2,3}(-[a-z]{4})?-([a-z]{2}|\d{3})$/i;
const KEYBOARD = /^[0-9a-f]{4}:[0-9a-f]{8}$/i;
// An input profile: LANGID:{text-service CLSID}{profile GUID}, e.g. the Japanese IME 0411:{03B5835F-…}{A76C93D9-…}.
const IME = /^([0-9a-f]{4}:)?\{[0-9a-f-]{36}\}\{[0-9a-f-]{36}\}$/i;

/** Which International-Core setting a value is for: InputLocale takes lists and keyboard ids, UserLocale sort orders. */
export type LocaleField = 'InputLocale' | 'SystemLocale' | 'UILanguage' | 'UILanguageFallback' | 'UserLocale';

/** A problem with a locale value: `error` when Windows cannot read it, `warning` when winami's table does not know it. */
export interface LocaleProblem {
  level: 'error' | 'warning';
  message: string;
  suggestion?: string;
}

function nameProblem(name: string, field: LocaleField): LocaleProblem | undefined {
  let base = name;
  const sort = /^(.*)_([a-z]+)$/i.exec(name);
  if (sort && field === 'UserLocale' && SORT_ORDERS.includes(sort[2]!.toLowerCase())) base = sort[1]!;
  if (BY_LOWER.has(base.toLowerCase())) return undefined;
  const hyphenated = base.replace(/_/g, '-');
  if (hyphenated !== base) {
    const known = BY_LOWER.get(hyphenated.toLowerCase());
    return { level: 'error', message: `"${name}" uses "_"; Windows locale names use a hyphen`, ...(known ? { suggestion: known } : {}) };
  }
  if (!SHAPE.test(base)) return { level: 'error', message: `"${name}" is not a Windows locale name (language-REGION, e.g. en-US)` };
  return { level: 'warning', message: `"${name}" is not in winami's table of Windows locales` };
}

/** The first problem of a value for `field`, or `undefined` when Windows accepts it. */
export function localeProblem(value: string, field: LocaleField): LocaleProblem | undefined {
  const parts = field === 'InputLocale' ? value.split(';').map((p) => p.trim()) : [value.trim()];
  for (const part of parts) {
    if (field === 'InputLocale' && (KEYBOARD.test(part) || IME.test(part))) continue;
    const problem = nameProblem(part, field);
    if (problem) return problem;
  }
  return undefined;
}
