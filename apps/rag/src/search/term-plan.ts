/**
 * Which chunks a query scores, and with what weights (BM25-like inverse document frequencies), from document
 * frequencies kept at index time (`rag_term_counts`). Scoring every chunk that holds any query word costs, for a
 * frequent word, most of a project's chunks (seconds at a million lines); a frequent word also carries almost no
 * weight. So only chunks holding one of the query's rarer words (the *seeds*, rarest first while their chunks
 * stay within a budget) are scored, and every query word and phrase then adds to those. A chunk holding only
 * frequent words would have scored low anyway.
 */

/** A query word after code-aware splitting and stemming, at its position in the query, with its document frequency. */
export interface QueryWord {
  lexeme: string;
  pos: number;
  /** Chunks of the caller's projects that hold it. */
  chunks: number;
}

export interface WeightedTerm {
  lexeme: string;
  idf: number;
}

/** Adjacent query words as a phrase (`rate <-> limit`). */
export interface WeightedPhrase {
  first: string;
  second: string;
  /** Undefined: count the phrase's chunks among the seeds (all of them are there, see termPlan). */
  idf?: number;
}

export interface TermPlan {
  terms: WeightedTerm[];
  phrases: WeightedPhrase[];
  /** Lexemes whose chunks are the candidates scored. */
  seeds: string[];
}

/** BM25's inverse document frequency: a word in nearly every chunk weighs almost nothing, a word in one chunk the most. */
export function idf(totalChunks: number, chunks: number): number {
  return Math.log(1 + (totalChunks - chunks + 0.5) / (chunks + 0.5));
}

/**
 * Seeds are the rarest words while the sum of their chunk counts stays within `budget` (always at least the rarest
 * one, whose chunks the search then caps at the budget). A phrase holds both its words, so when one of them is a
 * seed (and the seeds were not capped) every chunk holding the phrase is a seed chunk: its frequency is counted
 * there, exactly. Otherwise the phrase's frequency is taken as its rarer word's — an upper bound, so a phrase of two
 * frequent words never weighs more than its words justify. Words no chunk holds are left out.
 */
export function termPlan(words: QueryWord[], totalChunks: number, budget: number): TermPlan {
  const frequency = new Map<string, number>();
  for (const w of words) if (w.chunks > 0) frequency.set(w.lexeme, w.chunks);
  const byRarity = [...frequency].sort(([a, x], [b, y]) => x - y || a.localeCompare(b));
  const seeds: string[] = [];
  let seeded = 0;
  for (const [lexeme, chunks] of byRarity) {
    if (seeds.length > 0 && seeded + chunks > budget) break;
    seeds.push(lexeme);
    seeded += chunks;
  }
  const capped = seeded > budget;
  const atPosition = new Map(words.filter((w) => frequency.has(w.lexeme)).map((w) => [w.pos, w.lexeme]));
  const phrases = new Map<string, WeightedPhrase>();
  for (const [pos, first] of atPosition) {
    const second = atPosition.get(pos + 1);
    if (second === undefined || second === first) continue;
    const counted = !capped && (seeds.includes(first) || seeds.includes(second));
    const rarer = Math.min(frequency.get(first) ?? 0, frequency.get(second) ?? 0);
    phrases.set(`${first} ${second}`, { first, second, idf: counted ? undefined : idf(totalChunks, rarer) });
  }
  return {
    terms: byRarity.map(([lexeme, chunks]) => ({ lexeme, idf: idf(totalChunks, chunks) })),
    phrases: [...phrases.values()],
    seeds,
  };
}
