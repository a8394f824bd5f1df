import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { FAKE_SECRET } from '@airlock/reference-mcp/server';
import { uniquePrefix } from '@airlock/testing';
import { type MeshInfo } from '../../src/mesh';
import { clientPackageDir, sharedGatewayMesh } from './gateway-support';
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
    ({ mesh, untrust } = await sharedGatewayMesh(name));
    developer = await issueToken(mesh, { userId: 'alice', tenantId: tenant, projectId: 'payments', workspaceId: 'ws-alice' });
  }, 240_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    untrust?.();
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

  /**
   * The MCP Inspector's CLI (`mcp-inspector-cli --cli`), unmodified. Anything it would fetch besides the edge (an
   * update check, a registry look-up) goes to `proxy`, which counts and drops each connection; localhost is exempt,
   * so only the gateway call can succeed.
   */
  async function inspector(args: string[], proxy: string): Promise<unknown> {
    const dir = clientPackageDir('@modelcontextprotocol/inspector-cli');
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    const ran = await promisify(execFile)(
      process.execPath,
      [path.join(dir, pkg.bin['mcp-inspector-cli']), '--cli', `https://localhost:${mesh.envoy.httpsPort}/mcp/reference`, '--transport', 'http', '--header', `Authorization: Bearer ${developer}`, ...args],
      {
        timeout: 60_000,
        // It reads its own package.json by a path it checks against the working directory (1.0.3): run it from
        // its build directory, where that path is the package's own.
        cwd: path.join(dir, 'build'),
        env: {
          PATH: path.dirname(process.execPath),
          HOME: path.join(mesh.logsDir, 'inspector-home'),
          NODE_EXTRA_CA_CERTS: mesh.caBundle,
          NODE_USE_ENV_PROXY: '1',
          HTTPS_PROXY: proxy,
          HTTP_PROXY: proxy,
          NO_PROXY: 'localhost,127.0.0.1',
          npm_config_offline: 'true',
        },
      },
    ).catch((error: { stdout?: string; stderr?: string; code?: number }) => {
      // Not the error itself: its message holds the command line, bearer token included.
      throw new Error(`mcp-inspector-cli failed (exit ${error.code}): ${error.stderr ?? ''}${error.stdout ?? ''}`);
    });
    return JSON.parse(ran.stdout.slice(ran.stdout.indexOf('{')));
  }

  it('the MCP Inspector CLI lists the allowed tools and calls one, its secret masked, and nothing else leaves the machine', async () => {
    let outbound = 0;
    const sink: Server = createServer((socket) => {
      outbound += 1;
      socket.destroy();
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    const proxy = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
    try {
      const listed = (await inspector(['--method', 'tools/list'], proxy)) as { tools: { name: string }[] };
      expect(listed.tools.map((t) => t.name)).toEqual(['read_file', 'search', 'write_file']);
      const called = (await inspector(['--method', 'tools/call', '--tool-name', 'read_file', '--tool-arg', 'path=config/settings.ini'], proxy)) as { content: { text: string }[] };
      expect(called.content[0].text).toContain('aws_access_key_id = ');
      expect(called.content[0].text).not.toContain(FAKE_SECRET);
      expect(outbound).toBe(0);
    } finally {
      await new Promise((r) => sink.close(r));
    }
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
