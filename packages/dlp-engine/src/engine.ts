import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { InputTooLargeError, RuleCompileError } from './errors';
import { AllowList, DEFAULT_ALLOW_LIST } from './allow-list';
import { mapSpan, normalize, type Normalized } from './normalize';
import { ACTION_RANK, SEVERITY_RANK, type Finding, type RuleDefinition, type ScanResult } from './types';
import { ruleSchemaProblems } from './rule-schema';
import { PseudonymVault } from './vault';
import { StreamScanner, createStreamScanner } from './stream';
import { VIEW_TRIGGERS, viewsOf, type ViewTrigger } from './views';
import { scanMessages, type MessagesScanResult } from './messages';
import { Matcher, compileRule, strongest, type CompiledRule, type Detected, type Resolved } from './matcher';

export const DEFAULT_MAX_INPUT_CHARS = 4 * 1024 * 1024;

/** The views' triggers, in the order the matcher's probes hold them. */
const TRIGGERS = Object.keys(VIEW_TRIGGERS) as ViewTrigger[];

export interface CompileOptions {
  /** Rule-set version reported in every result (the policy version, or BUILTIN_VERSION). */
  version: string;
  /** Key of the findings' value HMAC; a random per-engine key when omitted (hashes then only correlate within it). */
  hashKey?: Buffer;
  /** Larger inputs are refused with InputTooLargeError, never partially scanned. */
  maxInputChars?: number;
  /** Example values that are never findings (see DEFAULT_ALLOW_LIST, the default); [] turns the list off. */
  allowList?: readonly string[];
  /** false: scan the text as sent only, without decoded/rejoined views (the old engine's behaviour). */
  views?: boolean;
  /**
   * false: skip running each rule on its own examples. Only for rules already checked (the built-in pack, whose
   * unit tests check them): a one-shot CLI run then starts in a fraction of the time.
   */
  checkExamples?: boolean;
}

export interface ScanOptions {
  vault?: PseudonymVault;
}

export type { Detected, Resolved } from './matcher';

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
  /** A KeyObject, prepared once: createHmac with a raw Buffer re-validates the key on every finding. */
  readonly #hashKey: KeyObject;
  readonly #matcher: Matcher;
  readonly #views: boolean;

  private constructor(rules: CompiledRule[], opts: CompileOptions) {
    this.version = opts.version;
    this.maxInputChars = opts.maxInputChars ?? DEFAULT_MAX_INPUT_CHARS;
    this.rules = rules.map((r) => r.def);
    this.maxContextWindow = rules.reduce((m, r) => Math.max(m, r.window), 0);
    this.#hashKey = createSecretKey(opts.hashKey ?? randomBytes(32));
    this.#views = opts.views ?? true;
    this.#matcher = new Matcher(rules, new AllowList(opts.allowList ?? DEFAULT_ALLOW_LIST), this.#views ? TRIGGERS.map((t) => VIEW_TRIGGERS[t]) : []);
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
      if (opts.checkExamples !== false) problems.push(...exampleProblems(rule, at));
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

  /** Scans a conversation as one text; see scanMessages for how findings are given back to each message. */
  scanMessages(messages: readonly string[], opts: ScanOptions = {}): MessagesScanResult {
    return scanMessages(this, messages, opts.vault);
  }

  /** A scanner for text that arrives in chunks (model output); see StreamScanner for the hold-back bound. */
  streamScanner(opts: ScanOptions = {}): StreamScanner {
    return createStreamScanner(this, opts.vault ?? new PseudonymVault());
  }

  /** @internal normalise, detect, resolve overlaps. Offsets are relative to `text`. */
  detect(text: string): Resolved[] {
    const norm = normalize(text);
    const { found, probes } = this.#matcher.scan(norm);
    if (this.#views) {
      // A view adds what the text as sent hides; where the plain scan already found something, the plain
      // finding stands (a rejoined line must not turn a key id into a longer, different finding).
      const plain = found.slice();
      for (const view of viewsOf(norm.text, (t) => probes[TRIGGERS.indexOf(t)]!))
        for (const d of this.detectInView(view, norm)) if (!plain.some((p) => p.start < d.end && p.end > d.start)) found.push(d);
    }
    return resolve(found, text, norm);
  }

  /** Findings of one view that touch what it changed, with spans in the normalised and original text. */
  private detectInView(view: ReturnType<typeof viewsOf>[number], norm: Normalized): Detected[] {
    const out: Detected[] = [];
    for (const d of this.#matcher.detect(normalize(view.text))) {
      const span = view.toSource(d.start, d.end);
      if (!span) continue;
      const [start, end] = mapSpan(norm, span[0], span[1]);
      out.push({ ...d, start, end, nStart: span[0], nEnd: span[1] });
    }
    return out;
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

export { strongest } from './matcher';

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
