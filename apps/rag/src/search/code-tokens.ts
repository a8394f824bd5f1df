/**
 * Code-aware words for PostgreSQL full-text search. PostgreSQL's parser keeps `parseInvoiceLine` or
 * `MAX_RETRY_COUNT` as one word, so a question in plain words ("parse the invoice line") would never meet it.
 * Each identifier therefore contributes its parts (`parse`, `invoice`, `line`) and itself, lower-cased; the
 * parts then go through the English dictionary like any prose, so "parsing" finds `parse`.
 */

/** Identifiers and numbers as they appear in code and prose (letters, digits, underscores; `$` in JS names). */
const WORD = /[\p{L}\p{N}_$]+/gu;
/** Boundaries inside an identifier: lower→Upper, UPPER→Upper-lower (`HTTPServer` → `HTTP`, `Server`), letter↔digit. */
const CAMEL = /(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u;

/** Longer words are hashes, base64 or minified noise: they bloat the index and never match a question. */
const MAX_WORD = 64;
/**
 * Single characters (the `x` of `x2`, the `v` of `v1`) match nearly every chunk: as query words they would
 * rank noise, and a random string (a key, a hash) would find chunks through its one-letter pieces.
 */
const MIN_PART = 2;

/** The parts of one identifier, lower-cased: `getHTTPResponse_v2` → get, http, response, v, 2. */
export function identifierParts(identifier: string): string[] {
  return identifier
    .split(/[_$]+/)
    .flatMap((piece) => piece.split(CAMEL))
    .map((part) => part.toLowerCase())
    .filter((part) => part.length > 0);
}

/**
 * The words of `text` for the index or a query: every identifier's parts, then the whole identifier when it
 * has several parts (so an exact identifier in a query ranks its own chunk first).
 */
export function codeWords(text: string): string[] {
  const out: string[] = [];
  for (const [word] of text.matchAll(WORD)) {
    if (word.length > MAX_WORD) continue;
    const parts = identifierParts(word);
    out.push(...parts.filter((part) => part.length >= MIN_PART));
    if (parts.length > 1) out.push(parts.join(''));
  }
  return out;
}

/**
 * A tsquery that matches any of the query's words (ranking, not matching, decides what comes first), or
 * undefined when the query has no word at all. Words are letters, digits and nothing else, so the tsquery
 * syntax cannot be injected; the caller still passes it as a bind parameter to `to_tsquery`.
 */
export function anyWordQuery(query: string): string | undefined {
  const words = [...new Set(codeWords(query).map((w) => w.replace(/[^\p{L}\p{N}]/gu, '')).filter((w) => w.length > 0))];
  return words.length === 0 ? undefined : words.join(' | ');
}
