import { inspect } from 'node:util';
import { normalize } from './normalize';
import type { Category } from './types';

const PREFIX: Record<Category, string> = { pii: 'PII', secret: 'SECRET', classification: 'CLASSIFIED' };
/** Placeholders use U+27E6/U+27E7 (mathematical white square brackets): NFKC-stable and next to absent in code. */
export const PLACEHOLDER_OPEN = '\u27E6';
export const PLACEHOLDER_CLOSE = '\u27E7';
/** Longest placeholder the vault can produce, used by the stream scanner so it never splits one. */
export const PLACEHOLDER_MAX = 32;
const PLACEHOLDER = /\u27E6(PII|SECRET|CLASSIFIED)_(\d{1,9})\u27E7/g;
const ONE_PLACEHOLDER = /^\u27E6(PII|SECRET|CLASSIFIED)_([1-9]\d{0,8})\u27E7$/;
const CATEGORY_OF: Record<string, Category> = { PII: 'pii', SECRET: 'secret', CLASSIFIED: 'classification' };
const REDACTED = '[PseudonymVault: redacted]';

/** A placeholder and the value it stands for; what a caller carries from the prompt's scan to the answer's. */
export interface PseudonymEntry {
  placeholder: string;
  original: string;
}

/** True for a string the vault could have produced as a placeholder (⟦PII_12⟧). */
export function isPlaceholder(s: string): boolean {
  return ONE_PLACEHOLDER.test(s);
}

/**
 * Per-request, in-memory map from sensitive values to stable placeholders (⟦PII_1⟧), so a model never sees the
 * value while the user still reads it in the answer (restore). Holds values in private fields only; it refuses
 * to be serialised or printed, so it cannot end up in a log line or a persisted payload by accident.
 */
export class PseudonymVault {
  readonly #byKey = new Map<string, string>();
  readonly #byPlaceholder = new Map<string, string>();
  readonly #counters: Record<Category, number> = { pii: 0, secret: 0, classification: 0 };

  /**
   * A vault holding the pairs of earlier scans of the same request (its other texts, or the prompt for the
   * answer), so the next scan gives the same values the same placeholders and numbers new ones after them (per
   * category, after the highest number present). Throws on a malformed placeholder.
   */
  static from(entries: readonly PseudonymEntry[]): PseudonymVault {
    const vault = new PseudonymVault();
    for (const { placeholder, original } of entries) {
      const m = ONE_PLACEHOLDER.exec(placeholder);
      if (!m) throw new Error('not a vault placeholder');
      const category = CATEGORY_OF[m[1]!]!;
      vault.#byPlaceholder.set(placeholder, original);
      // The key the engine would use (the normalised value); a value listed twice keeps its first placeholder,
      // the one a single vault would have handed out.
      const key = `${category}\u0000${normalize(original).text}`;
      if (!vault.#byKey.has(key)) vault.#byKey.set(key, placeholder);
      vault.#counters[category] = Math.max(vault.#counters[category], Number(m[2]));
    }
    return vault;
  }

  /** The pairs, for the caller to keep in memory for the request (never to log or persist). */
  entries(): PseudonymEntry[] {
    return [...this.#byPlaceholder].map(([placeholder, original]) => ({ placeholder, original }));
  }

  /** Stable placeholder for `key` (the normalised value) in this vault; `original` is what restore puts back. */
  placeholderFor(category: Category, key: string, original: string): string {
    const mapKey = `${category}\u0000${key}`;
    const existing = this.#byKey.get(mapKey);
    if (existing) return existing;
    const placeholder = `${PLACEHOLDER_OPEN}${PREFIX[category]}_${++this.#counters[category]}${PLACEHOLDER_CLOSE}`;
    this.#byKey.set(mapKey, placeholder);
    this.#byPlaceholder.set(placeholder, original);
    return placeholder;
  }

  /** Puts the original values back in place of this vault's placeholders; unknown placeholders stay. */
  restore(text: string): string {
    if (this.#byPlaceholder.size === 0 || !text.includes(PLACEHOLDER_OPEN)) return text;
    return text.replace(PLACEHOLDER, (ph: string) => this.#byPlaceholder.get(ph) ?? ph);
  }

  get size(): number {
    return this.#byPlaceholder.size;
  }

  /** Drops every value; call when the request ends. */
  clear(): void {
    this.#byKey.clear();
    this.#byPlaceholder.clear();
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
