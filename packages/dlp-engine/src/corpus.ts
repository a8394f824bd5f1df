// The labelled corpus shipped with the package (corpus/*.jsonl, synthetic values only): what the engine's own
// accuracy test, its benchmark and the Policy API's agreement test scan. Its own entry
// (`@airlock/dlp-engine/corpus`), since it reads files and the engine does no I/O.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** What one corpus line should be found to hold: a rule, or any rule of a category. */
export interface CorpusExpectation {
  ruleId?: string;
  category?: string;
}

export interface CorpusLine {
  text: string;
  /** Empty: nothing should be found. */
  expect: CorpusExpectation[];
  /** `<file>:<line>`, for messages. */
  source: string;
}

/** The seeded generator behind the synthetic values here and in the benchmarks. */
export { prng } from './prng';

/** The corpus directory of the package, from src/ (tests) and dist/ (built) alike. */
export const CORPUS_DIR = path.join(__dirname, '..', 'corpus');

export function loadCorpus(dir = CORPUS_DIR): CorpusLine[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) =>
      readFileSync(path.join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l, i) => ({ ...(JSON.parse(l) as Omit<CorpusLine, 'source'>), source: `${f}:${i + 1}` })),
    );
}
