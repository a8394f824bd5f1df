import { AppError, GrpcStatus } from '@airlock/runtime';
import type { ReplyContext } from '../exchange/exchange-spec';
import { parseStreamChunk } from '../exchange/stream-chunks';
import { toResponse } from './responses-answer';
import { parseResponses } from './responses-request';
import { responsesRenderer } from './responses-stream';

const ctx: ReplyContext = { correlationId: 'ab-cd', clientModel: 'airlock-agent', dlpAction: 'allow', source: 'backend' };
const chunk = parseStreamChunk('{"id":"x","choices":[{"index":0,"delta":{"content":"hi"}}]}');
const request = parseResponses({ model: 'airlock-agent', input: 'hi', stream: true });
const call = { index: 0, id: 'call_1', name: 'read_file', arguments: '{"path":"a"}' };

function events(sse: string): { event: string; data: any }[] {
  return sse
    .split('\n\n')
    .filter(Boolean)
    .map((frame) => {
      const [event, data] = frame.split('\n');
      return { event: event.slice('event: '.length), data: JSON.parse(data.slice('data: '.length)) };
    });
}

describe('responsesRenderer', () => {
  it('frames text, then a function call, then the completed response: the golden event sequence', () => {
    const r = responsesRenderer(request);
    const sse =
      r.chunk(chunk, '', ctx) +
      r.chunk(chunk, 'Let me ', ctx) +
      r.chunk(chunk, 'look.', ctx) +
      r.toolCalls([call], chunk, ctx) +
      r.end({ ...ctx, tokens: { prompt: 5, completion: 9 }, finishReason: 'tool_calls', usageReported: true });
    const all = events(sse);
    expect(all.map((e) => e.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(all.every((e, i) => e.data.type === e.event && e.data.sequence_number === i)).toBe(true);
    expect(all[0].data.response).toMatchObject({ id: 'resp_abcd', object: 'response', status: 'in_progress', model: 'airlock-agent', output: [], store: false });
    expect(all[4].data).toMatchObject({ item_id: 'msg_abcd', output_index: 0, content_index: 0, delta: 'Let me ' });
    expect(all[6].data).toMatchObject({ text: 'Let me look.' });
    expect(all[10].data).toMatchObject({ item_id: 'fc_call_1', output_index: 1, delta: '{"path":"a"}' });
    expect(all[13].data.response).toMatchObject({
      status: 'completed',
      output: [
        { type: 'message', id: 'msg_abcd', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Let me look.', annotations: [] }] },
        { type: 'function_call', id: 'fc_call_1', call_id: 'call_1', name: 'read_file', arguments: '{"path":"a"}', status: 'completed' },
      ],
      usage: { input_tokens: 5, output_tokens: 9, total_tokens: 14 },
    });
  });

  it('ends an answer cut by the output cap as response.incomplete', () => {
    const r = responsesRenderer(request);
    const all = events(r.chunk(chunk, 'a', ctx) + r.end({ ...ctx, tokens: { prompt: 1, completion: 1 }, finishReason: 'length', usageReported: true }));
    expect(all.at(-1)).toMatchObject({ event: 'response.incomplete', data: { response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } } });
  });

  it('ends a failed stream with an error event carrying the platform envelope', () => {
    const error = new AppError('dlp_blocked_output', 'answer withheld', { httpStatus: 422, grpcStatus: GrpcStatus.PERMISSION_DENIED });
    expect(events(responsesRenderer(request).error(error, 'c-1'))).toEqual([
      {
        event: 'error',
        data: {
          type: 'error',
          sequence_number: 0,
          code: 'dlp_blocked_output',
          message: 'answer withheld',
          param: null,
          error: { code: 'dlp_blocked_output', message: 'answer withheld', correlation_id: 'c-1', retryable: false },
        },
      },
    ]);
  });
});

describe('toResponse', () => {
  it('renders the text and the scanned calls as output items, with usage', () => {
    const completion = { choices: [{ finish_reason: 'tool_calls', message: { content: 'Reading.' } }], usage: { prompt_tokens: 2, completion_tokens: 3 } };
    expect(toResponse(completion, [call], request, ctx)).toMatchObject({
      id: 'resp_abcd',
      status: 'completed',
      output: [
        { type: 'message', content: [{ type: 'output_text', text: 'Reading.' }] },
        { type: 'function_call', call_id: 'call_1', arguments: '{"path":"a"}' },
      ],
      usage: { input_tokens: 2, output_tokens: 3, total_tokens: 5 },
    });
  });
});
