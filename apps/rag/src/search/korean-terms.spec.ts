import { KoreanTermGlossary, koreanTermGlossary } from './korean-terms';

const glossary = (...terms: [string, string][]) => new KoreanTermGlossary(new Map(terms));

describe('Korean term glossary', () => {
  it('replaces each Korean word holding terms by their English words, in place, particles dropped', () => {
    const g = glossary(['스레드', 'thread'], ['풀', 'pool'], ['캐시', 'cache']);
    expect(g.expand('스레드 풀에서 Future를 기다리는 곳')).toBe('thread pool Future를 기다리는 곳');
    expect(g.expand('캐시를 비우는 방법')).toBe('cache 비우는 방법');
  });

  it('finds several terms in one compound, the longest first at each position', () => {
    const g = glossary(['우선순위', 'priority'], ['우선', 'first'], ['큐', 'queue'], ['스레드', 'thread'], ['풀', 'pool']);
    expect(g.expand('우선순위큐')).toBe('priority queue');
    expect(g.expand('스레드풀에서')).toBe('thread pool');
  });

  it('matches a one-syllable term only at the start of a word or right after another term', () => {
    const g = glossary(['키', 'key'], ['값', 'value']);
    expect(g.expand('키와 값')).toBe('key value');
    expect(g.expand('키값')).toBe('key value');
    expect(g.expand('파키스탄')).toBe('파키스탄');
  });

  it('leaves English words and Korean words without a term as they are', () => {
    const g = glossary(['해시', 'hash']);
    expect(g.expand('murmur 해시 구현은 어디')).toBe('murmur hash 구현은 어디');
  });

  it('parses the file format and refuses a line that is not a term and its English words', () => {
    const g = KoreanTermGlossary.parse('# comment\n\n직렬화\tserialization serialize\n');
    expect(g.expand('직렬화')).toBe('serialization serialize');
    expect(() => KoreanTermGlossary.parse('직렬화 serialization')).toThrow(/glossary line/);
  });

  it('loads the service glossary, whose terms cover common transliterations and Korean words', () => {
    expect(koreanTermGlossary().expand('불변 컬렉션의 직렬화')).toBe('immutable collection serialization serialize');
  });
});
