import { eventually } from '@airlock/testing';
import { type GatewayMesh, startGatewayMesh } from './harness';

jest.setTimeout(120_000);

describe('gateway: isolation, degradation and fail-closed audit', () => {
  let mesh: GatewayMesh<'chat' | 'code' | 'slow' | 'cached'>;

  beforeAll(async () => {
    mesh = await startGatewayMesh({
      references: { chat: {}, code: {}, slow: { latencyMs: 60_000 }, cached: {} },
      backends: ({ chat, code, slow, cached, dead }) => ({
        chat: { protocol: 'openai', baseUrl: chat },
        code: { protocol: 'openai', baseUrl: code },
        tabby: { protocol: 'tabby', baseUrl: code },
        slow: { protocol: 'openai', baseUrl: slow, firstByteTimeoutMs: 120_000 },
        flaky: { protocol: 'openai', baseUrl: dead, fallback: 'dr', breaker: { failureThreshold: 2, cooldownMs: 60_000 } },
        dr: { protocol: 'openai', baseUrl: chat },
        cached: { protocol: 'openai', baseUrl: cached },
      }),
      cache: true,
      env: { GATEWAY_BULKHEADS: JSON.stringify({ chat: { concurrent: 2, queue: 0 } }) },
    });
  });

  afterAll(() => mesh?.close());

  it('a slow chat backend fills only the chat bulkhead: chat is refused busy, autocomplete still answers', async () => {
    const aborts = [new AbortController(), new AbortController()];
    const hanging = aborts.map((a) => mesh.post('/v1/chat', 'slow/reference-chat', { messages: [{ role: 'user', content: 'slow' }] }, {}, a.signal).catch(() => 'aborted'));
    let settled = 0;
    hanging.forEach((p) => p.then(() => settled++));
    await eventually('both chats at the slow backend', () => (mesh.references.slow.requests >= 2 ? true : undefined));
    const busy = await mesh.post('/v1/chat', 'chat/reference-chat', { messages: [{ role: 'user', content: 'third' }] });
    expect(busy.status).toBe(503);
    expect(((await busy.json()) as any).error).toMatchObject({ code: 'busy', retryable: true });
    for (let i = 0; i < 5; i++) expect((await mesh.post('/v1/autocomplete', 'code/reference-code', { prefix: `line ${i}` })).status).toBe(200);
    expect((await mesh.post('/tabby/v1/completions', 'tabby/reference-code', { language: 'go', segments: { prefix: 'x' } })).status).toBe(200);
    expect(settled).toBe(0);
    aborts.forEach((a) => a.abort());
    await Promise.all(hanging);
    await eventually('chat slots released', async () => ((await mesh.post('/v1/chat', 'chat/reference-chat', { messages: [{ role: 'user', content: 'again' }] })).status === 200 ? true : undefined));
  });

  it('degrades: alternative backend, then cached answer, then 503 ai_disabled in the standard envelope', async () => {
    // The primary is down: the alternative answers.
    const viaDr: any = await (await mesh.post('/v1/chat', 'flaky/reference-chat', { messages: [{ role: 'user', content: 'dr' }] })).json();
    expect(viaDr).toMatchObject({ source: 'fallback', message: { content: 'Reference answer from reference-chat. You said: dr' } });

    // A repeatable request is cached while its backend works, and replayed once it fails.
    const body = { temperature: 0, messages: [{ role: 'user', content: 'cache me' }] };
    expect(((await (await mesh.post('/v1/chat', 'cached/reference-chat', body)).json()) as any).source).toBe('backend');
    mesh.references.cached.options.failEvery = 1;
    try {
      await eventually('cached answer served', async () => {
        const res: any = await (await mesh.post('/v1/chat', 'cached/reference-chat', body)).json();
        return res.source === 'cache' ? res : undefined;
      });
      // A streamed request is another request (no cached stream yet): refused before any byte, as JSON.
      const streamed = await mesh.post('/v1/chat', 'cached/reference-chat', { ...body, stream: true });
      expect(streamed.status).toBe(503);
      expect(((await streamed.json()) as any).error.code).toBe('ai_disabled');
      const id = mesh.nextId();
      const off = await mesh.post('/v1/chat', 'cached/reference-chat', { messages: [{ role: 'user', content: 'not repeatable' }] }, { 'x-correlation-id': id });
      expect(off.status).toBe(503);
      expect(((await off.json()) as any).error).toEqual({
        code: 'ai_disabled',
        message: expect.stringContaining('temporarily unavailable'),
        correlation_id: id,
        retryable: true,
      });
      expect(await eventually('audit', () => mesh.events.audit(id))).toMatchObject({ statusCode: 503, outcome: 'error' });
    } finally {
      mesh.references.cached.options.failEvery = 0;
    }
  });

  it('fail-closed audit: the answer is given once its audit event is durable', async () => {
    const id = mesh.nextId();
    const res = await mesh.post('/v1/agent', 'chat/reference-chat', { stream: false, messages: [{ role: 'user', content: 'risky' }] }, { 'x-correlation-id': id, 'x-airlock-audit-mode': 'fail-closed' });
    expect(res.status).toBe(200);
    expect(await eventually('audit', () => mesh.events.audit(id))).toMatchObject({ statusCode: 200, endpoint: '/v1/agent' });
  });
});
