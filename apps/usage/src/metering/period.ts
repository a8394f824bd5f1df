/** A billing period: a calendar month in UTC, "YYYY-MM". */
export type Period = string;

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;
// RFC 3339 date-time with an explicit offset; a bare local time would make the month depend on the host.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function isPeriod(value: string): boolean {
  return PERIOD.test(value);
}

/** The UTC month of an RFC 3339 timestamp, or undefined when it is not one. */
export function periodOf(timestamp: string): Period | undefined {
  const parts = RFC3339.exec(timestamp);
  if (!parts) return undefined;
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map(Number);
  // Date rolls impossible dates over (Feb 30 → Mar 2); such a timestamp is malformed, not next month's.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 60) return undefined;
  const time = new Date(timestamp);
  if (Number.isNaN(time.getTime())) return undefined;
  const period = time.toISOString().slice(0, 7);
  // An offset can push the last moments of year 9999 past what "YYYY-MM" can hold.
  return isPeriod(period) ? period : undefined;
}

export function currentPeriod(now: Date = new Date()): Period {
  return now.toISOString().slice(0, 7);
}

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** A valid UTC calendar day "YYYY-MM-DD" (Feb 30 is not one). */
export function isDay(value: string): boolean {
  return DAY.test(value) && new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
}

export type WindowKind = 'day' | 'month';

/** One UTC calendar day or month: its key ("YYYY-MM-DD" / "YYYY-MM") and [start, end). */
export interface PeriodWindow {
  kind: WindowKind;
  key: string;
  start: Date;
  end: Date;
}

export function windowOf(kind: WindowKind, at: Date): PeriodWindow {
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth();
  if (kind === 'month') {
    const start = new Date(Date.UTC(year, month, 1));
    return { kind, key: start.toISOString().slice(0, 7), start, end: new Date(Date.UTC(year, month + 1, 1)) };
  }
  const start = new Date(Date.UTC(year, month, at.getUTCDate()));
  return { kind, key: start.toISOString().slice(0, 10), start, end: new Date(Date.UTC(year, month, at.getUTCDate() + 1)) };
}

/** The UTC hour an instant falls in, as its first millisecond. */
export function hourOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 3_600_000) * 3_600_000);
}
