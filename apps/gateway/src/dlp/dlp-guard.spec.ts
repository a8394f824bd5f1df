import { batchTexts } from './dlp-guard';

describe('batchTexts', () => {
  it('keeps the order and puts as many texts in a batch as fit, an oversized one alone', () => {
    expect(batchTexts(['aa', 'bb', 'c', 'dddd', 'e'], 5)).toEqual([['aa', 'bb', 'c'], ['dddd', 'e']]);
    expect(batchTexts(['a', 'x'.repeat(9), 'b'], 5)).toEqual([['a'], ['x'.repeat(9)], ['b']]);
    expect(batchTexts(['', ''], 5)).toEqual([['', '']]);
    expect(batchTexts([], 5)).toEqual([]);
  });
});
