import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { eventually, uniquePrefix } from '@airlock/testing';
import { type MeshInfo } from '../../src/mesh';
import { aider, claudeCode, cline, codex, continueCli, countingSink, diffHashOnDisk, opencode, pythonSdk, type ClientRun, type CountingSink, type Ran } from './agent-clients';
import { aiEvents, openAi, sharedGatewayMesh } from './gateway-support';
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
    ({ mesh, untrust } = await sharedGatewayMesh(name));
    developer = await issueToken(mesh, { userId: 'alice', tenantId: tenant, projectId: 'payments', workspaceId: 'ws-alice' });
  }, 240_000);

  afterAll(async () => {
    untrust?.();
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

  /**
   * The real agents, unmodified (agent-clients.ts), each asked to "write the file": the reference backend answers
   * with that agent's own file-writing tool call (aider: its SEARCH/REPLACE text), the agent writes
   * src/hello.ts, sends the result back and gets the answer that ends its turn. Each runs as a tenant of its own.
   */
  describe('real agent clients: one round trip with a file-writing tool call each, nothing but the edge contacted', () => {
    const PROMPT = 'please write the file';
    const FILE = 'src/hello.ts';
    const CONTENT = "export const hello = 'airlock';\n";
    let sink: CountingSink;
    let scratch: string;

    beforeAll(async () => {
      sink = await countingSink();
      scratch = mkdtempSync(path.join(os.tmpdir(), `${name}-agents-`));
    });
    afterAll(() => sink?.close());

    async function clientRun(label: string): Promise<ClientRun & { attemptsBefore: number }> {
      const tenantId = `${name}-${label}`;
      const cwd = path.join(scratch, label, 'project');
      const home = path.join(scratch, label, 'home');
      mkdirSync(cwd, { recursive: true });
      mkdirSync(home, { recursive: true });
      const token = await issueToken(mesh, { userId: 'alice', tenantId, projectId: 'payments', workspaceId: 'ws-alice' });
      return { edge: `https://localhost:${mesh.envoy.httpsPort}`, token, caBundle: mesh.caBundle, cwd, home, sink, tenantId, attemptsBefore: sink.attempts().length };
    }

    /** The file on disk, the audit event of the answer that wrote it (files and hash as an auditor recomputes them), and no connection past the edge. */
    async function expectWritten(run: ClientRun & { attemptsBefore: number }, ran: Ran, endpoint: string, op: 'write' | 'edit' = 'write'): Promise<void> {
      expect({ code: ran.code, stderr: ran.code === 0 ? '' : `${ran.stderr.slice(-3000)}\n${ran.stdout.slice(-2000)}` }).toEqual({ code: 0, stderr: '' });
      expect(readFileSync(path.join(run.cwd, FILE), 'utf8')).toBe(CONTENT);
      const event = await eventually(`the ${endpoint} event that wrote ${FILE}`, () => aiEvents(mesh, run.tenantId).find((e) => e.event_type === 'ai.request' && e.changed_files?.length > 0));
      expect(event).toMatchObject({ endpoint, status_code: 200, user_id: 'alice', changed_files: [FILE], diff_hash: diffHashOnDisk(run.cwd, FILE, op) });
      expect(sink.attempts().slice(run.attemptsBefore)).toEqual([]);
    }

    const TOOL_ANSWER = 'Reference answer from reference-chat. The tool returned';

    it('Claude Code (claude -p, Messages API)', async () => {
      const run = await clientRun('claude-code');
      const ran = await claudeCode(run, PROMPT);
      await expectWritten(run, ran, '/v1/messages');
      expect(JSON.parse(ran.stdout)).toMatchObject({ is_error: false, result: expect.stringContaining(TOOL_ANSWER) });
    }, 600_000);

    it('Codex CLI (codex exec, Responses API)', async () => {
      const run = await clientRun('codex');
      const ran = await codex(run, PROMPT);
      await expectWritten(run, ran, '/v1/responses');
      expect(ran.stdout).toContain(TOOL_ANSWER);
    }, 600_000);

    it('opencode (opencode run, chat completions, the workspace-rendered opencode.json)', async () => {
      const run = await clientRun('opencode');
      const ran = await opencode(run, PROMPT);
      await expectWritten(run, ran, '/v1/chat/completions');
      expect(ran.stdout).toContain(TOOL_ANSWER);
    }, 600_000);

    it('Continue cn (cn -p --auto, chat completions, the workspace-rendered config.yaml)', async () => {
      const run = await clientRun('continue');
      const ran = await continueCli(run, PROMPT);
      await expectWritten(run, ran, '/v1/chat/completions');
      expect(ran.stdout).toContain(TOOL_ANSWER);
    }, 600_000);

    it('cline (cline --json, chat completions)', async () => {
      const run = await clientRun('cline');
      const ran = await cline(run, PROMPT);
      await expectWritten(run, ran, '/v1/chat/completions');
      expect(ran.stdout).toContain(TOOL_ANSWER);
    }, 600_000);

    it.each(['openai', 'anthropic'] as const)('the %s Python SDK', async (sdk) => {
      const run = await clientRun(`python-${sdk}`);
      const ran = await pythonSdk(run, sdk, `${name}-python-${sdk}`);
      await expectWritten(run, ran, sdk === 'openai' ? '/v1/chat/completions' : '/v1/messages');
      expect(JSON.parse(ran.stdout)).toEqual({ answer: expect.stringContaining(TOOL_ANSWER), path: FILE });
    }, 1_500_000);

    it('aider (diff edit format: SEARCH/REPLACE blocks in its answer text, chat completions)', async () => {
      const run = await clientRun('aider');
      const ran = await aider(run, PROMPT);
      await expectWritten(run, ran, '/v1/chat/completions', 'edit');
      expect(ran.stdout).toContain(`Applied edit to ${FILE}`);
    }, 1_500_000);
  });

  it('embeddings: the vectors of the reference backend under the client alias, audited', async () => {
    const result = await openAi(mesh, developer).embeddings.create({ model: 'airlock-embed', input: ['a', 'b'] }, { headers: { 'x-correlation-id': `${name}-embed` } });
    expect(result.model).toBe('airlock-embed');
    expect(result.data.map((d) => d.embedding.length)).toEqual([16, 16]);
    expect(await audited(`${name}-embed`)).toMatchObject({ endpoint: '/v1/embeddings', status_code: 200 });
  });
});
