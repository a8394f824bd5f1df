import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Query expansion for Korean questions. Code here is written in English, questions often in Korean with the
 * technical terms in Hangul (캐시, 스레드) or as Korean words (직렬화, 불변): such a term matches nothing in the index.
 * Each Korean word of a query that holds glossary terms is replaced by their English words, in place, so that
 * neighbouring terms still form phrases (스레드 풀 → thread pool) and the English goes through the same code-aware
 * splitting and stemming as the rest of the query. A Korean word without a known term is left as it is.
 */

/** Outside src/ so the same relative path works from src/search (tests) and dist/search (runtime). */
export const KOREAN_TERMS_FILE = path.resolve(__dirname, '..', '..', 'data', 'korean-programming-terms.tsv');

const HANGUL_WORD = /\p{Script=Hangul}+/gu;

export class KoreanTermGlossary {
  private readonly longestTerm: number;

  /** `terms`: Korean term → its English words. */
  constructor(private readonly terms: ReadonlyMap<string, string>) {
    this.longestTerm = Math.max(0, ...[...terms.keys()].map((t) => t.length));
  }

  /** The glossary file's format: `<Korean>\t<English words>` per line, `#` comments and blank lines ignored. */
  static parse(text: string): KoreanTermGlossary {
    const terms = new Map<string, string>();
    for (const line of text.split('\n')) {
      if (line.trim() === '' || line.startsWith('#')) continue;
      const [korean, english, ...rest] = line.split('\t');
      if (!korean || !english?.trim() || rest.length > 0) throw new Error(`glossary line is not "<Korean>\\t<English words>": ${line}`);
      terms.set(korean.trim(), english.trim());
    }
    return new KoreanTermGlossary(terms);
  }

  /** `query` with every Korean word that holds glossary terms replaced by their English words. */
  expand(query: string): string {
    return query.replace(HANGUL_WORD, (word) => {
      const english = this.termsIn(word);
      return english.length > 0 ? english.join(' ') : word;
    });
  }

  /**
   * The English words of the glossary terms in one Korean word, left to right, longest term first at each
   * position. Korean attaches particles and writes compounds without spaces (캐시를, 스레드풀에서), so terms are
   * found inside the word; a one-syllable term only at the start or right after another term, because a single
   * syllable (키, 풀, 큐) occurs inside too many unrelated words.
   */
  private termsIn(word: string): string[] {
    const found: string[] = [];
    let atBoundary = true;
    for (let i = 0; i < word.length; ) {
      const term = this.longestTermAt(word, i);
      if (term !== undefined && (term.length > 1 || atBoundary)) {
        found.push(this.terms.get(term) as string);
        i += term.length;
        atBoundary = true;
      } else {
        i += 1;
        atBoundary = false;
      }
    }
    return found;
  }

  private longestTermAt(word: string, start: number): string | undefined {
    for (let length = Math.min(this.longestTerm, word.length - start); length > 0; length--) {
      const candidate = word.slice(start, start + length);
      if (this.terms.has(candidate)) return candidate;
    }
    return undefined;
  }
}

let glossary: KoreanTermGlossary | undefined;

/** The service's glossary (`data/korean-programming-terms.tsv`), read once. */
export function koreanTermGlossary(): KoreanTermGlossary {
  glossary ??= KoreanTermGlossary.parse(readFileSync(KOREAN_TERMS_FILE, 'utf8'));
  return glossary;
}
