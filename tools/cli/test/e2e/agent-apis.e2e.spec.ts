import Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { eventually, uniquePrefix } from '@airlock/testing';
import { stopMesh, type MeshInfo } from '../../src/mesh';
import { aiEvents, openAi, startGatewayMesh } from './gateway-support';
import { issueToken } from './support';

// The agent APIs through the real edge — Envoy (TLS) -> ext_authz (policy) -> gateway -> dlp -> reference
// backend — with the official SDKs as the clients: the Anthropic Messages API and the OpenAI Responses API, each
// doing one round trip with a tool call. The reference backend calls the first tool offered when the prompt says
// "use the tool", and after a tool result answers with the result's length as it received it: a secret masked
// before the backend saw it is shorter than the secret (the answer scan would mask the echo again, not the length).

const TOKEN = 'ghp_R8wzQk3LmN5vT1xY7bC2dF6gH9jK0pLs4eWq';
const RESULT = `GITHUB_TOKEN=${TOKEN}`;
const MASKED_RESULT = 'GITHUB_TOKEN=[MASKED:secret.github_token]';
const toolAnswer = `Reference answer from reference-chat. The tool returned ${MASKED_RESULT.length} characters: ${MASKED_RESULT}`;

describe('agent APIs through Envoy: @anthropic-ai/sdk (Messages) and openai (Responses), with tool calls', () => {
  const name = uniquePrefix('e2e-agent');
  const tenant = `${name}-tenant`;
  let mesh: MeshInfo;
  let untrust: (() => void) | undefined;
  let developer: string;

  beforeAll(async () => {
    ({ mesh, untrust } = await startGatewayMesh(name));
    developer = await issueToken(mesh, { userId: 'alice', tenantId: tenant, projectId: 'payments', workspaceId: 'ws-alice' });
  }, 240_000);

  afterAll(async () => {
    untrust?.();
    await stopMesh(name);
  }, 60_000);

  const audited = (correlationId: string) =>
    eventually(`ai.request event ${correlationId} in the sink`, () => aiEvents(mesh, tenant).find((e) => e.correlation_id === correlationId && e.event_type === 'ai.request'));

  describe('Anthropic Messages (x-api-key, as Claude Code sends it)', () => {
    const tools: Anthropic.Tool[] = [{ name: 'read_file', description: 'reads a file', input_schema: { type: 'object', properties: { path: { type: 'string' } } } }];
    const client = () => new Anthropic({ baseURL: `https://localhost:${mesh.envoy.httpsPort}`, apiKey: developer, maxRetries: 0, timeout: 60_000 });

    it('streams a tool_use, then answers the tool_result, whose secret reached the backend masked', async () => {
      const first = await client()
        .messages.stream({ model: 'airlock-agent', max_tokens: 200, tools, messages: [{ role: 'user', content: 'please use the tool' }] }, { headers: { 'x-correlation-id': `${name}-msg-1` } })
        .finalMessage();
      expect(first).toMatchObject({ model: 'airlock-agent', stop_reason: 'tool_use' });
      const use = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')!;
      expect(use).toMatchObject({ type: 'tool_use', name: 'read_file', input: { path: 'README.md' } });

      const answer = await client().messages.create(
        {
          model: 'airlock-agent',
          max_tokens: 200,
          tools,
          messages: [
            { role: 'user', content: 'please use the tool' },
            { role: 'assistant', content: first.content },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: RESULT }] },
          ],
        },
        { headers: { 'x-correlation-id': `${name}-msg-2` } },
      );
      expect(answer.content).toEqual([{ type: 'text', text: toolAnswer }]);
      expect(JSON.stringify(answer)).not.toContain(TOKEN);
      expect(await audited(`${name}-msg-2`)).toMatchObject({ endpoint: '/v1/messages', status_code: 200, dlp_action: 'mask', user_id: 'alice' });
    });

    it('counts tokens, and refuses a model policy does not map in the Anthropic error shape', async () => {
      expect(await client().messages.countTokens({ model: 'airlock-agent', messages: [{ role: 'user', content: 'twelve chars' }] })).toEqual({ input_tokens: 3 });
      const error = await client()
        .messages.create({ model: 'claude-opus-4-1', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-correlation-id': `${name}-msg-404` } })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Anthropic.NotFoundError);
      expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: 'error', error: { type: 'not_found_error', code: 'model_not_allowed', correlation_id: `${name}-msg-404` } });
    });

    it('is refused at the edge without a key', async () => {
      const anonymous = new Anthropic({ baseURL: `https://localhost:${mesh.envoy.httpsPort}`, apiKey: 'not-a-token', maxRetries: 0 });
      await expect(anonymous.messages.create({ model: 'airlock-agent', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    });
  });

  describe('OpenAI Responses (bearer token, as Codex CLI sends it)', () => {
    const tools: OpenAI.Responses.FunctionTool[] = [{ type: 'function', name: 'read_file', description: 'reads a file', parameters: { type: 'object', properties: { path: { type: 'string' } } }, strict: false }];

    it('streams a function call, then answers its output, whose secret reached the backend masked', async () => {
      const sdk = openAi(mesh, developer);
      const stream = await sdk.responses.create({ model: 'airlock-agent', stream: true, tools, input: 'please use the tool' }, { headers: { 'x-correlation-id': `${name}-resp-1` } });
      let args = '';
      let completed: OpenAI.Responses.Response | undefined;
      for await (const event of stream) {
        if (event.type === 'response.function_call_arguments.delta') args += event.delta;
        if (event.type === 'response.completed') completed = event.response;
      }
      expect(args).toBe('{"path":"README.md"}');
      const call = completed!.output.find((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call')!;
      expect(call).toMatchObject({ name: 'read_file', arguments: '{"path":"README.md"}' });

      const answer = await sdk.responses.create(
        {
          model: 'airlock-agent',
          tools,
          input: [
            { role: 'user', content: 'please use the tool' },
            { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
            { type: 'function_call_output', call_id: call.call_id, output: RESULT },
          ],
        },
        { headers: { 'x-correlation-id': `${name}-resp-2` } },
      );
      expect(answer.output_text).toBe(toolAnswer);
      expect(answer.model).toBe('airlock-agent');
      expect(await audited(`${name}-resp-2`)).toMatchObject({ endpoint: '/v1/responses', status_code: 200, dlp_action: 'mask', user_id: 'alice' });
    });
  });

  it('embeddings: the vectors of the reference backend under the client alias, audited', async () => {
    const result = await openAi(mesh, developer).embeddings.create({ model: 'airlock-embed', input: ['a', 'b'] }, { headers: { 'x-correlation-id': `${name}-embed` } });
    expect(result.model).toBe('airlock-embed');
    expect(result.data.map((d) => d.embedding.length)).toEqual([16, 16]);
    expect(await audited(`${name}-embed`)).toMatchObject({ endpoint: '/v1/embeddings', status_code: 200 });
  });
});
