import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { MCP_SERVER_HEADER, encodeMcpGrant, mcpGrant, type McpGrant } from '@airlock/identity-assertion';
import { eventually } from '@airlock/testing';
import { FAKE_SECRET, READ_FILE_TEXT, createReferenceMcpServer, type ReferenceMcpServer } from '@airlock/reference-mcp/server';
import { argumentsHash } from '../src/mcp/json-rpc';
import { type GatewayMesh, edgeHeaders, startGatewayMesh } from './harness';

jest.setTimeout(120_000);

/**
 * `/mcp/<server>` against the reference MCP server (not a real tool server), the gateway in-process with the real
 * dlp service and Kafka, driven by the official MCP SDK client. The edge's part — the signed identity and the
 * grant policy gives for the server — is played by the headers the harness signs and sets.
 */
describe('gateway: the MCP gateway (/mcp/<server>)', () => {
  let mesh: GatewayMesh<'chat'>;
  let tools: ReferenceMcpServer;
  let upstream: string;
  /** The same server answering POSTs with one JSON body instead of SSE. */
  let jsonTools: ReferenceMcpServer;
  let jsonUpstream: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    tools = createReferenceMcpServer();
    await new Promise<void>((r) => tools.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(tools.address() as AddressInfo).port}`;
    upstream = `${origin}/mcp`;
    jsonTools = createReferenceMcpServer({ jsonResponse: true });
    await new Promise<void>((r) => jsonTools.listen(0, '127.0.0.1', r));
    const jsonOrigin = `http://127.0.0.1:${(jsonTools.address() as AddressInfo).port}`;
    jsonUpstream = `${jsonOrigin}/mcp`;
    mesh = await startGatewayMesh({
      references: { chat: {} },
      backends: ({ chat }) => ({ chat: { protocol: 'openai', baseUrl: chat } }),
      env: { GATEWAY_MCP_UPSTREAM_ORIGINS: `${origin},${jsonOrigin}` },
    });
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await mesh?.close();
    for (const server of [tools, jsonTools]) {
      server?.closeAllConnections();
      await new Promise((r) => server?.close(r));
    }
  });

  /** The grant policy would give for the reference server, with `over` changed. */
  const grantWith = (over: Partial<McpGrant> = {}): McpGrant =>
    mcpGrant.parse({ name: 'reference', upstream, allow: ['read_file', 'search', 'write_file'], deny: ['delete_file'], writeTools: ['write_file'], ...over });

  /** An MCP client session through the gateway, as the edge would pass it on; its calls share one correlation id. */
  async function connect(options: { grant?: McpGrant | null; server?: string; headers?: Record<string, string> } = {}) {
    const correlationId = mesh.nextId();
    const grant = options.grant === undefined ? grantWith() : options.grant;
    const headers = { ...edgeHeaders('chat/reference-chat', { 'x-correlation-id': correlationId, ...options.headers }), ...(grant ? { [MCP_SERVER_HEADER]: encodeMcpGrant(grant) } : {}) };
    const client = new Client({ name: 'gateway-mcp-int', version: '0.0.0' });
    clients.push(client);
    await client.connect(new StreamableHTTPClientTransport(new URL(`${mesh.base}/mcp/${options.server ?? 'reference'}`), { requestInit: { headers } }));
    return { client, correlationId };
  }

  const toolEvent = (correlationId: string, tool: string, type = 'mcp.tool_call') =>
    eventually(`${type} of ${tool}`, () => mesh.events.audits.find((e) => e.correlationId === correlationId && e.eventType === type && e.mcpTool === tool));

  it('lists only the tools the grant allows', async () => {
    const { client } = await connect();
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['read_file', 'search', 'write_file']);
    const readOnly = await connect({ grant: grantWith({ readOnly: true }) });
    expect((await readOnly.client.listTools()).tools.map((t) => t.name)).toEqual(['read_file', 'search']);
  });

  it('calls an allowed tool: the secret in its result arrives masked, and the call is audited and metered', async () => {
    const { client, correlationId } = await connect();
    const result = await client.callTool({ name: 'read_file', arguments: { path: 'config/settings.ini' } });
    const text = (result.content as { type: string; text: string }[])[0].text;
    expect(READ_FILE_TEXT).toContain(FAKE_SECRET);
    expect(text).not.toContain(FAKE_SECRET);
    expect(text).toContain('region = ap-northeast-2');
    expect(tools.calls.at(-1)).toEqual({ tool: 'read_file', arguments: { path: 'config/settings.ini' } });

    const audit = await toolEvent(correlationId, 'read_file');
    expect(audit).toMatchObject({
      endpoint: '/mcp/reference',
      action: 'mcp',
      statusCode: 200,
      outcome: 'success',
      dlpAction: 'mask',
      mcpServer: 'reference',
      mcpArgumentsHash: argumentsHash({ path: 'config/settings.ini' }),
      routeTarget: 'mcp:reference',
      userId: 'bob',
      tenantId: 'acme',
    });
    expect(audit.latencyMs).toBeGreaterThanOrEqual(0);
    const usage = await eventually('usage event', () => mesh.events.usages.find((u) => u.correlationId === correlationId && u.completionTokens > 0));
    expect(usage).toMatchObject({ endpoint: '/mcp/reference', routeTarget: 'mcp:reference', userId: 'bob' });
  });

  it('masks a result the server answered as one JSON body just as one it streamed', async () => {
    const { client } = await connect({ grant: grantWith({ upstream: jsonUpstream }) });
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['read_file', 'search', 'write_file']);
    const result = await client.callTool({ name: 'read_file', arguments: { path: 'a.ini' } });
    expect((result.content as { text: string }[])[0].text).not.toContain(FAKE_SECRET);
    expect(jsonTools.calls.at(-1)).toEqual({ tool: 'read_file', arguments: { path: 'a.ini' } });
  });

  it('relays the session: Mcp-Session-Id both ways, the GET stream of server messages, DELETE ending it', async () => {
    const headers = { ...edgeHeaders('chat/reference-chat'), [MCP_SERVER_HEADER]: encodeMcpGrant(grantWith()), accept: 'application/json, text/event-stream' };
    const init = await fetch(`${mesh.base}/mcp/reference`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } }),
    });
    expect(init.status).toBe(200);
    const session = init.headers.get('mcp-session-id')!;
    expect(tools.sessions.has(session)).toBe(true);
    await init.text();
    const abort = new AbortController();
    const stream = await fetch(`${mesh.base}/mcp/reference`, { headers: { ...headers, accept: 'text/event-stream', 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' }, signal: abort.signal });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    abort.abort();
    const ended = await fetch(`${mesh.base}/mcp/reference`, { method: 'DELETE', headers: { ...headers, 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' } });
    expect(ended.status).toBe(200);
    await eventually('the session ended at the server', () => (tools.sessions.has(session) ? undefined : true));
  });

  it('refuses a denied tool with 403 before the server sees it, and audits the refusal', async () => {
    const { client, correlationId } = await connect();
    const before = tools.calls.length;
    const refused = await client.callTool({ name: 'delete_file', arguments: { path: 'a.txt' } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StreamableHTTPError);
    expect((refused as StreamableHTTPError).code).toBe(403);
    expect((refused as Error).message).toContain('mcp_tool_not_allowed');
    expect(tools.calls.length).toBe(before);
    expect(await toolEvent(correlationId, 'delete_file')).toMatchObject({ statusCode: 403, outcome: 'denied', mcpServer: 'reference' });
  });

  it('refuses a writing tool of a read-only server', async () => {
    const { client, correlationId } = await connect({ grant: grantWith({ readOnly: true }) });
    const refused = await client.callTool({ name: 'write_file', arguments: { path: 'a', content: 'b' } }).catch((e: unknown) => e);
    expect((refused as StreamableHTTPError).code).toBe(403);
    expect((refused as Error).message).toContain('read-only');
    expect(await toolEvent(correlationId, 'write_file')).toMatchObject({ statusCode: 403, outcome: 'denied' });
  });

  it('sends a writing tool through the fail-closed path: accepted event first, arguments masked for the tool', async () => {
    const { client, correlationId } = await connect();
    const result = await client.callTool({ name: 'write_file', arguments: { path: 'deploy.env', content: `AWS_ACCESS_KEY_ID=${FAKE_SECRET}` } });
    expect(result.isError).toBeFalsy();
    const sent = tools.calls.at(-1)!;
    expect(sent.tool).toBe('write_file');
    expect(String(sent.arguments.content)).not.toContain(FAKE_SECRET);
    const accepted = await toolEvent(correlationId, 'write_file', 'mcp.tool_call.accepted');
    const final = await toolEvent(correlationId, 'write_file');
    expect(accepted.statusCode).toBe(200);
    expect(final).toMatchObject({ outcome: 'success', dlpAction: 'mask', mcpArgumentsHash: argumentsHash({ path: 'deploy.env', content: `AWS_ACCESS_KEY_ID=${FAKE_SECRET}` }) });
  });

  it('records the file a write_file call writes: changed_files, and a diff_hash recomputed from what the tool received', async () => {
    const { client, correlationId } = await connect({ headers: { 'x-airlock-repo': 'core-api', 'x-airlock-branch': 'main' } });
    await client.callTool({ name: 'write_file', arguments: { path: './docs/notes.md', content: `key AWS_ACCESS_KEY_ID=${FAKE_SECRET}\n` } });
    const written = String(tools.calls.at(-1)!.arguments.content);
    expect(written).not.toContain(FAKE_SECRET);
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
    const expected = { repoId: 'core-api', branch: 'main', changedFiles: ['docs/notes.md'], diffHash: sha256(`docs/notes.md\0write\0${sha256(written)}\n`) };
    expect(await toolEvent(correlationId, 'write_file', 'mcp.tool_call.accepted')).toMatchObject(expected);
    expect(await toolEvent(correlationId, 'write_file')).toMatchObject(expected);
  });

  it('refuses a call whose arguments DLP blocks (422) before the tool sees them', async () => {
    const { client, correlationId } = await connect();
    const before = tools.calls.length;
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n-----END OPENSSH PRIVATE KEY-----';
    const refused = await client.callTool({ name: 'search', arguments: { query: key } }).catch((e: unknown) => e);
    expect((refused as StreamableHTTPError).code).toBe(422);
    expect((refused as Error).message).toContain('dlp_blocked');
    expect(tools.calls.length).toBe(before);
    expect(await toolEvent(correlationId, 'search')).toMatchObject({ statusCode: 422, outcome: 'denied', dlpAction: 'block' });
  });

  it('records a call the tool server failed (its error passed on as is) as outcome error', async () => {
    const { client, correlationId } = await connect();
    // The reference server validates arguments: a missing `path` is its own error, not the gateway's.
    const result = await client.callTool({ name: 'read_file', arguments: {} }).catch((e: unknown) => e);
    expect(result instanceof StreamableHTTPError).toBe(false);
    expect(await toolEvent(correlationId, 'read_file')).toMatchObject({ statusCode: 200, outcome: 'error' });
  });

  it('refuses a server policy did not grant (no grant, or one for another server) with 403, audited', async () => {
    const none = await connect({ grant: null }).catch((e: unknown) => e);
    expect((none as StreamableHTTPError).code).toBe(403);
    const other = await connect({ server: 'payroll' }).catch((e: unknown) => e);
    expect((other as Error).message).toContain('mcp_server_not_allowed');
    await eventually('refusal event', () => mesh.events.audits.find((e) => e.eventType === 'mcp.tool_call' && e.endpoint === '/mcp/payroll' && e.statusCode === 403));
  });

  it('refuses JSON-RPC methods no policy covers, and batches', async () => {
    const headers = { ...edgeHeaders('chat/reference-chat'), [MCP_SERVER_HEADER]: encodeMcpGrant(grantWith()), 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const post = (body: unknown) => fetch(`${mesh.base}/mcp/reference`, { method: 'POST', headers, body: JSON.stringify(body) });
    const resources = await post({ jsonrpc: '2.0', id: 1, method: 'resources/list' });
    expect(resources.status).toBe(403);
    expect(((await resources.json()) as { error: { code: string } }).error.code).toBe('mcp_method_not_allowed');
    const batch = await post([{ jsonrpc: '2.0', id: 1, method: 'ping' }]);
    expect(batch.status).toBe(400);
    expect(await batch.text()).toContain('batches are not accepted');
  });

  it('refuses an upstream outside GATEWAY_MCP_UPSTREAM_ORIGINS', async () => {
    const refused = await connect({ grant: grantWith({ upstream: 'http://127.0.0.1:1/mcp' }) }).catch((e: unknown) => e);
    expect((refused as StreamableHTTPError).code).toBe(502);
    expect((refused as Error).message).toContain('mcp_upstream_not_configured');
  });
});
