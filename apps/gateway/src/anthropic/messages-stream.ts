import type { ReplyContext, StreamRenderer, StreamSummary } from '../exchange/exchange-spec';
import type { ToolCall } from '../exchange/tool-calls';
import { sseEvent } from '../upstream/sse';
import { anthropicError } from './anthropic-errors';
import { messageId, stopReason } from './messages-answer';

/**
 * Anthropic's streaming events for one answer: `message_start`, then per content block `content_block_start`,
 * its deltas (`text_delta`, or one `input_json_delta` with a call's whole scanned arguments) and
 * `content_block_stop`, then `message_delta` (stop reason, usage) and `message_stop`. A failure after the start
 * is an `error` event. One renderer per request: it remembers which block is open.
 */
export function anthropicRenderer(promptTokenEstimate: number): StreamRenderer {
  let started = false;
  let next = 0;
  /** The index of the open text block, if one is open. */
  let text: number | undefined;

  const start = (ctx: ReplyContext): string => {
    if (started) return '';
    started = true;
    const message = { id: messageId(ctx.correlationId), type: 'message', role: 'assistant', model: ctx.clientModel, content: [], stop_reason: null, stop_sequence: null };
    return sseEvent('message_start', { type: 'message_start', message: { ...message, usage: { input_tokens: promptTokenEstimate, output_tokens: 0 } } });
  };
  const closeText = (): string => {
    if (text === undefined) return '';
    const frame = sseEvent('content_block_stop', { type: 'content_block_stop', index: text });
    text = undefined;
    return frame;
  };

  return {
    chunk(_chunk, safe, ctx) {
      let out = start(ctx);
      if (!safe) return out;
      if (text === undefined) {
        text = next++;
        out += sseEvent('content_block_start', { type: 'content_block_start', index: text, content_block: { type: 'text', text: '' } });
      }
      return out + sseEvent('content_block_delta', { type: 'content_block_delta', index: text, delta: { type: 'text_delta', text: safe } });
    },
    toolCalls(calls: ToolCall[], _template, ctx) {
      let out = start(ctx) + closeText();
      for (const call of calls) {
        const index = next++;
        out += sseEvent('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } });
        out += sseEvent('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: call.arguments } });
        out += sseEvent('content_block_stop', { type: 'content_block_stop', index });
      }
      return out;
    },
    end(s: StreamSummary) {
      return (
        start(s) +
        closeText() +
        sseEvent('message_delta', {
          type: 'message_delta',
          delta: { stop_reason: stopReason(s.finishReason), stop_sequence: null },
          usage: { input_tokens: s.tokens.prompt, output_tokens: s.tokens.completion },
        }) +
        sseEvent('message_stop', { type: 'message_stop' })
      );
    },
    error: (error, correlationId) => sseEvent('error', anthropicError(error, correlationId)),
  };
}
