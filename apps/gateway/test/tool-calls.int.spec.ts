import type OpenAI from 'openai';
import { type GatewayMesh, startGatewayMesh } from './harness';

jest.setTimeout(120_000);

// The reference backend calls the first tool offered when the prompt says "use the tool" (see its README).
const tools: OpenAI.Chat.ChatCompletionTool[] = [{ type: 'function', function: { name: 'read_file', parameters: { type: 'object', properties: { path: { type: 'string' } } } } }];
const TOKEN = 'ghp_R8wzQk3LmN5vT1xY7bC2dF6gH9jK0pLs4eWq';
const MASKED = '[MASKED:secret.github_token]';

describe('gateway: tool calls through chat/completions (official openai SDK, real DLP)', () => {
  let mesh: GatewayMesh<'chat'>;

  beforeAll(async () => {
    mesh = await startGatewayMesh({ references: { chat: {} }, backends: ({ chat }) => ({ chat: { protocol: 'openai', baseUrl: chat } }) });
  });

  afterAll(() => mesh?.close());

  afterEach(() => {
    mesh.references.chat.options.cannedToolArguments = undefined;
  });

  it('streams the call the model makes, whole, with finish_reason tool_calls, and passes the tools on', async () => {
    const stream = await mesh.openai('chat/reference-chat').chat.completions.create({ model: 'reference-chat', stream: true, tools, messages: [{ role: 'user', content: 'please use the tool' }] });
    const calls: OpenAI.Chat.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      calls.push(...(chunk.choices[0]?.delta?.tool_calls ?? []));
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(calls).toEqual([{ index: 0, id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'read_file', arguments: '{"path":"README.md"}' } }]);
    expect(finish).toBe('tool_calls');
    expect((mesh.references.chat.lastBody as any).tools).toEqual(tools);
  });

  it('masks a secret in a tool result before the backend sees it', async () => {
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'please use the tool' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":".env"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: `GITHUB_TOKEN=${TOKEN}` },
    ];
    const answer = await mesh.openai('chat/reference-chat').chat.completions.create({ model: 'reference-chat', tools, messages });
    const received = (mesh.references.chat.lastBody as any).messages;
    expect(received[2]).toEqual({ role: 'tool', tool_call_id: 'call_1', content: `GITHUB_TOKEN=${MASKED}` });
    expect(received[1].tool_calls[0].function.arguments).toBe('{"path":".env"}');
    expect(answer.choices[0].message.content).toBe(`Reference answer from reference-chat. The tool returned ${`GITHUB_TOKEN=${MASKED}`.length} characters: GITHUB_TOKEN=${MASKED}`);
  });

  it('masks a secret in the arguments the model emits, streamed and whole', async () => {
    mesh.references.chat.options.cannedToolArguments = JSON.stringify({ token: TOKEN });
    const whole = await mesh.openai('chat/reference-chat').chat.completions.create({ model: 'reference-chat', tools, messages: [{ role: 'user', content: 'use the tool' }] });
    expect(whole.choices[0].message.tool_calls?.[0]).toMatchObject({ function: { name: 'read_file', arguments: `{"token":"${MASKED}"}` } });
    expect(whole.choices[0].message.content).toBeNull();

    const stream = await mesh.openai('chat/reference-chat').chat.completions.create({ model: 'reference-chat', stream: true, tools, messages: [{ role: 'user', content: 'use the tool' }] });
    let args = '';
    for await (const chunk of stream) args += chunk.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? '';
    expect(args).toBe(`{"token":"${MASKED}"}`);
  });
});
