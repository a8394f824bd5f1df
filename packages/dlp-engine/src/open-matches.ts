// Where a streamed answer must start being withheld: the earliest point from which a rule's match (or a view's
// rewrite) could still be growing, so that text before it can go to the client now and never has to be taken
// back. Answers the question with one over-approximating automaton of every rule and view trigger (see
// regex-automaton.ts), run over the text not yet released.
import { mapSpan, normalize, stableLength, type Normalized } from './normalize';
import { AutomatonBuilder, UnsupportedPattern, type CharSet, type State } from './regex-automaton';
import { VIEW_PREFIXES, VIEW_REACH, rewrittenSpans } from './views';

/** What the analysis needs of a rule: its pattern and its context window (0 without context). */
export interface HoldRule {
  pattern: string;
  window: number;
}

interface Thread {
  state: number;
  start: number;
}

export class OpenMatches {
  private readonly states: State[];
  /** Char states reachable from some pattern's start without input. */
  private readonly firstStates: number[];
  /** For each ASCII code point, the first states that accept it. */
  private readonly firstByAscii: number[][];
  /** The same for the code points above ASCII met so far. */
  private readonly firstByCodePoint = new Map<number, number[]>();
  /** Per tag: the rule's context window, or -1 for a view trigger. */
  private readonly windowOf: number[] = [];
  /**
   * Characters always withheld at the end for rules the automaton cannot express (their fixed window, as before
   * this analysis existed); 0 when it expresses every rule.
   */
  readonly fallbackWindow: number;
  private stamp = 0;
  private readonly seen: Int32Array;

  constructor(rules: readonly HoldRule[], fixedWindow: (contextWindow: number) => number) {
    const builder = new AutomatonBuilder();
    const starts: number[] = [];
    let fallback = 0;
    const add = (pattern: string, window: number) => {
      try {
        starts.push(builder.add(pattern, this.windowOf.length));
        this.windowOf.push(window);
      } catch (err) {
        if (!(err instanceof UnsupportedPattern)) throw err;
        fallback = Math.max(fallback, fixedWindow(window));
      }
    };
    for (const r of rules) add(r.pattern, r.window);
    for (const p of VIEW_PREFIXES) add(p, -1);
    this.fallbackWindow = fallback;
    this.states = builder.states;
    this.seen = new Int32Array(this.states.length);
    const first: Thread[] = [];
    this.stamp++;
    for (const s of starts) this.close(s, 0, first, () => undefined);
    this.firstStates = first.map((t) => t.state);
    this.firstByAscii = Array.from({ length: 128 }, (_, c) => this.firstStates.filter((s) => this.charSet(s).has(c)));
  }

  /** A run over one stream's buffer, resumed where the text has not changed since the last call. */
  run(): OpenMatchRun {
    return new OpenMatchRun(this);
  }

  /** @internal true when the state belongs to a view trigger rather than a rule. */
  isView(state: number): boolean {
    return this.windowOf[this.states[state]!.tag]! < 0;
  }

  /** @internal The threads `active` moved over code point `cp` at normalised index i, and those it starts there. */
  step(active: Thread[], cp: number, i: number, onAccept: (window: number, start: number) => void): Thread[] {
    const next: Thread[] = [];
    this.stamp++;
    const accept = (tag: number, start: number) => {
      const w = this.windowOf[tag]!;
      if (w > 0) onAccept(w, start);
    };
    // Active threads are in order of start, so a state is first reached with the earliest start.
    for (const t of active) if (this.charSet(t.state).has(cp)) this.close(this.outOf(t.state), t.start, next, accept);
    for (const s of this.firstOf(cp)) this.close(this.outOf(s), i, next, accept);
    return next;
  }

  private firstOf(cp: number): number[] {
    if (cp < 128) return this.firstByAscii[cp]!;
    let first = this.firstByCodePoint.get(cp);
    if (!first) {
      if (this.firstByCodePoint.size >= 4096) this.firstByCodePoint.clear();
      first = this.firstStates.filter((s) => this.charSet(s).has(cp));
      this.firstByCodePoint.set(cp, first);
    }
    return first;
  }

  private charSet(state: number): CharSet {
    return (this.states[state] as { set: CharSet }).set;
  }

  private outOf(state: number): number {
    return (this.states[state] as { out: number }).out;
  }

  /** Adds the char states reachable from `state` without input to `into`; reports accepts on the way. */
  private close(state: number, start: number, into: Thread[], onAccept: (tag: number, start: number) => void): void {
    const stack = [state];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (this.seen[s] === this.stamp) continue;
      this.seen[s] = this.stamp;
      const st = this.states[s]!;
      if (st.kind === 'char') into.push({ state: s, start });
      else if (st.kind === 'accept') onAccept(st.tag, start);
      else for (let k = st.outs.length - 1; k >= 0; k--) stack.push(st.outs[k]!);
    }
  }
}

/**
 * The analysis of one stream, fed the scanner's buffer on every chunk. Positions are kept in normalised
 * characters since the stream began, so that neither new text nor the buffer losing its released start makes
 * it read again what it has read: it resumes from the last character whose normalisation cannot change (a long
 * held match would otherwise be re-read on every chunk).
 */
export class OpenMatchRun {
  /** Stream offset of the buffer's start at the last call, and the normalised index it stands at. */
  private bufStart = 0;
  private nBufStart = 0;
  private lastNorm: Normalized | null = null;
  private lastLength = 0;
  /** Normalised stream index up to which `active`, `frontier` and `accepts` hold. */
  private at = 0;
  private active: Thread[] = [];
  /** frontier[i - frontierBase]: the earliest start of a rule's match still open before normalised index i. */
  private frontier: number[] = [];
  private frontierBase = 0;
  /** [start, end + window) of matches of rules with a context window that a later context word may still change. */
  private accepts: number[] = [];

  constructor(private readonly om: OpenMatches) {}

  /**
   * The earliest stream offset that must stay withheld while the stream goes on. `buffer` is the stream's text
   * from offset `bufStart` on; nothing before `from` can start a match any more (it was released while no match
   * was open there). The buffer's start must never split a character from the combining marks after it.
   */
  holdFrom(buffer: string, bufStart: number, from: number): number {
    const om = this.om;
    const norm = normalize(buffer);
    const n = norm.text;
    if (bufStart !== this.bufStart) {
      // The buffer lost its start: what was read stays valid, only the offsets move.
      if (this.lastNorm) this.nBufStart += normalizedIndex(this.lastNorm, bufStart - this.bufStart, this.lastLength);
      this.bufStart = bufStart;
    }
    this.lastNorm = norm;
    this.lastLength = buffer.length;
    const base = this.nBufStart;
    const nFrom = base + normalizedIndex(norm, from - bufStart, buffer.length);
    const checkpoint = base + normalizedIndex(norm, stableLength(buffer), buffer.length);
    if (this.at < nFrom) {
      // Released past everything read: nothing read before can matter any more.
      this.at = nFrom;
      this.active = [];
      this.accepts = [];
    }
    if (this.frontierBase < nFrom) {
      this.frontier = this.frontier.slice(nFrom - this.frontierBase);
      this.frontierBase = nFrom;
    }
    const length = base + n.length;
    let active = this.active;
    const accepts = this.accepts.slice();
    const frontier = this.frontier;
    frontier.length = this.at - this.frontierBase;
    for (let i = this.at; i < length; ) {
      if (i === checkpoint) this.save(i, active, accepts);
      const cp = n.codePointAt(i - base)!;
      const end = i + (cp > 0xffff ? 2 : 1);
      const firstRule = active.find((t) => !om.isView(t.state));
      for (let k = i; k < end; k++) frontier[k - this.frontierBase] = firstRule ? firstRule.start : k;
      active = om.step(active, cp, i, (w, start) => accepts.push(start, end + w));
      i = end;
    }
    if (checkpoint >= length) this.save(length, active, accepts);
    let hold = length;
    // A context word may still arrive within a rule's window after its match: the match stays open until then.
    for (let k = 0; k < accepts.length; k += 2) if (accepts[k + 1]! > length) hold = Math.min(hold, accepts[k]!);
    const frontierAt = (at: number) => {
      const f = frontier[at - this.frontierBase];
      return f === undefined ? at : Math.min(at, f);
    };
    for (const t of active) {
      // A view's finding covers its whole changed span and may start in the text copied before it: from a match
      // of the plain text still open where the span starts.
      hold = Math.min(hold, om.isView(t.state) ? frontierAt(t.start) : t.start);
    }
    for (const [s, e] of rewrittenSpans(n)) {
      // A rewritten view reaches to the end of its line: while that is open, its findings may still change.
      if (n.length - e < VIEW_REACH && !n.includes('\n', e)) hold = Math.min(hold, frontierAt(base + s));
    }
    const local = hold - base;
    let out = local >= n.length ? buffer.length : local <= 0 ? 0 : mapSpan(norm, local, local + 1)[0];
    out = Math.min(out, stableLength(buffer), buffer.length - om.fallbackWindow);
    return bufStart + Math.max(0, out);
  }

  private save(at: number, active: Thread[], accepts: number[]): void {
    this.at = at;
    this.active = active;
    // Keep only what a later, longer text can still find open.
    const kept: number[] = [];
    for (let k = 0; k < accepts.length; k += 2) if (accepts[k + 1]! > at) kept.push(accepts[k]!, accepts[k + 1]!);
    this.accepts = kept;
  }
}

/** The first index of the normalised text whose source starts at or after original index `from`. */
function normalizedIndex(norm: Normalized, from: number, originalLength: number): number {
  if (!norm.edits) return from;
  if (from >= originalLength) return norm.text.length;
  let lo = 0;
  let hi = norm.text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (mapSpan(norm, mid, mid + 1)[0] >= from) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
