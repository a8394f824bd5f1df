import { isPlaceholder, type PseudonymEntry } from '@airlock/dlp-engine';

/** More pairs than any request produces; bounds what a caller can make the service hold. */
export const MAX_PSEUDONYM_PAIRS = 10_000;

/**
 * Pairs a caller hands back (a Scan's `context`, a ScanStream's `restore`) must be ones this service can have
 * produced: its placeholders, each once, with an original a Scan could have matched. `invalid` builds the
 * caller's typed error; messages name the position only, never a value.
 */
export function checkPseudonymPairs(entries: PseudonymEntry[], field: string, maxChars: number, invalid: (message: string) => Error): void {
  if (entries.length > MAX_PSEUDONYM_PAIRS) throw invalid(`${field} holds more than ${MAX_PSEUDONYM_PAIRS} pseudonyms`);
  const seen = new Set<string>();
  entries.forEach(({ placeholder, original }, i) => {
    if (!isPlaceholder(placeholder)) throw invalid(`${field} entry ${i}: not a placeholder this service produces`);
    if (seen.has(placeholder)) throw invalid(`${field} entry ${i}: placeholder repeated`);
    if (original.length === 0 || original.length > maxChars) throw invalid(`${field} entry ${i}: original empty or too long`);
    seen.add(placeholder);
  });
}
