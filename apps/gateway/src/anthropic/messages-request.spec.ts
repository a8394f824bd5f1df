import { parseMessages, toOpenAiChat } from './messages-request';

const translate = (body: Record<string, unknown>) => toOpenAiChat(parseMessages({ model: 'airlock-agent', max_tokens: 64, ...body }));

describe('Anthropic Messages request → OpenAI chat', () => {
  it('translates system, text, tool_use and tool_result turns, tools and tool_choice', () => {
    const out = translate({
      system: [{ type: 'text', text: 'be brief' }, { type: 'text', text: 'be right', cache_control: { type: 'ephemeral' } }],
      stream: true,
      stop_sequences: ['END'],
      temperature: 0.2,
      tools: [{ name: 'read_file', description: 'reads', input_schema: { type: 'object', properties: { path: { type: 'string' } } } }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      metadata: { user_id: 'u' },
      messages: [
        { role: 'user', content: 'read the readme' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 's' },
            { type: 'text', text: 'Reading.' },
            { type: 'tool_use', id: 'toolu_1', name: 'read_file', input: { path: 'README.md' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'line 1' }, { type: 'text', text: 'line 2' }] },
            { type: 'text', text: 'summarise' },
          ],
        },
      ],
    });
    expect(out).toEqual({
      model: 'airlock-agent',
      max_tokens: 64,
      stream: true,
      temperature: 0.2,
      stop: ['END'],
      messages: [
        { role: 'system', content: 'be brief\nbe right' },
        { role: 'user', content: 'read the readme' },
        { role: 'assistant', content: 'Reading.', tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"README.md"}' } }] },
        { role: 'tool', tool_call_id: 'toolu_1', content: 'line 1\nline 2' },
        { role: 'user', content: 'summarise' },
      ],
      tools: [{ type: 'function', function: { name: 'read_file', description: 'reads', parameters: { type: 'object', properties: { path: { type: 'string' } } } } }],
      tool_choice: 'required',
      parallel_tool_calls: false,
    });
  });

  it('keeps a call-only assistant turn content null and a lone tool result without an empty user message', () => {
    const out = translate({
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'ok' }] },
      ],
      tool_choice: { type: 'tool', name: 'f' },
    });
    expect(out.messages).toEqual([
      { role: 'user', content: 'go' },
      { role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 't', content: 'ok' },
    ]);
    expect(out.tool_choice).toEqual({ type: 'function', function: { name: 'f' } });
  });

  it('keeps a system turn (Claude Code sends its environment notes as one after the user turn) as a system message in place', () => {
    const out = translate({ messages: [{ role: 'user', content: [{ type: 'text', text: 'write it' }] }, { role: 'system', content: [{ type: 'text', text: 'cwd: /src' }, { type: 'text', text: 'git: clean' }] }] });
    expect(out.messages).toEqual([
      { role: 'user', content: 'write it' },
      { role: 'system', content: 'cwd: /src\ngit: clean' },
    ]);
  });

  it('passes images as image_url parts', () => {
    const out = translate({ messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } }] }] });
    expect(out.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'what is this' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] }]);
  });

  it.each([
    [{ messages: [] }, 'messages must be a non-empty array'],
    [{ messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].role must be user, assistant or system'],
    [{ messages: [{ role: 'system', content: [{ type: 'image', source: {} }] }] }, 'messages[0].content[0] must be a text block'],
    [{ messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] }, 'content blocks of type document are not supported'],
    [{ messages: [{ role: 'user', content: 'x' }], tools: [{ name: 'web_search', type: 'web_search_20250305' }] }, 'server tools (type web_search_20250305)'],
    [{ messages: [{ role: 'assistant', content: [{ type: 'tool_result', tool_use_id: 't' }] }] }, "must be a user's tool_result"],
  ])('refuses %j with invalid_request', (body, message) => {
    expect(() => translate(body)).toThrow(message);
  });

  it('requires model and max_tokens', () => {
    expect(() => toOpenAiChat(parseMessages({ messages: [{ role: 'user', content: 'x' }] }))).toThrow(/model must be a string; max_tokens must be a number/);
  });
});
