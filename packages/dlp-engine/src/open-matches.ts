// Where a streamed answer must start being withheld: the earliest point from which a rule's match (or a view's
// rewrite) could still be growing, so that text before it can go to the client now and never has to be taken
// back. Answers the question with one over-approximating automaton of every rule and view trigger (see
// regex-automaton.ts), run over the text not yet released. The automaton runs as a lazily built DFA: the threads
// started at one position form a group whose set of NFA states is interned once and whose transitions are computed
// once per code point, so a character costs one lookup per group still alive (a handful in prose).
import { mapSpan, normalize, stableLength, type Normalized } from './normalize';
import { AutomatonBuilder, UnsupportedPattern, type CharSet, type State } from './regex-automaton';
import { VIEW_PREFIXES, VIEW_REACH, rewrittenSpans, viewChangedSpans } from './views';

/** What the analysis needs of a rule: its pattern and its context window (0 without context). */
export interface HoldRule {
  pattern: string;
  window: number;
}

/** A set of NFA char states, with its transitions as they are met. */
interface DState {
  states: number[];
  /** Holds a state of a rule (not only of view triggers). */
  hasRule: boolean;
  hasView: boolean;
  next: Map<number, Transition>;
}

interface Transition {
  to: DState | null;
  /** The largest context window of a rule whose match ends here (0: none). */
  acceptWindow: number;
  /** Some rule's match ends here. */
  accepts: boolean;
}

/** Threads started at `start`, in the NFA states of `dstate`. */
interface Group {
  start: number;
  dstate: DState;
}

export interface OpenAnswer {
  /** Stream offset from which text must stay withheld. */
  holdFrom: number;
  /** Stream offset before which no finding can start: text from `from` up to it needs no scan to go out. */
  findFrom: number;
}

/** Interned sets kept at most; past it the table starts over (runs keep the sets they hold). */
const INTERNED_MAX = 20_000;

export class OpenMatches {
  private readonly states: State[];
  /** The char states reachable from some pattern's start without input: where every group begins. */
  readonly start: DState;
  private readonly interned = new Map<string, DState>();
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
    this.stamp++;
    const first: number[] = [];
    for (const st of starts) this.close(st, first, () => undefined);
    this.start = this.intern(first);
  }

  /** A run over one stream's buffer, resumed where the text has not changed since the last call. */
  run(): OpenMatchRun {
    return new OpenMatchRun(this);
  }

  /** @internal The set `from` moves to over code point `cp`, computed once per set and code point. */
  transition(from: DState, cp: number): Transition {
    let t = from.next.get(cp);
    if (t) return t;
    const into: number[] = [];
    let acceptWindow = 0;
    let accepts = false;
    const onAccept = (tag: number) => {
      const w = this.windowOf[tag]!;
      accepts ||= w >= 0;
      acceptWindow = Math.max(acceptWindow, w);
    };
    this.stamp++;
    for (const s of from.states) {
      const st = this.states[s] as { set: CharSet; out: number };
      if (st.set.has(cp)) this.close(st.out, into, onAccept);
    }
    t = { to: into.length > 0 ? this.intern(into) : null, acceptWindow, accepts };
    from.next.set(cp, t);
    return t;
  }

  private intern(states: number[]): DState {
    states.sort((x, y) => x - y);
    const key = states.join(',');
    let d = this.interned.get(key);
    if (!d) {
      if (this.interned.size >= INTERNED_MAX) this.interned.clear();
      const tags = states.map((s) => this.windowOf[this.states[s]!.tag]!);
      d = { states, hasRule: tags.some((w) => w >= 0), hasView: tags.some((w) => w < 0), next: new Map() };
      this.interned.set(key, d);
    }
    return d;
  }

  /** Adds the char states reachable from `state` without input to `into`; reports the tags accepted on the way. */
  private close(state: number, into: number[], onAccept: (tag: number) => void): void {
    const stack = [state];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (this.seen[s] === this.stamp) continue;
      this.seen[s] = this.stamp;
      const st = this.states[s]!;
      if (st.kind === 'char') into.push(s);
      else if (st.kind === 'accept') onAccept(st.tag);
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
  /** Normalised stream index up to which `groups`, `frontier` and `accepts` hold. */
  private at = 0;
  private groups: Group[] = [];
  /** frontier[i - frontierBase]: the earliest start of a rule's match still open before normalised index i. */
  private frontier: number[] = [];
  private frontierBase = 0;
  /** [start, end + window) of matches of rules with a context window that a later context word may still change. */
  private accepts: number[] = [];
  /**
   * [start, end) of the matches of any rule seen up to `at`, while they end after `from`: a match that closed
   * before the release point may still hold a finding (its capture group) after it.
   */
  private matchStarts: number[] = [];
  /** The same, up to the end of the text of the current call. */
  private pendingStarts: number[] = [];

  constructor(private readonly om: OpenMatches) {}

  /**
   * The earliest stream offset that must stay withheld while the stream goes on, and the earliest at which a
   * finding may start. `buffer` is the stream's text from offset `bufStart` on; nothing before `from` can start a
   * match any more (it was released while no match was open there). The buffer's start must never split a
   * character from the combining marks after it.
   */
  holdFrom(buffer: string, bufStart: number, from: number): OpenAnswer {
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
      this.groups = [];
      this.accepts = [];
      this.matchStarts = [];
    }
    if (this.frontierBase < nFrom) {
      this.frontier = this.frontier.slice(nFrom - this.frontierBase);
      this.frontierBase = nFrom;
    }
    const length = base + n.length;
    let groups = this.groups;
    const accepts = this.accepts.slice();
    const kept: number[] = [];
    for (let k = 0; k < this.matchStarts.length; k += 2) if (this.matchStarts[k + 1]! > nFrom) kept.push(this.matchStarts[k]!, this.matchStarts[k + 1]!);
    this.matchStarts = kept;
    this.pendingStarts = kept.slice();
    const frontier = this.frontier;
    frontier.length = this.at - this.frontierBase;
    for (let i = this.at; i < length; ) {
      if (i === checkpoint) this.save(i, groups, accepts);
      const cp = n.codePointAt(i - base)!;
      const end = i + (cp > 0xffff ? 2 : 1);
      const firstRule = groups.find((g) => g.dstate.hasRule);
      for (let k = i; k < end; k++) frontier[k - this.frontierBase] = firstRule ? firstRule.start : k;
      groups = this.step(groups, cp, i, end, accepts);
      i = end;
    }
    if (checkpoint >= length) this.save(length, groups, accepts);
    let hold = length;
    // A context word may still arrive within a rule's window after its match: the match stays open until then.
    for (let k = 0; k < accepts.length; k += 2) if (accepts[k + 1]! > length) hold = Math.min(hold, accepts[k]!);
    const frontierAt = (at: number) => {
      const f = frontier[at - this.frontierBase];
      return f === undefined ? at : Math.min(at, f);
    };
    // Groups are in order of start: the first with a rule's state, and the first with a view trigger's. A view's
    // finding covers its whole changed span and may start in the text copied before it: from a match of the plain
    // text still open where the span starts.
    const firstRule = groups.find((g) => g.dstate.hasRule);
    const firstView = groups.find((g) => g.dstate.hasView);
    if (firstRule) hold = Math.min(hold, firstRule.start);
    if (firstView) hold = Math.min(hold, frontierAt(firstView.start));
    for (const [s, e] of rewrittenSpans(n)) {
      // A rewritten view reaches to the end of its line: while that is open, its findings may still change.
      if (n.length - e < VIEW_REACH && !n.includes('\n', e)) hold = Math.min(hold, frontierAt(base + s));
    }
    // Where a finding may start: a rule's match, or the text a view copies before what it changes.
    let findFrom = Infinity;
    for (let k = 0; k < this.pendingStarts.length; k += 2) findFrom = Math.min(findFrom, this.pendingStarts[k]!);
    for (const [s, e] of viewChangedSpans(n)) if (base + e > nFrom) findFrom = Math.min(findFrom, base + s - VIEW_REACH);
    if (om.fallbackWindow > 0) findFrom = nFrom;
    const toOriginal = (at: number) => {
      const local = at - base;
      return bufStart + (local >= n.length ? buffer.length : local <= 0 ? 0 : mapSpan(norm, local, local + 1)[0]);
    };
    const out = Math.min(toOriginal(hold), bufStart + stableLength(buffer), bufStart + buffer.length - om.fallbackWindow);
    return { holdFrom: Math.max(bufStart, out), findFrom: toOriginal(findFrom) };
  }

  /** The groups moved over code point `cp` at [i, end), with the group that starts there; equal sets merge into the earliest. */
  private step(groups: Group[], cp: number, i: number, end: number, accepts: number[]): Group[] {
    const next: Group[] = [];
    const kept = new Set<DState>();
    const move = (start: number, from: DState) => {
      const t = this.om.transition(from, cp);
      const starts = this.pendingStarts;
      if (t.accepts) {
        if (starts[starts.length - 2] === start) starts[starts.length - 1] = end;
        else starts.push(start, end);
      }
      // A context word may still arrive within the rule's window after this match.
      if (t.acceptWindow > 0) accepts.push(start, end + t.acceptWindow);
      if (t.to && !kept.has(t.to)) {
        kept.add(t.to);
        next.push({ start, dstate: t.to });
      }
    };
    for (const g of groups) move(g.start, g.dstate);
    move(i, this.om.start);
    return next;
  }

  private save(at: number, groups: Group[], accepts: number[]): void {
    this.at = at;
    this.groups = groups;
    this.matchStarts = this.pendingStarts.slice();
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
