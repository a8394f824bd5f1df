import { chunkFile as chunkWith, type ChunkLimits } from './chunker';
import { languageOf } from './languages';
import { SyntaxDeclarations } from './syntax-declarations';

const limits = (overrides: Partial<ChunkLimits> = {}): ChunkLimits => ({ maxLines: 60, minLines: 1, overlap: 0, ...overrides });
const filler = (n: number, indent = '    ') => Array.from({ length: n }, (_, i) => `${indent}int x${i} = ${i};`).join('\n');

let grammars: SyntaxDeclarations;
beforeAll(async () => {
  grammars = await SyntaxDeclarations.load();
});

// The same expectations whether declarations come from the tree-sitter grammars or from the line patterns.
describe.each(['tree-sitter', 'line patterns'])('chunkFile with %s', (finder) => {
  const chunkFile = (path: string, content: string, limits?: ChunkLimits) => chunkWith(path, content, limits, finder === 'tree-sitter' ? grammars : undefined);
  it('cuts Java at classes and methods, qualifies methods and keeps their doc comments', () => {
    const java = [
      'package com.acme.payments;', // 1
      '', // 2
      'public class RefundService {', // 3
      '  /** Refunds an order in full. */', // 4
      '  @Transactional', // 5
      '  public Refund refundOrder(Order order) {', // 6
      '    return gateway.refund(order.total());', // 7
      '  }', // 8
      '', // 9
      '  private static boolean isRefundable(Order order) {', // 10
      '    return order.paid();', // 11
      '  }', // 12
      '}', // 13
    ].join('\n');
    const chunks = chunkFile('src/RefundService.java', java, limits());
    expect(chunks.map((c) => [c.symbol, c.startLine, c.endLine])).toEqual([
      ['', 1, 2],
      ['RefundService', 3, 3],
      ['RefundService.refundOrder', 4, 9],
      ['RefundService.isRefundable', 10, 13],
    ]);
    expect(chunks[2].text).toContain('/** Refunds an order in full. */');
    expect(chunks.every((c) => c.language === 'java')).toBe(true);
  });

  it('merges runs of short declarations into one chunk that names them all', () => {
    const py = ['class Point:', '    def x(self):', '        return self._x', '    def y(self):', '        return self._y'].join('\n');
    const [chunk, ...rest] = chunkFile('geo/point.py', py, limits({ minLines: 8 }));
    expect(rest).toEqual([]);
    expect(chunk).toMatchObject({ symbol: 'Point', symbols: ['Point', 'Point.x', 'Point.y'], startLine: 1, endLine: 5, language: 'python' });
  });

  it('finds Go, Kotlin, TypeScript and SQL declarations', () => {
    const symbols = (path: string, text: string) => chunkFile(path, text, limits()).flatMap((c) => c.symbols);
    expect(symbols('a.go', 'package a\n\ntype Ledger struct{}\n\nfunc (l *Ledger) Post(e Entry) error {\n\treturn nil\n}\n')).toEqual(['Ledger', 'Post']);
    expect(symbols('A.kt', 'class Loan(val amount: Long) {\n    fun monthlyRate(): Double {\n        return 0.1\n    }\n}\n')).toEqual(['Loan', 'Loan.monthlyRate']);
    expect(symbols('a.ts', 'export class Cart {\n  async checkout(user: User): Promise<void> {\n    return;\n  }\n}\nexport const total = (c: Cart) => 1;\n')).toEqual([
      'Cart',
      'Cart.checkout',
      'total',
    ]);
    expect(symbols('m.sql', 'CREATE TABLE IF NOT EXISTS invoices (\n  id bigint\n);\ncreate index invoices_due on invoices (due);\n')).toEqual(['invoices', 'invoices_due']);
  });

  it('does not take calls and control statements for declarations', () => {
    const java = 'class A {\n  void run() {\n    if (ready()) {\n      return;\n    }\n    synchronized (lock) {\n    }\n  }\n}\n';
    expect(chunkFile('A.java', java, limits()).flatMap((c) => c.symbols)).toEqual(['A', 'A.run']);
  });

  it('cuts long declarations and unknown languages into overlapping windows', () => {
    const java = `class Big {\n  void huge() {\n${filler(100)}\n  }\n}\n`;
    const chunks = chunkFile('Big.java', java, limits({ maxLines: 40, overlap: 5 })).filter((c) => c.symbol === 'Big.huge');
    expect(chunks.map((c) => [c.startLine, c.endLine])).toEqual([
      [2, 41],
      [37, 76],
      [72, 104],
    ]);
    const text = chunkFile('notes.txt', filler(50, ''), limits({ maxLines: 20, overlap: 0 }));
    expect(text.map((c) => [c.language, c.symbol, c.startLine, c.endLine])).toEqual([
      ['text', '', 1, 20],
      ['text', '', 21, 40],
      ['text', '', 41, 50],
    ]);
  });

  it('drops blank chunks and knows the languages by extension', () => {
    expect(chunkFile('empty.py', '\n\n\n', limits())).toEqual([]);
    expect(['x.java', 'x.kts', 'x.tsx', 'x.mjs', 'x.py', 'x.go', 'x.SQL', 'Makefile'].map(languageOf)).toEqual([
      'java',
      'kotlin',
      'typescript',
      'javascript',
      'python',
      'go',
      'sql',
      'text',
    ]);
  });
});

describe('chunkFile with tree-sitter only', () => {
  const chunkFile = (path: string, content: string) => chunkWith(path, content, { maxLines: 60, minLines: 1, overlap: 0 }, grammars);

  it('qualifies by syntax, not indentation: nested types, a method after a nested class, JSX', () => {
    const java = ['public class Outer {', '  static class Inner {', '    void a() {}', '  }', '  void b() {}', '}'].join('\n');
    expect(chunkFile('Outer.java', java).flatMap((c) => c.symbols)).toEqual(['Outer', 'Outer.Inner', 'Outer.Inner.a', 'Outer.b']);
    const tsx = 'export function Button(props: Props) {\n  return <button onClick={props.onClick}>{props.label}</button>;\n}\n';
    expect(chunkFile('Button.tsx', tsx).map((c) => [c.symbol, c.startLine, c.endLine])).toEqual([['Button', 1, 3]]);
  });

  it('does not cut inside a function body at a local helper', () => {
    const py = 'def outer():\n    def helper():\n        return 1\n    return helper()\n';
    expect(chunkFile('a.py', py).map((c) => [c.symbol, c.startLine, c.endLine])).toEqual([['outer', 1, 4]]);
  });
});
