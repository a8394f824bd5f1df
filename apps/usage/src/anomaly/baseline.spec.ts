import { assessHour, median } from './baseline';

const thresholds = { ratio: 5, minTokens: 1000, minHistoryHours: 3 };

describe('usage anomaly math', () => {
  it('takes the median of odd and even samples without reordering the input', () => {
    const input = [9, 1, 5];
    expect(median(input)).toBe(5);
    expect(input).toEqual([9, 1, 5]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBe(0);
  });

  it('flags an hour at or above ratio × the median of earlier active hours', () => {
    expect(assessHour(5000, [900, 1000, 1100], thresholds)).toEqual({ assessed: true, anomalous: true, baseline: 1000, ratio: 5 });
    expect(assessHour(4999, [900, 1000, 1100], thresholds)).toMatchObject({ assessed: true, anomalous: false });
  });

  it('is not moved by one earlier spike', () => {
    expect(assessHour(6000, [1000, 1000, 1000, 1000, 500_000], thresholds)).toMatchObject({ anomalous: true, baseline: 1000, ratio: 6 });
  });

  it('keeps small absolute numbers quiet whatever the ratio', () => {
    expect(assessHour(999, [1, 1, 1], thresholds)).toMatchObject({ assessed: true, anomalous: false, ratio: 999 });
  });

  it('does not judge a project without enough history', () => {
    expect(assessHour(1_000_000, [10, 10], thresholds)).toMatchObject({ assessed: false, anomalous: false });
  });

  it('treats a baseline under one token as one', () => {
    expect(assessHour(2000, [0.2, 0.4, 0.6], thresholds)).toMatchObject({ anomalous: true, ratio: 2000 });
  });
});
