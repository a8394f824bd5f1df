import OpenAI from 'openai';
import { eventually } from '@airlock/testing';
import { type GatewayMesh, sseFrames, startGatewayMesh } from './harness';

jest.setTimeout(120_000);

describe('gateway: OpenAI-compatible surface (official openai SDK)', () => {
  let mesh: GatewayMesh<'chat' | 'code'>;

  beforeAll(async () => {
    mesh = await startGatewayMesh({
      references: { chat: {}, code: {} },
      backends: ({ chat, code }) => ({ chat: { protocol: 'openai', baseUrl: chat }, code: { protocol: 'openai', baseUrl: code } }),
      env: { GATEWAY_TRUST_ALIAS_HEADER: 'true' },
    });
  });

  afterAll(() => mesh?.close());

  it('answers chat completions with the model renamed to the alias, masked prompt, usage, audit and usage events', async () => {
    const id = mesh.nextId();
    const client = mesh.openai('chat/reference-chat', { 'x-correlation-id': id, 'x-airlock-model-aliases': 'airlock-chat=chat/reference-chat' });
    const answer = await client.chat.completions.create({
      model: 'airlock-chat',
      messages: [{ role: 'user', content: 'token ghp_R8wzQk3LmN5vT1xY7bC2dF6gH9jK0pLs4eWq ok' }],
    });
    expect(answer.model).toBe('airlock-chat');
    expect(answer.choices[0].message.content).toBe('Reference answer from reference-chat. You said: token [MASKED:secret.github_token] ok');
    expect(answer.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 9 });
    const audit = await eventually('audit', () => mesh.events.audit(id));
    expect(audit).toMatchObject({ endpoint: '/v1/chat/completions', action: 'chat', statusCode: 200, dlpAction: 'mask', routeTarget: 'chat:reference-chat', outcome: 'success', userId: 'bob' });
    expect(await eventually('usage', () => mesh.events.usage(id))).toMatchObject({ model: 'reference-chat', promptTokens: 3, completionTokens: 9 });
  });

  it('streams with exact SSE framing and, with include_usage, a last chunk with no choices and the usage', async () => {
    const res = await mesh.post('/v1/chat/completions', 'chat/reference-chat', {
      model: 'reference-chat',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hi there' }],
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const frames = sseFrames(await res.text());
    expect(frames.every((f) => /^data: [^\n]*$/.test(f))).toBe(true);
    expect(frames.at(-1)).toBe('data: [DONE]');
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f.slice(6)));
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 2, completion_tokens: 8, total_tokens: 10 } });
    expect(chunks.slice(0, -1).every((c) => c.usage === undefined && c.choices.length === 1)).toBe(true);

    const stream = await mesh.openai('chat/reference-chat').chat.completions.create({
      model: 'reference-chat',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hi there' }],
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('Reference answer from reference-chat. You said: hi there');
    expect(usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 8 });
  });

  it('asks the backend for usage but strips it when the client did not ask, and still meters it', async () => {
    const id = mesh.nextId();
    const stream = await mesh.openai('chat/reference-chat', { 'x-correlation-id': id }).chat.completions.create({
      model: 'reference-chat',
      stream: true,
      messages: [{ role: 'user', content: 'count me' }],
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.choices.length === 1 && !c.usage)).toBe(true);
    expect(await eventually('usage', () => mesh.events.usage(id))).toMatchObject({ promptTokens: 2, completionTokens: 8 });
  });

  it('answers /v1/completions, streaming and not', async () => {
    const client = mesh.openai('code/reference-code');
    const done = await client.completions.create({ model: 'reference-code', prompt: 'def add(a, b):', suffix: '\n' });
    expect(done.choices[0].text).toBe('/* completion for: def add(a, b): */');
    const stream = await client.completions.create({ model: 'reference-code', prompt: 'x = ', stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage;
    for await (const c of stream) {
      text += c.choices[0]?.text ?? '';
      usage = c.usage ?? usage;
    }
    expect(text).toBe('/* completion for: x = */\n');
    expect(usage).toMatchObject({ completion_tokens: 6 });
  });

  it('lists only the aliases policy allows, and refuses any other model with a clear error', async () => {
    const client = mesh.openai('chat/reference-chat', { 'x-airlock-model-aliases': 'airlock-chat=chat/reference-chat,airlock-code=code/reference-code' });
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['airlock-chat', 'airlock-code']);
    const error = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ code: 'model_not_allowed' });
    expect((error as Error).message).toContain('allowed: airlock-chat, airlock-code');
    // Without an alias list, the routed model is the one name the client may use.
    expect((await mesh.openai('chat/reference-chat').models.list()).data.map((m) => m.id)).toEqual(['reference-chat']);
  });
});
