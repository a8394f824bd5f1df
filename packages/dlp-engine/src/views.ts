/**
 * "Views" of a prompt for evasions: the same text with an encoding undone or a split rejoined, so the rules
 * see the secret whole. Each view is built only where a cheap trigger occurs (a base64/hex run that decodes to
 * text, quoted literals joined by `+`, a line that ends and the next that starts mid-token, letters spaced
 * out, Korean digit words), holds only the lines around each trigger, and is bounded in size; findings in a
 * view count only if they touch what the view changed (everything else the plain scan already saw) and are
 * mapped back to the normalised text through the view's pieces.
 */

/** A run of view text: copied from normalised [nStart, nEnd), or standing for it as a whole (`changed`). */
interface Piece {
  vStart: number;
  vEnd: number;
  nStart: number;
  nEnd: number;
  kind: 'copy' | 'changed' | 'separator';
}

export class View {
  text = '';
  readonly pieces: Piece[] = [];

  constructor(private readonly source: string) {}

  copy(from: number, to: number): void {
    if (to <= from) return;
    this.push(this.source.slice(from, to), from, to, 'copy');
  }

  /** `text` stands for source [from, to): a finding touching it covers all of it. '' records a join point. */
  change(from: number, to: number, text: string): void {
    this.push(text, from, to, 'changed');
  }

  /** Ends one window; nothing found across a separator counts. */
  separate(): void {
    if (this.text.length > 0) this.push('\n\n\n', 0, 0, 'separator');
  }

  private push(text: string, nStart: number, nEnd: number, kind: Piece['kind']): void {
    this.pieces.push({ vStart: this.text.length, vEnd: this.text.length + text.length, nStart, nEnd, kind });
    this.text += text;
  }

  /** The normalised span a view span [s, e) stands for, or null when it changes nothing or crosses a window. */
  toSource(s: number, e: number): [number, number] | null {
    let touches = false;
    let start = -1;
    let end = -1;
    for (const p of this.pieces) {
      // A zero-length change (a removed join) is touched by a span that runs across it.
      const overlaps = p.vEnd > p.vStart ? p.vStart < e && p.vEnd > s : p.vStart > s && p.vStart < e;
      if (!overlaps) continue;
      if (p.kind === 'separator') return null;
      if (p.kind === 'changed') touches = true;
      const ps = p.kind === 'copy' ? p.nStart + Math.max(0, s - p.vStart) : p.nStart;
      const pe = p.kind === 'copy' ? p.nStart + Math.min(p.vEnd, e) - p.vStart : p.nEnd;
      if (start < 0 || ps < start) start = ps;
      if (pe > end) end = pe;
    }
    return touches && end > start ? [start, end] : null;
  }
}

/** Most triggers handled per view kind and the longest run decoded: a prompt cannot make views costly. */
export const MAX_TRIGGERS_PER_VIEW = 64;
export const MAX_DECODED_RUN = 4096;

/** How far a window reaches beyond its trigger within the line: a minified megabyte line stays a small view. */
const WINDOW_REACH = 512;

function lineStart(text: string, at: number): number {
  return Math.max(text.lastIndexOf('\n', at - 1) + 1, at - WINDOW_REACH);
}

function lineEnd(text: string, at: number): number {
  const n = text.indexOf('\n', at);
  return Math.min(n < 0 ? text.length : n, at + WINDOW_REACH);
}

const PRINTABLE = /^[\t\n\r\x20-\x7e\u00a0-\ud7ff\ue000-\ufffc]+$/;
const HEX = /^(?:[0-9a-f]{2})+$|^(?:[0-9A-F]{2})+$/;

/** base64 (standard or URL-safe) or hex that decodes to printable text, else null. */
export function decodeRun(run: string): string | null {
  if (run.length > MAX_DECODED_RUN) return null;
  let decoded: string;
  if (HEX.test(run)) decoded = Buffer.from(run, 'hex').toString('utf8');
  else {
    // Random identifiers are letters only or one case; encoded text mixes both cases and digits.
    if (!/[0-9+/=]/.test(run) || !/[a-z]/.test(run) || !/[A-Z]/.test(run)) return null;
    const body = run.replace(/=+$/, '');
    if (body.length % 4 === 1) return null;
    decoded = Buffer.from(body.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  }
  return decoded.length >= 6 && PRINTABLE.test(decoded) ? decoded : null;
}

// What each ASCII code unit of a base64/hex run is (0: not part of a run). A run remembers the union of its
// characters' bits, so that runs decodeRun would refuse on sight are never cut out of the text.
const LOWER = 1;
const UPPER = 2;
const DIGIT_BIT = 4;
const SYMBOL = 8; // + / and the = padding
const NOT_HEX = 16; // g-z, G-Z
const OTHER = 32; // _ -
const EQUALS = 61;
const CLASS = new Uint8Array(128);
for (const c of 'abcdef') CLASS[c.charCodeAt(0)] = LOWER;
for (const c of 'ghijklmnopqrstuvwxyz') CLASS[c.charCodeAt(0)] = LOWER | NOT_HEX;
for (const c of 'ABCDEF') CLASS[c.charCodeAt(0)] = UPPER;
for (const c of 'GHIJKLMNOPQRSTUVWXYZ') CLASS[c.charCodeAt(0)] = UPPER | NOT_HEX;
for (const c of '0123456789') CLASS[c.charCodeAt(0)] = DIGIT_BIT;
for (const c of '+/') CLASS[c.charCodeAt(0)] = SYMBOL;
for (const c of '_-') CLASS[c.charCodeAt(0)] = OTHER;

/**
 * Whether decodeRun could accept a run holding these characters: hex of one case, or base64 with both cases
 * and a digit or symbol.
 */
function mayDecode(bits: number): boolean {
  if ((bits & (NOT_HEX | SYMBOL | OTHER)) === 0 && (bits & (LOWER | UPPER)) !== (LOWER | UPPER)) return true;
  return (bits & (DIGIT_BIT | SYMBOL)) !== 0 && (bits & LOWER) !== 0 && (bits & UPPER) !== 0;
}

/**
 * Runs [start, end) of 16+ base64/hex characters (with their = padding) that decodeRun may accept. Linear and
 * mostly skipping: from a position where a run may start, the 16th character is looked at first and the
 * window searched backwards for a character that cannot be part of a run; a run can only start after it, so
 * typical code is looked at about once per word rather than once per character. (A regular expression would
 * retry every position of every shorter run.)
 */
function encodedRuns(text: string): [number, number][] {
  const out: [number, number][] = [];
  const n = text.length;
  const kind = (i: number) => {
    const c = text.charCodeAt(i);
    return c < 128 ? CLASS[c]! : 0;
  };
  // Invariant: i === 0 or text[i - 1] is not a run character.
  let i = 0;
  while (i + 16 <= n) {
    let k = i + 15;
    while (k >= i && kind(k) !== 0) k--;
    if (k >= i) {
      i = k + 1;
      continue;
    }
    let bits = 0;
    let end = i;
    for (let b = kind(end); end < n && b !== 0; b = kind(++end)) bits |= b;
    let padded = end;
    while (padded < n && padded - end < 2 && text.charCodeAt(padded) === EQUALS) padded++;
    if (padded > end) bits |= SYMBOL;
    if (mayDecode(bits)) out.push([i, padded]);
    i = end + 1;
  }
  return out;
}

/** Encoded runs decoded in place, each on its own line after the line's beginning (the key it is assigned to). */
function decodedView(text: string): View | null {
  let view: View | null = null;
  let n = 0;
  for (const [s, e] of encodedRuns(text)) {
    if (n >= MAX_TRIGGERS_PER_VIEW) break;
    const decoded = decodeRun(text.slice(s, e));
    if (decoded === null) continue;
    n++;
    view ??= new View(text);
    view.separate();
    view.copy(Math.max(lineStart(text, s), s - 80), s);
    view.change(s, e, decoded);
  }
  return view;
}

type Window = [number, number, [number, number][]];

/** Trigger spans of a pattern, at most MAX_TRIGGERS_PER_VIEW. */
function matches(text: string, re: RegExp): [number, number][] {
  const out: [number, number][] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m && out.length < MAX_TRIGGERS_PER_VIEW; m = re.exec(text)) {
    if (m[0].length === 0) re.lastIndex++;
    else out.push([m.index, m.index + m[0].length]);
  }
  return out;
}

/** Windows [start, end) around each trigger span, merged, with the trigger spans inside each window. */
function windows(text: string, spans: [number, number][]): Window[] {
  const out: Window[] = [];
  for (const span of spans) {
    const ws = lineStart(text, span[0]);
    const we = lineEnd(text, span[1]);
    const last = out[out.length - 1];
    if (last && ws <= last[1]) {
      last[1] = Math.max(last[1], we);
      last[2].push(span);
    } else out.push([ws, we, [span]]);
  }
  return out;
}

/** A view of the windows with each trigger span replaced by `replace(span text)`. */
function rewrittenView(text: string, spans: [number, number][], replace: (s: string) => string): View | null {
  const ws = windows(text, spans);
  if (ws.length === 0) return null;
  const view = new View(text);
  for (const [from, to, spans] of ws) {
    view.separate();
    let at = from;
    for (const [s, e] of spans) {
      view.copy(at, s);
      view.change(s, e, replace(text.slice(s, e)));
      at = e;
    }
    view.copy(at, to);
  }
  return view;
}

// Quoted literals joined by + (JS, Java, Python, C#), || (SQL) or written side by side (Python, C). Whitespace
// runs are bounded so that no input makes the pattern backtrack far.
const LITERAL_JOIN = /(["'`])(?:[ \t]{0,8}(?:\r?\n[ \t]{0,16})?(?:\+|\|\|)[ \t]{0,8}(?:\r?\n[ \t]{0,16})?|[ \t]{1,8}|[ \t]{0,8}\r?\n[ \t]{0,16})\1/g;
// Nine or more characters each followed by one space: l e t t e r s  s p a c e d  o u t.
const SPACED = /(?:[A-Za-z0-9_+/=-] ){8,}[A-Za-z0-9_+/=-]/g;
// Seven or more Korean digit words (공일공 일이삼사 …), separators allowed; only looked for where three come
// in a row (see VIEW_TRIGGERS: single syllables such as 이 or 사 are everywhere in Korean prose).
const KOREAN_DIGITS = /[영공일이삼사오육칠팔구](?:[ .-]?[영공일이삼사오육칠팔구]){6,}/g;

/**
 * RE2 patterns of what must occur for a view to be looked for at all. The engine adds them to its one RE2.Set
 * pass over the text, so a view whose trigger is absent costs no scan of its own. `literalJoin` matches
 * wherever LITERAL_JOIN does (which needs a back-reference RE2 lacks); spaced letters are looked for where
 * four "x " come in a row, Korean digit words where three do.
 */
export const VIEW_TRIGGERS = {
  literalJoin: String.raw`["'\x60][ \t]{0,8}(?:\r?\n[ \t]{0,16})?(?:\+|\|\||["'\x60])`,
  spaced: '[A-Za-z0-9] [A-Za-z0-9] [A-Za-z0-9] [A-Za-z0-9] ',
  koreanDigits: '[영공일이삼사오육칠팔구]{3}|[영공일이삼사오육칠팔구] [영공일이삼사오육칠팔구] [영공일이삼사오육칠팔구]',
} as const;
export type ViewTrigger = keyof typeof VIEW_TRIGGERS;
const KOREAN_DIGIT_VALUE: Record<string, string> = { 영: '0', 공: '0', 일: '1', 이: '2', 삼: '3', 사: '4', 오: '5', 육: '6', 칠: '7', 팔: '8', 구: '9' };

const DIGIT = /[0-9]/;
const SPACE = 32;
const TAB = 9;
const CR = 13;

/** A character of a token that may be split over two lines: [A-Za-z0-9_+/=-], by code unit. */
function isTokenChar(c: number): boolean {
  return c === EQUALS || (c < 128 && CLASS[c] !== 0);
}

/**
 * Line breaks inside a value: the line ends in a token of 4+ characters and the next starts with one, a digit
 * in either (a secret or number split over two lines or messages). Found by looking at most 64 characters either
 * side of each newline, so the cost stays linear whatever the text.
 */
function lineSplits(text: string): [number, number][] {
  const out: [number, number][] = [];
  for (let nl = text.indexOf('\n'); nl >= 0 && out.length < MAX_TRIGGERS_PER_VIEW; nl = text.indexOf('\n', nl + 1)) {
    let a = nl;
    for (let c = text.charCodeAt(a - 1); a > 0 && (c === SPACE || c === TAB || c === CR) && nl - a < 8; c = text.charCodeAt(a - 1)) a--;
    let s = a;
    while (s > 0 && isTokenChar(text.charCodeAt(s - 1)) && a - s < 64) s--;
    let b = nl + 1;
    for (let c = text.charCodeAt(b); b < text.length && (c === SPACE || c === TAB) && b - nl < 16; c = text.charCodeAt(b)) b++;
    let e = b;
    while (e < text.length && isTokenChar(text.charCodeAt(e)) && e - b < 64) e++;
    if (a - s >= 4 && e - b >= 4 && (DIGIT.test(text.slice(s, a)) || DIGIT.test(text.slice(b, e)))) out.push([s, e]);
  }
  return out;
}

/**
 * The spans the rewritten views replace (joined literals, split lines, spaced-out letters, Korean digit words),
 * whether or not their trigger probe would let the view be built: a superset, for the stream scanner.
 */
export function rewrittenSpans(text: string): [number, number][] {
  return [...matches(text, LITERAL_JOIN), ...lineSplits(text), ...matches(text, SPACED), ...matches(text, KOREAN_DIGITS)];
}

/** Every span a view may change (encoded runs whether or not they decode, and the rewritten spans). */
export function viewChangedSpans(text: string): [number, number][] {
  return [...encodedRuns(text), ...rewrittenSpans(text)];
}

/** How far past a rewritten span its view can reach: to the end of its line, at most this far. */
export const VIEW_REACH = WINDOW_REACH;

/**
 * RE2 patterns of what may still grow into a view's trigger at the end of a stream: an encoded run (or the
 * token before a split line), a split line, quoted literals about to be joined, spaced-out letters, Korean digit
 * words. Each covers at least its view's changed span.
 */
export const VIEW_PREFIXES = [
  '[A-Za-z0-9+/=_-]+',
  String.raw`[A-Za-z0-9_+/=-]{4,}[ \t\r]*\n[ \t]*[A-Za-z0-9_+/=-]*`,
  String.raw`["'\x60](?:[ \t]*(?:\r?\n[ \t]*)?(?:\+|\|\|)[ \t]*(?:\r?\n[ \t]*)?|[ \t]*(?:\r?\n[ \t]*)?)["'\x60]`,
  SPACED.source,
  KOREAN_DIGITS.source,
];

/** Every view the text calls for; usually none. `occurs` tells whether a trigger occurs in `text`. */
export function viewsOf(text: string, occurs: (trigger: ViewTrigger) => boolean): View[] {
  const views: (View | null)[] = [
    decodedView(text),
    occurs('literalJoin') ? rewrittenView(text, matches(text, LITERAL_JOIN), () => '') : null,
    rewrittenView(text, lineSplits(text), (s) => s.replace(/[ \t\r]*\n[ \t]*/, '')),
    occurs('spaced') ? rewrittenView(text, matches(text, SPACED), (s) => s.replace(/ /g, '')) : null,
    occurs('koreanDigits')
      ? rewrittenView(text, matches(text, KOREAN_DIGITS), (s) => s.replace(/[영공일이삼사오육칠팔구]/g, (c) => KOREAN_DIGIT_VALUE[c]!))
      : null,
  ];
  return views.filter((v): v is View => v !== null);
}
