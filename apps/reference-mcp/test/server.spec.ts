import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { READ_FILE_TEXT, REFERENCE_TOOLS, createReferenceMcpServer, type ReferenceMcpServer } from '../src/server';

describe('reference MCP server (not a real tool server)', () => {
  let server: ReferenceMcpServer;
  let client: Client;

  beforeAll(async () => {
    server = createReferenceMcpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new Client({ name: 'reference-mcp-spec', version: '0.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
  });

  afterAll(async () => {
    await client.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('lists its tools over Streamable HTTP in a session', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([...REFERENCE_TOOLS]);
    expect(server.sessions.size).toBe(1);
  });

  it('answers read_file with the fixed text and records the call', async () => {
    const result = await client.callTool({ name: 'read_file', arguments: { path: 'config/settings.ini' } });
    expect(result.content).toEqual([{ type: 'text', text: READ_FILE_TEXT }]);
    expect(server.calls.at(-1)).toEqual({ tool: 'read_file', arguments: { path: 'config/settings.ini' } });
  });

  it('answers write_file without writing anything', async () => {
    const result = await client.callTool({ name: 'write_file', arguments: { path: 'a.txt', content: 'hello' } });
    expect(result.content).toEqual([{ type: 'text', text: 'wrote 5 bytes to a.txt' }]);
  });
});
