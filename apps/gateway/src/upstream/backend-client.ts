import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { withoutAutoInstrumentation } from '@airlock/telemetry';
import type { BackendConfig } from '../config';
import { SseParser, type SseEvent } from './sse';

/** Where an upstream attempt failed; decides whether a retry is safe and how the failure is reported. */
export type UpstreamFailureKind = 'connect' | 'first_byte_timeout' | 'status' | 'idle_timeout' | 'reset' | 'aborted';

export class UpstreamError extends Error {
  constructor(
    readonly kind: UpstreamFailureKind,
    readonly backend: string,
    message: string,
    /** HTTP status for kind "status". */
    readonly status = 0,
    /** The backend's error body (JSON text, bounded) for kind "status". */
    readonly body = '',
  ) {
    super(`${backend}: ${message}`);
    this.name = 'UpstreamError';
  }

  /** Nothing reached the backend: repeating cannot do anything twice. */
  get beforeSend(): boolean {
    return this.kind === 'connect';
  }

  /** A failure of the backend (counts against its circuit), as opposed to a request it rejected. */
  get backendFault(): boolean {
    return this.kind !== 'aborted' && !(this.kind === 'status' && this.status < 500 && this.status !== 429);
  }
}

export interface UpstreamRequest {
  path: string;
  method?: 'GET' | 'POST';
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /**
   * Trace context of the caller's own span for this call (the GenAI span): sent to the backend instead of
   * an automatic HTTP client span, which would duplicate that span (and its work) on every model call.
   */
  trace?: Record<string, string>;
}

export interface UpstreamResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Whole body as text. */
  text(): Promise<string>;
  /** Body as SSE events; an idle gap longer than the backend's idle timeout ends it with UpstreamError. */
  events(): AsyncGenerator<SseEvent>;
  /** Stop reading and free the connection. */
  destroy(): void;
}

const MAX_ERROR_BODY = 8 * 1024;

/**
 * One backend, one connection pool per request type (a slow chat stream cannot hold the sockets
 * autocomplete needs), with separate connect, first-byte and idle-between-chunks timeouts. Uses node:http
 * directly: each of the three phases needs its own timer, which fetch does not expose.
 */
export class BackendClient {
  private readonly agents = new Map<string, http.Agent>();
  private readonly base: URL;
  private readonly transport: typeof http | typeof https;
  /** Resolved request URLs by path: a backend is called on a handful of paths. */
  private readonly urls = new Map<string, URL>();
  /** `server.address` / `server.port` of the GenAI spans. */
  readonly host: string;
  readonly port: number;

  constructor(
    readonly id: string,
    readonly config: BackendConfig,
    private readonly defaultFirstByteMs: number,
    /** For a backend with `mtls`: the gateway's certificate and key, and the CA the backend's certificate must chain to. */
    private readonly tls?: { cert: Buffer; key: Buffer; ca: Buffer },
  ) {
    this.base = new URL(config.baseUrl.endsWith('/') ? config.baseUrl : `${config.baseUrl}/`);
    this.transport = this.base.protocol === 'https:' ? https : http;
    this.host = this.base.hostname;
    this.port = Number(this.base.port) || (this.base.protocol === 'https:' ? 443 : 80);
  }

  private url(path: string): URL {
    let url = this.urls.get(path);
    if (!url) {
      url = new URL(path.replace(/^\//, ''), this.base);
      if (this.urls.size < 64) this.urls.set(path, url);
    }
    return url;
  }

  private agent(pool: string): http.Agent {
    let agent = this.agents.get(pool);
    if (!agent) {
      // Every socket the pool may open is kept when idle: with fewer free slots than sockets, each burst above
      // that number closed sockets on release and connected new ones for the next burst (a TCP handshake and
      // teardown per request at a few hundred req/s). Idle sockets are closed by the backend's keep-alive timeout.
      const pooling = { keepAlive: true, maxSockets: this.config.maxConnections, maxFreeSockets: this.config.maxConnections };
      agent = this.tls ? new https.Agent({ ...pooling, ...this.tls }) : new this.transport.Agent(pooling);
      this.agents.set(pool, agent);
    }
    return agent;
  }

  /** Resolves at the first response byte (status + headers); rejects with UpstreamError. */
  send(pool: string, request: UpstreamRequest): Promise<UpstreamResponse> {
    const url = this.url(request.path);
    const payload = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
    const firstByteMs = this.config.firstByteTimeoutMs ?? this.defaultFirstByteMs;
    // A client already gone gets no upstream request at all.
    if (request.signal?.aborted) return Promise.reject(new UpstreamError('aborted', this.id, 'the client went away'));
    return new Promise((resolve, reject) => {
      let settled = false;
      let connectTimer: NodeJS.Timeout | undefined;
      const fail = (error: UpstreamError) => {
        if (settled) return;
        settled = true;
        clearTimeout(connectTimer);
        clearTimeout(firstByteTimer);
        req.destroy();
        reject(error);
      };
      const create = () =>
        this.transport.request(url, {
          method: request.method ?? 'POST',
          agent: this.agent(pool),
          headers: {
            accept: 'application/json, text/event-stream',
            ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
            ...request.headers,
            ...request.trace,
          },
        });
      const req = request.trace ? withoutAutoInstrumentation(create) : create();
      let connected = false;
      // Attached first: fail() destroys the request, and a destroyed request without an error listener would
      // crash the process with its "socket hang up".
      req.on('error', (error: NodeJS.ErrnoException) => {
        // Once connected the backend may have started work: only a safe request is repeated after a reset.
        fail(new UpstreamError(connected ? 'reset' : 'connect', this.id, error.code ?? error.message));
      });
      req.on('socket', (socket: Socket) => {
        if (!socket.connecting) {
          connected = true;
          return;
        }
        connectTimer = setTimeout(() => fail(new UpstreamError('connect', this.id, `no connection within ${this.config.connectTimeoutMs} ms`)), this.config.connectTimeoutMs);
        socket.once('connect', () => {
          connected = true;
          clearTimeout(connectTimer);
        });
      });
      const firstByteTimer = setTimeout(() => fail(new UpstreamError('first_byte_timeout', this.id, `no answer within ${firstByteMs} ms`)), firstByteMs);
      const onAbort = () => fail(new UpstreamError('aborted', this.id, 'the client went away'));
      request.signal?.addEventListener('abort', onAbort, { once: true });
      req.on('response', (res) => {
        if (settled) return res.destroy();
        settled = true;
        clearTimeout(firstByteTimer);
        clearTimeout(connectTimer);
        request.signal?.removeEventListener('abort', onAbort);
        const wrapped = this.wrap(res, request.signal);
        if (res.statusCode && res.statusCode >= 400) {
          wrapped
            .text()
            .catch(() => '')
            .then((body) => reject(new UpstreamError('status', this.id, `HTTP ${res.statusCode}`, res.statusCode, body.slice(0, MAX_ERROR_BODY))));
          return;
        }
        resolve(wrapped);
      });
      req.end(payload);
    });
  }

  private wrap(res: IncomingMessage, signal: AbortSignal | undefined): UpstreamResponse {
    const id = this.id;
    const idleMs = this.config.idleTimeoutMs;
    // Chunks are pulled through the response's async iterator. One idle timer per response, re-armed (not
    // re-created) for each pull, runs only while the consumer waits for a chunk; it and an abort end the wait
    // by destroying the response with the UpstreamError, which the pending pull then throws.
    async function* chunks(): AsyncGenerator<string> {
      const decoder = new StringDecoder('utf8');
      const iterator = res[Symbol.asyncIterator]();
      let waiting = false;
      const timer = setTimeout(() => {
        if (waiting) res.destroy(new UpstreamError('idle_timeout', id, `no data for ${idleMs} ms`));
      }, idleMs);
      const onAbort = () => res.destroy(new UpstreamError('aborted', id, 'the client went away'));
      if (signal?.aborted) onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        for (;;) {
          let next: IteratorResult<Buffer>;
          waiting = true;
          timer.refresh();
          try {
            next = (await iterator.next()) as IteratorResult<Buffer>;
          } catch (error) {
            if (error instanceof UpstreamError) throw error;
            throw new UpstreamError('reset', id, (error as NodeJS.ErrnoException).code ?? (error as Error).message);
          } finally {
            waiting = false;
          }
          if (next.done) break;
          yield decoder.write(next.value);
        }
        // The body ended: a backend that died mid-response ends it without `complete`.
        if (!res.complete) throw new UpstreamError('reset', id, 'connection closed before the answer was complete');
        const rest = decoder.end();
        if (rest) yield rest;
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (!res.complete) res.destroy();
      }
    }
    return {
      status: res.statusCode ?? 0,
      headers: res.headers,
      async text() {
        let out = '';
        for await (const c of chunks()) out += c;
        return out;
      },
      async *events() {
        const parser = new SseParser();
        for await (const c of chunks()) yield* parser.push(c);
      },
      destroy: () => res.destroy(),
    };
  }

  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}
