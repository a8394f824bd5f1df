/** Bounds of what one completion request carries around the cursor. */
export interface WindowLimits {
  maxPrefixChars: number;
  maxSuffixChars: number;
}

export const DEFAULT_LIMITS: WindowLimits = { maxPrefixChars: 8_000, maxSuffixChars: 2_000 };

/**
 * The text before and after the cursor, bounded. `before`/`after` are at most the limit plus one line of the
 * document (the caller reads a little more than the limit); a cut falls on a line boundary so the model never
 * sees half a line at the far end, unless a single line is longer than the whole budget.
 */
export function completionWindow(before: string, after: string, limits: WindowLimits = DEFAULT_LIMITS): { prefix: string; suffix: string } {
  let prefix = before;
  if (prefix.length > limits.maxPrefixChars) {
    prefix = prefix.slice(prefix.length - limits.maxPrefixChars);
    const newline = prefix.indexOf('\n');
    if (newline >= 0 && newline < prefix.length - 1) prefix = prefix.slice(newline + 1);
  }
  let suffix = after;
  if (suffix.length > limits.maxSuffixChars) {
    suffix = suffix.slice(0, limits.maxSuffixChars);
    const newline = suffix.lastIndexOf('\n');
    if (newline > 0) suffix = suffix.slice(0, newline + 1);
  }
  return { prefix, suffix };
}

/** Whether asking is worth a request: nothing typed yet, or only blanks before the cursor, is not. */
export function worthCompleting(prefix: string): boolean {
  return prefix.trim().length > 0;
}

/** Bounded selection text for a question (the gateway scans and bills all of it). */
export function boundedSelection(text: string, maxChars = 16_000): { text: string; truncated: boolean } {
  return text.length > maxChars ? { text: text.slice(0, maxChars), truncated: true } : { text, truncated: false };
}
