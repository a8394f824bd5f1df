import { ASSERTION_HEADER, AssertionSigner } from '@airlock/identity-assertion';
import { eventually } from '@airlock/testing';
import { EDGE_CALLER, type GatewayMesh, edgeHeaders, edgeSigner, startGatewayMesh } from './harness';

jest.setTimeout(120_000);

describe('gateway: edge identity (x-airlock-identity)', () => {
  let mesh: GatewayMesh<'chat'>;

  beforeAll(async () => {
    mesh = await startGatewayMesh({ references: { chat: {} }, backends: ({ chat }) => ({ chat: { protocol: 'openai', baseUrl: chat } }) });
  });

  afterAll(() => mesh?.close());

  const withAssertion = (assertion: string | undefined, id: string) => {
    const headers: Record<string, string> = { ...edgeHeaders('chat/reference-chat'), 'x-correlation-id': id };
    if (assertion === undefined) delete headers[ASSERTION_HEADER];
    else headers[ASSERTION_HEADER] = assertion;
    return headers;
  };
  const refusals = {
    missing: undefined,
    forged: AssertionSigner.generate().sign(EDGE_CALLER).token,
    expired: edgeSigner.sign(EDGE_CALLER, Date.now() - 10 * 60_000).token,
  };

  it.each(Object.entries(refusals))('answers 401 to plain identity headers whose assertion is %s; no backend sees it, the refusal is audited', async (_, assertion) => {
    const before = mesh.references.chat.requests;
    const id = mesh.nextId();
    const res = await fetch(`${mesh.base}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...withAssertion(assertion, id), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'reference-chat', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error).toMatchObject({ code: 'unauthenticated', correlation_id: id, retryable: false });
    expect(mesh.references.chat.requests).toBe(before);
    expect((await fetch(`${mesh.base}/v1/models`, { headers: withAssertion(assertion, mesh.nextId()) })).status).toBe(401);
    expect(await eventually('audit of the refusal', () => mesh.events.audit(id))).toMatchObject({ statusCode: 401, outcome: 'denied', userId: '' });
  });

  it('records the asserted caller, not a plain header that disagrees with it', async () => {
    const id = mesh.nextId();
    const res = await mesh.post('/v1/chat', 'chat/reference-chat', { messages: [{ role: 'user', content: 'hi' }] }, { 'x-user-id': 'mallory', 'x-tenant-id': 'evil', 'x-correlation-id': id });
    expect(res.status).toBe(200);
    expect(await eventually('audit', () => mesh.events.audit(id))).toMatchObject({ userId: 'bob', tenantId: 'acme', projectId: 'core', workspaceId: 'ws-bob' });
  });
});
