import { z } from '@airlock/config';
import { InvalidRequestError, PreviousResponseNotSupportedError } from '../gateway.errors';
import { type Json, bodyObject, field, optional, parseBody } from '../surfaces/request-body';

// The OpenAI Responses request, read and translated into the chat body the in-house backends speak.

const item = z.looseObject({}, { error: 'must be an input item object' });

const tool = z.looseObject({
  type: field.string(),
  name: optional(field.string()),
  description: optional(field.string()),
  parameters: optional(field.object()),
  strict: optional(field.boolean()),
});

export const responsesBody = bodyObject({
  model: field.string(),
  input: z.union([z.string(), z.array(item)], { error: 'must be a string or an array of input items' }),
  instructions: optional(field.string()),
  stream: optional(field.boolean()),
  temperature: optional(field.number()),
  top_p: optional(field.number()),
  max_output_tokens: optional(field.number()),
  tools: optional(z.array(tool, { error: 'must be an array of tools' })),
  tool_choice: optional(z.union([z.enum(['auto', 'none', 'required']), z.looseObject({ type: field.string(), name: optional(field.string()) })], { error: 'must be auto, none, required or a function' })),
  parallel_tool_calls: optional(field.boolean()),
  previous_response_id: optional(field.string()),
});
export type ResponsesBody = z.output<typeof responsesBody>;

/** A message's content as chat content: a string stays one; text parts join into one string, images make parts. */
function messageContent(content: unknown, where: string): string | Json[] {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw new InvalidRequestError(`${where} must be a string or an array of content parts`);
  const parts = content.map((p: Json, i): Json => {
    if ((p?.type === 'input_text' || p?.type === 'output_text') && typeof p.text === 'string') return { type: 'text', text: p.text };
    if (p?.type === 'input_image' && typeof p.image_url === 'string') return { type: 'image_url', image_url: { url: p.image_url } };
    throw new InvalidRequestError(`${where}[${i}]: content parts of type ${String(p?.type)} are not supported`);
  });
  return parts.every((p) => p.type === 'text') ? parts.map((p) => p.text as string).join('\n') : parts;
}

/** A function's output as the tool message's text (a string, or its text parts). */
function outputText(output: unknown, where: string): string {
  if (typeof output === 'string') return output;
  const content = messageContent(output, where);
  if (typeof content !== 'string') throw new InvalidRequestError(`${where} must be text`);
  return content;
}

/**
 * The input items as chat messages. Consecutive `function_call` items are one assistant message's calls (joined
 * to the assistant message before them, if that has none); `function_call_output` items are `role: tool`
 * messages; `developer` is the system role of chat. Reasoning items are the model's scratch work, not sent back.
 */
function inputMessages(input: ResponsesBody['input']): Json[] {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  const messages: Json[] = [];
  input.forEach((it, i) => {
    const where = `input[${i}]`;
    const type = it.type ?? (typeof it.role === 'string' ? 'message' : undefined);
    switch (type) {
      case 'message': {
        const role = it.role === 'developer' ? 'system' : it.role;
        if (role !== 'user' && role !== 'system' && role !== 'assistant') throw new InvalidRequestError(`${where}.role must be user, system, developer or assistant`);
        messages.push({ role, content: messageContent(it.content, `${where}.content`) });
        return;
      }
      case 'function_call': {
        if (typeof it.call_id !== 'string' || typeof it.name !== 'string' || typeof it.arguments !== 'string') {
          throw new InvalidRequestError(`${where} must be a function_call with call_id, name and arguments strings`);
        }
        const call = { id: it.call_id, type: 'function', function: { name: it.name, arguments: it.arguments } };
        const last = messages.at(-1);
        if (last?.role === 'assistant') last.tool_calls = [...((last.tool_calls as Json[] | undefined) ?? []), call];
        else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
        return;
      }
      case 'function_call_output':
        if (typeof it.call_id !== 'string') throw new InvalidRequestError(`${where}.call_id must be a string`);
        messages.push({ role: 'tool', tool_call_id: it.call_id, content: outputText(it.output, `${where}.output`) });
        return;
      case 'reasoning':
        return;
      default:
        throw new InvalidRequestError(`${where}: input items of type ${String(type)} are not supported`);
    }
  });
  return messages;
}

function toolChoice(choice: NonNullable<ResponsesBody['tool_choice']>): unknown {
  if (typeof choice === 'string') return choice;
  if (choice.type !== 'function' || !choice.name) throw new InvalidRequestError('tool_choice must be auto, none, required or {type: "function", name}');
  return { type: 'function', function: { name: choice.name } };
}

/**
 * The chat body for a Responses request (the model name kept: it maps through policy's aliases). Only function
 * tools can be offered: the built-in tools (web search, file search, code interpreter…) run at OpenAI, which
 * this gateway never calls.
 */
export function toOpenAiChat(body: ResponsesBody): Json {
  if (body.previous_response_id !== undefined) throw new PreviousResponseNotSupportedError();
  const messages = inputMessages(body.input);
  if (body.instructions !== undefined) messages.unshift({ role: 'system', content: body.instructions });
  if (messages.length === 0) throw new InvalidRequestError('input must hold at least one message');
  const out: Json = { model: body.model, messages };
  if (body.stream) out.stream = true;
  if (body.max_output_tokens !== undefined) out.max_tokens = body.max_output_tokens;
  if (body.temperature !== undefined) out.temperature = body.temperature;
  if (body.top_p !== undefined) out.top_p = body.top_p;
  if (body.parallel_tool_calls !== undefined) out.parallel_tool_calls = body.parallel_tool_calls;
  if (body.tools?.length) {
    out.tools = body.tools.map((t, i) => {
      if (t.type !== 'function' || !t.name) throw new InvalidRequestError(`tools[${i}]: only function tools are available through this gateway (not ${t.type})`);
      const fn: Json = { name: t.name, parameters: t.parameters ?? { type: 'object' } };
      if (t.description) fn.description = t.description;
      if (t.strict !== undefined) fn.strict = t.strict;
      return { type: 'function', function: fn };
    });
  }
  if (body.tool_choice !== undefined) out.tool_choice = toolChoice(body.tool_choice);
  return out;
}

export function parseResponses(raw: unknown): ResponsesBody {
  return parseBody(responsesBody, raw);
}
