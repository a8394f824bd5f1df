import { errorEnvelope } from '@airlock/runtime';
import { estimateTokens, isUsageOnly, type StreamChunk } from '../exchange/stream-chunks';
import type { ExchangeSpec, ReplyContext, StreamRenderer, StreamSummary } from '../exchange/exchange';
import { InvalidRequestError } from '../gateway.errors';
import { sseData } from '../upstream/sse';
import { type Json, asObject, optionalBoolean, optionalNumber, optionalString, parseBackendJson, requireProtocol, usageTokens } from './request-body';

/** Where a prompt text sits in the request: message i (part j of an array content, or the string). */
type Slot = { message: number; part?: number };

/**
 * OpenAI streaming framing, chunk for chunk as the backend sent it (tool calls and all), with the model
 * renamed to what the client asked for. The usage chunk the gateway always requests is passed on only if
 * the client asked for it; if the backend sent none, the client still gets one, counted by the gateway.
 */
export function openAiRenderer(includeUsage: boolean): StreamRenderer {
  return {
    chunk(chunk: StreamChunk, text: string, ctx: ReplyContext): string {
      if (isUsageOnly(chunk)) return includeUsage ? sseData({ ...chunk.raw, model: ctx.clientModel }) : '';
      const out: Json = { ...chunk.raw, model: ctx.clientModel };
      if (!includeUsage) delete out.usage;
      if (text !== chunk.text) {
        const choices = (out.choices as Json[]).map((c, i) => (i === 0 ? withText(c, text) : c));
        out.choices = choices;
      }
      return sseData(out);
    },
    end(summary: StreamSummary): string {
      const usage = includeUsage && !summary.usageReported ? sseData(usageChunk(summary)) : '';
      return `${usage}data: [DONE]\n\n`;
    },
    error: (error, correlationId) => sseData(errorEnvelope(error, correlationId)),
  };
}

function withText(choice: Json, text: string): Json {
  if (choice.delta && typeof choice.delta === 'object') return { ...choice, delta: { ...(choice.delta as Json), content: text } };
  return { ...choice, text };
}

function usageChunk(s: StreamSummary): Json {
  return {
    id: s.correlationId,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: s.clientModel,
    choices: [],
    usage: { prompt_tokens: s.tokens.prompt, completion_tokens: s.tokens.completion, total_tokens: s.tokens.prompt + s.tokens.completion },
  };
}

function streamOptions(body: Json): { stream: boolean; includeUsage: boolean } {
  const stream = optionalBoolean(body, 'stream') ?? false;
  const options = body.stream_options;
  if (options !== undefined && options !== null && (typeof options !== 'object' || Array.isArray(options))) throw new InvalidRequestError('stream_options must be an object');
  return { stream, includeUsage: stream && (options as { include_usage?: unknown } | undefined)?.include_usage === true };
}

/** The body for the backend: the client's, with the routed model, the masked texts, and usage always asked. */
function backendBody(body: Json, model: string, stream: boolean): Json {
  const out: Json = { ...body, model };
  if (stream) out.stream_options = { ...((body.stream_options as Json | undefined) ?? {}), include_usage: true };
  else delete out.stream_options;
  return out;
}

function repeatable(body: Json, temperature: number | undefined): boolean {
  return temperature === 0 && (body.n === undefined || body.n === 1);
}

/** `POST /v1/chat/completions` (Continue, opencode, the OpenAI SDKs). */
export function openAiChatSpec(raw: unknown): ExchangeSpec {
  const body = asObject(raw);
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw new InvalidRequestError('messages must be a non-empty array');
  const slots: Slot[] = [];
  const texts: string[] = [];
  messages.forEach((m: unknown, i) => {
    if (typeof m !== 'object' || m === null || typeof (m as Json).role !== 'string') throw new InvalidRequestError(`messages[${i}] must be an object with a role`);
    const content = (m as Json).content;
    if (typeof content === 'string') {
      slots.push({ message: i });
      texts.push(content);
    } else if (Array.isArray(content)) {
      content.forEach((part: unknown, j) => {
        if (typeof part === 'object' && part !== null && (part as Json).type === 'text' && typeof (part as Json).text === 'string') {
          slots.push({ message: i, part: j });
          texts.push((part as Json).text as string);
        }
      });
    } else if (content !== undefined && content !== null) {
      throw new InvalidRequestError(`messages[${i}].content must be a string or an array of content parts`);
    }
  });
  const { stream, includeUsage } = streamOptions(body);
  const temperature = optionalNumber(body, 'temperature');
  return {
    operation: 'chat',
    requestedModel: optionalString(body, 'model'),
    texts,
    stream,
    repeatable: repeatable(body, temperature),
    retrySafe: true,
    params: { maxTokens: optionalNumber(body, 'max_tokens') ?? optionalNumber(body, 'max_completion_tokens'), temperature },
    build(client, model, masked) {
      requireProtocol(client, 'openai');
      const out = backendBody(body, model, stream);
      const copy = (messages as Json[]).map((m) => ({ ...m, content: Array.isArray(m.content) ? [...(m.content as Json[])] : m.content }));
      slots.forEach((slot, k) => {
        if (slot.part === undefined) copy[slot.message].content = masked[k];
        else (copy[slot.message].content as Json[])[slot.part] = { ...(copy[slot.message].content as Json[])[slot.part], text: masked[k] };
      });
      out.messages = copy;
      return { path: 'v1/chat/completions', body: out };
    },
    renderJson(text, ctx) {
      const answer = parseBackendJson(text);
      const content = (answer.choices as { message?: { content?: unknown } }[] | undefined)?.[0]?.message?.content;
      const tokens = usageTokens(answer) ?? { prompt: estimateTokens(texts.join(' ')), completion: estimateTokens(String(content ?? '')) };
      const choices = (answer.choices as Json[] | undefined) ?? [];
      return {
        body: { ...answer, model: ctx.clientModel },
        tokens,
        text: typeof content === 'string' ? content : '',
        withText: (safe) => ({
          ...answer,
          model: ctx.clientModel,
          choices: choices.map((c, i) => (i === 0 ? { ...c, message: { ...(c.message as Json), content: safe } } : c)),
        }),
      };
    },
    renderer: openAiRenderer(includeUsage),
  };
}

/** `POST /v1/completions` (Continue's autocomplete with `provider: openai`, FIM with `suffix`). */
export function openAiCompletionSpec(raw: unknown): ExchangeSpec {
  const body = asObject(raw);
  let prompt = body.prompt;
  if (Array.isArray(prompt) && prompt.length === 1) prompt = prompt[0];
  if (typeof prompt !== 'string') throw new InvalidRequestError('prompt must be a string (or an array of one string)');
  const suffix = optionalString(body, 'suffix');
  const texts = suffix === undefined ? [prompt] : [prompt, suffix];
  const { stream, includeUsage } = streamOptions(body);
  const temperature = optionalNumber(body, 'temperature');
  return {
    operation: 'text_completion',
    requestedModel: optionalString(body, 'model'),
    texts,
    stream,
    repeatable: repeatable(body, temperature),
    retrySafe: true,
    params: { maxTokens: optionalNumber(body, 'max_tokens'), temperature },
    build(client, model, masked) {
      requireProtocol(client, 'openai');
      const out = backendBody(body, model, stream);
      out.prompt = masked[0];
      if (suffix !== undefined) out.suffix = masked[1];
      return { path: 'v1/completions', body: out };
    },
    renderJson(text, ctx) {
      const answer = parseBackendJson(text);
      const completion = (answer.choices as { text?: unknown }[] | undefined)?.[0]?.text;
      const tokens = usageTokens(answer) ?? { prompt: estimateTokens(texts.join(' ')), completion: estimateTokens(String(completion ?? '')) };
      const choices = (answer.choices as Json[] | undefined) ?? [];
      return {
        body: { ...answer, model: ctx.clientModel },
        tokens,
        text: typeof completion === 'string' ? completion : '',
        withText: (safe) => ({ ...answer, model: ctx.clientModel, choices: choices.map((c, i) => (i === 0 ? { ...c, text: safe } : c)) }),
      };
    },
    renderer: openAiRenderer(includeUsage),
  };
}
