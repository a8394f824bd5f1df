import { dayKey, daysBetween, keptDays, partitionName } from './index-days';

describe('index days', () => {
  it('names the UTC day of an instant and its partition', () => {
    expect(dayKey(new Date('2026-03-31T23:30:00-01:00'))).toBe('2026-04-01');
    expect(partitionName('2026-04-01')).toBe('audit_events_20260401');
    expect(() => partitionName("2026-04-01'; DROP TABLE x")).toThrow('not a day');
  });

  it('keeps the retention period behind and the days ahead', () => {
    expect(keptDays(new Date('2026-03-02T10:00:00Z'), 3, 2)).toEqual({ first: '2026-02-27', last: '2026-03-04' });
  });

  it('lists the days between two days, across a month end', () => {
    expect(daysBetween('2026-02-27', '2026-03-02')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    expect(daysBetween('2026-03-02', '2026-03-01')).toEqual([]);
  });
});
