import { z } from '@airlock/config';
import { errorEnvelope } from '@airlock/runtime';
import type { ExchangeSpec, StreamRenderer } from '../exchange/exchange-spec';
import { airlockOptions, lastUserText, ragCaller, retrievalOf, withCodeContext } from '../rag-context/code-context';
import { estimateTokens } from '../exchange/stream-chunks';
import { sseEvent } from '../upstream/sse';
import { autocompleteSpec } from './autocomplete';
import { parseBackendJson, requireProtocol, usageTokens } from './backend-answer';
import { type Json, bodyObject, field, optional, parseBody } from './request-body';

// Airlock's own AI endpoints: /v1/chat, /v1/agent, /v1/autocomplete, /v1/rag/query and /v1/rag/index.

const message = z.object(
  {
    role: z.enum(['system', 'user', 'assistant'], { error: 'must be one of system, user, assistant' }),
    content: field.string(),
  },
  { error: 'must be an object {role, content}' },
);

const chatBody = bodyObject({
  messages: field.nonEmptyArray(message),
  stream: optional(field.boolean()),
  temperature: optional(field.number()),
  max_tokens: optional(field.number()),
  airlock: airlockOptions,
});

const agentBody = chatBody.extend({
  repo_id: optional(field.string()),
  branch: optional(field.string()),
  changed_files: optional(z.array(field.string(), { error: 'must be an array of strings' })),
});

/**
 * The streaming framing of /v1/chat and /v1/agent: `event: delta` `{content}` per piece,
 * `event: done` with id, model, finish_reason, usage and dlp_action, or `event: error` with the envelope.
 */
export const airlockRenderer: StreamRenderer = {
  chunk: (_chunk, text) => (text ? sseEvent('delta', { content: text }) : ''),
  // This API offers the model no tools: a call the model makes anyway is not the client's to run.
  toolCalls: () => '',
  end: (s) =>
    sseEvent('done', {
      id: s.correlationId,
      model: s.clientModel,
      finish_reason: s.finishReason,
      usage: { prompt_tokens: s.tokens.prompt, completion_tokens: s.tokens.completion },
      dlp_action: s.dlpAction,
      source: s.source,
      ...(s.citations ? { citations: s.citations } : {}),
    }),
  error: (error, correlationId) => sseEvent('error', errorEnvelope(error, correlationId)),
};

function chatSpec(body: z.output<typeof chatBody>, streamByDefault: boolean): ExchangeSpec {
  const { messages, temperature, max_tokens: maxTokens } = body;
  const stream = body.stream ?? streamByDefault;
  const texts = messages.map((m) => m.content);
  return {
    operation: 'chat',
    texts,
    repeatable: temperature === 0,
    retrySafe: true,
    params: { maxTokens, temperature },
    retrieval: retrievalOf(body.airlock, lastUserText(messages.map((m) => ({ role: m.role, text: true })))),
    build(client, model, masked, _caller, context) {
      requireProtocol(client, 'openai');
      const out: Json = { model, messages: withCodeContext(messages.map((m, i) => ({ role: m.role, content: masked[i] })), context), stream };
      if (stream) out.stream_options = { include_usage: true };
      if (temperature !== undefined) out.temperature = temperature;
      if (maxTokens !== undefined) out.max_tokens = maxTokens;
      return { path: 'v1/chat/completions', body: out };
    },
    readJson(text) {
      const answer = parseBackendJson(text);
      const content = String((answer.choices as { message?: { content?: unknown } }[] | undefined)?.[0]?.message?.content ?? '');
      const tokens = usageTokens(answer) ?? { prompt: estimateTokens(texts.join(' ')), completion: estimateTokens(content) };
      return {
        tokens,
        text: content,
        render: (ctx, safe) => ({
          id: ctx.correlationId,
          model: ctx.clientModel,
          message: { role: 'assistant', content: safe },
          usage: { prompt_tokens: tokens.prompt, completion_tokens: tokens.completion },
          dlp_action: ctx.dlpAction,
          source: ctx.source,
          ...(ctx.citations ? { citations: ctx.citations } : {}),
        }),
      };
    },
    streamRenderer: stream ? airlockRenderer : undefined,
  };
}

/** `POST /v1/chat`: JSON unless `stream: true` (the existing non-streaming clients keep working). */
export const airlockChatSpec = (raw: unknown) => chatSpec(parseBody(chatBody, raw), false);

/** `POST /v1/agent`: SSE unless `stream: false`; audited with repo, branch, changed files and a diff hash. */
export function airlockAgentSpec(raw: unknown): ExchangeSpec {
  const body = parseBody(agentBody, raw);
  return { ...chatSpec(body, true), agent: { repoId: body.repo_id ?? '', branch: body.branch ?? '', changedFiles: body.changed_files ?? [] } };
}

const autocompleteBody = bodyObject({
  prefix: field.string(),
  suffix: optional(field.string()),
  language: optional(field.string()),
  max_tokens: optional(field.number()),
  temperature: optional(field.number()),
});

/** `POST /v1/autocomplete`: `{prefix, suffix?, language?, max_tokens?, temperature?}`. */
export function airlockAutocompleteSpec(raw: unknown): ExchangeSpec {
  const body = parseBody(autocompleteBody, raw);
  const input = { prefix: body.prefix, suffix: body.suffix ?? '', language: body.language ?? '', maxTokens: body.max_tokens, temperature: body.temperature };
  return autocompleteSpec(input, (c, ctx) => ({
    id: ctx.correlationId,
    model: ctx.clientModel,
    text: c.text,
    usage: { prompt_tokens: c.tokens.prompt, completion_tokens: c.tokens.completion },
    dlp_action: ctx.dlpAction,
    source: ctx.source,
  }));
}

const TOP_K = 'must be an integer from 1 to 50';
const ragQueryBody = bodyObject({
  query: z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' }),
  top_k: optional(z.number({ error: TOP_K }).int({ error: TOP_K }).min(1, { error: TOP_K }).max(50, { error: TOP_K })),
});

/** `POST /v1/rag/query`: `{query, top_k?}` → the RAG service's `{results:[{path, snippet, score}]}`. */
export function ragQuerySpec(raw: unknown): ExchangeSpec {
  const { query, top_k: topK } = parseBody(ragQueryBody, raw);
  return {
    operation: 'retrieval',
    texts: [query],
    repeatable: true,
    retrySafe: true,
    // The caller travels in the body: the RAG service answers from the caller's projects only, and the answer
    // cache (keyed by the body) then never hands one caller's results to another.
    build(client, model, masked, caller) {
      requireProtocol(client, 'rag');
      return { path: 'v1/rag/query', body: { query: masked[0], top_k: topK ?? 5, model, caller: ragCaller(caller) } };
    },
    readJson(text) {
      const answer = parseBackendJson(text);
      const body = { results: Array.isArray(answer.results) ? answer.results : [] };
      return { tokens: { prompt: estimateTokens(query), completion: 0 }, render: () => body };
    },
  };
}

const ragIndexBody = bodyObject({
  documents: field.nonEmptyArray(z.object({ path: field.string(), content: field.string() }, { error: 'must be an object {path, content}' })),
});

/** `POST /v1/rag/index` (indexer service account): `{documents:[{path, content}]}` → `{indexed}`. Not retried. */
export function ragIndexSpec(raw: unknown): ExchangeSpec {
  const { documents } = parseBody(ragIndexBody, raw);
  return {
    operation: 'index',
    // Secrets in indexed code would be served to every later query: the content is masked before indexing.
    texts: documents.map((d) => d.content),
    repeatable: false,
    retrySafe: false,
    build(client, model, masked, caller) {
      requireProtocol(client, 'rag');
      return { path: 'v1/rag/index', body: { model, caller: ragCaller(caller), documents: documents.map((d, i) => ({ path: d.path, content: masked[i] })) } };
    },
    readJson(text) {
      const answer = parseBackendJson(text);
      const body = { indexed: Number(answer.indexed) || 0 };
      return { tokens: { prompt: 0, completion: 0 }, render: () => body };
    },
  };
}
