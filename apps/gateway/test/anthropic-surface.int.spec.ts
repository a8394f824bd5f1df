import Anthropic from '@anthropic-ai/sdk';
import { eventually } from '@airlock/testing';
import { type GatewayMesh, edgeHeaders, startGatewayMesh } from './harness';

jest.setTimeout(120_000);

// The reference backend calls the first tool offered when the prompt says "use the tool" (see its README).
const tools: Anthropic.Tool[] = [{ name: 'read_file', description: 'reads a file', input_schema: { type: 'object', properties: { path: { type: 'string' } } } }];
const TOKEN = 'ghp_R8wzQk3LmN5vT1xY7bC2dF6gH9jK0pLs4eWq';
const MASKED = '[MASKED:secret.github_token]';
const ALIASES = { 'x-airlock-model-aliases': 'claude-agent=chat/reference-chat' };

describe('gateway: Anthropic Messages surface (official @anthropic-ai/sdk)', () => {
  let mesh: GatewayMesh<'chat'>;
  const client = (extra: Record<string, string> = {}) =>
    new Anthropic({ baseURL: mesh.base, apiKey: 'set-by-the-edge', maxRetries: 0, defaultHeaders: edgeHeaders('chat/reference-chat', { ...ALIASES, ...extra }) });

  beforeAll(async () => {
    mesh = await startGatewayMesh({
      references: { chat: {} },
      backends: ({ chat }) => ({ chat: { protocol: 'openai', baseUrl: chat } }),
      env: { GATEWAY_TRUST_ALIAS_HEADER: 'true' },
    });
  });

  afterAll(() => mesh?.close());

  it('answers a message with the alias as model, Anthropic usage, and an audit event', async () => {
    const id = mesh.nextId();
    const message = await client({ 'x-correlation-id': id }).messages.create({ model: 'claude-agent', max_tokens: 100, system: 'be brief', messages: [{ role: 'user', content: 'hello there' }] });
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-agent',
      content: [{ type: 'text', text: 'Reference answer from reference-chat. You said: hello there' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 4, output_tokens: 8 },
    });
    expect((mesh.references.chat.lastBody as any).messages).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hello there' },
    ]);
    expect(await eventually('audit', () => mesh.events.audit(id))).toMatchObject({ endpoint: '/v1/messages', action: 'chat', statusCode: 200, outcome: 'success' });
  });

  it('streams a tool call, then masks the secret in its tool result before the backend sees it', async () => {
    const api = client();
    const stream = api.messages.stream({ model: 'claude-agent', max_tokens: 100, tools, messages: [{ role: 'user', content: 'please use the tool' }] });
    const types: string[] = [];
    stream.on('streamEvent', (e) => types.push(e.type));
    const first = await stream.finalMessage();
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    expect(use).toMatchObject({ name: 'read_file', input: { path: 'README.md' } });

    const answer = await api.messages.create({
      model: 'claude-agent',
      max_tokens: 100,
      tools,
      messages: [
        { role: 'user', content: 'please use the tool' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use!.id, content: `GITHUB_TOKEN=${TOKEN}` }] },
      ],
    });
    const received = (mesh.references.chat.lastBody as any).messages;
    expect(received.at(-1)).toEqual({ role: 'tool', tool_call_id: use!.id, content: `GITHUB_TOKEN=${MASKED}` });
    expect(received[1].tool_calls[0]).toMatchObject({ id: use!.id, function: { name: 'read_file', arguments: '{"path":"README.md"}' } });
    expect(answer.content).toEqual([{ type: 'text', text: `Reference answer from reference-chat. The tool returned ${`GITHUB_TOKEN=${MASKED}`.length} characters: GITHUB_TOKEN=${MASKED}` }]);
  });

  it('refuses a model policy does not map with a not_found_error that keeps the correlation id', async () => {
    const id = mesh.nextId();
    const error = await client({ 'x-correlation-id': id })
      .messages.create({ model: 'claude-opus-4-1', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toEqual({
      type: 'error',
      error: { type: 'not_found_error', code: 'model_not_allowed', message: expect.stringContaining('claude-opus-4-1'), correlation_id: id, retryable: false },
    });
  });

  it('counts tokens by the gateway estimate, for a model policy maps', async () => {
    const counted = await client().messages.countTokens({ model: 'claude-agent', messages: [{ role: 'user', content: 'twelve chars' }] });
    expect(counted).toEqual({ input_tokens: 3 });
    await expect(client().messages.countTokens({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(Anthropic.NotFoundError);
  });
});
