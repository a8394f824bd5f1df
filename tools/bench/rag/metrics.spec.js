'use strict';
const { mean, rankFiles, recallAt, reciprocalRankAt, scoreQuestion } = require('./metrics');

describe('rankFiles', () => {
  it('keeps each file once, at the rank of its first chunk', () => {
    expect(rankFiles(['a.java', 'b.java', 'a.java', 'c.java', 'b.java'])).toEqual(['a.java', 'b.java', 'c.java']);
  });
});

describe('recallAt', () => {
  const ranked = ['x', 'a', 'y', 'z', 'w', 'b'];

  it('is 1 when every expected file is within the first k', () => {
    expect(recallAt(ranked, ['a'], 5)).toBe(1);
  });

  it('is the share of expected files within the first k', () => {
    expect(recallAt(ranked, ['a', 'b'], 5)).toBe(0.5);
    expect(recallAt(ranked, ['a', 'b'], 6)).toBe(1);
  });

  it('is 0 when no expected file is ranked, or nothing is', () => {
    expect(recallAt(ranked, ['q'], 5)).toBe(0);
    expect(recallAt([], ['a'], 5)).toBe(0);
  });

  it('refuses a question without expected files', () => {
    expect(() => recallAt(ranked, [], 5)).toThrow('at least one expected file');
  });
});

describe('reciprocalRankAt', () => {
  it('is 1/rank of the first expected file', () => {
    expect(reciprocalRankAt(['a', 'b', 'c'], ['a'], 10)).toBe(1);
    expect(reciprocalRankAt(['x', 'y', 'c', 'b'], ['b', 'c'], 10)).toBeCloseTo(1 / 3);
  });

  it('is 0 when the first expected file ranks below k', () => {
    const ranked = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', 'a'];
    expect(reciprocalRankAt(ranked, ['a'], 10)).toBe(0);
    expect(reciprocalRankAt(ranked, ['a'], 11)).toBeCloseTo(1 / 11);
  });
});

describe('scoreQuestion and mean', () => {
  it('scores Recall@5 and reciprocal rank within 10, and averages them over questions', () => {
    const first = scoreQuestion(['a', 'b'], ['a']);
    const second = scoreQuestion(['x', 'y', 'z', 'w', 'v', 'u', 'b'], ['b']);
    expect(first).toEqual({ recall5: 1, rr10: 1 });
    expect(second.recall5).toBe(0);
    expect(second.rr10).toBeCloseTo(1 / 7);
    const m = mean([first, second]);
    expect(m.n).toBe(2);
    expect(m.recall5).toBe(0.5);
    expect(m.mrr10).toBeCloseTo((1 + 1 / 7) / 2);
  });

  it('is NaN for an empty group', () => {
    expect(mean([]).recall5).toBeNaN();
  });
});
