import { idf, termPlan, type QueryWord } from './term-plan';

const words = (...spec: [string, number][]): QueryWord[] => spec.map(([lexeme, chunks], pos) => ({ lexeme, pos: pos + 1, chunks }));

describe('term plan', () => {
  it('seeds the rarest words while their chunks fit the budget, and weighs every word by its rarity', () => {
    const plan = termPlan(words(['valu', 90_000], ['murmur', 40], ['hash', 900], ['return', 60_000]), 100_000, 1000);
    expect(plan.seeds).toEqual(['murmur', 'hash']);
    expect(plan.terms.map((t) => t.lexeme)).toEqual(['murmur', 'hash', 'return', 'valu']);
    expect(plan.terms[0].idf).toBeCloseTo(idf(100_000, 40));
    expect(plan.terms[0].idf).toBeGreaterThan(plan.terms[3].idf);
  });

  it('always seeds the rarest word, even over the budget', () => {
    expect(termPlan(words(['valu', 90_000], ['return', 60_000]), 100_000, 1000).seeds).toEqual(['return']);
  });

  it('counts a phrase among the seeds when one of its words is a seed, else bounds it by its rarer word', () => {
    const plan = termPlan(words(['murmur', 40], ['hash', 900], ['valu', 90_000], ['return', 60_000]), 100_000, 100);
    expect(plan.phrases).toEqual([
      { first: 'murmur', second: 'hash', idf: undefined },
      { first: 'hash', second: 'valu', idf: idf(100_000, 900) },
      { first: 'valu', second: 'return', idf: idf(100_000, 60_000) },
    ]);
  });

  it('does not count phrases among capped seeds (the cap leaves some of their chunks out)', () => {
    const plan = termPlan(words(['valu', 90_000], ['return', 60_000]), 100_000, 1000);
    expect(plan.phrases).toEqual([{ first: 'valu', second: 'return', idf: idf(100_000, 60_000) }]);
  });

  it('leaves out words no chunk holds, and phrases through them', () => {
    const plan = termPlan(words(['zzyzx', 0], ['hash', 900], ['murmur', 40]), 100_000, 1000);
    expect(plan.terms.map((t) => t.lexeme)).toEqual(['murmur', 'hash']);
    expect(plan.phrases.map((p) => `${p.first} ${p.second}`)).toEqual(['hash murmur']);
  });

  it('plans nothing for a query of unknown words', () => {
    expect(termPlan(words(['zzyzx', 0]), 100_000, 1000)).toEqual({ terms: [], phrases: [], seeds: [] });
  });
});
