import { currentPeriod, hourOf, isDay, isPeriod, periodOf, windowOf } from './period';

describe('billing periods', () => {
  it('takes the UTC month of a timestamp', () => {
    expect(periodOf('2026-03-15T10:00:00Z')).toBe('2026-03');
    expect(periodOf('2026-03-15T10:00:00.123Z')).toBe('2026-03');
    expect(periodOf('2024-02-29T12:00:00Z')).toBe('2024-02');
  });

  it('moves a timestamp with an offset into its UTC month', () => {
    expect(periodOf('2026-01-31T23:30:00-05:00')).toBe('2026-02');
    expect(periodOf('2026-03-01T00:30:00+02:00')).toBe('2026-02');
    expect(periodOf('2025-12-31T23:59:59.999-00:01')).toBe('2026-01');
  });

  it('refuses anything that is not an RFC 3339 date-time with an offset', () => {
    const bad = ['', '2026-03', '2026-03-15', '2026-03-15T10:00:00', 'yesterday', '2026-13-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-04-31T10:00:00+01:00', '2026-01-01T24:00:00Z'];
    for (const timestamp of bad) {
      expect(periodOf(timestamp)).toBeUndefined();
    }
  });

  it('names the current month in UTC', () => {
    expect(currentPeriod(new Date('2026-07-31T23:59:59Z'))).toBe('2026-07');
    expect(currentPeriod()).toMatch(/^\d{4}-\d{2}$/);
  });

  it('validates period strings', () => {
    expect(isPeriod('2026-01')).toBe(true);
    expect(isPeriod('2026-12')).toBe(true);
    for (const bad of ['2026-00', '2026-13', '2026-1', '26-01', '2026/01', '']) expect(isPeriod(bad)).toBe(false);
  });
});

describe('period windows', () => {
  it('bounds UTC days and months, the end being the next one\'s start', () => {
    expect(windowOf('day', new Date('2026-02-28T23:59:59.999Z'))).toEqual({
      kind: 'day',
      key: '2026-02-28',
      start: new Date('2026-02-28T00:00:00Z'),
      end: new Date('2026-03-01T00:00:00Z'),
    });
    expect(windowOf('day', new Date('2026-03-01T00:00:00Z')).key).toBe('2026-03-01');
    expect(windowOf('month', new Date('2026-12-31T23:59:59.999Z'))).toEqual({
      kind: 'month',
      key: '2026-12',
      start: new Date('2026-12-01T00:00:00Z'),
      end: new Date('2027-01-01T00:00:00Z'),
    });
    expect(windowOf('month', new Date('2027-01-01T00:00:00Z')).key).toBe('2027-01');
    expect(windowOf('day', new Date('2024-02-29T12:00:00Z')).end).toEqual(new Date('2024-03-01T00:00:00Z'));
  });

  it('validates day strings', () => {
    for (const good of ['2026-01-01', '2024-02-29', '2026-12-31']) expect(isDay(good)).toBe(true);
    for (const bad of ['2026-02-29', '2026-04-31', '2026-13-01', '2026-1-01', '2026-01', '']) expect(isDay(bad)).toBe(false);
  });

  it('truncates to the UTC hour', () => {
    expect(hourOf(new Date('2026-03-01T10:59:59.999Z'))).toEqual(new Date('2026-03-01T10:00:00Z'));
  });
});
