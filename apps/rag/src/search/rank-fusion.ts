/**
 * Lexical and vector rankings of chunks merged by reciprocal rank fusion: a chunk scores the sum of 1 / (k + rank)
 * over the rankings it is in. Ranks, not scores, because a BM25-like score and a cosine similarity are on scales
 * that cannot be added; a chunk near the top of both wins, and one ranking alone can still lift a chunk the other
 * missed. k = 60 is the constant the method was published with, not tuned here.
 */
export const RRF_K = 60;

export interface Ranked {
  chunkId: string;
  score: number;
}

/** `rankings` (each best first) as one list, best first; each chunk keeps the fields of its first occurrence and gets the fused score. */
export function fuseRankings<T extends Ranked>(rankings: T[][], k = RRF_K): T[] {
  const fused = new Map<string, { hit: T; score: number }>();
  for (const ranking of rankings) {
    ranking.forEach((hit, i) => {
      const entry = fused.get(hit.chunkId) ?? { hit, score: 0 };
      entry.score += 1 / (k + i + 1);
      fused.set(hit.chunkId, entry);
    });
  }
  return [...fused.values()].sort((a, b) => b.score - a.score).map(({ hit, score }) => ({ ...hit, score }));
}
