import { RRF_K, fuseRankings } from './rank-fusion';

const hit = (chunkId: string, score: number) => ({ chunkId, score, path: `${chunkId}.java` });

describe('fuseRankings', () => {
  it('ranks a chunk near the top of both rankings above one at the top of a single ranking', () => {
    const lexical = [hit('a', 9), hit('b', 5), hit('c', 1)];
    const vector = [hit('b', 0.9), hit('d', 0.8), hit('a', 0.1)];
    const fused = fuseRankings([lexical, vector]);
    expect(fused.map((h) => h.chunkId)).toEqual(['b', 'a', 'd', 'c']);
    expect(fused[0].score).toBeCloseTo(1 / (RRF_K + 2) + 1 / (RRF_K + 1));
  });

  it('keeps the fields of the first ranking a chunk appears in and adds chunks only one ranking found', () => {
    const fused = fuseRankings([[hit('a', 3)], [{ chunkId: 'a', score: 0.5, path: 'other' }, hit('z', 0.4)]]);
    expect(fused.find((h) => h.chunkId === 'a')?.path).toBe('a.java');
    expect(fused.map((h) => h.chunkId)).toEqual(['a', 'z']);
  });

  it('with one ranking keeps its order', () => {
    expect(fuseRankings([[hit('x', 1), hit('y', 2)]]).map((h) => h.chunkId)).toEqual(['x', 'y']);
  });
});
