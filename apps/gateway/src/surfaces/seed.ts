import { createHash } from 'node:crypto';
import { errorEnvelope } from '@airlock/runtime';
import { estimateTokens } from '../exchange/stream-chunks';
import type { ExchangeSpec, JsonRendering, ReplyContext, StreamRenderer } from '../exchange/exchange';
import { InvalidRequestError } from '../gateway.errors';
import type { UpstreamRequest } from '../upstream/backend-client';
import type { BackendClient } from '../upstream/backend-client';
import { sseEvent } from '../upstream/sse';
import { type Json, asObject, optionalBoolean, optionalNumber, optionalString, parseBackendJson, requireProtocol, usageTokens } from './request-body';

const ROLES = new Set(['system', 'user', 'assistant']);

export interface SeedMessage {
  role: string;
  content: string;
}

export function parseMessages(body: Json): SeedMessage[] {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw new InvalidRequestError('messages must be a non-empty array');
  return messages.map((m: { role?: unknown; content?: unknown }, i) => {
    if (typeof m?.role !== 'string' || !ROLES.has(m.role)) throw new InvalidRequestError(`messages[${i}].role must be one of system, user, assistant`);
    if (typeof m.content !== 'string') throw new InvalidRequestError(`messages[${i}].content must be a string`);
    return { role: m.role, content: m.content };
  });
}

function stringList(body: Json, field: string): string[] {
  const v = body[field];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new InvalidRequestError(`${field} must be an array of strings`);
  return v as string[];
}

/**
 * The seed's streaming framing for /v1/chat and /v1/agent: `event: delta` `{content}` per piece,
 * `event: done` with id, model, finish_reason, usage and dlp_action, or `event: error` with the envelope.
 */
export const seedRenderer: StreamRenderer = {
  chunk: (_chunk, text) => (text ? sseEvent('delta', { content: text }) : ''),
  end: (s) =>
    sseEvent('done', {
      id: s.correlationId,
      model: s.clientModel,
      finish_reason: s.finishReason,
      usage: { prompt_tokens: s.tokens.prompt, completion_tokens: s.tokens.completion },
      dlp_action: s.dlpAction,
      source: s.source,
    }),
  error: (error, correlationId) => sseEvent('error', errorEnvelope(error, correlationId)),
};

function chatSpec(raw: unknown, streamByDefault: boolean, agent: boolean): ExchangeSpec {
  const body = asObject(raw);
  const messages = parseMessages(body);
  const stream = optionalBoolean(body, 'stream') ?? streamByDefault;
  const temperature = optionalNumber(body, 'temperature');
  const maxTokens = optionalNumber(body, 'max_tokens');
  const texts = messages.map((m) => m.content);
  return {
    operation: 'chat',
    texts,
    stream,
    repeatable: temperature === 0,
    retrySafe: true,
    params: { maxTokens, temperature },
    agent: agent ? { repoId: optionalString(body, 'repo_id') ?? '', branch: optionalString(body, 'branch') ?? '', changedFiles: stringList(body, 'changed_files') } : undefined,
    hash: agent ? (text) => (text ? createHash('sha256').update(text).digest('hex') : '') : undefined,
    build(client, model, masked) {
      requireProtocol(client, 'openai');
      const out: Json = { model, messages: messages.map((m, i) => ({ role: m.role, content: masked[i] })), stream };
      if (stream) out.stream_options = { include_usage: true };
      if (temperature !== undefined) out.temperature = temperature;
      if (maxTokens !== undefined) out.max_tokens = maxTokens;
      return { path: 'v1/chat/completions', body: out };
    },
    renderJson(text, ctx): JsonRendering {
      const answer = parseBackendJson(text);
      const content = String((answer.choices as { message?: { content?: unknown } }[] | undefined)?.[0]?.message?.content ?? '');
      const tokens = usageTokens(answer) ?? { prompt: estimateTokens(texts.join(' ')), completion: estimateTokens(content) };
      const render = (answerText: string) => ({
        id: ctx.correlationId,
        model: ctx.clientModel,
        message: { role: 'assistant', content: answerText },
        usage: { prompt_tokens: tokens.prompt, completion_tokens: tokens.completion },
        dlp_action: ctx.dlpAction,
        source: ctx.source,
      });
      return { body: render(content), tokens, text: content, withText: render };
    },
    renderer: seedRenderer,
  };
}

/** `POST /v1/chat`: JSON unless `stream: true` (the existing non-streaming clients keep working). */
export const seedChatSpec = (raw: unknown) => chatSpec(raw, false, false);

/** `POST /v1/agent`: SSE unless `stream: false`; audited with repo, branch, changed files and a diff hash. */
export const seedAgentSpec = (raw: unknown) => chatSpec(raw, true, true);

export interface CompletionInput {
  prefix: string;
  suffix: string;
  language: string;
  maxTokens?: number;
  temperature?: number;
}

/** Autocomplete toward either kind of backend: OpenAI `/v1/completions` (FIM suffix) or Tabby's own API. */
export function buildAutocomplete(client: BackendClient, model: string, input: CompletionInput, masked: string[]): UpstreamRequest {
  const protocol = requireProtocol(client, 'openai', 'tabby');
  const [prefix, suffix] = masked;
  if (protocol === 'tabby') return { path: 'v1/completions', body: { language: input.language, segments: { prefix, suffix } } };
  const body: Json = { model, prompt: prefix, stream: false, max_tokens: input.maxTokens ?? 64, temperature: input.temperature ?? 0 };
  if (suffix) body.suffix = suffix;
  return { path: 'v1/completions', body };
}

/** Both protocols answer `{choices:[{text}]}`; only OpenAI reports usage. */
export function completionText(text: string, texts: string[]): { id: string; text: string; tokens: { prompt: number; completion: number } } {
  const answer = parseBackendJson(text);
  const completion = String((answer.choices as { text?: unknown }[] | undefined)?.[0]?.text ?? '');
  return {
    id: typeof answer.id === 'string' ? answer.id : '',
    text: completion,
    tokens: usageTokens(answer) ?? { prompt: estimateTokens(texts.join('')), completion: estimateTokens(completion) },
  };
}

type Completion = ReturnType<typeof completionText>;

export function autocompleteSpec(input: CompletionInput, render: (completion: Completion, ctx: ReplyContext) => unknown): ExchangeSpec {
  const texts = [input.prefix, input.suffix];
  return {
    operation: 'text_completion',
    texts,
    stream: false,
    repeatable: true,
    retrySafe: true,
    params: { maxTokens: input.maxTokens, temperature: input.temperature },
    build: (client, model, masked) => buildAutocomplete(client, model, input, masked),
    renderJson(text, ctx) {
      const completion = completionText(text, texts);
      return {
        body: render(completion, ctx),
        tokens: completion.tokens,
        text: completion.text,
        withText: (safe) => render({ ...completion, text: safe }, ctx),
      };
    },
  };
}

/** `POST /v1/autocomplete`: `{prefix, suffix?, language?, max_tokens?, temperature?}`. */
export function seedAutocompleteSpec(raw: unknown): ExchangeSpec {
  const body = asObject(raw);
  const prefix = optionalString(body, 'prefix');
  if (prefix === undefined) throw new InvalidRequestError('prefix must be a string');
  const input = {
    prefix,
    suffix: optionalString(body, 'suffix') ?? '',
    language: optionalString(body, 'language') ?? '',
    maxTokens: optionalNumber(body, 'max_tokens'),
    temperature: optionalNumber(body, 'temperature'),
  };
  return autocompleteSpec(input, (c, ctx) => ({
    id: ctx.correlationId,
    model: ctx.clientModel,
    text: c.text,
    usage: { prompt_tokens: c.tokens.prompt, completion_tokens: c.tokens.completion },
    dlp_action: ctx.dlpAction,
    source: ctx.source,
  }));
}

/** `POST /v1/rag/query`: `{query, top_k?}` → the RAG service's `{results:[{path, snippet, score}]}`. */
export function ragQuerySpec(raw: unknown): ExchangeSpec {
  const body = asObject(raw);
  const query = optionalString(body, 'query');
  if (!query) throw new InvalidRequestError('query must be a non-empty string');
  const topK = optionalNumber(body, 'top_k');
  if (topK !== undefined && (!Number.isInteger(topK) || topK < 1 || topK > 50)) throw new InvalidRequestError('top_k must be an integer from 1 to 50');
  return {
    operation: 'retrieval',
    texts: [query],
    stream: false,
    repeatable: true,
    retrySafe: true,
    build(client, model, masked) {
      requireProtocol(client, 'rag');
      return { path: 'v1/rag/query', body: { query: masked[0], top_k: topK ?? 5, model } };
    },
    renderJson(text) {
      const answer = parseBackendJson(text);
      return { body: { results: Array.isArray(answer.results) ? answer.results : [] }, tokens: { prompt: estimateTokens(query), completion: 0 } };
    },
  };
}

/** `POST /v1/rag/index` (indexer service account): `{documents:[{path, content}]}` → `{indexed}`. Not retried. */
export function ragIndexSpec(raw: unknown): ExchangeSpec {
  const body = asObject(raw);
  const docs = body.documents;
  if (!Array.isArray(docs) || docs.length === 0) throw new InvalidRequestError('documents must be a non-empty array');
  docs.forEach((d: { path?: unknown; content?: unknown }, i) => {
    if (typeof d?.path !== 'string' || typeof d.content !== 'string') throw new InvalidRequestError(`documents[${i}] must be {path, content} strings`);
  });
  const documents = docs as { path: string; content: string }[];
  return {
    operation: 'index',
    // Secrets in indexed code would be served to every later query: the content is masked before indexing.
    texts: documents.map((d) => d.content),
    stream: false,
    repeatable: false,
    retrySafe: false,
    build(client, model, masked) {
      requireProtocol(client, 'rag');
      return { path: 'v1/rag/index', body: { model, documents: documents.map((d, i) => ({ path: d.path, content: masked[i] })) } };
    },
    renderJson(text) {
      const answer = parseBackendJson(text);
      return { body: { indexed: Number(answer.indexed) || 0 }, tokens: { prompt: 0, completion: 0 } };
    },
  };
}
