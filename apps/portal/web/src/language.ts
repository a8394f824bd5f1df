import { useTranslation } from 'react-i18next';
import { type Language, rememberLanguage } from './i18n';

/** The current language and a switch that remembers the choice and tells assistive technology (<html lang>). */
export function useLanguage(): [Language, (language: Language) => void] {
  const { i18n } = useTranslation();
  const language = (i18n.resolvedLanguage ?? i18n.language) as Language;
  const change = (next: Language) => {
    rememberLanguage(next);
    void i18n.changeLanguage(next);
  };
  return [language, change];
}
