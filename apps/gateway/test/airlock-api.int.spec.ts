import { eventually } from '@airlock/testing';
import { type GatewayMesh, sseFrames, startGatewayMesh } from './harness';

jest.setTimeout(120_000);

describe("gateway: Airlock's own endpoints (/v1/chat, /v1/agent, /v1/autocomplete, /v1/rag)", () => {
  let mesh: GatewayMesh<'chat' | 'code'>;

  beforeAll(async () => {
    mesh = await startGatewayMesh({
      references: { chat: {}, code: {} },
      backends: ({ chat, code }) => ({
        chat: { protocol: 'openai', baseUrl: chat },
        code: { protocol: 'openai', baseUrl: code },
        rag: { protocol: 'rag', baseUrl: code },
      }),
    });
  });

  afterAll(() => mesh?.close());

  it('/v1/chat answers JSON by default and SSE with stream:true', async () => {
    const json: any = await (await mesh.post('/v1/chat', 'chat/reference-chat', { messages: [{ role: 'user', content: 'hello' }] })).json();
    expect(json).toMatchObject({ model: 'reference-chat', message: { role: 'assistant', content: 'Reference answer from reference-chat. You said: hello' }, dlp_action: 'allow' });
    const frames = sseFrames(await (await mesh.post('/v1/chat', 'chat/reference-chat', { stream: true, messages: [{ role: 'user', content: 'hello' }] })).text());
    // DLP holds back the tail of an answer until it is final: a short answer arrives in one delta.
    expect(frames.slice(0, -1).every((f) => f.startsWith('event: delta\ndata: {"content":'))).toBe(true);
    expect(frames.slice(0, -1).map((f) => JSON.parse(f.split('data: ')[1]).content).join('')).toBe('Reference answer from reference-chat. You said: hello');
    expect(frames.at(-1)).toMatch(/^event: done\ndata: /);
    expect(JSON.parse(frames.at(-1)!.split('data: ')[1])).toMatchObject({ finish_reason: 'stop', usage: { prompt_tokens: 1, completion_tokens: 7 }, dlp_action: 'allow' });
  });

  it('/v1/agent streams and audits repo, branch, changed files and a diff hash', async () => {
    const id = mesh.nextId();
    const res = await mesh.post('/v1/agent', 'chat/reference-chat', { messages: [{ role: 'user', content: 'refactor' }], repo_id: 'core-api', branch: 'feat/x', changed_files: ['src/a.ts'] }, { 'x-correlation-id': id });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(sseFrames(await res.text()).at(-1)).toMatch(/^event: done/);
    const audit = await eventually('agent audit', () => mesh.events.audit(id));
    expect(audit).toMatchObject({ endpoint: '/v1/agent', action: 'agent', repoId: 'core-api', branch: 'feat/x', changedFiles: ['src/a.ts'] });
    expect(audit.diffHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('/v1/autocomplete and the RAG endpoints', async () => {
    const ac: any = await (await mesh.post('/v1/autocomplete', 'code/reference-code', { prefix: 'function f() {', suffix: '}', language: 'typescript' })).json();
    expect(ac).toMatchObject({ model: 'reference-code', text: '/* completion for: function f() { */' });
    const indexed: any = await (await mesh.post('/v1/rag/index', 'rag/reference-rag', { documents: [{ path: 'src/pay.ts', content: 'export function transfer(amount) {}' }] })).json();
    expect(indexed).toEqual({ indexed: 1 });
    const found: any = await (await mesh.post('/v1/rag/query', 'rag/reference-rag', { query: 'transfer amount', top_k: 3 })).json();
    expect(found.results[0]).toMatchObject({ path: 'src/pay.ts', score: 1 });
  });

  it('blocks a private key before any backend sees it, and audits the block', async () => {
    const id = mesh.nextId();
    const before = mesh.references.chat.requests;
    const res = await mesh.post(
      '/v1/chat',
      'chat/reference-chat',
      { messages: [{ role: 'user', content: '-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----' }] },
      { 'x-correlation-id': id },
    );
    expect(res.status).toBe(422);
    expect(((await res.json()) as any).error).toMatchObject({ code: 'dlp_blocked', correlation_id: id, retryable: false });
    expect(mesh.references.chat.requests).toBe(before);
    expect(await eventually('audit of the block', () => mesh.events.audit(id))).toMatchObject({ statusCode: 422, dlpAction: 'block', outcome: 'denied' });
    expect(await eventually('usage of the block', () => mesh.events.usage(id))).toMatchObject({ promptTokens: 0, completionTokens: 0 });
  });

  it('refuses requests that did not come through the edge, and names the field of a malformed body', async () => {
    const res = await fetch(`${mesh.base}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user-id': 'eve' }, body: '{}' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.code).toBe('unauthenticated');
    const bad = await mesh.post('/v1/chat', 'chat/reference-chat', { messages: [{ role: 'user', content: 42 }] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error).toMatchObject({ code: 'invalid_request', message: 'messages[0].content must be a string' });
  });
});
