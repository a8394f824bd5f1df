import { rankByFile, type FileRankingOptions } from './file-ranking';

const hit = (path: string, score: number, repository = 'core') => ({ repository, path, score });
const options = (o: Partial<FileRankingOptions> = {}): FileRankingOptions => ({ maxPerFile: 2, decay: 0.5, countedPerFile: 3, ...o });

describe('ranking by file', () => {
  it('keeps a file with many middling chunks from crowding out the others', () => {
    const hits = [hit('Big.java', 1.0), hit('Big.java', 0.9), hit('Big.java', 0.8), hit('Big.java', 0.7), hit('Answer.java', 0.95), hit('Other.java', 0.3)];
    expect(rankByFile(hits, 4, options()).map((h) => h.path)).toEqual(['Big.java', 'Big.java', 'Answer.java', 'Other.java']);
  });

  it('ranks a file by its best chunks with decaying weight, never by its size alone', () => {
    const hits = [hit('Many.java', 0.5), hit('Many.java', 0.5), hit('Many.java', 0.5), hit('Many.java', 0.5), hit('Many.java', 0.5), hit('One.java', 0.9)];
    // Many: 0.5 + 0.25 + 0.125 = 0.875 (only three chunks count) < One: 0.9.
    expect(rankByFile(hits, 2, options()).map((h) => h.path)).toEqual(['One.java', 'Many.java']);
  });

  it('lists chunks of a file together, best first, and fills up with the rest when files run out', () => {
    const hits = [hit('A.java', 0.2), hit('B.java', 0.6), hit('A.java', 0.9), hit('A.java', 0.1)];
    expect(rankByFile(hits, 10, options({ maxPerFile: 1 })).map((h) => [h.path, h.score])).toEqual([
      ['A.java', 0.9],
      ['B.java', 0.6],
      ['A.java', 0.2],
      ['A.java', 0.1],
    ]);
  });

  it('tells the same path of two repositories apart', () => {
    expect(rankByFile([hit('X.java', 0.5, 'one'), hit('X.java', 0.4, 'two')], 2, options({ maxPerFile: 1 })).map((h) => h.repository)).toEqual(['one', 'two']);
  });
});
