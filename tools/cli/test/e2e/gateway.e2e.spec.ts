import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI, { NotFoundError } from 'openai';
import { eventually, uniquePrefix } from '@airlock/testing';
import { type MeshInfo } from '../../src/mesh';
import { aiEvents, continueCliEntry, opencodeBinary, openAi, renderWorkspaceClientConfigs, sseFrames, sharedGatewayMesh } from './gateway-support';
import { edgeCaller, issueToken } from './support';

// The AI gateway's client-facing surfaces through the real edge: Envoy (TLS) -> ext_authz (policy) -> gateway
// -> dlp -> reference backend, driven by the clients developers use unmodified: the official OpenAI SDK, the
// Tabby extension's wire protocol, opencode and Continue's CLI with the files the workspace service renders.

/** The reference backend counts whitespace-separated words as tokens and echoes the last user message. */
const words = (text: string) => text.trim().split(/\s+/).length;
const chatAnswer = (said: string) => `Reference answer from reference-chat. You said: ${said}`;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a client CLI to completion (no stdin, as in CI); the output is kept for the failure message. */
function runCli(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('AI gateway through Envoy: OpenAI SDK, Tabby protocol, opencode and Continue', () => {
  const name = uniquePrefix('e2e-gw');
  const tenant = `${name}-tenant`;
  let mesh: MeshInfo;
  let call: ReturnType<typeof edgeCaller>;
  let untrust: (() => void) | undefined;
  let developer: string;
  let sdk: OpenAI;
  const scratch = mkdtempSync(path.join(tmpdir(), 'airlock-gw-e2e-'));

  beforeAll(async () => {
    ({ mesh, untrust } = await sharedGatewayMesh(name));
    call = edgeCaller(mesh);
    developer = await issueToken(mesh, { userId: 'alice', tenantId: tenant, projectId: 'payments', workspaceId: 'ws-alice' });
    sdk = openAi(mesh, developer);
  }, 240_000);

  afterAll(async () => {
    untrust?.();
    rmSync(scratch, { recursive: true, force: true });
  }, 60_000);

  describe('the official openai SDK (base URL https://<edge>/v1, bearer token, dev CA trusted)', () => {
    it('chat.completions: the answer under the client model name, with usage and the correlation id echoed', async () => {
      const said = 'hello from the openai sdk';
      const { data, response } = await sdk.chat.completions
        .create({ model: 'airlock-chat', messages: [{ role: 'user', content: said }] }, { headers: { 'x-correlation-id': `${name}-sdk-chat` } })
        .withResponse();
      expect(response.headers.get('x-correlation-id')).toBe(`${name}-sdk-chat`);
      expect(data.object).toBe('chat.completion');
      expect(data.model).toBe('airlock-chat');
      expect(data.choices[0].message).toMatchObject({ role: 'assistant', content: chatAnswer(said) });
      expect(data.usage).toMatchObject({ prompt_tokens: words(said), completion_tokens: words(chatAnswer(said)), total_tokens: words(said) + words(chatAnswer(said)) });
    });

    it('chat.completions streaming: chunks carry the client model name, no usage unless asked, finish_reason stop', async () => {
      const said = 'stream this please';
      const stream = await sdk.chat.completions.create({ model: 'airlock-chat', messages: [{ role: 'user', content: said }], stream: true });
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      expect(chunks.length).toBeGreaterThan(1);
      for (const c of chunks) {
        expect(c).toMatchObject({ object: 'chat.completion.chunk', model: 'airlock-chat' });
        expect(c.usage ?? undefined).toBeUndefined();
        expect(c.choices).toHaveLength(1);
      }
      expect(chunks.map((c) => c.choices[0].delta.content ?? '').join('')).toBe(chatAnswer(said));
      expect(chunks.at(-1)!.choices[0].finish_reason).toBe('stop');
    });

    it('chat.completions streaming with stream_options.include_usage: one last chunk with choices [] and usage', async () => {
      const said = 'count my tokens';
      const stream = await sdk.chat.completions.create({
        model: 'airlock-chat',
        messages: [{ role: 'user', content: said }],
        stream: true,
        stream_options: { include_usage: true },
      });
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      const last = chunks.at(-1)!;
      expect(last.choices).toEqual([]);
      expect(last.usage).toEqual({ prompt_tokens: words(said), completion_tokens: words(chatAnswer(said)), total_tokens: words(said) + words(chatAnswer(said)) });
      expect(chunks.slice(0, -1).every((c) => c.choices.length === 1 && !c.usage)).toBe(true);
      expect(chunks.at(-2)!.choices[0].finish_reason).toBe('stop');
      expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(chatAnswer(said));
    });

    it('completions (FIM with suffix): the autocomplete answer under the client model name, with usage', async () => {
      const prompt = 'function add(a, b) {\n  return';
      const res = await sdk.completions.create({ model: 'airlock-code', prompt, suffix: '\n}', temperature: 0, max_tokens: 16 });
      expect(res.object).toBe('text_completion');
      expect(res.model).toBe('airlock-code');
      expect(res.choices[0].text).toBe('/* completion for: return */');
      expect(res.usage).toMatchObject({ prompt_tokens: words(prompt), completion_tokens: words('/* completion for: return */') });
    });

    it('models.list shows exactly the aliases policy allows the caller', async () => {
      expect((await sdk.models.list()).data.map((m) => m.id)).toEqual(['airlock-chat', 'airlock-code', 'airlock-agent', 'airlock-embed']);
      const analyst = await issueToken(mesh, { userId: 'bob', tenantId: tenant, projectId: 'payments', roles: ['analyst'] });
      const models = (await openAi(mesh, analyst).models.list()).data;
      expect(models).toEqual([{ id: 'airlock-chat', object: 'model', created: 0, owned_by: 'airlock' }]);
    });

    it('an unknown model: the SDK raises NotFoundError with code model_not_allowed and the platform envelope', async () => {
      const correlationId = `${name}-sdk-unknown`;
      const error = await sdk.chat.completions
        .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-correlation-id': correlationId } })
        .then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoundError);
      const e = error as NotFoundError;
      expect(e.status).toBe(404);
      expect(e.code).toBe('model_not_allowed');
      expect(e.error).toMatchObject({ code: 'model_not_allowed', correlation_id: correlationId, retryable: false });
      expect(e.message).toContain('airlock-chat');
    });
  });

  describe('exact SSE framing on the wire (plain HTTPS through Envoy)', () => {
    it('chat: `data: {json}\\n\\n` frames, the include_usage chunk, and `data: [DONE]` last', async () => {
      const reply = await call('/v1/chat/completions', {
        token: developer,
        body: { model: 'airlock-chat', messages: [{ role: 'user', content: 'frame it' }], stream: true, stream_options: { include_usage: true } },
      });
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(typeof reply.body).toBe('string');
      expect(reply.body.endsWith('\n\ndata: [DONE]\n\n')).toBe(true);
      const frames = sseFrames(reply.body) as Record<string, any>[];
      expect(frames.at(-1)).toBe('[DONE]');
      expect(frames.filter((f) => f === ('[DONE]' as unknown))).toHaveLength(1);
      expect(frames.at(-2)).toMatchObject({ object: 'chat.completion.chunk', model: 'airlock-chat', choices: [], usage: { prompt_tokens: 2 } });
      for (const f of frames.slice(0, -2)) expect(f).toMatchObject({ object: 'chat.completion.chunk', model: 'airlock-chat', choices: [expect.anything()] });
    });

    it('completions: text_completion frames without usage when not asked, then `data: [DONE]`', async () => {
      const reply = await call('/v1/completions', { token: developer, body: { model: 'airlock-code', prompt: 'let total =', stream: true } });
      expect(reply.status).toBe(200);
      const frames = sseFrames(reply.body) as Record<string, any>[];
      expect(frames.at(-1)).toBe('[DONE]');
      const objects = frames.slice(0, -1);
      for (const f of objects) {
        expect(f).toMatchObject({ object: 'text_completion', model: 'airlock-code' });
        expect(f.usage).toBeUndefined();
      }
      expect(objects.map((f) => f.choices[0].text).join('')).toBe('/* completion for: let total = */\n');
    });
  });

  describe('the Tabby protocol under /tabby (the IDE extension [server] endpoint)', () => {
    it('POST /tabby/v1/completions {language, segments} -> {id, choices:[{index, text}]}', async () => {
      const reply = await call('/tabby/v1/completions', {
        token: developer,
        body: { language: 'python', segments: { prefix: 'def add(a, b):\n    return', suffix: '\n' } },
      });
      expect(reply.status).toBe(200);
      expect(Object.keys(reply.body).sort()).toEqual(['choices', 'id']);
      expect(reply.body.id).toEqual(expect.any(String));
      expect(reply.body.choices).toEqual([{ index: 0, text: '/* completion for: return */' }]);
    });

    it('GET and POST /tabby/v1/health answer with a semver version.git_describe', async () => {
      for (const method of ['GET', 'POST']) {
        const reply = await call('/tabby/v1/health', { token: developer, method, ...(method === 'POST' ? { body: {} } : {}) });
        expect([method, reply.status]).toEqual([method, 200]);
        expect(reply.body.version.git_describe).toMatch(/^v\d+\.\d+\.\d+/);
        expect(reply.body).toMatchObject({ device: 'remote', cuda_devices: [] });
      }
    });

    it('POST /tabby/v1/events is accepted with 200 and an empty body', async () => {
      const reply = await call('/tabby/v1/events', { token: developer, body: { type: 'view', completion_id: 'cmpl-1', choice_index: 0 } });
      expect(reply.status).toBe(200);
      expect(reply.body).toBe('');
    });

    it('without a token the edge refuses the Tabby surface too (401)', async () => {
      const reply = await call('/tabby/v1/completions', { body: { language: 'python', segments: { prefix: 'x' } } });
      expect(reply.status).toBe(401);
    });
  });

  describe('real client CLIs with the workspace service rendered configuration', () => {
    const clientsTenant = `${name}-clients`;
    let tokenFile: string;
    let rendered: ReturnType<typeof renderWorkspaceClientConfigs>;
    const baseEnv = () => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_EXTRA_CA_CERTS: mesh.caBundle, LANG: 'C.UTF-8' });
    /** A fresh HOME (and XDG dirs) per client: no developer's own settings leak in. */
    const home = (label: string) => {
      const dir = mkdtempSync(path.join(scratch, `${label}-home-`));
      return { HOME: dir, XDG_CONFIG_HOME: `${dir}/.config`, XDG_DATA_HOME: `${dir}/.local/share`, XDG_CACHE_HOME: `${dir}/.cache`, XDG_STATE_HOME: `${dir}/.local/state` };
    };

    beforeAll(async () => {
      const token = await issueToken(mesh, { userId: 'alice', tenantId: clientsTenant, projectId: 'payments', workspaceId: 'ws-alice' });
      tokenFile = path.join(scratch, 'ai_gateway_token');
      writeFileSync(tokenFile, token, { mode: 0o400 });
      rendered = renderWorkspaceClientConfigs({ workspaceId: 'ws-alice', tenantId: clientsTenant, projectId: 'payments', gatewayUrl: `https://localhost:${mesh.envoy.httpsPort}` });
    });

    /** The rendered file with the token path pointed at this test's token file (the workspace mounts it at tokenPath). */
    const withTokenFile = (content: string) => content.split(rendered.tokenPath).join(tokenFile);

    const answered = (endpoint: string) =>
      eventually(`ai.request event for ${endpoint} in the sink`, () =>
        aiEvents(mesh, clientsTenant).find((e) => e.endpoint === endpoint && e.status_code === 200 && e.user_id === 'alice'),
      );

    it('opencode run: the rendered opencode.json (provider @ai-sdk/openai-compatible, token {file:...}) answers through the gateway', async () => {
      // The rendered file as is, but for the token path (the test's token file, not the workspace's).
      const config = JSON.parse(withTokenFile(rendered.files['opencode.json'].content));
      const configFile = path.join(scratch, 'opencode.json');
      writeFileSync(configFile, JSON.stringify(config), { mode: 0o600 });
      const cwd = mkdtempSync(path.join(scratch, 'opencode-project-'));
      const ran = await runCli(opencodeBinary(), ['run', 'say hi'], {
        cwd,
        timeoutMs: 110_000,
        env: {
          ...baseEnv(),
          ...home('opencode'),
          OPENCODE_CONFIG: configFile,
          OPENCODE_DISABLE_PROJECT_CONFIG: 'true',
          OPENCODE_DISABLE_AUTOUPDATE: 'true',
          OPENCODE_DISABLE_MODELS_FETCH: 'true',
          OPENCODE_DISABLE_DEFAULT_PLUGINS: 'true',
          OPENCODE_DISABLE_LSP_DOWNLOAD: 'true',
          OPENCODE_DISABLE_CLAUDE_CODE: 'true',
          OPENCODE_DISABLE_SHARE: 'true',
        },
      });
      expect({ code: ran.code, stderr: ran.stderr.slice(-2000) }).toEqual({ code: 0, stderr: expect.any(String) });
      expect(ran.stdout).toContain(chatAnswer(''));
      expect(ran.stdout).toContain('say hi');
      // opencode's agent model (airlock-agent) and its small model (airlock-chat) both answer on this endpoint.
      expect(await answered('/v1/chat/completions')).toMatchObject({ route_target: expect.stringMatching(/^(agent|chat):reference-chat$/), project_id: 'payments', outcome: 'success' });
    }, 120_000);

    it('Continue cn -p: the rendered config.yaml (provider openai, apiBase the gateway, key from secrets) answers through the gateway', async () => {
      const config = withTokenFile(rendered.files['continue-config.yaml'].content);
      const configFile = path.join(scratch, 'continue-config.yaml');
      writeFileSync(configFile, config, { mode: 0o600 });
      const cwd = mkdtempSync(path.join(scratch, 'continue-project-'));
      const token = readFileSync(tokenFile, 'utf8');
      const ran = await runCli(process.execPath, [continueCliEntry(), '-p', 'say hi', '--config', configFile], {
        cwd,
        timeoutMs: 90_000,
        // `${{ secrets.AIRLOCK_GATEWAY_TOKEN }}` resolves from the environment, fed from the token file.
        env: { ...baseEnv(), ...home('continue'), AIRLOCK_GATEWAY_TOKEN: token },
      });
      expect({ code: ran.code, stderr: ran.stderr.slice(-2000) }).toEqual({ code: 0, stderr: expect.any(String) });
      expect(ran.stdout.trim()).toBe(chatAnswer('say hi'));
    }, 100_000);

    it('the rendered opencode.json and Continue config name only models the gateway accepts', async () => {
      const opencode = JSON.parse(rendered.files['opencode.json'].content);
      const continueModels = [...rendered.files['continue-config.yaml'].content.matchAll(/^\s+model: (\S+)$/gm)].map((m) => m[1]);
      // An opencode model sends its `id` when it has one (the code-context model is the chat alias with an option).
      const opencodeModels = Object.entries(opencode.provider.airlock.models as Record<string, { id?: string }>).map(([key, m]) => m.id ?? key);
      const names = new Set<string>([...opencodeModels, ...continueModels]);
      const client = openAi(mesh, readFileSync(tokenFile, 'utf8'));
      for (const model of names) {
        const res = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
        expect(res.choices[0].message.content).toBe(chatAnswer('hi'));
      }
    });
  });
});
