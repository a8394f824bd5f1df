// Dates, times and numbers in the user's language and the tenant's time zone (from /me; Asia/Seoul unless the
// tenant says otherwise), whatever zone the browser runs in.
import type { Language } from './i18n';

export const DEFAULT_TIME_ZONE = 'Asia/Seoul';

const LOCALES: Record<Language, string> = { ko: 'ko-KR', en: 'en-GB' };

export function formatDateTime(iso: string, language: Language, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(date);
}

/** A calendar day (`YYYY-MM-DD`, already a day in the tenant's zone) in the user's language. */
export function formatDay(day: string, language: Language): string {
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  return new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
}

export function formatNumber(n: number, language: Language): string {
  return new Intl.NumberFormat(LOCALES[language]).format(n);
}

/** The zone's name as the user reads it, e.g. "Korean Standard Time" / "한국 표준시". */
export function timeZoneName(timeZone: string, language: Language): string {
  const part = new Intl.DateTimeFormat(LOCALES[language], { timeZone, timeZoneName: 'long' }).formatToParts(new Date()).find((p) => p.type === 'timeZoneName');
  return part ? `${part.value} (${timeZone})` : timeZone;
}

export function resourceNumbers(r: { cpu_millis: number; memory_mib: number; disk_gib: number }) {
  const trim = (n: number) => String(Math.round(n * 10) / 10);
  return { cpu: trim(r.cpu_millis / 1000), memory: trim(r.memory_mib / 1024), disk: trim(r.disk_gib) };
}

/** The wall-clock time of an instant in a zone, as a `datetime-local` input holds it (`YYYY-MM-DDTHH:mm`). */
export function toZonedInput(instant: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/**
 * The instant a wall-clock time in a zone names (a `datetime-local` value read in the tenant's zone, not the
 * browser's), as RFC 3339 UTC; undefined for a malformed value. The zone's offset is taken at the guess and
 * again at the corrected instant, so a time just across a daylight-saving change lands on the right side.
 */
export function fromZonedInput(value: string, timeZone: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return undefined;
  const asUtc = Date.parse(`${value}:00Z`);
  if (Number.isNaN(asUtc)) return undefined;
  const offset = (at: number) => Date.parse(`${toZonedInput(new Date(at), timeZone)}:00Z`) - Math.floor(at / 60_000) * 60_000;
  const first = asUtc - offset(asUtc);
  return new Date(asUtc - offset(first)).toISOString();
}
