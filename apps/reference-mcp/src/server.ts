import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from '@airlock/config';

/**
 * The reference MCP server — not a real tool server. It stands in for an internal MCP server (a code search, a
 * file service) where none exists, so the gateway's `/mcp/<server>` proxy can be tested with the official SDK on
 * both ends. Every tool is deterministic; nothing touches the disk.
 */

/** What `read_file` returns for any path: it carries a fake AWS access key id, so DLP masking can be proven. */
export const FAKE_SECRET = 'AKIAQ3EGXTZ7V5LN2MWB';
export const READ_FILE_TEXT = `# settings of the reference MCP server (not a real file)\naws_access_key_id = ${FAKE_SECRET}\nregion = ap-northeast-2\n`;

/** The tools it serves, in the order `tools/list` lists them. */
export const REFERENCE_TOOLS = ['read_file', 'search', 'write_file', 'delete_file'] as const;

export interface ReferenceMcpServer extends Server {
  /** Every tools/call that reached this server, in order: what the gateway actually forwarded. */
  readonly calls: { tool: string; arguments: Record<string, unknown> }[];
  /** Open sessions (one transport each). */
  readonly sessions: ReadonlyMap<string, StreamableHTTPServerTransport>;
}

function toolServer(calls: ReferenceMcpServer['calls']): McpServer {
  const server = new McpServer({ name: 'airlock-reference-mcp', version: '0.1.0' });
  const record = (tool: string, args: Record<string, unknown>) => calls.push({ tool, arguments: args });
  server.registerTool(
    'read_file',
    { description: 'Reads a file (fixed text with a fake AWS key)', inputSchema: { path: z.string() }, annotations: { readOnlyHint: true } },
    async (args) => {
      record('read_file', args);
      return { content: [{ type: 'text', text: READ_FILE_TEXT }] };
    },
  );
  server.registerTool(
    'search',
    { description: 'Searches the code base (fixed hits)', inputSchema: { query: z.string() }, annotations: { readOnlyHint: true } },
    async (args) => {
      record('search', args);
      return { content: [{ type: 'text', text: `2 hits for "${args.query}": src/a.ts:1, src/b.ts:7` }] };
    },
  );
  server.registerTool(
    'write_file',
    { description: 'Writes a file (nothing is written; answers how many bytes would have been)', inputSchema: { path: z.string(), content: z.string() } },
    async (args) => {
      record('write_file', args);
      return { content: [{ type: 'text', text: `wrote ${Buffer.byteLength(args.content)} bytes to ${args.path}` }] };
    },
  );
  server.registerTool(
    'delete_file',
    { description: 'Deletes a file (nothing is deleted)', inputSchema: { path: z.string() }, annotations: { destructiveHint: true } },
    async (args) => {
      record('delete_file', args);
      return { content: [{ type: 'text', text: `deleted ${args.path}` }] };
    },
  );
  return server;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

function jsonRpcError(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

export interface ReferenceMcpOptions {
  /** Where it serves MCP; default `/mcp`. */
  path?: string;
  /** Answer POSTs with one JSON body instead of an SSE stream (both are Streamable HTTP). */
  jsonResponse?: boolean;
}

/**
 * Streamable HTTP on `path` with sessions: `initialize` opens one (its id in `Mcp-Session-Id`), later POSTs,
 * the GET stream and DELETE name it.
 */
export function createReferenceMcpServer({ path = '/mcp', jsonResponse = false }: ReferenceMcpOptions = {}): ReferenceMcpServer {
  const calls: ReferenceMcpServer['calls'] = [];
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/health') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    if (url.pathname !== path) return void res.writeHead(404).end();
    const sessionHeader = req.headers['mcp-session-id'];
    const sessionId = Array.isArray(sessionHeader) ? sessionHeader[0] : sessionHeader;
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    let transport = sessionId ? sessions.get(sessionId) : undefined;
    if (!transport) {
      if (sessionId) return jsonRpcError(res, 404, 'session not found');
      if (req.method !== 'POST' || !isInitializeRequest(body)) return jsonRpcError(res, 400, 'no session: send initialize first');
      const opened = new StreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        enableJsonResponse: jsonResponse,
        onsessioninitialized: (id) => void sessions.set(id, opened),
      });
      opened.onclose = () => {
        if (opened.sessionId) sessions.delete(opened.sessionId);
      };
      await toolServer(calls).connect(opened);
      transport = opened;
    }
    await transport.handleRequest(req, res, body);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) jsonRpcError(res, error instanceof SyntaxError ? 400 : 500, error instanceof SyntaxError ? 'body is not JSON' : 'internal error');
      else res.destroy();
    });
  }) as ReferenceMcpServer;
  Object.assign(server, { calls, sessions });
  server.on('close', () => {
    for (const t of sessions.values()) void t.close();
  });
  return server;
}
