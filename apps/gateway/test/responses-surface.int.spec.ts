import OpenAI from 'openai';
import { eventually } from '@airlock/testing';
import { type GatewayMesh, startGatewayMesh } from './harness';

jest.setTimeout(120_000);

// The reference backend calls the first tool offered when the prompt says "use the tool" (see its README).
const tools: OpenAI.Responses.FunctionTool[] = [{ type: 'function', name: 'read_file', description: 'reads a file', parameters: { type: 'object', properties: { path: { type: 'string' } } }, strict: false }];
const TOKEN = 'ghp_R8wzQk3LmN5vT1xY7bC2dF6gH9jK0pLs4eWq';
const MASKED = '[MASKED:secret.github_token]';

describe('gateway: OpenAI Responses surface (official openai SDK)', () => {
  let mesh: GatewayMesh<'chat'>;
  const client = (extra: Record<string, string> = {}) => mesh.openai('chat/reference-chat', { 'x-airlock-model-aliases': 'codex-agent=chat/reference-chat', ...extra });

  beforeAll(async () => {
    mesh = await startGatewayMesh({ references: { chat: {} }, backends: ({ chat }) => ({ chat: { protocol: 'openai', baseUrl: chat } }), env: { GATEWAY_TRUST_ALIAS_HEADER: 'true' } });
  });

  afterAll(() => mesh?.close());

  it('answers with output_text, Responses usage and an audit event', async () => {
    const id = mesh.nextId();
    const response = await client({ 'x-correlation-id': id }).responses.create({ model: 'codex-agent', instructions: 'be brief', input: 'hello there' });
    expect(response.output_text).toBe('Reference answer from reference-chat. You said: hello there');
    expect(response).toMatchObject({ object: 'response', status: 'completed', model: 'codex-agent', usage: { input_tokens: 4, output_tokens: 8, total_tokens: 12 } });
    expect((mesh.references.chat.lastBody as any).messages).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hello there' },
    ]);
    expect(await eventually('audit', () => mesh.events.audit(id))).toMatchObject({ endpoint: '/v1/responses', action: 'chat', statusCode: 200, outcome: 'success' });
  });

  it('streams a function call, then masks the secret in its output before the backend sees it', async () => {
    const stream = await client().responses.create({ model: 'codex-agent', stream: true, tools, input: [{ role: 'user', content: 'please use the tool' }] });
    const types: string[] = [];
    let args = '';
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.function_call_arguments.delta') args += event.delta;
      if (event.type === 'response.completed') completed = event.response;
    }
    expect(types[0]).toBe('response.created');
    expect(types).toContain('response.function_call_arguments.delta');
    expect(types.at(-1)).toBe('response.completed');
    expect(args).toBe('{"path":"README.md"}');
    const call = completed!.output.find((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call')!;
    expect(call).toMatchObject({ name: 'read_file', arguments: '{"path":"README.md"}' });

    const answer = await client().responses.create({
      model: 'codex-agent',
      tools,
      input: [
        { role: 'user', content: 'please use the tool' },
        { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
        { type: 'function_call_output', call_id: call.call_id, output: `GITHUB_TOKEN=${TOKEN}` },
      ],
    });
    expect((mesh.references.chat.lastBody as any).messages.at(-1)).toEqual({ role: 'tool', tool_call_id: call.call_id, content: `GITHUB_TOKEN=${MASKED}` });
    expect(answer.output_text).toBe(`Reference answer from reference-chat. The tool returned ${`GITHUB_TOKEN=${MASKED}`.length} characters: GITHUB_TOKEN=${MASKED}`);
  });

  it('refuses previous_response_id with 400 previous_response_unsupported, before any backend is called', async () => {
    const before = mesh.references.chat.requests;
    const error = await client()
      .responses.create({ model: 'codex-agent', input: 'more', previous_response_id: 'resp_1' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('previous_response_unsupported');
    expect(mesh.references.chat.requests).toBe(before);
  });
});
