import { parseResponses, toOpenAiChat } from './responses-request';

const translate = (body: Record<string, unknown>) => toOpenAiChat(parseResponses({ model: 'airlock-agent', ...body }));

describe('Responses request → OpenAI chat', () => {
  it('reads a string input with instructions as system and user', () => {
    expect(translate({ input: 'hi', instructions: 'be brief', max_output_tokens: 50, stream: true })).toEqual({
      model: 'airlock-agent',
      stream: true,
      max_tokens: 50,
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi' },
      ],
    });
  });

  it('translates message, function_call and function_call_output items, function tools and tool_choice', () => {
    const out = translate({
      input: [
        { role: 'developer', content: 'you edit code' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'fix it' }] },
        { type: 'reasoning', id: 'rs_1', summary: [] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Looking.' }] },
        { type: 'function_call', call_id: 'call_1', name: 'read_file', arguments: '{"path":"a"}' },
        { type: 'function_call', call_id: 'call_2', name: 'read_file', arguments: '{"path":"b"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'A' },
        { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: 'B' }] },
      ],
      tools: [{ type: 'function', name: 'read_file', description: 'reads', parameters: { type: 'object' }, strict: false }],
      tool_choice: { type: 'function', name: 'read_file' },
      parallel_tool_calls: false,
    });
    expect(out.messages).toEqual([
      { role: 'system', content: 'you edit code' },
      { role: 'user', content: 'fix it' },
      {
        role: 'assistant',
        content: 'Looking.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"a"}' } },
          { id: 'call_2', type: 'function', function: { name: 'read_file', arguments: '{"path":"b"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'A' },
      { role: 'tool', tool_call_id: 'call_2', content: 'B' },
    ]);
    expect(out.tools).toEqual([{ type: 'function', function: { name: 'read_file', description: 'reads', parameters: { type: 'object' }, strict: false } }]);
    expect(out.tool_choice).toEqual({ type: 'function', function: { name: 'read_file' } });
    expect(out.parallel_tool_calls).toBe(false);
  });

  it('refuses previous_response_id with its own code: nothing is stored to continue', () => {
    expect(() => translate({ input: 'more', previous_response_id: 'resp_1' })).toThrow(expect.objectContaining({ code: 'previous_response_unsupported', httpStatus: 400 }));
  });

  it.each([
    [{ input: [{ type: 'web_search_call', id: 'ws_1' }] }, 'input items of type web_search_call are not supported'],
    [{ input: 'x', tools: [{ type: 'web_search' }] }, 'only function tools are available through this gateway (not web_search)'],
    [{ input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] }, 'content parts of type input_file are not supported'],
    [{ input: [] }, 'input must hold at least one message'],
    [{ input: 42 }, 'input must be a string or an array of input items'],
  ])('refuses %j with invalid_request', (body, message) => {
    expect(() => translate(body)).toThrow(message);
  });
});
