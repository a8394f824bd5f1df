/**
 * Results per file. Chunks are cut per declaration, so a large class (a cache with a hundred methods) or a family
 * of similar classes yields many chunks that each match the question a little; ranked one by one they fill the
 * top k and push out the one file that answers it. A file is therefore ranked by its best chunks — the best one
 * plus a decaying share of the next ones, so a file that matches in several places beats one lucky chunk, but
 * never by size alone — and contributes at most `maxPerFile` chunks to the top k, listed together.
 */

export interface Scored {
  repository: string;
  path: string;
  score: number;
}

export interface FileRankingOptions {
  /** Chunks of one file in the result before chunks of lower-ranked files take over. */
  maxPerFile: number;
  /** Weight of a file's second-best chunk relative to its best; the third gets its square, and so on. */
  decay: number;
  /** Chunks per file that count towards its score. */
  countedPerFile: number;
}

export const FILE_RANKING: FileRankingOptions = { maxPerFile: 2, decay: 0.5, countedPerFile: 3 };

/**
 * `hits` (in any order) regrouped by file: files by their aggregate score, each file's chunks by score, at most
 * `maxPerFile` of them until every file has had its turn, then the remaining chunks by score; `limit` in all.
 * Each hit keeps its own score.
 */
export function rankByFile<T extends Scored>(hits: T[], limit: number, options: FileRankingOptions = FILE_RANKING): T[] {
  const files = new Map<string, T[]>();
  for (const hit of [...hits].sort((a, b) => b.score - a.score)) {
    const key = `${hit.repository}\u0000${hit.path}`;
    const chunks = files.get(key);
    if (chunks) chunks.push(hit);
    else files.set(key, [hit]);
  }
  const fileScore = (chunks: T[]) => chunks.slice(0, options.countedPerFile).reduce((sum, h, i) => sum + h.score * options.decay ** i, 0);
  const ranked = [...files.values()].map((chunks) => ({ chunks, score: fileScore(chunks) })).sort((a, b) => b.score - a.score);
  const first = ranked.flatMap((f) => f.chunks.slice(0, options.maxPerFile));
  const rest = ranked.flatMap((f) => f.chunks.slice(options.maxPerFile)).sort((a, b) => b.score - a.score);
  return [...first, ...rest].slice(0, limit);
}
