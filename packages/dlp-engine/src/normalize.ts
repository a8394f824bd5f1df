/**
 * Normalisation applied before any pattern runs, so that evasions (full-width digits, zero-width characters,
 * exotic dashes) do not defeat the rules. Findings are found in the normalised text and mapped back to the
 * original, so masking always applies to what the user actually sent.
 *
 * Most text (ASCII, Hangul syllables, emoji) is left as is; only the segments that change are recorded as
 * edits, so mapping costs nothing for clean text and a binary search otherwise.
 */
export interface Normalized {
  text: string;
  /** True when `text` is pure ASCII (UTF-8 byte offsets equal UTF-16 offsets). */
  ascii: boolean;
  /** Changed segments, sorted: original [origStart, origEnd) became normalised [normStart, normEnd). */
  edits: Int32Array | null;
}

// Invisible characters an attacker can sprinkle inside a value: zero-width space/joiners, word joiner, BOM,
// soft hyphen, Mongolian vowel separator, invisible operators and variation selectors.
function isInvisible(cp: number): boolean {
  return (
    (cp >= 0x200b && cp <= 0x200d) ||
    cp === 0x2060 ||
    cp === 0xfeff ||
    cp === 0x00ad ||
    cp === 0x180e ||
    (cp >= 0x2061 && cp <= 0x2064) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xe0100 && cp <= 0xe01ef)
  );
}

// NFKC leaves most dash look-alikes alone; digit patterns only know '-', so fold them here.
function isDash(cp: number): boolean {
  return (cp >= 0x2010 && cp <= 0x2015) || cp === 0x2212 || cp === 0xfe58 || cp === 0xfe63 || cp === 0xff0d;
}

import { isConfusable, latinSkeleton } from './confusables';

const MARK = /^[\p{M}\u1160-\u11FF]$/u;
const NON_ASCII = /[\u0080-\uffff]/;
// Characters that may change: everything but ASCII and precomposed Hangul syllables.
const CANDIDATE = /[^\u0000-\u007f\uac00-\ud7a3]/g; // eslint-disable-line no-control-regex

function isMark(cp: number): boolean {
  if (cp < 0x300 || (cp >= 0xac00 && cp <= 0xd7a3)) return false;
  return MARK.test(String.fromCodePoint(cp));
}

const cache = new Map<string, string>();

function normalizeSegment(seg: string): string {
  const hit = cache.get(seg);
  if (hit !== undefined) return hit;
  let out = '';
  for (const ch of seg.normalize('NFKC')) {
    const cp = ch.codePointAt(0)!;
    if (isInvisible(cp)) continue;
    out += isDash(cp) ? '-' : ch;
  }
  if (cache.size < 8192) cache.set(seg, out);
  return out;
}

function isLatinNeighbour(input: string, at: number): boolean {
  const c = input.charCodeAt(at);
  const ch = input[at];
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || isConfusable(ch);
}

export function normalize(input: string): Normalized {
  if (!NON_ASCII.test(input)) return { text: input, ascii: true, edits: null };

  const parts: string[] = [];
  const edits: number[] = [];
  let copied = 0; // original index up to which input has been appended
  let normLen = 0;
  CANDIDATE.lastIndex = 0;
  for (let m = CANDIDATE.exec(input); m; m = CANDIDATE.exec(input)) {
    let i = m.index;
    // A Hangul syllable or base letter followed by a combining mark: normalise them together.
    if (i > copied && isMark(input.codePointAt(i)!)) i--;
    const cp = input.codePointAt(i)!;
    let j = i + (cp > 0xffff ? 2 : 1);
    while (j < input.length) {
      const next = input.codePointAt(j)!;
      if (!isMark(next)) break;
      j += next > 0xffff ? 2 : 1;
    }
    CANDIDATE.lastIndex = j;
    const seg = input.slice(i, j);
    let norm = normalizeSegment(seg);
    // A Cyrillic/Greek look-alike inside a Latin token is folded to the Latin letter it imitates.
    if (isConfusable(norm) && (isLatinNeighbour(input, i - 1) || isLatinNeighbour(input, j))) norm = latinSkeleton(norm);
    if (norm === seg) continue;
    parts.push(input.slice(copied, i));
    normLen += i - copied;
    edits.push(i, j, normLen, normLen + norm.length);
    parts.push(norm);
    normLen += norm.length;
    copied = j;
  }
  if (edits.length === 0) return { text: input, ascii: false, edits: null };
  parts.push(input.slice(copied));
  const text = parts.join('');
  return { text, ascii: !NON_ASCII.test(text), edits: Int32Array.from(edits) };
}

/** Index of the last edit whose normalised start is <= pos, or -1. */
function editBefore(edits: Int32Array, pos: number): number {
  let lo = 0;
  let hi = edits.length / 4 - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (edits[mid * 4 + 2]! <= pos) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Original index of the start of the source of normalised character `pos`. */
function origStart(edits: Int32Array, pos: number): number {
  const k = editBefore(edits, pos);
  if (k < 0) return pos;
  const ne = edits[k * 4 + 3]!;
  if (pos < ne) return edits[k * 4]!;
  return edits[k * 4 + 1]! + (pos - ne);
}

/** Original index just past the source of normalised character `pos`. */
function origEnd(edits: Int32Array, pos: number): number {
  const k = editBefore(edits, pos);
  if (k < 0) return pos + 1;
  const oe = edits[k * 4 + 1]!;
  const ne = edits[k * 4 + 3]!;
  if (pos < ne) return oe;
  return oe + (pos - ne) + 1;
}

/** Maps a non-empty [start, end) span of the normalised text back to the original text. */
export function mapSpan(norm: Normalized, start: number, end: number): [number, number] {
  if (!norm.edits) return [start, end];
  return [origStart(norm.edits, start), origEnd(norm.edits, end - 1)];
}

/**
 * How much of `text` normalises the same whatever is appended: all but its last character and the combining
 * marks before it (a mark that arrives next would combine with that character, and a look-alike letter is
 * folded or not by what follows it).
 */
export function stableLength(text: string): number {
  let at = text.length;
  while (at > 0) {
    const low = text.charCodeAt(at - 1);
    at -= at > 1 && low >= 0xdc00 && low <= 0xdfff ? 2 : 1;
    if (!isMark(text.codePointAt(at)!)) break;
  }
  return at;
}

/** `at` moved back to the start of its character: off a low surrogate and the combining marks after a base. */
export function segmentStart(text: string, at: number): number {
  for (;;) {
    const low = text.charCodeAt(at);
    if (at > 0 && at < text.length && low >= 0xdc00 && low <= 0xdfff) at--;
    if (at <= 0 || at >= text.length || !isMark(text.codePointAt(at)!)) return at;
    at--;
  }
}
