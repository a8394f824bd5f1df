import { DEFAULT_DAYS, defaultFilter, rangeProblem } from './filter';

describe('the FinOps filter', () => {
  it('opens on the last 30 UTC days up to today, per project and day', () => {
    expect(defaultFilter(new Date('2026-12-06T23:30:00Z'))).toEqual({ from: '2026-11-07', to: '2026-12-06', group_by: 'project', interval: 'day', project_id: '' });
    expect(DEFAULT_DAYS).toBe(30);
    expect(defaultFilter(new Date('2026-12-06T00:00:00Z'), 'lending').project_id).toBe('lending');
  });

  it('names what is wrong with a range before asking', () => {
    expect(rangeProblem('2026-12-01', '2026-12-01')).toBeNull();
    expect(rangeProblem('', '2026-12-01')).toBe('missing');
    expect(rangeProblem('2026-12-02', '2026-12-01')).toBe('backwards');
    expect(rangeProblem('2024-01-01', '2024-12-31')).toBeNull();
    expect(rangeProblem('2024-01-01', '2025-01-01')).toBe('tooLong');
  });
});
