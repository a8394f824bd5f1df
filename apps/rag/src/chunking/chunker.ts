import { DECLARATIONS, LEADING_LINE, NOT_A_NAME, languageOf, type Language } from './languages';
import type { Declaration, SyntaxDeclarations } from './syntax-declarations';

export interface Chunk {
  path: string;
  language: Language;
  /** The first declaration the chunk holds, qualified by its enclosing type (`InvoiceParser.parseLine`); '' for none. */
  symbol: string;
  /** Every declaration name in the chunk (symbol boosting matches any of them). */
  symbols: string[];
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  text: string;
}

export interface ChunkLimits {
  /** A declaration longer than this is cut into windows of this many lines. */
  maxLines: number;
  /** Consecutive declarations shorter than this share a chunk (getters, one-line helpers). */
  minLines: number;
  /** Lines repeated between two windows, so a statement cut at a window edge is whole in one of them. */
  overlap: number;
}

export const DEFAULT_LIMITS: ChunkLimits = { maxLines: 60, minLines: 8, overlap: 5 };

type Found = Omit<Declaration, 'qualified'>;

/** `Type.member` when the nearest type declared above at a smaller indent encloses it (by indentation). */
function qualifiedByIndent(decls: Found[], index: number): string {
  const d = decls[index];
  for (let i = index - 1; i >= 0; i--) {
    const outer = decls[i];
    if (outer.indent < d.indent) return outer.kind === 'type' ? `${outer.name}.${d.name}` : d.name;
  }
  return d.name;
}

/** Declarations by the language's line patterns: for languages without a grammar, and when none is loaded. */
export function lineDeclarations(lines: string[], language: Language): Declaration[] {
  const patterns = DECLARATIONS[language];
  const found: Found[] = [];
  lines.forEach((text, line) => {
    for (const { kind, pattern } of patterns) {
      const name = pattern.exec(text)?.[1];
      if (name && !NOT_A_NAME.has(name)) {
        found.push({ line, kind, name: name.replaceAll('"', ''), indent: /^\s*/.exec(text)![0].length });
        break;
      }
    }
  });
  return found.map((d, i) => ({ ...d, qualified: qualifiedByIndent(found, i) }));
}

/** The declaration's first line moved up over its doc comment, annotations and decorators. */
function startWithPreamble(lines: string[], line: number, floor: number): number {
  let start = line;
  while (start - 1 > floor && LEADING_LINE.test(lines[start - 1])) start--;
  return start;
}

interface Span {
  start: number;
  end: number;
  symbols: string[];
}

function windows(span: Span, limits: ChunkLimits): Span[] {
  const out: Span[] = [];
  const step = Math.max(1, limits.maxLines - limits.overlap);
  for (let start = span.start; start <= span.end; start += step) {
    const end = Math.min(span.end, start + limits.maxLines - 1);
    out.push({ start, end, symbols: span.symbols });
    if (end === span.end) break;
  }
  return out;
}

/**
 * Cuts a file into chunks at its declarations (with their leading comments), merges runs of short ones, and
 * cuts long ones and undeclared stretches into overlapping line windows. Blank-only chunks are dropped. The
 * declarations come from the syntax tree when `syntax` has a grammar for the language, else from line patterns.
 */
export function chunkFile(path: string, content: string, limits: ChunkLimits = DEFAULT_LIMITS, syntax?: SyntaxDeclarations): Chunk[] {
  const language = languageOf(path);
  const lines = content.split(/\r?\n/);
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  const decls = syntax?.find(path, content, language) ?? lineDeclarations(lines, language);

  const starts: { line: number; symbol: string }[] = [];
  let floor = -1;
  for (const d of decls) {
    const line = startWithPreamble(lines, d.line, floor);
    if (starts.length > 0 && starts.at(-1)!.line >= line) continue;
    starts.push({ line, symbol: d.qualified });
    floor = d.line;
  }
  if (starts.length === 0 || starts[0].line > 0) starts.unshift({ line: 0, symbol: '' });

  const spans: Span[] = starts.map((s, i) => ({ start: s.line, end: (starts[i + 1]?.line ?? lines.length) - 1, symbols: s.symbol ? [s.symbol] : [] }));
  const merged: Span[] = [];
  for (const span of spans) {
    const last = merged.at(-1);
    if (last && last.end - last.start + 1 < limits.minLines && span.end - last.start + 1 <= limits.maxLines) {
      last.end = span.end;
      last.symbols.push(...span.symbols);
    } else {
      merged.push({ ...span, symbols: [...span.symbols] });
    }
  }

  return merged
    .flatMap((span) => (span.end - span.start + 1 > limits.maxLines ? windows(span, limits) : [span]))
    .map((span) => ({ span, text: lines.slice(span.start, span.end + 1).join('\n') }))
    .filter(({ text }) => text.trim().length > 0)
    .map(({ span, text }) => ({
      path,
      language,
      symbol: span.symbols[0] ?? '',
      symbols: span.symbols,
      startLine: span.start + 1,
      endLine: span.end + 1,
      text,
    }));
}
