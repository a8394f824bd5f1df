import { z } from '@airlock/config';
import { InvalidRequestError } from '../gateway.errors';
import { type Json, bodyObject, field, optional, parseBody } from '../surfaces/request-body';

// The Anthropic Messages request, read and translated into the OpenAI chat body the in-house backends speak.

const block = z.looseObject({ type: field.string() }, { error: 'must be a content block object with a type' });
const content = z.union([z.string(), z.array(block)], { error: 'must be a string or an array of content blocks' });

const tool = z.looseObject({
  name: field.string(),
  description: optional(field.string()),
  input_schema: optional(field.object()),
  type: optional(field.string()),
});

export const messagesBody = bodyObject({
  model: field.string(),
  max_tokens: field.number(),
  // `system` turns: Claude Code (2.1) sends its environment notes as a system message after the user's turn.
  messages: field.nonEmptyArray(z.looseObject({ role: z.enum(['user', 'assistant', 'system'], { error: 'must be user, assistant or system' }), content })),
  system: optional(content),
  stream: optional(field.boolean()),
  temperature: optional(field.number()),
  top_p: optional(field.number()),
  top_k: optional(field.number()),
  stop_sequences: optional(z.array(field.string(), { error: 'must be an array of strings' })),
  tools: optional(z.array(tool, { error: 'must be an array of tools' })),
  tool_choice: optional(z.looseObject({ type: z.enum(['auto', 'any', 'tool', 'none'], { error: 'must be auto, any, tool or none' }), name: optional(field.string()), disable_parallel_tool_use: optional(field.boolean()) })),
});
export type MessagesBody = z.output<typeof messagesBody>;

/** `count_tokens` takes the request without `max_tokens` and `stream`. */
export const countTokensBody = messagesBody.omit({ max_tokens: true, stream: true });

type Block = z.output<typeof block>;

/** What the translation reads: a message request, or a count_tokens one (no max_tokens, no stream). */
type ChatSource = Pick<MessagesBody, 'model' | 'messages' | 'system' | 'temperature' | 'top_p' | 'top_k' | 'stop_sequences' | 'tools' | 'tool_choice'> & {
  max_tokens?: number;
  stream?: boolean;
};

/** The text of a system prompt or a tool result: a string, or its text blocks one per line. */
function plainText(value: string | Block[], where: string): string {
  if (typeof value === 'string') return value;
  return value
    .map((b, i) => {
      if (b.type !== 'text' || typeof b.text !== 'string') throw new InvalidRequestError(`${where}[${i}] must be a text block (type ${b.type} is not supported here)`);
      return b.text;
    })
    .join('\n');
}

function imagePart(b: Block, where: string): Json {
  const source = b.source as { type?: unknown; media_type?: unknown; data?: unknown; url?: unknown } | undefined;
  if (source?.type === 'base64' && typeof source.media_type === 'string' && typeof source.data === 'string') {
    return { type: 'image_url', image_url: { url: `data:${source.media_type};base64,${source.data}` } };
  }
  if (source?.type === 'url' && typeof source.url === 'string') return { type: 'image_url', image_url: { url: source.url } };
  throw new InvalidRequestError(`${where}.source must be a base64 or url image source`);
}

/**
 * One Anthropic turn as OpenAI messages. A user turn's `tool_result` blocks become `role: tool` messages (which
 * OpenAI wants right after the assistant's calls), its other blocks one user message after them; an assistant
 * turn's `tool_use` blocks become its `tool_calls` (the input as JSON text, which is what DLP scans).
 * Thinking blocks are the model's own scratch work and are not sent back to a backend that did not write them.
 * A system turn is its text blocks, as a system message in its place.
 */
function turn(message: MessagesBody['messages'][number], i: number): Json[] {
  const where = `messages[${i}].content`;
  if (typeof message.content === 'string') return [{ role: message.role, content: message.content }];
  if (message.role === 'system') return [{ role: 'system', content: plainText(message.content, where) }];
  const tools: Json[] = [];
  const parts: Json[] = [];
  const calls: Json[] = [];
  message.content.forEach((b, j) => {
    const at = `${where}[${j}]`;
    switch (b.type) {
      case 'text':
        if (typeof b.text !== 'string') throw new InvalidRequestError(`${at}.text must be a string`);
        parts.push({ type: 'text', text: b.text });
        return;
      case 'image':
        parts.push(imagePart(b, at));
        return;
      case 'tool_result': {
        if (message.role !== 'user' || typeof b.tool_use_id !== 'string') throw new InvalidRequestError(`${at} must be a user's tool_result with a tool_use_id`);
        const result = b.content === undefined ? '' : plainText(b.content as string | Block[], `${at}.content`);
        tools.push({ role: 'tool', tool_call_id: b.tool_use_id, content: result });
        return;
      }
      case 'tool_use':
        if (message.role !== 'assistant' || typeof b.id !== 'string' || typeof b.name !== 'string') throw new InvalidRequestError(`${at} must be an assistant's tool_use with an id and a name`);
        calls.push({ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } });
        return;
      case 'thinking':
      case 'redacted_thinking':
        return;
      default:
        throw new InvalidRequestError(`${at}: content blocks of type ${b.type} are not supported`);
    }
  });
  if (message.role === 'assistant') {
    const text = parts.map((p) => p.text ?? '').join('');
    return [{ role: 'assistant', content: calls.length > 0 && !text ? null : text, ...(calls.length > 0 ? { tool_calls: calls } : {}) }];
  }
  // A turn of only text parts stays one string, as most backends' chat templates expect.
  const user = parts.every((p) => p.type === 'text') ? parts.map((p) => p.text).join('\n') : parts;
  return parts.length > 0 ? [...tools, { role: 'user', content: user }] : tools;
}

function toolChoice(choice: NonNullable<MessagesBody['tool_choice']>): unknown {
  switch (choice.type) {
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      if (!choice.name) throw new InvalidRequestError('tool_choice.name is required when tool_choice.type is tool');
      return { type: 'function', function: { name: choice.name } };
    default:
      return 'auto';
  }
}

/**
 * The OpenAI chat body for an Anthropic request (the model name kept: it maps through policy's aliases like any
 * other). Only custom tools (a name and an input schema) can be offered: Anthropic's server tools run at
 * Anthropic, which this gateway never calls.
 */
export function toOpenAiChat(body: ChatSource): Json {
  const messages: Json[] = [];
  if (body.system !== undefined) messages.push({ role: 'system', content: plainText(body.system, 'system') });
  body.messages.forEach((m, i) => messages.push(...turn(m, i)));
  const out: Json = { model: body.model, messages };
  if (body.max_tokens !== undefined) out.max_tokens = body.max_tokens;
  if (body.stream) out.stream = true;
  if (body.temperature !== undefined) out.temperature = body.temperature;
  if (body.top_p !== undefined) out.top_p = body.top_p;
  if (body.top_k !== undefined) out.top_k = body.top_k;
  if (body.stop_sequences?.length) out.stop = body.stop_sequences;
  if (body.tools?.length) {
    out.tools = body.tools.map((t, i) => {
      if (t.type !== undefined && t.type !== 'custom') throw new InvalidRequestError(`tools[${i}]: server tools (type ${t.type}) are not available through this gateway`);
      return { type: 'function', function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.input_schema ?? { type: 'object' } } };
    });
  }
  if (body.tool_choice) {
    out.tool_choice = toolChoice(body.tool_choice);
    if (body.tool_choice.disable_parallel_tool_use) out.parallel_tool_calls = false;
  }
  return out;
}

export function parseMessages(raw: unknown): MessagesBody {
  return parseBody(messagesBody, raw);
}
