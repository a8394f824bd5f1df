// An over-approximating Thompson NFA of RE2 patterns, built only to answer "could a match that started here
// still be growing at the end of the text?" for the stream scanner. It accepts at least every string the RE2
// pattern matches (often more): zero-width assertions (^ $ \b \B \A \z) always pass, '.' matches newlines too,
// large counted repeats become stars. Holding back more than needed is safe; less never happens. A construct it
// does not know throws UnsupportedPattern, and the caller falls back to a fixed window for that pattern.

export class UnsupportedPattern extends Error {}

/** A Unicode property (or a nested class) tested on one character. */
interface ClassTest {
  re: { test(ch: string): boolean };
  negated: boolean;
}

const SEEN_MAX = 4096;

/** A set of code points: ASCII by table, the rest by ranges and Unicode property tests. */
export class CharSet {
  private readonly ascii = new Uint8Array(128);
  constructor(
    private readonly ranges: readonly number[],
    private readonly props: readonly ClassTest[],
    private readonly negated: boolean,
    private readonly fold: boolean,
  ) {
    for (let c = 0; c < 128; c++) this.ascii[c] = this.slowHas(c) ? 1 : 0;
  }

  /** Answers for code points above ASCII seen so far (Hangul prose repeats a few thousand syllables). */
  private readonly seen = new Map<number, boolean>();

  has(cp: number): boolean {
    if (cp < 128) return this.ascii[cp] === 1;
    let hit = this.seen.get(cp);
    if (hit === undefined) {
      if (this.seen.size >= SEEN_MAX) this.seen.clear();
      hit = this.slowHas(cp);
      this.seen.set(cp, hit);
    }
    return hit;
  }

  private slowHas(cp: number): boolean {
    let hit = this.direct(cp);
    if (!hit && this.fold) {
      // Case-insensitive: any case variant of cp in the set (RE2 folds by Unicode simple case folding).
      const ch = String.fromCodePoint(cp);
      for (const v of [ch.toLowerCase(), ch.toUpperCase(), ch.toUpperCase().toLowerCase()]) {
        const vc = v.codePointAt(0)!;
        if ([...v].length === 1 && vc !== cp && this.direct(vc)) hit = true;
      }
    }
    return hit !== this.negated;
  }

  private direct(cp: number): boolean {
    for (let i = 0; i < this.ranges.length; i += 2) if (cp >= this.ranges[i]! && cp <= this.ranges[i + 1]!) return true;
    if (this.props.length === 0) return false;
    const ch = String.fromCodePoint(cp);
    return this.props.some((p) => p.re.test(ch) !== p.negated);
  }
}

export const ANY = new CharSet([0, 0x10ffff], [], false, false);

type Node =
  | { kind: 'set'; set: CharSet }
  | { kind: 'empty' }
  | { kind: 'cat'; parts: Node[] }
  | { kind: 'alt'; parts: Node[] }
  | { kind: 'repeat'; body: Node; min: number; max: number }; // max Infinity: unbounded

const EMPTY: Node = { kind: 'empty' };

const DIGIT = [48, 57];
const WORD = [48, 57, 65, 90, 95, 95, 97, 122];
// RE2's \s is [\t\n\f\r ]; \v and the Unicode spaces are added (a larger set is still safe).
const SPACE = [9, 13, 32, 32];
const POSIX: Record<string, number[]> = {
  alpha: [65, 90, 97, 122],
  digit: DIGIT,
  alnum: [48, 57, 65, 90, 97, 122],
  upper: [65, 90],
  lower: [97, 122],
  space: SPACE,
  blank: [9, 9, 32, 32],
  punct: [33, 47, 58, 64, 91, 96, 123, 126],
  xdigit: [48, 57, 65, 70, 97, 102],
  word: WORD,
  cntrl: [0, 31, 127, 127],
  print: [32, 126],
  graph: [33, 126],
  ascii: [0, 127],
};

function propertyTest(name: string): RegExp {
  for (const src of [`^\\p{${name}}$`, `^\\p{Script=${name}}$`]) {
    try {
      return new RegExp(src, 'u');
    } catch {
      // try the next spelling
    }
  }
  throw new UnsupportedPattern(`unknown Unicode class ${name}`);
}

const UNICODE_SPACE = propertyTest('White_Space');

/** Recursive-descent parser of the RE2 syntax into the small AST above. */
class Parser {
  private i = 0;
  private fold = false;
  constructor(private readonly src: string) {}

  parse(): Node {
    const n = this.alternation();
    if (this.i < this.src.length) throw new UnsupportedPattern(`unexpected ${this.src[this.i]} at ${this.i}`);
    return n;
  }

  private peek(): string | undefined {
    return this.src[this.i];
  }

  /** The next code point as a string (a surrogate pair is one character of the pattern). */
  private take(): string {
    const cp = this.src.codePointAt(this.i);
    if (cp === undefined) throw new UnsupportedPattern('unexpected end of pattern');
    const ch = String.fromCodePoint(cp);
    this.i += ch.length;
    return ch;
  }

  private alternation(): Node {
    const parts = [this.concatenation()];
    while (this.peek() === '|') {
      this.i++;
      parts.push(this.concatenation());
    }
    return parts.length === 1 ? parts[0]! : { kind: 'alt', parts };
  }

  private concatenation(): Node {
    const parts: Node[] = [];
    const savedFold = this.fold;
    while (this.i < this.src.length && this.peek() !== '|' && this.peek() !== ')') {
      const atom = this.atom();
      if (atom) parts.push(this.quantified(atom));
    }
    // A bare (?i) lasts to the end of its group; the group's caller restores the flag.
    this.fold = savedFold;
    return parts.length === 1 ? parts[0]! : { kind: 'cat', parts };
  }

  private quantified(atom: Node): Node {
    for (;;) {
      const c = this.peek();
      let min: number;
      let max: number;
      if (c === '*') [min, max] = [0, Infinity];
      else if (c === '+') [min, max] = [1, Infinity];
      else if (c === '?') [min, max] = [0, 1];
      else if (c === '{' && /^\{\d+(,\d*)?\}/.test(this.src.slice(this.i))) {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i))!;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        this.i += m[0].length - 1;
      } else return atom;
      this.i++;
      if (this.peek() === '?') this.i++; // lazy: the same strings
      atom = { kind: 'repeat', body: atom, min, max };
    }
  }

  /** One atom, or null for a flag group such as (?i) that only changes how the rest parses. */
  private atom(): Node | null {
    const c = this.take();
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return { kind: 'set', set: this.charClass() };
      case '.':
        return { kind: 'set', set: ANY };
      case '^':
      case '$':
        return EMPTY;
      case '\\':
        return this.escape(false) ?? EMPTY;
      default:
        return this.literal(c.codePointAt(0)!);
    }
  }

  private literal(cp: number): Node {
    return { kind: 'set', set: new CharSet([cp, cp], [], false, this.fold) };
  }

  private group(): Node | null {
    const savedFold = this.fold;
    if (this.peek() === '?') {
      this.i++;
      const rest = this.src.slice(this.i);
      const named = /^P?<[A-Za-z_][A-Za-z0-9_]*>/.exec(rest);
      if (named) this.i += named[0].length;
      else {
        const flags = /^([imsU]*)(?:-([imsU]*))?([:)])/.exec(rest);
        if (!flags) throw new UnsupportedPattern(`group (?${rest.slice(0, 3)}`);
        this.i += flags[0].length;
        if (flags[1]!.includes('i')) this.fold = true;
        if (flags[2]?.includes('i')) this.fold = false;
        if (flags[3] === ')') return null; // (?i): applies to the rest of the enclosing group
      }
    }
    const inner = this.alternation();
    if (this.take() !== ')') throw new UnsupportedPattern('missing )');
    this.fold = savedFold;
    return inner;
  }

  /** An escape after '\\': a set, a literal, or null for a zero-width assertion. */
  private escape(inClass: boolean): Node | null {
    const c = this.take();
    const perl: Record<string, number[]> = { d: DIGIT, w: WORD, s: SPACE };
    const lower = c.toLowerCase();
    if (lower in perl) {
      const props = lower === 's' ? [{ re: UNICODE_SPACE, negated: false }] : [];
      return { kind: 'set', set: new CharSet(perl[lower]!, props, c !== lower, false) };
    }
    if (c === 'p' || c === 'P') {
      let name: string;
      if (this.peek() === '{') {
        const end = this.src.indexOf('}', this.i);
        if (end < 0) throw new UnsupportedPattern('unclosed \\p{');
        name = this.src.slice(this.i + 1, end);
        this.i = end + 1;
      } else name = this.take();
      const negated = (c === 'P') !== name.startsWith('^');
      if (name === 'Any' || name === '^Any') return { kind: 'set', set: negated ? new CharSet([], [], false, false) : ANY };
      return { kind: 'set', set: new CharSet([], [{ re: propertyTest(name.replace(/^\^/, '')), negated }], false, this.fold) };
    }
    if (!inClass && 'bBAz'.includes(c)) return null;
    if (!inClass && c === 'C') return { kind: 'set', set: ANY };
    if (!inClass && c === 'Q') {
      const end = this.src.indexOf('\\E', this.i);
      const text = this.src.slice(this.i, end < 0 ? undefined : end);
      this.i = end < 0 ? this.src.length : end + 2;
      return { kind: 'cat', parts: [...text].map((ch) => this.literal(ch.codePointAt(0)!)) };
    }
    return this.literal(this.escapedCodePoint(c));
  }

  private escapedCodePoint(c: string): number {
    const controls: Record<string, number> = { n: 10, t: 9, r: 13, f: 12, v: 11, a: 7 };
    if (c in controls) return controls[c]!;
    if (c === 'x') {
      const m = /^(?:\{([0-9A-Fa-f]{1,6})\}|([0-9A-Fa-f]{2}))/.exec(this.src.slice(this.i));
      if (!m) throw new UnsupportedPattern('bad \\x escape');
      this.i += m[0].length;
      return parseInt(m[1] ?? m[2]!, 16);
    }
    if (c === '0') {
      const m = /^[0-7]{0,2}/.exec(this.src.slice(this.i))!;
      this.i += m[0].length;
      return parseInt(`0${m[0]}`, 8);
    }
    if (/[A-Za-z0-9]/.test(c)) throw new UnsupportedPattern(`escape \\${c}`);
    return c.codePointAt(0)!;
  }

  /** A bracket class after '['. */
  private charClass(): CharSet {
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.i++;
    }
    const ranges: number[] = [];
    const props: ClassTest[] = [];
    let first = true;
    while (this.peek() !== ']' || first) {
      first = false;
      if (this.i >= this.src.length) throw new UnsupportedPattern('unclosed [');
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.i));
      if (posix) {
        const table = POSIX[posix[2]!];
        if (!table || posix[1]) throw new UnsupportedPattern(`class [:${posix[1]}${posix[2]}:]`);
        ranges.push(...table);
        this.i += posix[0].length;
        continue;
      }
      const lo = this.classMember(props);
      if (lo < 0) continue;
      let hi = lo;
      if (this.peek() === '-' && this.src[this.i + 1] !== ']') {
        this.i++;
        hi = this.classMember(props);
        if (hi < 0) throw new UnsupportedPattern('bad range end');
      }
      ranges.push(lo, hi);
    }
    this.i++;
    return new CharSet(ranges, props, negated, this.fold);
  }

  /** One member of a bracket class: its code point, or -1 after adding a class escape (\d, \p{L}) to `props`. */
  private classMember(props: ClassTest[]): number {
    const c = this.take();
    if (c !== '\\') return c.codePointAt(0)!;
    if (/[dDwWsSpP]/.test(this.peek() ?? '')) {
      const set = (this.escape(true) as { set: CharSet }).set;
      props.push({ re: { test: (ch: string) => set.has(ch.codePointAt(0)!) }, negated: false });
      return -1;
    }
    return this.escapedCodePoint(this.take());
  }
}

export function parsePattern(pattern: string): Node {
  return new Parser(pattern).parse();
}

/** Counted repeats up to this many copies are expanded (a class is one state a copy); more become a star. */
const EXPAND_SINGLE = 64;
const EXPAND_OTHER = 8;

/**
 * Thompson NFA states shared by many patterns. A 'char' state moves to `out` on a code point in `set`; a
 * 'split' state moves to each of `outs` without input; an 'accept' state ends pattern `tag`.
 */
export type State =
  | { kind: 'char'; set: CharSet; out: number; tag: number }
  | { kind: 'split'; outs: number[]; tag: number }
  | { kind: 'accept'; tag: number };

export class AutomatonBuilder {
  readonly states: State[] = [];

  /** Adds a pattern; returns its start state. Throws UnsupportedPattern. */
  add(pattern: string, tag: number): number {
    const ast = parsePattern(pattern);
    return this.compile(ast, this.push({ kind: 'accept', tag }), tag);
  }

  private push(s: State): number {
    return this.states.push(s) - 1;
  }

  private compile(n: Node, next: number, tag: number): number {
    switch (n.kind) {
      case 'empty':
        return next;
      case 'set':
        return this.push({ kind: 'char', set: n.set, out: next, tag });
      case 'cat': {
        let at = next;
        for (let k = n.parts.length - 1; k >= 0; k--) at = this.compile(n.parts[k]!, at, tag);
        return at;
      }
      case 'alt':
        return this.push({ kind: 'split', outs: n.parts.map((p) => this.compile(p, next, tag)), tag });
      case 'repeat': {
        const limit = n.body.kind === 'set' ? EXPAND_SINGLE : EXPAND_OTHER;
        const bounded = n.max !== Infinity && n.max <= limit;
        if (!bounded || n.min > limit) return this.star(n.body, next, tag);
        // n.max - n.min optional copies, each one may stop: body (body (body)?)? ...
        let at = next;
        for (let k = n.min; k < n.max; k++) at = this.push({ kind: 'split', outs: [this.compile(n.body, at, tag), next], tag });
        for (let k = 0; k < n.min; k++) at = this.compile(n.body, at, tag);
        return at;
      }
    }
  }

  private star(body: Node, next: number, tag: number): number {
    const loop = this.push({ kind: 'split', outs: [], tag });
    const inner = this.compile(body, loop, tag);
    (this.states[loop] as { outs: number[] }).outs.push(inner, next);
    return loop;
  }
}
