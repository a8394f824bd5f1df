import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Language as Grammar, Parser, type Node } from 'web-tree-sitter';
import type { DeclarationKind, Language } from './languages';

/** A declaration the chunker cuts at: where it starts (0-based line) and its name, qualified by its enclosing types. */
export interface Declaration {
  line: number;
  kind: DeclarationKind;
  name: string;
  /** `Outer.Inner.method`; the name alone at the top level. */
  qualified: string;
  /** Leading whitespace of its first line (the regex finder's only clue to nesting). */
  indent: number;
}

interface NodeKinds {
  types: string[];
  functions: string[];
}

/**
 * Syntax node types that declare something a reader would look for, per grammar (tree-sitter-wasms' grammars).
 * Functions are leaves: what is declared inside a body (local helpers, lambdas) stays in its function's chunk.
 */
const NODE_KINDS: Partial<Record<Language, NodeKinds>> = {
  java: {
    types: ['class_declaration', 'interface_declaration', 'enum_declaration', 'record_declaration', 'annotation_type_declaration'],
    functions: ['method_declaration', 'constructor_declaration'],
  },
  kotlin: { types: ['class_declaration', 'object_declaration'], functions: ['function_declaration'] },
  typescript: {
    types: ['class_declaration', 'abstract_class_declaration', 'interface_declaration', 'enum_declaration', 'type_alias_declaration'],
    functions: ['function_declaration', 'generator_function_declaration', 'method_definition', 'variable_declarator'],
  },
  javascript: { types: ['class_declaration'], functions: ['function_declaration', 'generator_function_declaration', 'method_definition', 'variable_declarator'] },
  python: { types: ['class_definition'], functions: ['function_definition'] },
  go: { types: ['type_spec'], functions: ['function_declaration', 'method_declaration'] },
};

/** tree-sitter-wasms file per language; TSX files use the tsx grammar. */
const GRAMMAR_FILES: Partial<Record<Language, string>> = {
  java: 'tree-sitter-java.wasm',
  kotlin: 'tree-sitter-kotlin.wasm',
  typescript: 'tree-sitter-typescript.wasm',
  javascript: 'tree-sitter-javascript.wasm',
  python: 'tree-sitter-python.wasm',
  go: 'tree-sitter-go.wasm',
};

const NAME_NODES = new Set(['identifier', 'type_identifier', 'simple_identifier', 'property_identifier', 'field_identifier']);
const FUNCTION_VALUES = new Set(['arrow_function', 'function_expression', 'function', 'generator_function']);

function nameOf(node: Node): string | undefined {
  const field = node.childForFieldName('name');
  if (field) return field.text;
  // Kotlin's grammar names no fields: the declaration's first identifier is its name.
  return node.namedChildren.find((c) => c !== null && NAME_NODES.has(c.type))?.text;
}

/** A `const x = () => …` is a function declaration; any other variable is not a declaration at all. */
function isFunctionVariable(node: Node): boolean {
  const value = node.childForFieldName('value');
  return value !== null && FUNCTION_VALUES.has(value.type);
}

function collect(node: Node, kinds: NodeKinds, enclosing: string[], lines: string[], out: Declaration[]): void {
  for (const child of node.namedChildren) {
    if (!child) continue;
    const isType = kinds.types.includes(child.type);
    const isFunction = kinds.functions.includes(child.type) && (child.type !== 'variable_declarator' || isFunctionVariable(child));
    const name = isType || isFunction ? nameOf(child) : undefined;
    if (!name) {
      collect(child, kinds, enclosing, lines, out);
      continue;
    }
    // A variable declarator starts inside its `const`/`export` statement: the statement's line is the declaration's.
    const line = child.type === 'variable_declarator' ? (child.parent?.parent?.type === 'export_statement' ? child.parent.parent : (child.parent ?? child)).startPosition.row : child.startPosition.row;
    const qualified = [...enclosing, name].join('.');
    out.push({ line, kind: isType ? 'type' : 'function', name, qualified, indent: /^\s*/.exec(lines[line] ?? '')![0].length });
    if (isType) collect(child, kinds, [...enclosing, name], lines, out);
  }
}

/**
 * Declarations found by tree-sitter grammars (WASM, shipped in the tree-sitter-wasms package, loaded once at
 * boot: nothing is fetched at run time). `find` answers undefined for a language without a grammar here (SQL,
 * plain text), and the chunker then uses its line patterns.
 */
export class SyntaxDeclarations {
  private constructor(private readonly parsers: Map<Language, { parser: Parser; kinds: NodeKinds; tsx?: Parser }>) {}

  static async load(): Promise<SyntaxDeclarations> {
    await Parser.init();
    const dir = path.join(path.dirname(require.resolve('tree-sitter-wasms/package.json')), 'out');
    const parserFor = async (file: string) => {
      const parser = new Parser();
      // Bytes, not a path: given a path the library imports node:fs dynamically, which a CommonJS host may not allow.
      parser.setLanguage(await Grammar.load(readFileSync(path.join(dir, file))));
      return parser;
    };
    const parsers = new Map<Language, { parser: Parser; kinds: NodeKinds; tsx?: Parser }>();
    for (const [language, file] of Object.entries(GRAMMAR_FILES) as [Language, string][]) {
      parsers.set(language, { parser: await parserFor(file), kinds: NODE_KINDS[language]!, tsx: language === 'typescript' ? await parserFor('tree-sitter-tsx.wasm') : undefined });
    }
    return new SyntaxDeclarations(parsers);
  }

  /** The file's declarations in line order, or undefined when no grammar covers its language or it does not parse. */
  find(filePath: string, content: string, language: Language): Declaration[] | undefined {
    const entry = this.parsers.get(language);
    if (!entry) return undefined;
    const parser = entry.tsx && filePath.endsWith('.tsx') ? entry.tsx : entry.parser;
    const tree = parser.parse(content);
    if (!tree) return undefined;
    try {
      const out: Declaration[] = [];
      collect(tree.rootNode, entry.kinds, [], content.split(/\r?\n/), out);
      return out.sort((a, b) => a.line - b.line);
    } finally {
      tree.delete();
    }
  }
}
