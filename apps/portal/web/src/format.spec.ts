import { formatDateTime, formatDay, formatNumber, fromZonedInput, resourceNumbers, timeZoneName, toZonedInput } from './format';

describe('dates and numbers', () => {
  // 15:30 UTC on 1 January is 00:30 on 2 January in Seoul (UTC+9), whatever zone the test runs in.
  const instant = '2025-01-01T15:30:00Z';

  it("shows times in the tenant's zone, in the user's language", () => {
    expect(formatDateTime(instant, 'en', 'Asia/Seoul')).toBe('2 Jan 2025, 00:30');
    expect(formatDateTime(instant, 'ko', 'Asia/Seoul')).toBe('2025. 1. 2. 오전 12:30');
    expect(formatDateTime(instant, 'en', 'Europe/London')).toBe('1 Jan 2025, 15:30');
  });

  it('leaves a value it cannot read as it is', () => {
    expect(formatDateTime('not a date', 'en', 'Asia/Seoul')).toBe('not a date');
  });

  it('shows a calendar day as that day, in any zone', () => {
    expect(formatDay('2025-03-09', 'en')).toBe('9 Mar 2025');
    expect(formatDay('2025-03-09', 'ko')).toBe('2025. 3. 9.');
  });

  it('names the zone', () => {
    expect(timeZoneName('Asia/Seoul', 'en')).toBe('Korean Standard Time (Asia/Seoul)');
    expect(timeZoneName('Asia/Seoul', 'ko')).toBe('한국 표준시 (Asia/Seoul)');
  });

  it('groups digits and turns resources into cores and GiB', () => {
    expect(formatNumber(1234567, 'ko')).toBe('1,234,567');
    expect(resourceNumbers({ cpu_millis: 2000, memory_mib: 4096, disk_gib: 20 })).toEqual({ cpu: '2', memory: '4', disk: '20' });
    expect(resourceNumbers({ cpu_millis: 500, memory_mib: 1536, disk_gib: 10 })).toEqual({ cpu: '0.5', memory: '1.5', disk: '10' });
  });

  it("reads a search form's times in the tenant's zone, not the browser's", () => {
    expect(toZonedInput(new Date(instant), 'Asia/Seoul')).toBe('2025-01-02T00:30');
    expect(fromZonedInput('2025-01-02T00:30', 'Asia/Seoul')).toBe('2025-01-01T15:30:00.000Z');
    expect(fromZonedInput('2025-01-01T15:30', 'UTC')).toBe('2025-01-01T15:30:00.000Z');
    // Either side of New York's spring change (UTC-5 before, UTC-4 after).
    expect(fromZonedInput('2025-03-09T01:30', 'America/New_York')).toBe('2025-03-09T06:30:00.000Z');
    expect(fromZonedInput('2025-03-09T03:30', 'America/New_York')).toBe('2025-03-09T07:30:00.000Z');
    expect(fromZonedInput('yesterday', 'Asia/Seoul')).toBeUndefined();
  });
});
