export const DAY_MS = 24 * 3600 * 1000;

/** The UTC day of an instant, "YYYY-MM-DD": the partition an event at that time belongs to. */
export function dayKey(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The partition table of a day ("YYYY-MM-DD" → audit_events_YYYYMMDD). */
export function partitionName(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`not a day: ${day}`);
  return `audit_events_${day.replace(/-/g, '')}`;
}

/** The days an index keeps on `now`: the first kept (older ones are dropped) and the last accepted. */
export function keptDays(now: Date, retentionDays: number, daysAhead: number): { first: string; last: string } {
  return { first: dayKey(new Date(now.getTime() - retentionDays * DAY_MS)), last: dayKey(new Date(now.getTime() + daysAhead * DAY_MS)) };
}

/** Days from `first` to `last` inclusive. */
export function daysBetween(first: string, last: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); dayKey(new Date(t)) <= last; t += DAY_MS) days.push(dayKey(new Date(t)));
  return days;
}
