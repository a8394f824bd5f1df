import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { FAKE_SECRET } from '@airlock/reference-mcp/server';
import { uniquePrefix } from '@airlock/testing';
import { stopMesh, type MeshInfo } from '../../src/mesh';
import { startGatewayMesh } from './gateway-support';
import { auditSinkEvent, issueToken } from './support';

// The MCP gateway through the real edge: Envoy (TLS) -> ext_authz (policy: the bundle's mcpServers) -> gateway
// (/mcp/<server>: tool rules, DLP, audit) -> the reference MCP server (not a real tool server), driven by the
// official MCP SDK client with a developer's bearer token, as an agent's MCP configuration points it.

describe('MCP gateway through Envoy: the official MCP client against /mcp/<server>', () => {
  const name = uniquePrefix('e2e-mcp');
  const tenant = `${name}-tenant`;
  let mesh: MeshInfo;
  let untrust: (() => void) | undefined;
  let developer: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    ({ mesh, untrust } = await startGatewayMesh(name));
    developer = await issueToken(mesh, { userId: 'alice', tenantId: tenant, projectId: 'payments', workspaceId: 'ws-alice' });
  }, 240_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    untrust?.();
    await stopMesh(name);
  });

  /** A session with `/mcp/<server>` through the edge; its requests share one correlation id. */
  async function connect(server: string, correlationId = `${name}-${clients.length + 1}`) {
    const client = new Client({ name: 'airlock-mcp-e2e', version: '0.0.0' });
    clients.push(client);
    const url = new URL(`https://localhost:${mesh.envoy.httpsPort}/mcp/${server}`);
    await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { authorization: `Bearer ${developer}`, 'x-correlation-id': correlationId } } }));
    return { client, correlationId };
  }

  it('lists the allowed tools only: the denied one is absent', async () => {
    const { client } = await connect('reference');
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['read_file', 'search', 'write_file']);
  });

  it('calls an allowed tool: the secret in its result arrives masked, and the call is in the audit trail', async () => {
    const { client, correlationId } = await connect('reference');
    const result = await client.callTool({ name: 'read_file', arguments: { path: 'config/settings.ini' } });
    const text = (result.content as { type: string; text: string }[])[0].text;
    expect(text).toContain('aws_access_key_id = ');
    expect(text).not.toContain(FAKE_SECRET);
    const event = await auditSinkEvent(mesh, 'the tool call event', (e) => e.correlation_id === correlationId && e.event_type === 'mcp.tool_call');
    expect(event).toMatchObject({ mcp_server: 'reference', mcp_tool: 'read_file', outcome: 'success', status_code: 200, dlp_action: 'mask', tenant_id: tenant, user_id: 'alice' });
    expect(event.mcp_arguments_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a denied tool with 403 and an audit event', async () => {
    const { client, correlationId } = await connect('reference');
    const refused = await client.callTool({ name: 'delete_file', arguments: { path: 'a.txt' } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StreamableHTTPError);
    expect((refused as StreamableHTTPError).code).toBe(403);
    expect((refused as Error).message).toContain('mcp_tool_not_allowed');
    const event = await auditSinkEvent(mesh, 'the refused tool call', (e) => e.correlation_id === correlationId && e.mcp_tool === 'delete_file');
    expect(event).toMatchObject({ event_type: 'mcp.tool_call', status_code: 403, outcome: 'denied' });
  });

  it('refuses a server the bundle does not declare with 403 at the edge, audited by policy', async () => {
    const correlationId = `${name}-undeclared`;
    const refused = await connect('payroll', correlationId).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StreamableHTTPError);
    expect((refused as StreamableHTTPError).code).toBe(403);
    expect((refused as Error).message).toContain('mcp_server_not_allowed');
    const event = await auditSinkEvent(mesh, 'the refused server', (e) => e.correlation_id === correlationId && e.event_type === 'mcp.server_refused');
    expect(event).toMatchObject({ endpoint: '/mcp/payroll', status_code: 403, outcome: 'denied', actor: 'alice', service: 'policy' });
  });
});
