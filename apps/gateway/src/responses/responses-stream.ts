import { errorEnvelope } from '@airlock/runtime';
import type { ReplyContext, StreamRenderer, StreamSummary } from '../exchange/exchange-spec';
import type { ToolCall } from '../exchange/tool-calls';
import type { Json } from '../surfaces/request-body';
import { sseEvent } from '../upstream/sse';
import { type ResponseIds, callItem, callItemId, finalStatus, messageItem, messageItemId, responseObject } from './responses-answer';
import type { ResponsesBody } from './responses-request';

/**
 * The Responses API's semantic events for one answer: `response.created` and `response.in_progress`; per output
 * item `response.output_item.added` … `done` (a message's text in `response.output_text.delta`s, a function call's
 * whole scanned arguments in one `response.function_call_arguments.delta`); then `response.completed` (or
 * `response.incomplete`) with the whole response. A failure is an `error` event. One renderer per request.
 */
export function responsesRenderer(request: ResponsesBody): StreamRenderer {
  let sequence = 0;
  let started = false;
  const output: Json[] = [];
  /** The message item being written, if one is open: its output index and text so far. */
  let message: { index: number; text: string } | undefined;

  const event = (type: string, payload: Json) => sseEvent(type, { type, sequence_number: sequence++, ...payload });
  const start = (ids: ResponseIds): string => {
    if (started) return '';
    started = true;
    const response = responseObject(request, ids, { status: 'in_progress', output: [] });
    return event('response.created', { response }) + event('response.in_progress', { response });
  };
  const closeMessage = (ctx: ReplyContext): string => {
    if (!message) return '';
    const { index, text } = message;
    message = undefined;
    const itemId = messageItemId(ctx.correlationId);
    const item = messageItem(ctx.correlationId, text, 'completed');
    output.push(item);
    return (
      event('response.output_text.done', { item_id: itemId, output_index: index, content_index: 0, text, logprobs: [] }) +
      event('response.content_part.done', { item_id: itemId, output_index: index, content_index: 0, part: { type: 'output_text', text, annotations: [] } }) +
      event('response.output_item.done', { output_index: index, item })
    );
  };

  return {
    chunk(_chunk, safe, ctx) {
      let out = start(ctx);
      if (!safe) return out;
      const itemId = messageItemId(ctx.correlationId);
      if (!message) {
        message = { index: output.length, text: '' };
        out += event('response.output_item.added', { output_index: message.index, item: messageItem(ctx.correlationId, '', 'in_progress') });
        out += event('response.content_part.added', { item_id: itemId, output_index: message.index, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
      }
      message.text += safe;
      return out + event('response.output_text.delta', { item_id: itemId, output_index: message.index, content_index: 0, delta: safe, logprobs: [] });
    },
    toolCalls(calls: ToolCall[], _template, ctx) {
      let out = start(ctx) + closeMessage(ctx);
      for (const call of calls) {
        const index = output.length;
        const itemId = callItemId(call.id);
        const done = callItem(call, 'completed');
        output.push(done);
        out += event('response.output_item.added', { output_index: index, item: callItem(call, 'in_progress') });
        out += event('response.function_call_arguments.delta', { item_id: itemId, output_index: index, delta: call.arguments });
        out += event('response.function_call_arguments.done', { item_id: itemId, output_index: index, name: call.name, arguments: call.arguments });
        out += event('response.output_item.done', { output_index: index, item: done });
      }
      return out;
    },
    end(s: StreamSummary) {
      const status = finalStatus(s.finishReason);
      const head = start(s) + closeMessage(s);
      const response = responseObject(request, s, { status, output, tokens: s.tokens });
      return head + event(status === 'completed' ? 'response.completed' : 'response.incomplete', { response });
    },
    // The Responses error event's fields, with the platform envelope under `error` (the SDKs raise it as an APIError).
    error: (error, correlationId) => {
      const envelope = errorEnvelope(error, correlationId);
      return event('error', { code: error.code, message: error.message, param: null, error: envelope.error });
    },
  };
}
