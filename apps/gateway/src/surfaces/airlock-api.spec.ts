import { InvalidRequestError } from '../gateway.errors';
import type { CallerContext } from '../identity/trusted-identity';
import type { BackendClient } from '../upstream/backend-client';
import { airlockAgentSpec, airlockAutocompleteSpec, airlockChatSpec, ragIndexSpec, ragQuerySpec } from './airlock-api';
import { tabbyCompletionSpec } from './tabby';

const refusal = (parse: () => unknown) => {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return (error as InvalidRequestError).message;
  }
  throw new Error('the body was accepted');
};

describe("Airlock's own request bodies", () => {
  it.each([
    [airlockChatSpec, [1], 'the body must be a JSON object'],
    [airlockChatSpec, {}, 'messages must be a non-empty array'],
    [airlockChatSpec, { messages: [] }, 'messages must be a non-empty array'],
    [airlockChatSpec, { messages: [{ role: 'user', content: 42 }] }, 'messages[0].content must be a string'],
    [airlockChatSpec, { messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].role must be one of system, user, assistant'],
    [airlockChatSpec, { messages: ['hi'] }, 'messages[0] must be an object {role, content}'],
    [airlockChatSpec, { messages: [{ role: 'user', content: 'x' }], stream: 'yes' }, 'stream must be a boolean'],
    [airlockAgentSpec, { messages: [{ role: 'user', content: 'x' }], changed_files: ['a', 3] }, 'changed_files[1] must be a string'],
    [airlockAutocompleteSpec, { suffix: '}' }, 'prefix must be a string'],
    [ragQuerySpec, { query: '' }, 'query must be a non-empty string'],
    [ragQuerySpec, { query: 'q', top_k: 51 }, 'top_k must be an integer from 1 to 50'],
    [ragQuerySpec, { query: 'q', top_k: 2.5 }, 'top_k must be an integer from 1 to 50'],
    [ragIndexSpec, { documents: [{ path: 'a.ts' }] }, 'documents[0].content must be a string'],
    [tabbyCompletionSpec, { language: 'go' }, 'segments must be an object'],
    [tabbyCompletionSpec, { segments: { suffix: '' } }, 'segments.prefix must be a string'],
  ])('%# refuses %j with a message naming the field', (parse, body, message) => {
    expect(refusal(() => parse(body))).toBe(message);
  });

  it('names every wrong field at once', () => {
    expect(refusal(() => airlockChatSpec({ messages: [{ role: 'user', content: 1 }, { role: 'x', content: 'y' }], temperature: 'hot' }))).toBe(
      'messages[0].content must be a string; messages[1].role must be one of system, user, assistant; temperature must be a number',
    );
  });

  it('reads null as absent, and /v1/agent streams unless told not to', () => {
    const chat = airlockChatSpec({ messages: [{ role: 'user', content: 'x' }], stream: null, temperature: null });
    expect(chat.streamRenderer).toBeUndefined();
    expect(chat.repeatable).toBe(false);
    const agent = airlockAgentSpec({ messages: [{ role: 'user', content: 'x' }], repo_id: null, changed_files: null });
    expect(agent.streamRenderer).toBeDefined();
    expect(agent.agent).toEqual({ repoId: '', branch: '', changedFiles: [] });
    expect(airlockAgentSpec({ messages: [{ role: 'user', content: 'x' }], stream: false }).streamRenderer).toBeUndefined();
  });

  it('scans what each endpoint sends a model: messages, prefix and suffix, the query, the documents', () => {
    expect(airlockChatSpec({ messages: [{ role: 'system', content: 'a' }, { role: 'user', content: 'b' }] }).texts).toEqual(['a', 'b']);
    expect(airlockAutocompleteSpec({ prefix: 'p' }).texts).toEqual(['p', '']);
    expect(tabbyCompletionSpec({ segments: { prefix: 'p', suffix: 's', git_url: 'x' } }).texts).toEqual(['p', 's']);
    expect(ragQuerySpec({ query: 'q', top_k: 3 }).texts).toEqual(['q']);
    expect(ragIndexSpec({ documents: [{ path: 'a.ts', content: 'c' }] })).toMatchObject({ texts: ['c'], retrySafe: false, repeatable: false });
  });
});

describe('RAG upstream requests', () => {
  const rag = { id: 'rag', config: { protocol: 'rag' } } as BackendClient;
  const caller = (fields: Partial<CallerContext>) => ({ tenantId: 't1', userId: 'alice', projectId: 'payments', roles: ['developer'], kind: 'user', ...fields }) as CallerContext;

  it("carry the caller, so the RAG service reads only the caller's project and cached answers stay the caller's", () => {
    expect(ragQuerySpec({ query: 'q' }).build(rag, 'code-rag', ['Q'], caller({})).body).toEqual({
      query: 'Q',
      top_k: 5,
      model: 'code-rag',
      caller: { tenantId: 't1', userId: 'alice', projectIds: ['payments'], roles: ['developer'], kind: 'user' },
    });
    const indexer = caller({ userId: 'svc-indexer', roles: ['indexer'], kind: 'service_account' });
    expect(ragIndexSpec({ documents: [{ path: 'a.ts', content: 'c' }] }).build(rag, 'code-rag', ['C'], indexer).body).toMatchObject({
      caller: { userId: 'svc-indexer', projectIds: ['payments'], roles: ['indexer'], kind: 'service_account' },
      documents: [{ path: 'a.ts', content: 'C' }],
    });
    expect((ragQuerySpec({ query: 'q' }).build(rag, 'code-rag', ['Q'], caller({ projectId: '' })).body as { caller: { projectIds: string[] } }).caller.projectIds).toEqual([]);
  });
});
