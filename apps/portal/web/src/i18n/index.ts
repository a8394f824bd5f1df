// The portal's strings in Korean and English: Korean for browsers that prefer it, English otherwise; a choice
// made in the UI is kept in a cookie (a language is no secret, and nothing else is ever stored in the browser).
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './en.json';
import ko from './ko.json';

export const LANGUAGES = ['ko', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const RESOURCES: Record<Language, typeof en> = { en, ko };

export const LANGUAGE_COOKIE = 'airlock_lang';

/** The cookie's choice if it names a language, else Korean when the browser's first preference is Korean. */
export function detectLanguage(cookie: string, preferred: readonly string[]): Language {
  const chosen = /(?:^|;\s*)airlock_lang=([a-z]+)/.exec(cookie)?.[1];
  if (chosen && (LANGUAGES as readonly string[]).includes(chosen)) return chosen as Language;
  return preferred[0]?.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

export function rememberLanguage(language: Language): void {
  document.cookie = `${LANGUAGE_COOKIE}=${language}; path=/; max-age=31536000; samesite=lax; secure`;
}

export function initI18n(language: Language) {
  void i18next.use(initReactI18next).init({
    lng: language,
    fallbackLng: false,
    resources: { en: { translation: en }, ko: { translation: ko } },
    // React escapes what it renders.
    interpolation: { escapeValue: false },
  });
  return i18next;
}

/** Adds a lazily loaded page's strings to both languages (idempotent): the first page does not carry them. */
export function addPageStrings(resources: Record<Language, object>): void {
  for (const [language, strings] of Object.entries(resources)) i18next.addResourceBundle(language, 'translation', strings, true, false);
}
