// Values vendors publish in their documentation as examples: pasted from the docs they are not secrets, and
// masking them would teach developers to ignore DLP. On by default, replaceable per policy (`allowList`).

/**
 * The default allow-list. An entry is a value, or a pattern where `*` stands for any run of characters
 * (`sk_test_*EXAMPLE*`). Digits-only entries also match the same digits written with spaces or dashes.
 */
export const DEFAULT_ALLOW_LIST: readonly string[] = [
  // AWS documentation's example access key pair, and any key id that ends the AWS way with EXAMPLE.
  'AKIAIOSFODNN7EXAMPLE',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'AKIA*EXAMPLE',
  'ASIA*EXAMPLE',
  // Stripe's documentation keys, and test keys marked EXAMPLE.
  'sk_test_4eC39HqLyjWDarjtT1zdp7dc',
  'sk_test_BQokikJOvBiI2HlWgH4olfQ2',
  'sk_test_*EXAMPLE*',
  'rk_test_*EXAMPLE*',
  // Card networks' and payment processors' published test cards.
  '4111111111111111',
  '4242424242424242',
  '4000056655665556',
  '5555555555554444',
  '5105105105105100',
  '378282246310005',
  '371449635398431',
  '6011111111111117',
  '3530111333300000',
  // Slack's and Twilio's documentation examples.
  'xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy',
  'SKXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX',
];

export const MAX_ALLOW_LIST_ENTRIES = 1000;
export const MAX_ALLOW_LIST_ENTRY_CHARS = 256;

/** Problems of an untrusted allow-list (policy data); empty when it is usable. */
export function allowListProblems(raw: unknown): string[] {
  if (!Array.isArray(raw)) return ['allowList must be a list of strings'];
  if (raw.length > MAX_ALLOW_LIST_ENTRIES) return [`allowList holds at most ${MAX_ALLOW_LIST_ENTRIES} entries`];
  const problems: string[] = [];
  raw.forEach((v: unknown, i) => {
    if (typeof v !== 'string' || v.replace(/\*/g, '').length < 4 || v.length > MAX_ALLOW_LIST_ENTRY_CHARS)
      problems.push(`allowList[${i}]: must be a string of 4 to ${MAX_ALLOW_LIST_ENTRY_CHARS} characters besides *`);
  });
  return problems;
}

const DIGITS_AND_SEPARATORS = /^[0-9][0-9 .-]*[0-9]$/;

/** Decides whether a detected value is an allow-listed example. */
export class AllowList {
  private readonly exact = new Set<string>();
  private readonly globs: string[][] = [];

  constructor(entries: readonly string[]) {
    for (const e of entries) {
      if (e.includes('*')) this.globs.push(e.split('*'));
      else this.exact.add(e);
    }
  }

  has(value: string): boolean {
    if (this.exact.has(value)) return true;
    if (DIGITS_AND_SEPARATORS.test(value) && this.exact.has(value.replace(/[ .-]/g, ''))) return true;
    return this.globs.some((parts) => globMatches(parts, value));
  }
}

/** `parts` are the pieces between `*`s: the value starts with the first, ends with the last, holds the rest in order. */
function globMatches(parts: string[], value: string): boolean {
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (!value.startsWith(first) || !value.endsWith(last) || value.length < first.length + last.length) return false;
  let at = first.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = value.indexOf(parts[i]!, at);
    if (found < 0 || found + parts[i]!.length > value.length - last.length) return false;
    at = found + parts[i]!.length;
  }
  return true;
}
