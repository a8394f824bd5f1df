import type { CallerContext } from '../identity/trusted-identity';
import type { ModelRouter } from '../routing/model-router';
import { parseBackendJson, requireProtocol } from '../surfaces/backend-answer';
import { type CodeContext, codeContext, ragCaller } from './code-context';

/** Two letters or digits in a row: the least the RAG service takes as a word. */
const SEARCHABLE = /[\p{L}\p{N}]{2}/u;

export interface CodeContextQuery {
  caller: CallerContext;
  /** GATEWAY_CHAT_RAG_BACKEND. */
  backend: string;
  /** The question as DLP left it: the RAG service (and its audit digest) never sees what the prompt scan masked. */
  question: string;
  topK: number;
  signal: AbortSignal;
}

/**
 * Chunks of the caller's projects for a chat question, from the Code RAG service through the router: the `rag`
 * request type's bulkhead, the backend's breaker and retries, like `/v1/rag/query` (whose upstream request this is).
 * The service reads the caller from the request and answers from that caller's projects only.
 */
export async function retrieveCodeContext(router: Pick<ModelRouter, 'call'>, q: CodeContextQuery): Promise<CodeContext> {
  // A question without a word ("??", an emoji) is nothing to search for: the service would refuse it (400).
  if (!SEARCHABLE.test(q.question)) return codeContext([]);
  const reply = await router.call({
    requestType: 'rag',
    route: { backend: q.backend, model: 'code-rag' },
    stream: false,
    retrySafe: true,
    signal: q.signal,
    build(client, model) {
      requireProtocol(client, 'rag');
      return { path: 'v1/rag/query', body: { query: q.question, top_k: q.topK, model, caller: ragCaller(q.caller) } };
    },
  });
  return codeContext(parseBackendJson(reply.json ?? '').results);
}
