import { codeContext, lastUserText, retrievalOf, withCodeContext } from './code-context';

describe('code context for chat', () => {
  it('reads the RAG answer defensively: results without a path or a line are not cited', () => {
    const context = codeContext([{ path: 'a.ts', start_line: 1, end_line: 4, snippet: 'x', language: 'ts' }, { path: '', start_line: 1 }, { path: 'b.ts' }, 'junk']);
    expect(context.citations.map((c) => c.path)).toEqual(['a.ts']);
    expect(codeContext(undefined)).toEqual({ prompt: '', citations: [] });
  });

  it('fences each snippet longer than any backtick run inside it, so code cannot end the excerpt early', () => {
    const { prompt } = codeContext([{ path: 'README.md', start_line: 1, end_line: 3, snippet: 'run:\n```sh\nmake\n```', language: 'markdown' }]);
    expect(prompt).toContain('[1] README.md lines 1-3\n````markdown\nrun:\n```sh\nmake\n```\n````');
  });

  it('puts the context in the leading system message, or in one of its own first', () => {
    const context = { prompt: 'CTX', citations: [] };
    expect(withCodeContext([{ role: 'system', content: 'be brief' }, { role: 'user', content: 'q' }], context)).toEqual([
      { role: 'system', content: 'be brief\n\nCTX' },
      { role: 'user', content: 'q' },
    ]);
    expect(withCodeContext([{ role: 'user', content: 'q' }], context)).toEqual([{ role: 'system', content: 'CTX' }, { role: 'user', content: 'q' }]);
    expect(withCodeContext([{ role: 'user', content: 'q' }], { prompt: '', citations: [] })).toEqual([{ role: 'user', content: 'q' }]);
  });

  it('asks with the last user text, and only when opted in', () => {
    const question = lastUserText([
      { role: 'user', text: true },
      { role: 'assistant', text: true },
      { role: 'user', text: true },
      { role: 'tool', text: true },
    ]);
    expect(question).toBe(2);
    expect(retrievalOf({ rag: true, rag_top_k: undefined }, question)).toEqual({ question: 2, topK: 5 });
    expect(retrievalOf({ rag: false, rag_top_k: 3 }, question)).toBeUndefined();
    expect(retrievalOf(undefined, question)).toBeUndefined();
    expect(retrievalOf({ rag: true, rag_top_k: 3 }, lastUserText([{ role: 'assistant', text: true }]))).toBeUndefined();
  });
});
