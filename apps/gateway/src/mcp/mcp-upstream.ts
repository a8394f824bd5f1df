import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { McpGrant } from '@airlock/identity-assertion';
import { CORRELATION_HEADER } from '@airlock/telemetry';
import { McpUpstreamError, McpUpstreamNotConfiguredError } from './mcp.errors';

/**
 * The Streamable HTTP headers a client sends that the MCP server needs: the session and the protocol version.
 * Not `Last-Event-ID`: resuming a stream would have the server replay answers to earlier calls on it, past the
 * scan their first delivery went through; a client whose stream broke calls again.
 */
const REQUEST_HEADERS = ['accept', 'mcp-session-id', 'mcp-protocol-version'] as const;
/** And what the client needs back: the session the server opened and how the body is framed. */
const RESPONSE_HEADERS = ['content-type', 'mcp-session-id', 'mcp-protocol-version'] as const;
/** A tool's answer is read whole (to scan it) before anything is sent: bounded like a request body. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

export interface UpstreamReply {
  status: number;
  headers: Record<string, string>;
  body: IncomingMessage;
}

/**
 * Calls the MCP server a grant names over Streamable HTTP, passing the transport's own headers both ways. Plain
 * `node:http` with keep-alive sockets per origin: a tool call is a short POST, and fetch's stream machinery cost
 * more CPU per call than the rest of the proxying (tools/bench/gateway/mcp.js).
 */
export class McpUpstream {
  private readonly agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

  constructor(
    private readonly origins: readonly string[],
    private readonly timeoutMs: number,
  ) {}

  send(grant: McpGrant, req: IncomingMessage, init: { method: 'POST' | 'GET' | 'DELETE'; body?: string; signal: AbortSignal; stream?: boolean }): Promise<UpstreamReply> {
    const url = new URL(grant.upstream);
    if (!this.origins.includes(url.origin)) return Promise.reject(new McpUpstreamNotConfiguredError(grant.name));
    const headers: Record<string, string | number> = {};
    for (const name of REQUEST_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const correlation = req.headers[CORRELATION_HEADER];
    if (typeof correlation === 'string') headers[CORRELATION_HEADER] = correlation;
    if (init.body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(init.body) });
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const call = transport.request(url, { method: init.method, headers, agent: this.agents[url.protocol as 'http:' | 'https:'], signal: init.signal }, (res) => {
        // Until the answer is read (a POST) the timeout stays; a GET stream lives as long as the session.
        if (init.stream) call.setTimeout(0);
        const out: Record<string, string> = {};
        for (const name of RESPONSE_HEADERS) {
          const value = res.headers[name];
          if (typeof value === 'string') out[name] = value;
        }
        resolve({ status: res.statusCode ?? 502, headers: out, body: res });
      });
      call.setTimeout(this.timeoutMs, () => call.destroy(new McpUpstreamError(grant.name, 'timed out')));
      call.on('error', (error) => {
        if (init.signal.aborted || error instanceof McpUpstreamError) reject(error);
        else reject(new McpUpstreamError(grant.name, 'unreachable', error));
      });
      call.end(init.body);
    });
  }

  close(): void {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }
}

/** The whole body of an upstream answer, at most MAX_ANSWER_BYTES. */
export async function readAnswer(server: string, reply: UpstreamReply): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of reply.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_ANSWER_BYTES) {
        reply.body.destroy();
        throw new McpUpstreamError(server, `answer over ${MAX_ANSWER_BYTES} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof McpUpstreamError) throw error;
    throw new McpUpstreamError(server, 'answer cut short', error);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Status and transport headers of the upstream's answer, then its body as it comes (a GET stream, a DELETE). */
export function relay(reply: UpstreamReply, res: ServerResponse): void {
  res.writeHead(reply.status, reply.headers);
  // A GET stream may stay silent for long: the client learns it is open from the headers, sent now.
  res.flushHeaders();
  res.on('close', () => reply.body.destroy());
  reply.body.on('error', () => res.destroy());
  reply.body.pipe(res);
}
