/**
 * Languages chunked by their declarations, and how a declaration line looks in each. Regular expressions over
 * lines, not a parser: they find where classes, functions and methods start (what a reader would cut at) and
 * what they are called; anything they miss still lands in a line window, so a miss costs ranking, not recall.
 */
export type Language = 'java' | 'kotlin' | 'typescript' | 'javascript' | 'python' | 'go' | 'sql' | 'text';

export type DeclarationKind = 'type' | 'function';

export interface DeclarationPattern {
  kind: DeclarationKind;
  /** Group 1 is the name. */
  pattern: RegExp;
}

const EXTENSIONS: Record<string, Language> = {
  java: 'java',
  kt: 'kotlin',
  kts: 'kotlin',
  ts: 'typescript',
  tsx: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  py: 'python',
  go: 'go',
  sql: 'sql',
};

export function languageOf(path: string): Language {
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase() ?? '';
  return EXTENSIONS[ext] ?? 'text';
}

const JAVA_MODIFIERS = String.raw`(?:(?:public|protected|private|static|final|abstract|sealed|non-sealed|synchronized|native|default|strictfp)\s+)`;
const TS_MODIFIERS = String.raw`(?:(?:public|private|protected|static|async|readonly|override|abstract|get|set)\s+)`;
const JS_DECLARATIONS: DeclarationPattern[] = [
  { kind: 'type', pattern: /^\s*(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:class|interface|enum|type)\s+([\w$]+)/ },
  { kind: 'function', pattern: /^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*([\w$]+)/ },
  { kind: 'function', pattern: /^\s*(?:export\s+)?(?:const|let|var)\s+([\w$]+)\s*(?::[^=]+)?=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*(?::[^=]+)?=>|[\w$]+\s*=>)/ },
  { kind: 'function', pattern: new RegExp(String.raw`^\s+${TS_MODIFIERS}*([\w$]+)\s*(?:<[^>]*>)?\([^)]*\)?\s*(?::\s*[^{;=]+)?\{?\s*$`) },
];

/** Declaration patterns per language; `text` has none (line windows only). */
export const DECLARATIONS: Record<Language, DeclarationPattern[]> = {
  java: [
    { kind: 'type', pattern: new RegExp(String.raw`^\s*(?:@[\w.]+(?:\([^)]*\))?\s+)*${JAVA_MODIFIERS}*(?:class|interface|enum|record|@interface)\s+(\w+)`) },
    { kind: 'function', pattern: new RegExp(String.raw`^\s*${JAVA_MODIFIERS}*(?:<[^>]+>\s+)?[\w<>\[\],.?]+(?:\s*<[^>]*>)?\s+(\w+)\s*\([^;]*$`) },
  ],
  kotlin: [
    { kind: 'type', pattern: /^\s*(?:[a-z]+\s+)*(?:class|interface|object)\s+(\w+)/ },
    { kind: 'function', pattern: /^\s*(?:[a-z]+\s+)*fun\s+(?:<[^>]+>\s*)?(?:[\w.<>]+\.)?(\w+)\s*\(/ },
  ],
  typescript: JS_DECLARATIONS,
  javascript: JS_DECLARATIONS,
  python: [
    { kind: 'type', pattern: /^\s*class\s+(\w+)/ },
    { kind: 'function', pattern: /^\s*(?:async\s+)?def\s+(\w+)/ },
  ],
  go: [
    { kind: 'type', pattern: /^type\s+(\w+)/ },
    { kind: 'function', pattern: /^func\s+(?:\([^)]*\)\s*)?(\w+)/ },
  ],
  sql: [
    {
      kind: 'type',
      pattern: /^\s*create\s+(?:or\s+replace\s+)?(?:unique\s+)?(?:table|view|materialized\s+view|function|procedure|index|trigger|type|sequence)\s+(?:if\s+not\s+exists\s+)?([\w."]+)/i,
    },
  ],
  text: [],
};

/** Words that the looser patterns (a method call, a control statement) would otherwise take for a name. */
export const NOT_A_NAME = new Set(['if', 'for', 'while', 'switch', 'catch', 'return', 'new', 'else', 'throw', 'do', 'try', 'synchronized', 'super', 'this', 'function']);

/** Lines that belong to the declaration below them: comments, annotations, decorators. */
export const LEADING_LINE = /^\s*(?:\/\/|\/\*|\*|#(?!!)|@|"""|'''|--)/;
