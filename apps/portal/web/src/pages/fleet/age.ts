import type { Language } from '../../i18n';

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** How long ago `iso` was, in the largest whole unit (days, hours, minutes; "now" under a minute), in the user's language. */
export function formatAge(iso: string, now: number, language: Language): string {
  const ms = now - new Date(iso).getTime();
  if (Number.isNaN(ms)) return iso;
  const format = new Intl.RelativeTimeFormat(language === 'ko' ? 'ko-KR' : 'en-GB', { numeric: 'auto' });
  for (const [unit, size] of UNITS) if (ms >= size) return format.format(-Math.floor(ms / size), unit);
  return format.format(0, 'second');
}
