import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
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
  body: Response['body'];
}

/** Calls the MCP server a grant names over Streamable HTTP, passing the transport's own headers both ways. */
export class McpUpstream {
  constructor(
    private readonly origins: readonly string[],
    private readonly timeoutMs: number,
  ) {}

  async send(grant: McpGrant, req: IncomingMessage, init: { method: 'POST' | 'GET' | 'DELETE'; body?: string; signal: AbortSignal; stream?: boolean }): Promise<UpstreamReply> {
    if (!this.origins.includes(new URL(grant.upstream).origin)) throw new McpUpstreamNotConfiguredError(grant.name);
    const headers: Record<string, string> = {};
    for (const name of REQUEST_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const correlation = req.headers[CORRELATION_HEADER];
    if (typeof correlation === 'string') headers[CORRELATION_HEADER] = correlation;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    // A GET stream lives as long as the session: only the client's going away ends it.
    const signal = init.stream ? init.signal : AbortSignal.any([init.signal, AbortSignal.timeout(this.timeoutMs)]);
    let response: Response;
    try {
      response = await fetch(grant.upstream, { method: init.method, headers, body: init.body, signal, redirect: 'manual' });
    } catch (error) {
      if (init.signal.aborted) throw error;
      throw new McpUpstreamError(grant.name, signal.aborted ? 'timed out' : 'unreachable', error);
    }
    const out: Record<string, string> = {};
    for (const name of RESPONSE_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) out[name] = value;
    }
    return { status: response.status, headers: out, body: response.body };
  }
}

/** The whole body of an upstream answer, at most MAX_ANSWER_BYTES. */
export async function readAnswer(server: string, reply: UpstreamReply): Promise<string> {
  if (!reply.body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of reply.body) {
      size += chunk.byteLength;
      if (size > MAX_ANSWER_BYTES) throw new McpUpstreamError(server, `answer over ${MAX_ANSWER_BYTES} bytes`);
      chunks.push(Buffer.from(chunk));
    }
  } catch (error) {
    if (error instanceof McpUpstreamError) throw error;
    throw new McpUpstreamError(server, 'answer cut short', error);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Status and transport headers of the upstream's answer, then its body as it comes (a GET stream, a DELETE). */
export async function relay(reply: UpstreamReply, res: ServerResponse): Promise<void> {
  res.writeHead(reply.status, reply.headers);
  if (!reply.body) return void res.end();
  // A GET stream may stay silent for long: the client learns it is open from the headers, sent now.
  res.flushHeaders();
  const body = Readable.fromWeb(reply.body as Parameters<typeof Readable.fromWeb>[0]);
  res.on('close', () => body.destroy());
  body.on('error', () => res.destroy());
  body.pipe(res);
}
