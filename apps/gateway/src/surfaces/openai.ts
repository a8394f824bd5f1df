import { z } from '@airlock/config';
import { errorEnvelope } from '@airlock/runtime';
import type { ExchangeSpec, ReplyContext, StreamRenderer, StreamSummary } from '../exchange/exchange-spec';
import { estimateTokens, isUsageOnly, type StreamChunk } from '../exchange/stream-chunks';
import { sseData } from '../upstream/sse';
import { parseBackendJson, requireProtocol, usageTokens } from './backend-answer';
import { type Json, bodyObject, field, parseBody } from './request-body';
import { type ToolCall, messageToolCalls, openAiToolCalls } from '../exchange/tool-calls';
import { type Citation, airlockOptions, lastUserText, retrievalOf, withCodeContext } from '../rag-context/code-context';

/**
 * Where a prompt text sits in the request: message i (part j of an array content, or the string), or the
 * arguments of an assistant message's call j (a call the client sends back is scanned like any prompt text).
 */
type Slot = { message: number; part?: number; call?: number };

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
    toolCalls(calls: ToolCall[], template: StreamChunk, ctx: ReplyContext): string {
      const raw: Json = { ...template.raw };
      delete raw.usage;
      return sseData({ ...raw, model: ctx.clientModel, choices: [{ index: 0, delta: { tool_calls: openAiToolCalls(calls, true) }, finish_reason: null }] });
    },
    end(summary: StreamSummary): string {
      const usage = includeUsage && !summary.usageReported ? sseData(usageChunk(summary)) : '';
      const citations = summary.citations ? sseData(citationsChunk(summary, summary.citations)) : '';
      return `${usage}${citations}data: [DONE]\n\n`;
    },
    error: (error, correlationId) => sseData(errorEnvelope(error, correlationId)),
  };
}

function withText(choice: Json, text: string): Json {
  if (choice.delta && typeof choice.delta === 'object') return { ...choice, delta: { ...(choice.delta as Json), content: text } };
  return { ...choice, text };
}

/** The answer's message with the scanned text (a null content stays null) and the scanned arguments of its calls. */
function withSafeMessage(message: Json, text: string, calls: ToolCall[]): Json {
  const out: Json = { ...message, content: message.content === null && !text ? null : text };
  if (Array.isArray(message.tool_calls)) {
    out.tool_calls = (message.tool_calls as Json[]).map((c, i) => ({ ...c, function: { ...(c.function as Json), arguments: calls[i]?.arguments ?? '' } }));
  }
  return out;
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

/**
 * The code context's citations as the stream's last chunk: no choices (like the usage chunk, which OpenAI clients
 * already expect), and the citations in an `airlock` field those clients ignore.
 */
function citationsChunk(s: StreamSummary, citations: Citation[]): Json {
  return { id: s.correlationId, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: s.clientModel, choices: [], airlock: { citations } };
}

/**
 * What the gateway reads of an OpenAI body. Everything, these fields included, is passed on to the backend as
 * the client sent it (tools, top_p, a null for an unset field, ...): `nullish` keeps a null a null.
 */
const openAiBody = bodyObject({
  model: field.string().nullish(),
  stream: field.boolean().nullish(),
  stream_options: field.object().nullish(),
  temperature: field.number().nullish(),
  max_tokens: field.number().nullish(),
});

/** A chat message: any role the backend knows; its texts are where DLP looks (string content or text parts). */
const chatMessage = z
  .custom<Json>((m) => typeof m === 'object' && m !== null && typeof (m as Json).role === 'string', { error: 'must be an object with a role' })
  .pipe(z.looseObject({ content: z.union([z.string(), z.array(z.unknown())], { error: 'must be a string or an array of content parts' }).nullish() }));

const chatBody = openAiBody.extend({
  max_completion_tokens: field.number().nullish(),
  messages: field.nonEmptyArray(chatMessage),
  airlock: airlockOptions,
});

const completionBody = openAiBody.extend({
  prompt: z.union([z.string(), z.tuple([z.string()])], { error: 'must be a string (or an array of one string)' }),
  suffix: field.string().nullish(),
});

function streamOptions(body: z.output<typeof openAiBody>): { stream: boolean; includeUsage: boolean } {
  const stream = body.stream ?? false;
  return { stream, includeUsage: stream && body.stream_options?.include_usage === true };
}

/** The body for the backend: the client's, with the routed model, the masked texts, and usage always asked. */
function backendBody(body: Json, model: string, stream: boolean): Json {
  const out: Json = { ...body, model };
  if (stream) out.stream_options = { ...((body.stream_options as Json | null | undefined) ?? {}), include_usage: true };
  else delete out.stream_options;
  return out;
}

function repeatable(body: Json, temperature: number | undefined): boolean {
  return temperature === 0 && (body.n === undefined || body.n === 1);
}

/** The slot (index into the prompt texts) of the last user message's last text, if any. */
function lastTextSlot(slots: Slot[], messages: Json[]): number | undefined {
  return lastUserText(slots.map((slot) => ({ role: String(messages[slot.message].role), text: slot.call === undefined })));
}

/** `POST /v1/chat/completions` (Continue, opencode, the OpenAI SDKs). */
export function openAiChatSpec(raw: unknown): ExchangeSpec {
  const body = parseBody(chatBody, raw);
  const { messages, airlock: options, ...forBackend } = body;
  const slots: Slot[] = [];
  const texts: string[] = [];
  messages.forEach(({ content, tool_calls: calls }, i) => {
    messageToolCalls({ tool_calls: calls }).forEach((call, j) => {
      slots.push({ message: i, call: j });
      texts.push(call.arguments);
    });
    if (typeof content === 'string') {
      slots.push({ message: i });
      texts.push(content);
      return;
    }
    content?.forEach((part, j) => {
      if (typeof part === 'object' && part !== null && (part as Json).type === 'text' && typeof (part as Json).text === 'string') {
        slots.push({ message: i, part: j });
        texts.push((part as Json).text as string);
      }
    });
  });
  const { stream, includeUsage } = streamOptions(body);
  const temperature = body.temperature ?? undefined;
  return {
    operation: 'chat',
    requestedModel: body.model ?? undefined,
    texts,
    repeatable: repeatable(body, temperature),
    retrySafe: true,
    params: { maxTokens: body.max_tokens ?? body.max_completion_tokens ?? undefined, temperature },
    // The question is the last user message's last text (a string content, or its last text part).
    retrieval: retrievalOf(options, lastTextSlot(slots, messages)),
    build(client, model, masked, _caller, context) {
      requireProtocol(client, 'openai');
      const out = backendBody(forBackend, model, stream);
      const copy = messages.map((m) => ({
        ...m,
        content: Array.isArray(m.content) ? [...m.content] : m.content,
        ...(Array.isArray(m.tool_calls) ? { tool_calls: [...(m.tool_calls as Json[])] } : {}),
      }));
      slots.forEach((slot, k) => {
        const message = copy[slot.message];
        if (slot.call !== undefined) {
          const calls = message.tool_calls as Json[];
          calls[slot.call] = { ...calls[slot.call], function: { ...(calls[slot.call].function as Json), arguments: masked[k] } };
        } else if (slot.part === undefined) message.content = masked[k];
        else (message.content as Json[])[slot.part] = { ...(message.content as Json[])[slot.part], text: masked[k] };
      });
      out.messages = withCodeContext(copy, context);
      return { path: 'v1/chat/completions', body: out };
    },
    readJson(text) {
      const answer = parseBackendJson(text);
      const message = (answer.choices as { message?: { content?: unknown } }[] | undefined)?.[0]?.message;
      const content = message?.content;
      const tokens = usageTokens(answer) ?? { prompt: estimateTokens(texts.join(' ')), completion: estimateTokens(String(content ?? '')) };
      const choices = (answer.choices as Json[] | undefined) ?? [];
      return {
        tokens,
        text: typeof content === 'string' ? content : '',
        toolCalls: messageToolCalls(message),
        render: (ctx, safe, calls) => ({
          ...answer,
          model: ctx.clientModel,
          choices: choices.map((c, i) => (i === 0 ? { ...c, message: withSafeMessage(c.message as Json, safe, calls) } : c)),
          ...(ctx.citations ? { airlock: { citations: ctx.citations } } : {}),
        }),
      };
    },
    streamRenderer: stream ? openAiRenderer(includeUsage) : undefined,
  };
}

/** `POST /v1/completions` (Continue's autocomplete with `provider: openai`, FIM with `suffix`). */
export function openAiCompletionSpec(raw: unknown): ExchangeSpec {
  const body = parseBody(completionBody, raw);
  const prompt = typeof body.prompt === 'string' ? body.prompt : body.prompt[0];
  const suffix = body.suffix ?? undefined;
  const texts = suffix === undefined ? [prompt] : [prompt, suffix];
  const { stream, includeUsage } = streamOptions(body);
  const temperature = body.temperature ?? undefined;
  return {
    operation: 'text_completion',
    requestedModel: body.model ?? undefined,
    texts,
    repeatable: repeatable(body, temperature),
    retrySafe: true,
    params: { maxTokens: body.max_tokens ?? undefined, temperature },
    build(client, model, masked) {
      requireProtocol(client, 'openai');
      const out = backendBody(body, model, stream);
      out.prompt = masked[0];
      if (suffix !== undefined) out.suffix = masked[1];
      return { path: 'v1/completions', body: out };
    },
    readJson(text) {
      const answer = parseBackendJson(text);
      const completion = (answer.choices as { text?: unknown }[] | undefined)?.[0]?.text;
      const tokens = usageTokens(answer) ?? { prompt: estimateTokens(texts.join(' ')), completion: estimateTokens(String(completion ?? '')) };
      const choices = (answer.choices as Json[] | undefined) ?? [];
      return {
        tokens,
        text: typeof completion === 'string' ? completion : '',
        render: (ctx, safe) => ({ ...answer, model: ctx.clientModel, choices: choices.map((c, i) => (i === 0 ? { ...c, text: safe } : c)) }),
      };
    },
    streamRenderer: stream ? openAiRenderer(includeUsage) : undefined,
  };
}
