import { segmentStart } from './normalize';
import { OpenMatches, type OpenMatchRun } from './open-matches';
import type { Finding, RuleAction, RuleDefinition } from './types';
import { ACTION_RANK } from './types';
import { PLACEHOLDER_CLOSE, PLACEHOLDER_MAX, PLACEHOLDER_OPEN, type PseudonymVault } from './vault';

/**
 * Characters kept as left context after emission: STREAM_WINDOW_BASE (covers every bounded match of the
 * built-in pack — the longest, an Azure key with its name, is about 100 — and placeholders) plus twice the
 * largest context window of the rule set. Text is released as soon as no match can be open across the end of
 * what has arrived (see open-matches.ts); a rule the analysis cannot express withholds this window at the end.
 */
export const STREAM_WINDOW_BASE = 256;
/**
 * The hard bound: a match still open at the end of the buffer (a PEM body, a long JWT) is withheld from its
 * start until it closes or grows past this, then treated as final (masked/blocked up to there).
 */
export const STREAM_HOLD_CAP = 64 * 1024;

export interface StreamScanner {
  /** Feeds a chunk; returns the text that is safe to emit now (possibly ''). */
  push(chunk: string): string;
  /** Ends the stream and returns the rest. */
  end(): string;
  /** The most characters the scanner ever withholds (STREAM_HOLD_CAP). */
  readonly holdBack: number;
  /** Strongest action so far; once 'block', nothing more is emitted. */
  readonly action: RuleAction;
  /** Findings emitted so far, offsets into the whole stream. */
  readonly findings: readonly Finding[];
}

/** A match as the engine resolves it: offsets into the scanned text and the rule that matched. */
export interface StreamMatch {
  start: number;
  end: number;
  rule: { def: Pick<RuleDefinition, 'id' | 'action'> };
}

/**
 * What the scanner asks of the engine, as a structural type: the engine hands itself to createStreamScanner,
 * so naming its class here would make the two modules import each other.
 */
export interface StreamEngine<M extends StreamMatch> {
  readonly maxContextWindow: number;
  readonly rules: readonly Pick<RuleDefinition, 'pattern' | 'context'>[];
  assertSize(length: number): void;
  detect(text: string): M[];
  render(text: string, findings: M[], from: number, to: number, vault: PseudonymVault): string;
  toFinding(match: M, offset: number): Finding;
}

/** One analysis per engine: building the automaton of a rule set costs far more than a stream. */
const analyses = new WeakMap<object, OpenMatches>();

function openMatchesOf(engine: Pick<StreamEngine<StreamMatch>, 'rules'>): OpenMatches {
  let om = analyses.get(engine);
  if (!om) {
    const rules = engine.rules.map((r) => ({ pattern: r.pattern, window: r.context?.window ?? 0 }));
    om = new OpenMatches(rules, (window) => STREAM_WINDOW_BASE + 2 * window);
    analyses.set(engine, om);
  }
  return om;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

class ChunkScanner<M extends StreamMatch> implements StreamScanner {
  readonly holdBack = STREAM_HOLD_CAP;
  action: RuleAction = 'allow';
  readonly findings: Finding[] = [];
  /** Original text from `bufStart` on: left context [bufStart, emitted) then pending [emitted, end). */
  private buf = '';
  private bufStart = 0;
  private emitted = 0;
  private total = 0;
  private ended = false;
  /** Left context kept before the unreleased text, so that a rescan finds the same matches and context. */
  private readonly window: number;
  private readonly open: OpenMatchRun;

  constructor(
    private readonly engine: StreamEngine<M>,
    private readonly vault: PseudonymVault,
  ) {
    this.window = STREAM_WINDOW_BASE + 2 * engine.maxContextWindow;
    this.open = openMatchesOf(engine).run();
  }

  push(chunk: string): string {
    if (this.ended) throw new Error('stream already ended');
    this.engine.assertSize(this.total - this.bufStart + chunk.length);
    this.buf += chunk;
    this.total += chunk.length;
    if (this.action === 'block') return this.discard();
    return this.drain(false);
  }

  end(): string {
    if (this.ended) return '';
    const out = this.action === 'block' ? this.discard() : this.drain(true);
    this.ended = true;
    this.buf = '';
    return out;
  }

  private discard(): string {
    this.bufStart = this.total;
    this.emitted = this.total;
    this.buf = '';
    return '';
  }

  private drain(final: boolean): string {
    const base = this.bufStart;
    // Absolute offsets from here on.
    let cut = this.total;
    if (!final) {
      const open = this.open.holdFrom(this.buf, base, this.emitted);
      // Past the cap, a match still open is treated as final as it stands.
      cut = Math.max(open.holdFrom, this.total - STREAM_HOLD_CAP);
      if (this.safeCut(cut) <= this.emitted) return '';
      // Nothing that could be a finding starts before the cut: the text goes out as it is, without a scan.
      if (open.findFrom >= cut && open.holdFrom >= cut) return this.release(this.slice(this.emitted, this.safeCut(cut)), this.safeCut(cut));
    }
    const found = this.engine.detect(this.buf);
    for (const f of found) {
      const s = f.start + base;
      const e = f.end + base;
      if (s < cut && e > cut) {
        // An open match withholds from its start, up to the cap; past the cap it is final as it stands.
        cut = this.total - s > STREAM_HOLD_CAP ? e : s;
        break;
      }
    }
    if (!final) cut = this.safeCut(cut);
    if (cut <= this.emitted) return '';

    let out = '';
    let cursor = this.emitted;
    for (const f of found) {
      const s = f.start + base;
      const e = f.end + base;
      if (e <= this.emitted || s >= cut) continue;
      if (f.rule.def.action === 'block') {
        out += this.slice(cursor, Math.max(cursor, s));
        this.record(f, base);
        this.action = 'block';
        this.discard();
        return out;
      }
      if (s < this.emitted) {
        // A match that only became visible after its start was emitted (longer than the window): mask the rest.
        out += `[MASKED:${f.rule.def.id}]`;
        cursor = Math.min(e, cut);
        continue;
      }
      out += this.slice(cursor, s) + this.engine.render(this.buf, [f], f.start, f.end, this.vault);
      cursor = e;
      this.record(f, base);
    }
    return this.release(out + this.slice(cursor, cut), cut);
  }

  /** Marks everything before `cut` as emitted and drops what the left context no longer needs. */
  private release(out: string, cut: number): string {
    this.emitted = cut;
    // Never between a character and its combining marks: the buffer's text must normalise as it did in the stream.
    const keep = this.bufStart + segmentStart(this.buf, Math.max(this.bufStart, cut - this.window) - this.bufStart);
    this.buf = this.buf.slice(keep - this.bufStart);
    this.bufStart = keep;
    return out;
  }

  /** Moves a cut left so it never splits a surrogate pair or a vault placeholder. */
  private safeCut(cut: number): number {
    const local = cut - this.bufStart;
    let c = local;
    if (c > 0 && c < this.buf.length && isLowSurrogate(this.buf.charCodeAt(c))) c--;
    const open = c > 0 ? this.buf.lastIndexOf(PLACEHOLDER_OPEN, c - 1) : -1;
    if (open >= 0 && c - open < PLACEHOLDER_MAX) {
      const close = this.buf.indexOf(PLACEHOLDER_CLOSE, open);
      if (close < 0 || close >= c) c = open;
    }
    return c + this.bufStart;
  }

  private slice(from: number, to: number): string {
    return this.buf.slice(from - this.bufStart, to - this.bufStart);
  }

  private record(f: M, base: number): void {
    this.findings.push(this.engine.toFinding(f, base));
    if (ACTION_RANK[f.rule.def.action] > ACTION_RANK[this.action]) this.action = f.rule.def.action;
  }
}

export function createStreamScanner<M extends StreamMatch>(engine: StreamEngine<M>, vault: PseudonymVault): StreamScanner {
  return new ChunkScanner(engine, vault);
}
