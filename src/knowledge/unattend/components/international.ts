/** Microsoft-Windows-International-Core and -WinPE: locales and languages. */
import { OOBE, PE, SPECIALIZE, box, component, oneOf, str } from '../dsl.js';

const LOCALES = () => [str('InputLocale'), str('SystemLocale'), str('UILanguage'), str('UILanguageFallback'), str('UserLocale')];

/** Microsoft-Windows-International-Core. */
export const INTERNATIONAL_CORE = component(
  'Microsoft-Windows-International-Core',
  LOCALES().map((s) => ({ ...s, passes: [OOBE, SPECIALIZE] })),
);

/** Microsoft-Windows-International-Core-WinPE. */
export const INTERNATIONAL_CORE_WINPE = component('Microsoft-Windows-International-Core-WinPE', [
  ...LOCALES().map((s) => ({ ...s, passes: [PE] })),
  str('LayeredDriver', { passes: [PE] }),
  box('SetupUILanguage', [str('UILanguage'), oneOf('WillShowUI', ['Always', 'OnError', 'Never'])], { passes: [PE] }),
]);
