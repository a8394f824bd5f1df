// The matching core: one RE2.Set pass to learn which rules can match, each such rule's RE2 regex for
// positions (over the windows around its keywords when they are rare), and the per-match checks.
import RE2 from 're2';
import type { AllowList } from './allow-list';
import { mapSpan, type Normalized } from './normalize';
import { ACTION_RANK, type Confidence, type RuleAction, type RuleDefinition } from './types';
import { runValidator, shannonEntropy } from './validators';

export interface CompiledRule {
  def: RuleDefinition;
  index: number;
  re: RE2;
  hasGroup: boolean;
  keywords: string[];
  contextWords: string[];
  forbiddenWords: string[];
  window: number;
}

/** A finding before it leaves the engine: carries the normalised value for hashing and the vault. */
export interface Detected {
  rule: CompiledRule;
  start: number;
  end: number;
  nStart: number;
  nEnd: number;
  confidence: Confidence;
}


function escapeLiteral(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

export function compileRule(def: RuleDefinition, index: number): CompiledRule {
  // Group count without parsing the pattern: the added empty branch matches '' and reports every group.
  const probe = new RE2(`(?:${def.pattern})|`, 'd').exec('');
  const hasGroup = !!probe && probe.length > 1;
  return {
    def,
    index,
    // Match indices ('d') only where a group narrows the finding: building them costs on every match.
    re: new RE2(def.pattern, hasGroup ? 'gud' : 'gu'),
    hasGroup,
    keywords: (def.keywords ?? []).map((k) => k.toLowerCase()),
    contextWords: (def.context?.words ?? []).map((w) => w.toLowerCase()),
    forbiddenWords: (def.context?.forbidden ?? []).map((w) => w.toLowerCase()),
    window: def.context?.window ?? 0,
  };
}

function windowHas(text: string, from: number, to: number, words: string[]): boolean {
  const slice = text.slice(Math.max(0, from), Math.min(text.length, to)).toLowerCase();
  return words.some((w) => slice.includes(w));
}

/** Multi-pattern matcher: one RE2.Set pass says which rules (and which keywords) can match at all. */
/**
 * Inputs up to this many bytes run every candidate rule over the whole text; above it, a rule with keywords
 * runs only over windows of WINDOW_REACH bytes around its keywords' occurrences.
 */
const WINDOWED_ABOVE = 16 * 1024;
const WINDOW_REACH = 640;
/**
 * A keyword common enough that its windows would cover more than this share of the text gains nothing from
 * windows (one scan of the whole text beats many short ones); the search for its occurrences stops there.
 */
const WINDOWED_SHARE = 0.5;


/**
 * Multi-pattern matcher. One RE2.Set pass over every rule's pattern and every keyword says which rules can
 * match at all; only those run, and only when one of their keywords occurs. In a large text
 * a keyword rule runs only over the windows around its keywords, and again over the whole text if a match
 * reaches a window's edge, so windowing never changes a result.
 */
export class Matcher {
  private readonly set: InstanceType<typeof RE2.Set> | null;
  private readonly keywords: string[] = [];
  private readonly keywordSlot: number[][];
  /** Set index of each rule's pattern. */
  private readonly patternSlot: number[];
  /** Set index of the first probe. */
  private readonly probeSlot: number;
  /** Each keyword as lower-case UTF-8, looked for in a lower-cased copy of the input. */
  private readonly keywordBytes: Buffer[];
  /** No keyword holds a letter with case outside ASCII. */
  private readonly asciiCaseOnly: boolean;

  /** `probes`: further RE2 patterns the same Set pass looks for; `scan` tells which occur. */
  constructor(
    readonly rules: CompiledRule[],
    private readonly allow: AllowList | null = null,
    private readonly probes: readonly string[] = [],
  ) {
    this.keywordSlot = rules.map((r) =>
      r.keywords.map((k) => {
        let at = this.keywords.indexOf(k);
        if (at < 0) at = this.keywords.push(k) - 1;
        return at;
      }),
    );
    const sources = this.keywords.map((k) => `(?i)${escapeLiteral(k)}`);
    this.patternSlot = rules.map((r) => sources.push(r.def.pattern) - 1);
    this.probeSlot = sources.length;
    sources.push(...probes);
    this.set = sources.length > 0 ? new RE2.Set(sources, 'u', { maxMem: 64 * 1024 * 1024 }) : null;
    this.keywordBytes = this.keywords.map((k) => Buffer.from(k, 'utf8'));
    this.asciiCaseOnly = this.keywords.every((k) => [...k].every((c) => c < '\x80' || c.toUpperCase() === c));
  }

  detect(norm: Normalized): Detected[] {
    return this.scan(norm).found;
  }

  /** The findings, and for each probe whether it occurs in the text. */
  scan(norm: Normalized): { found: Detected[]; probes: boolean[] } {
    const text = norm.text;
    if (!this.set || text.length === 0) return { found: [], probes: this.probes.map(() => false) };
    // RE2 works on UTF-8: hand it bytes once instead of letting every call convert the string again.
    const bytes = Buffer.from(text, norm.ascii ? 'latin1' : 'utf8');
    const slots = this.probeSlot + this.probes.length;
    let hit: Uint8Array;
    try {
      hit = new Uint8Array(slots);
      for (const h of this.set.match(bytes)) hit[h] = 1;
    } catch {
      // The DFA ran out of memory: run every rule over the whole text (and look for every view) rather than skip any.
      hit = new Uint8Array(slots).fill(1);
    }
    const probes = this.probes.map((_, i) => hit[this.probeSlot + i] === 1);
    return { found: this.detectRules(norm, bytes, hit), probes };
  }

  private detectRules(norm: Normalized, bytes: Buffer, hit: Uint8Array): Detected[] {
    const text = norm.text;
    const windowsOf = new Map<number, [number, number][] | null>();
    let lower: Buffer | null = null;
    const raw: RawMatch[] = [];
    for (const rule of this.rules) {
      if (!hit[this.patternSlot[rule.index]!]) continue;
      const slots = this.keywordSlot[rule.index]!;
      if (slots.length === 0) {
        collect(rule, bytes, 0, bytes.length, raw);
        continue;
      }
      const present = slots.filter((s) => hit[s]);
      if (present.length === 0) continue;
      if (bytes.length <= WINDOWED_ABOVE) {
        collect(rule, bytes, 0, bytes.length, raw);
        continue;
      }
      const perKeyword = present.map((s) => {
        lower ??= lowerCased(text, bytes, norm.ascii, this.asciiCaseOnly);
        if (!windowsOf.has(s)) windowsOf.set(s, occurrenceWindows(this.keywordBytes[s]!, lower));
        return windowsOf.get(s)!;
      });
      const windows = perKeyword.every((w) => w !== null) ? mergeWindows(perKeyword.flat()) : null;
      if (!windows || covered(windows) > bytes.length * WINDOWED_SHARE) {
        collect(rule, bytes, 0, bytes.length, raw);
        continue;
      }
      const before = raw.length;
      let edge = false;
      for (const [from, to] of windows) edge = collect(rule, bytes, from, to, raw) || edge;
      if (edge) {
        raw.length = before;
        collect(rule, bytes, 0, bytes.length, raw);
      }
    }
    const toChar = norm.ascii ? (b: number) => b : byteToChar(bytes, raw);
    const out: Detected[] = [];
    for (const m of raw) check(m, toChar, norm, out, this.allow);
    return out;
  }
}

/** Each byte with ASCII letters lower-cased. */
const ASCII_LOWER = Uint8Array.from({ length: 256 }, (_, b) => (b >= 65 && b <= 90 ? b + 32 : b));

/**
 * The input with letters lower-cased and every byte offset unchanged. When no keyword holds a letter with case
 * outside ASCII (the built-in pack's hold ASCII and Hangul), lower-casing ASCII letters byte by byte finds the
 * same keywords as the native lower-casing (whose one ASCII result of a non-ASCII letter, İ → i̇, changes the
 * length and so was never used), several times faster. Otherwise the native lower-casing when it keeps the
 * UTF-8 length (nearly always), else ASCII letters only.
 */
function lowerCased(text: string, bytes: Buffer, ascii: boolean, asciiCaseOnly: boolean): Buffer {
  if (!asciiCaseOnly && !ascii) {
    const native = Buffer.from(text.toLowerCase(), 'utf8');
    if (native.length === bytes.length) return native;
  }
  const out = Buffer.allocUnsafe(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = ASCII_LOWER[bytes[i]!]!;
  return out;
}

/**
 * Windows [from, to) of WINDOW_REACH bytes either side of each occurrence of one keyword, merged; null once
 * they cover more than WINDOWED_SHARE of the text.
 */
function occurrenceWindows(needle: Buffer, lower: Buffer): [number, number][] | null {
  const spans: [number, number][] = [];
  let size = 0;
  for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + needle.length)) {
    const from = Math.max(0, at - WINDOW_REACH);
    const to = Math.min(lower.length, at + needle.length + WINDOW_REACH);
    const last = spans[spans.length - 1];
    if (last && from <= last[1]) {
      size += to - last[1];
      last[1] = to;
    } else {
      size += to - from;
      spans.push([from, to]);
    }
    if (size > lower.length * WINDOWED_SHARE) return null;
  }
  return spans;
}

function covered(windows: [number, number][]): number {
  return windows.reduce((n, [from, to]) => n + to - from, 0);
}

/** Windows of several keywords merged into one sorted list. */
function mergeWindows(spans: [number, number][]): [number, number][] {
  spans = [...spans].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else merged.push(s);
  }
  return merged;
}

/** A match in UTF-8 byte offsets: whole match [sb, eb) and the reported span [vb, ve) (group 1 or whole). */
interface RawMatch {
  rule: CompiledRule;
  sb: number;
  eb: number;
  vb: number;
  ve: number;
}

/**
 * The rule's matches in bytes [from, to), in whole-text offsets. Returns true when a match touches an edge of
 * a window that is not the text's own edge: it may continue outside, so the caller rescans the whole text.
 */
function collect(rule: CompiledRule, bytes: Buffer, from: number, to: number, raw: RawMatch[]): boolean {
  const re = rule.re;
  const input = from === 0 && to === bytes.length ? bytes : bytes.subarray(from, to);
  let edge = false;
  re.lastIndex = 0;
  for (let m = re.exec(input); m; m = re.exec(input)) {
    const len = m[0].length;
    if (len === 0) {
      re.lastIndex++;
      continue;
    }
    const sb = from + m.index;
    if ((sb === from && from > 0) || (sb + len === to && to < bytes.length)) edge = true;
    if (rule.hasGroup) {
      // The first group that took part: alternatives of one pattern may each capture their value.
      let g: [number, number] | undefined;
      for (let i = 1; i < (m.indices?.length ?? 0) && !g; i++) g = m.indices![i];
      if (!g || g[1] <= g[0]) continue;
      raw.push({ rule, sb, eb: sb + len, vb: from + g[0], ve: from + g[1] });
    } else raw.push({ rule, sb, eb: sb + len, vb: sb, ve: sb + len });
  }
  return edge;
}

/**
 * UTF-8 byte offsets -> UTF-16 offsets for every offset the matches use, in one forward pass over the bytes
 * (decoding between consecutive offsets natively) instead of one walk per rule.
 */
function byteToChar(bytes: Buffer, raw: RawMatch[]): (b: number) => number {
  const offsets = new Float64Array(raw.length * 4);
  raw.forEach((m, i) => offsets.set([m.sb, m.eb, m.vb, m.ve], i * 4));
  offsets.sort();
  const map = new Map<number, number>();
  let prevByte = 0;
  let chars = 0;
  for (const b of offsets) {
    if (b === prevByte && map.has(b)) continue;
    chars += bytes.toString('utf8', prevByte, b).length;
    map.set(b, chars);
    prevByte = b;
  }
  return (b: number) => map.get(b)!;
}

function check(m: RawMatch, toChar: (b: number) => number, norm: Normalized, out: Detected[], allow: AllowList | null): void {
  const { rule } = m;
  const def = rule.def;
  const text = norm.text;
  const ms = toChar(m.sb);
  const me = toChar(m.eb);
  const s = toChar(m.vb);
  const e = toChar(m.ve);
  if (rule.keywords.length > 0 && !windowHas(text, ms - rule.window, me + rule.window, rule.keywords)) return;
  const value = text.slice(s, e);
  if (allow?.has(value)) return;
  if (rule.forbiddenWords.length > 0 && windowHas(text, ms - rule.window, me + rule.window, rule.forbiddenWords)) return;
  let strong = false;
  if (def.entropy !== undefined) {
    if (shannonEntropy(value) < def.entropy) return;
    strong = true;
  }
  const verdict = runValidator(def.validator, value);
  if (!verdict.ok) return;
  strong ||= verdict.strong;
  if (rule.contextWords.length > 0) {
    const found = windowHas(text, ms - rule.window, me + rule.window, rule.contextWords);
    if (!found && def.context!.required) return;
    strong ||= found;
  }
  const [start, end] = mapSpan(norm, s, e);
  out.push({ rule, start, end, nStart: s, nEnd: e, confidence: strong ? 'high' : 'medium' });
}


/** A detected finding once overlaps are resolved: with its normalised value and the original text it covers. */
export interface Resolved extends Detected {
  value: string;
  original: string;
}

export function strongest(findings: { rule: CompiledRule }[]): RuleAction {
  let action: RuleAction = 'allow';
  for (const f of findings) if (ACTION_RANK[f.rule.def.action] > ACTION_RANK[action]) action = f.rule.def.action;
  return action;
}
