import { createHmac, randomBytes } from 'node:crypto';
import RE2 from 're2';
import { InputTooLargeError, RuleCompileError } from './errors';
import { mapSpan, normalize, type Normalized } from './normalize';
import { ACTION_RANK, SEVERITY_RANK, type Confidence, type Finding, type RuleAction, type RuleDefinition, type ScanResult } from './types';
import { ruleSchemaProblems } from './rule-schema';
import { runValidator, shannonEntropy } from './validators';
import { PseudonymVault } from './vault';
import { StreamScanner, createStreamScanner } from './stream';

export const DEFAULT_MAX_INPUT_CHARS = 4 * 1024 * 1024;

export interface CompileOptions {
  /** Rule-set version reported in every result (the policy version, or BUILTIN_VERSION). */
  version: string;
  /** Key of the findings' value HMAC; a random per-engine key when omitted (hashes then only correlate within it). */
  hashKey?: Buffer;
  /** Larger inputs are refused with InputTooLargeError, never partially scanned. */
  maxInputChars?: number;
}

export interface ScanOptions {
  vault?: PseudonymVault;
}

interface CompiledRule {
  def: RuleDefinition;
  index: number;
  re: RE2;
  hasGroup: boolean;
  keywords: string[];
  contextWords: string[];
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

export interface Resolved extends Detected {
  value: string;
  original: string;
}

function escapeLiteral(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

function compileRule(def: RuleDefinition, index: number): CompiledRule {
  const re = new RE2(def.pattern, 'gud');
  // Group count without parsing the pattern: the added empty branch matches '' and reports every group.
  const probe = new RE2(`(?:${def.pattern})|`, 'd').exec('');
  return {
    def,
    index,
    re,
    hasGroup: !!probe && probe.length > 1,
    keywords: (def.keywords ?? []).map((k) => k.toLowerCase()),
    contextWords: (def.context?.words ?? []).map((w) => w.toLowerCase()),
    window: def.context?.window ?? 0,
  };
}

function windowHas(text: string, from: number, to: number, words: string[]): boolean {
  const slice = text.slice(Math.max(0, from), Math.min(text.length, to)).toLowerCase();
  return words.some((w) => slice.includes(w));
}

/** Multi-pattern matcher: one RE2.Set pass says which rules (and which keywords) can match at all. */
class Matcher {
  private readonly set: InstanceType<typeof RE2.Set> | null;
  private readonly keywordSlot: number[][];
  private readonly keywordCount: number;

  constructor(readonly rules: CompiledRule[]) {
    const keywords: string[] = [];
    this.keywordSlot = rules.map((r) =>
      r.keywords.map((k) => {
        let at = keywords.indexOf(k);
        if (at < 0) at = keywords.push(k) - 1;
        return at;
      }),
    );
    this.keywordCount = keywords.length;
    const sources = [...rules.map((r) => r.def.pattern), ...keywords.map((k) => `(?i)${escapeLiteral(k)}`)];
    this.set = sources.length > 0 ? new RE2.Set(sources, 'u', { maxMem: 64 * 1024 * 1024 }) : null;
  }

  detect(norm: Normalized): Detected[] {
    const text = norm.text;
    if (!this.set || text.length === 0) return [];
    // RE2 works on UTF-8: hand it bytes once instead of letting every call convert the string again.
    const bytes = Buffer.from(text, norm.ascii ? 'latin1' : 'utf8');
    const ruleHit = new Uint8Array(this.rules.length);
    const keywordHit = new Uint8Array(this.keywordCount);
    let hits: number[] | null;
    try {
      hits = this.set.match(bytes);
    } catch {
      // The DFA ran out of memory: fall back to running every rule rather than skipping any.
      hits = null;
    }
    if (hits) {
      for (const h of hits) {
        if (h < this.rules.length) ruleHit[h] = 1;
        else keywordHit[h - this.rules.length] = 1;
      }
    } else {
      ruleHit.fill(1);
      keywordHit.fill(1);
    }
    const raw: RawMatch[] = [];
    for (const rule of this.rules) {
      if (!ruleHit[rule.index]) continue;
      const slots = this.keywordSlot[rule.index]!;
      if (slots.length > 0 && !slots.some((s) => keywordHit[s])) continue;
      collect(rule, bytes, raw);
    }
    const toChar = norm.ascii ? (b: number) => b : byteToChar(bytes, raw);
    const out: Detected[] = [];
    for (const m of raw) check(m, toChar, norm, out);
    return out;
  }
}

/** A match in UTF-8 byte offsets: whole match [sb, eb) and the reported span [vb, ve) (group 1 or whole). */
interface RawMatch {
  rule: CompiledRule;
  sb: number;
  eb: number;
  vb: number;
  ve: number;
}

function collect(rule: CompiledRule, bytes: Buffer, raw: RawMatch[]): void {
  const re = rule.re;
  re.lastIndex = 0;
  for (let m = re.exec(bytes); m; m = re.exec(bytes)) {
    const len = m[0].length;
    if (len === 0) {
      re.lastIndex++;
      continue;
    }
    const sb = m.index;
    if (rule.hasGroup) {
      const g = m.indices?.[1];
      if (!g || g[1] <= g[0]) continue;
      raw.push({ rule, sb, eb: sb + len, vb: g[0], ve: g[1] });
    } else raw.push({ rule, sb, eb: sb + len, vb: sb, ve: sb + len });
  }
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

function check(m: RawMatch, toChar: (b: number) => number, norm: Normalized, out: Detected[]): void {
  const { rule } = m;
  const def = rule.def;
  const text = norm.text;
  const ms = toChar(m.sb);
  const me = toChar(m.eb);
  const s = toChar(m.vb);
  const e = toChar(m.ve);
  if (rule.keywords.length > 0 && !windowHas(text, ms - rule.window, me + rule.window, rule.keywords)) return;
  const value = text.slice(s, e);
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

function better(a: Detected, b: Detected): boolean {
  const ar = ACTION_RANK[a.rule.def.action] - ACTION_RANK[b.rule.def.action];
  if (ar !== 0) return ar > 0;
  const al = a.end - a.start - (b.end - b.start);
  if (al !== 0) return al > 0;
  const sr = SEVERITY_RANK[a.rule.def.severity] - SEVERITY_RANK[b.rule.def.severity];
  if (sr !== 0) return sr > 0;
  return a.rule.index < b.rule.index;
}

/**
 * Overlapping findings become one: the strongest (action, then length, severity, rule order) names it, and it
 * spans the union of the cluster so no part of a weaker overlapping value is left in clear text.
 */
function resolve(found: Detected[], original: string, norm: Normalized): Resolved[] {
  if (found.length === 0) return [];
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Resolved[] = [];
  let best = found[0]!;
  let start = best.start;
  let end = best.end;
  let nStart = best.nStart;
  let nEnd = best.nEnd;
  const flush = () => {
    out.push({ ...best, start, end, nStart, nEnd, value: norm.text.slice(nStart, nEnd), original: original.slice(start, end) });
  };
  for (let i = 1; i < found.length; i++) {
    const f = found[i]!;
    if (f.start < end) {
      if (better(f, best)) best = f;
      end = Math.max(end, f.end);
      nEnd = Math.max(nEnd, f.nEnd);
      continue;
    }
    flush();
    best = f;
    start = f.start;
    end = f.end;
    nStart = f.nStart;
    nEnd = f.nEnd;
  }
  flush();
  return out;
}

export class DlpEngine {
  readonly version: string;
  readonly maxInputChars: number;
  readonly rules: readonly RuleDefinition[];
  /** Largest context window of the rule set; sizes the stream scanner's window. */
  readonly maxContextWindow: number;
  readonly #hashKey: Buffer;
  readonly #matcher: Matcher;

  private constructor(rules: CompiledRule[], opts: CompileOptions) {
    this.version = opts.version;
    this.maxInputChars = opts.maxInputChars ?? DEFAULT_MAX_INPUT_CHARS;
    this.rules = rules.map((r) => r.def);
    this.maxContextWindow = rules.reduce((m, r) => Math.max(m, r.window), 0);
    this.#hashKey = opts.hashKey ?? randomBytes(32);
    this.#matcher = new Matcher(rules);
  }

  /** Compiles a rule set; throws RuleCompileError listing every bad rule, not just the first. */
  static compile(rules: RuleDefinition[], opts: CompileOptions): DlpEngine {
    const problems: string[] = [];
    if (!Array.isArray(rules)) throw new RuleCompileError(['rules must be a list']);
    const compiled: CompiledRule[] = [];
    const seen = new Set<string>();
    rules.forEach((def, i) => {
      const at = `rule[${i}]`;
      const schema = ruleSchemaProblems(def, at);
      if (schema.length > 0) {
        problems.push(...schema);
        return;
      }
      if (seen.has(def.id)) problems.push(`${at} (${def.id}): duplicate id`);
      seen.add(def.id);
      let rule: CompiledRule;
      try {
        rule = compileRule(def, compiled.length);
      } catch (err) {
        problems.push(`${at} (${def.id}): pattern does not compile as RE2: ${(err as Error).message}`);
        return;
      }
      problems.push(...exampleProblems(rule, at));
      compiled.push(rule);
    });
    if (problems.length > 0) throw new RuleCompileError(problems);
    try {
      return new DlpEngine(compiled, opts);
    } catch (err) {
      throw new RuleCompileError([`rule set does not compile as one RE2.Set: ${(err as Error).message}`]);
    }
  }

  scan(text: string, opts: ScanOptions = {}): ScanResult {
    this.assertSize(text.length);
    const resolved = this.detect(text);
    const action = strongest(resolved);
    return {
      action,
      findings: resolved.map((r) => this.toFinding(r, 0)),
      text: action === 'block' ? '' : this.render(text, resolved, 0, text.length, opts.vault ?? new PseudonymVault()),
      ruleSetVersion: this.version,
    };
  }

  /** A scanner for text that arrives in chunks (model output); see StreamScanner for the hold-back bound. */
  streamScanner(opts: ScanOptions = {}): StreamScanner {
    return createStreamScanner(this, opts.vault ?? new PseudonymVault());
  }

  /** @internal normalise, detect, resolve overlaps. Offsets are relative to `text`. */
  detect(text: string): Resolved[] {
    const norm = normalize(text);
    return resolve(this.#matcher.detect(norm), text, norm);
  }

  /** @internal text[from, to) with the findings inside it replaced; findings must lie within [from, to). */
  render(text: string, findings: Resolved[], from: number, to: number, vault: PseudonymVault): string {
    let out = '';
    let cursor = from;
    for (const f of findings) {
      if (f.start < from || f.end > to) continue;
      out += text.slice(cursor, f.start) + replacement(f, vault);
      cursor = f.end;
    }
    return out + text.slice(cursor, to);
  }

  /** @internal */
  toFinding(r: Resolved, offset: number): Finding {
    const def = r.rule.def;
    return {
      ruleId: def.id,
      category: def.category,
      start: r.start + offset,
      end: r.end + offset,
      action: def.action,
      confidence: r.confidence,
      valueHash: createHmac('sha256', this.#hashKey).update(r.value).digest('hex'),
    };
  }

  /** @internal */
  assertSize(length: number): void {
    if (length > this.maxInputChars) throw new InputTooLargeError(this.maxInputChars, length);
  }
}

export function replacement(f: Resolved, vault: PseudonymVault): string {
  const def = f.rule.def;
  switch (def.action) {
    case 'allow':
      return f.original;
    case 'pseudonymize':
      return vault.placeholderFor(def.category, f.value, f.original);
    default:
      return `[MASKED:${def.id}]`;
  }
}

export function strongest(findings: { rule: CompiledRule }[]): RuleAction {
  let action: RuleAction = 'allow';
  for (const f of findings) if (ACTION_RANK[f.rule.def.action] > ACTION_RANK[action]) action = f.rule.def.action;
  return action;
}

/** Each rule must find its positive examples and stay silent on its negatives, on its own. */
function exampleProblems(rule: CompiledRule, at: string): string[] {
  const solo = new Matcher([{ ...rule, index: 0 }]);
  const problems: string[] = [];
  const name = `${at} (${rule.def.id})`;
  rule.def.examples.positive.forEach((ex, i) => {
    if (solo.detect(normalize(ex)).length === 0) problems.push(`${name}: positive example #${i + 1} is not detected`);
  });
  rule.def.examples.negative.forEach((ex, i) => {
    if (solo.detect(normalize(ex)).length > 0) problems.push(`${name}: negative example #${i + 1} is detected`);
  });
  return problems;
}
