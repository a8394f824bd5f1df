import { formatAge } from './age';

describe('formatAge', () => {
  const now = Date.parse('2026-12-06T12:00:00Z');

  it('says how long ago in the largest whole unit, in English and Korean', () => {
    expect(formatAge('2026-12-03T11:00:00Z', now, 'en')).toBe('3 days ago');
    expect(formatAge('2026-12-06T09:30:00Z', now, 'en')).toBe('2 hours ago');
    expect(formatAge('2026-12-06T11:55:00Z', now, 'en')).toBe('5 minutes ago');
    expect(formatAge('2026-12-06T11:59:30Z', now, 'en')).toBe('now');
    expect(formatAge('2026-12-06T09:30:00Z', now, 'ko')).toBe('2시간 전');
    expect(formatAge('2026-12-05T11:00:00Z', now, 'ko')).toBe('어제');
  });

  it('leaves a value that is no time as it is', () => {
    expect(formatAge('not a time', now, 'en')).toBe('not a time');
  });
});
