import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { eventually, uniquePrefix } from '@airlock/testing';
import { type MeshInfo } from '../../src/mesh';
import { sharedMesh } from './shared-mesh';
import { auditSinkEvent, edgeCaller, issueToken } from './support';

// Persistent terminals through the real Envoy (ext_authz on the API and on the WebSocket upgrade): alice opens a
// terminal and types; bob is refused (403) until she shares it read-only, then watches her output live and his
// keys are refused; a ticket is spent by its first use; the audit trail has the session's lifecycle.
const T = '/api/terminal/v1/sessions';

describe('terminals through the edge', () => {
  const name = uniquePrefix('e2e-terminal');
  // A tenant of its own: the mesh is shared with other specs.
  const tenantId = `${name}-tenant`;
  let mesh: MeshInfo;
  let call: ReturnType<typeof edgeCaller>;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    mesh = await sharedMesh();
    call = edgeCaller(mesh);
    alice = await issueToken(mesh, { userId: 'alice', tenantId, projectId: 'payments' });
    bob = await issueToken(mesh, { userId: 'bob', tenantId, projectId: 'payments' });
  }, 300_000);

  /** A terminal WebSocket through Envoy with `token` (wss, the dev CA), from the edge's own origin unless told. */
  async function open(token: string, url: string, origin = `https://localhost:${mesh.envoy.httpsPort}`) {
    // ws hands servername to tls.connect (SNI and the name checked: the dev certificate's), though its types omit it.
    const options = { ca: readFileSync(mesh.caBundle, 'utf8'), servername: 'localhost', headers: { authorization: `Bearer ${token}`, origin } };
    const ws = new WebSocket(`wss://127.0.0.1:${mesh.envoy.httpsPort}${url}`, options as WebSocket.ClientOptions);
    const output: Buffer[] = [];
    const messages: Record<string, unknown>[] = [];
    ws.on('message', (data: Buffer, binary) => (binary ? output.push(data) : messages.push(JSON.parse(data.toString()))));
    const status = await new Promise<number>((resolve) => {
      ws.once('open', () => resolve(101));
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('error', () => undefined);
    });
    return { ws, status, messages, text: () => Buffer.concat(output).toString('utf8'), type: (keys: string) => ws.send(Buffer.from(keys), { binary: true }) };
  }

  it("alice's terminal: bob gets 403 until it is shared read-only, then he watches and his keys are refused", async () => {
    const created = await call(T, { token: alice, body: { workspace_id: 'ws-alice', name: 'deploy' } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    expect((await call(`${T}/${id}`, { token: bob })).status).toBe(403);
    expect((await call(`${T}/${id}/tickets`, { token: bob, method: 'POST' })).body.error.code).toBe('terminal_forbidden');

    const ticket = await call(`${T}/${id}/tickets`, { token: alice, method: 'POST' });
    expect(ticket.status).toBe(201);
    // Another site's page is refused before the ticket is looked at; the ticket then works once.
    expect((await open(alice, ticket.body.url as string, 'https://evil.example')).status).toBe(403);
    const owner = await open(alice, ticket.body.url as string);
    expect(owner.status).toBe(101);
    expect((await open(alice, ticket.body.url as string)).status).toBe(401);

    expect((await call(`${T}/${id}/shares`, { token: alice, method: 'PUT', body: { user_id: 'bob', mode: 'read-only' } })).status).toBe(200);
    const viewer = await open(bob, (await call(`${T}/${id}/tickets`, { token: bob, method: 'POST' })).body.url as string);
    expect(viewer.status).toBe(101);
    owner.type('echo hello-from-alice\r');
    await eventually('alice seen by bob', () => (viewer.text().includes('hello-from-alice') ? true : undefined));
    viewer.type('echo from-bob\r');
    await eventually('the refusal', () => (viewer.messages.some((m) => m.code === 'terminal_read_only') ? true : undefined));

    owner.ws.close();
    viewer.ws.close();
    expect((await call(`${T}/${id}`, { token: alice, method: 'DELETE' })).status).toBe(204);
    for (const action of ['create', 'attach', 'share', 'join', 'terminate']) {
      await auditSinkEvent(mesh, `terminal ${action} event`, (e) => e.event_type === 'terminal.session' && e.action === action && e.endpoint === `${T}/${id}`);
    }
  });
});
