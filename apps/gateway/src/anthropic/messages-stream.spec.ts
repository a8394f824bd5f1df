import { AppError, GrpcStatus } from '@airlock/runtime';
import type { ReplyContext } from '../exchange/exchange-spec';
import { parseStreamChunk } from '../exchange/stream-chunks';
import { toAnthropicMessage } from './messages-answer';
import { anthropicRenderer } from './messages-stream';

const ctx: ReplyContext = { correlationId: '0b1c-2d', clientModel: 'airlock-agent', dlpAction: 'allow', source: 'backend' };
const chunk = parseStreamChunk('{"id":"x","choices":[{"index":0,"delta":{"content":"hi"}}]}');

/** The events of a rendered stream as [event, data] pairs. */
function events(sse: string): [string, unknown][] {
  return sse
    .split('\n\n')
    .filter(Boolean)
    .map((frame) => {
      const [event, data] = frame.split('\n');
      return [event.slice('event: '.length), JSON.parse(data.slice('data: '.length))];
    });
}

describe('anthropicRenderer', () => {
  it('frames text, then a tool call, then the end: the golden event sequence', () => {
    const r = anthropicRenderer(7);
    const sse =
      r.chunk(parseStreamChunk('{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}'), '', ctx) +
      r.chunk(chunk, 'Let me ', ctx) +
      r.chunk(chunk, 'look.', ctx) +
      r.toolCalls([{ index: 0, id: 'call_1', name: 'read_file', arguments: '{"path":"a"}' }], chunk, ctx) +
      r.chunk(parseStreamChunk('{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}'), '', ctx) +
      r.end({ ...ctx, tokens: { prompt: 5, completion: 9 }, finishReason: 'tool_calls', usageReported: true });
    expect(events(sse)).toEqual([
      [
        'message_start',
        {
          type: 'message_start',
          message: { id: 'msg_0b1c2d', type: 'message', role: 'assistant', model: 'airlock-agent', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 7, output_tokens: 0 } },
        },
      ],
      ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Let me ' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'look.' } }],
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      ['content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_1', name: 'read_file', input: {} } }],
      ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"path":"a"}' } }],
      ['content_block_stop', { type: 'content_block_stop', index: 1 }],
      ['message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { input_tokens: 5, output_tokens: 9 } }],
      ['message_stop', { type: 'message_stop' }],
    ]);
  });

  it('closes an open text block at the end and maps length to max_tokens', () => {
    const r = anthropicRenderer(1);
    const names = events(r.chunk(chunk, 'hi', ctx) + r.end({ ...ctx, tokens: { prompt: 1, completion: 1 }, finishReason: 'length', usageReported: true })).map(([e]) => e);
    expect(names).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
  });

  it('ends a failed stream with an error event in the Anthropic shape, keeping the platform fields', () => {
    const error = new AppError('backend_stream_failed', 'model backend chat failed mid-answer (reset)', { httpStatus: 502, grpcStatus: GrpcStatus.UNAVAILABLE, retryable: true });
    expect(events(anthropicRenderer(0).error(error, 'c-1'))).toEqual([
      [
        'error',
        {
          type: 'error',
          error: { type: 'api_error', code: 'backend_stream_failed', message: 'model backend chat failed mid-answer (reset)', correlation_id: 'c-1', retryable: true },
        },
      ],
    ]);
  });
});

describe('toAnthropicMessage', () => {
  it('renders text and tool_use blocks, the stop reason and the usage', () => {
    const message = toAnthropicMessage(
      {
        id: 'chatcmpl-1',
        choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: 'Reading.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"a"}' } }] } }],
        usage: { prompt_tokens: 3, completion_tokens: 4 },
      },
      ctx,
    );
    expect(message).toEqual({
      id: 'msg_0b1c2d',
      type: 'message',
      role: 'assistant',
      model: 'airlock-agent',
      content: [
        { type: 'text', text: 'Reading.' },
        { type: 'tool_use', id: 'call_1', name: 'read_file', input: { path: 'a' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 3, output_tokens: 4 },
    });
  });

  it('gives a call whose arguments are not a JSON object an empty input', () => {
    const message = toAnthropicMessage({ choices: [{ message: { content: null, tool_calls: [{ id: 'c', function: { name: 'f', arguments: '{broken' } }] }, finish_reason: 'stop' }] }, ctx);
    expect(message.content).toEqual([{ type: 'tool_use', id: 'c', name: 'f', input: {} }]);
    expect(message.stop_reason).toBe('end_turn');
  });
});
