import { type IncomingMessage, type Server, type ServerResponse, createServer, request } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ASSERTION_HEADER, IDENTITY_HEADERS } from '@airlock/identity-assertion';
import {
  APP_CONFIG,
  APP_LOGGER,
  EdgeCaller,
  UnauthenticatedError,
  errorEnvelope,
  errorPage,
  httpCallerOf,
  isBrowserNavigation,
  loadMtlsMaterial,
  mtlsHttpsServerOptions,
  type ServiceConfig,
} from '@airlock/runtime';
import { CORRELATION_HEADER, type Logger } from '@airlock/telemetry';
import type { WorkspaceDriver } from '../drivers/driver';
import { WORKSPACE_DRIVER } from '../reconcile/driver.provider';
import type { workspaceConfig } from '../config';
import { WorkspaceStore } from '../workspaces/workspace-store';
import { type Access, type Caller, type RouteTarget, decideAccess, parseRoute } from './browser-access';

/** Owner lookups are cached this long: a workbench load is hundreds of requests for one workspace. */
const TARGET_TTL_MS = 5_000;
/** Headers only the edge sets; code-server has no use for them (and must never see the assertion). */
const EDGE_HEADERS: readonly string[] = [...Object.values(IDENTITY_HEADERS), ASSERTION_HEADER];

/** The id the edge set on the request (this plain server runs outside the runtime's correlation scope). */
const correlationIdOf = (req: IncomingMessage): string | undefined => {
  const value = req.headers[CORRELATION_HEADER];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * The browser route `/w/<workspace-id>/…`: Envoy (after ext_authz) → here → the workspace's code-server on
 * its Unix socket, WebSocket upgrades included, the `/w/<id>` prefix stripped (code-server only uses
 * relative URLs). A plain Node server rather than the Nest HTTP face: it must stream bodies untouched (no
 * body parser) and hand over upgraded sockets.
 *
 * The caller comes only from the signed x-airlock-identity assertion (EdgeCaller), on plain requests and
 * WebSocket upgrades alike (Envoy forwards ext_authz's headers on the upgrade request too): a request that
 * reached this port around Envoy gets 401 whatever x-user-id/x-tenant-id it carries. With mTLS on (the default) the
 * port is HTTPS and admits only Envoy's certificate, like the service's HTTP face.
 */
@Injectable()
export class BrowserRoute implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly targets = new Map<string, { target: RouteTarget | undefined; until: number }>();
  private mtls = false;

  constructor(
    private readonly store: WorkspaceStore,
    @Inject(WORKSPACE_DRIVER) private readonly driver: WorkspaceDriver | null,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof workspaceConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly edge: EdgeCaller,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.WORKSPACE_PROXY_PORT;
    if (!port) return;
    const material = loadMtlsMaterial(this.config);
    this.mtls = material !== undefined;
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((error: unknown) => this.fail(req, res, error));
    };
    const server: Server = material ? createHttpsServer(mtlsHttpsServerOptions(material), handler) : createServer(handler);
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      this.upgrade(req, socket, head).catch(() => socket.destroy());
    });
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    // No request timeout: workbench WebSockets live for hours; Envoy's idle timeouts bound them.
    server.requestTimeout = 0;
    // Idle connections outlive Envoy's (60 s), as on the service's own HTTP face: Envoy is the side that closes.
    server.keepAliveTimeout = this.config.HTTP_KEEP_ALIVE_TIMEOUT_MS!;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.config.BIND_HOST, () => resolve());
    });
    this.server = server;
    this.logger.info({ port }, 'browser route /w/<workspace-id>/ listening');
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async target(id: string): Promise<RouteTarget | undefined> {
    const cached = this.targets.get(id);
    if (cached && cached.until > Date.now()) return cached.target;
    const row = await this.store.findById(id);
    const target = row ? { tenantId: row.tenant_id, ownerUserId: row.owner_user_id, deleted: row.deleted_at !== null || row.desired_state === 'DELETING' } : undefined;
    if (this.targets.size > 10_000) this.targets.clear();
    this.targets.set(id, { target, until: Date.now() + TARGET_TTL_MS });
    return target;
  }

  /** The verified caller; undefined (→ 401) without a valid assertion, the reason logged by EdgeCaller. */
  private async caller(req: IncomingMessage): Promise<Caller | undefined> {
    try {
      const { userId, tenantId, roles } = await this.edge.callerFrom(req);
      return { userId, tenantId, roles };
    } catch (error) {
      if (error instanceof UnauthenticatedError) return undefined;
      throw error;
    }
  }

  /** Decides, and for an allowed caller returns where to forward; otherwise the refusal. */
  private async route(req: IncomingMessage): Promise<{ ok: true; socketPath: string; path: string; bare: boolean } | { ok: false; status: number; code: string; message: string; retryable?: boolean }> {
    if (this.mtls && httpCallerOf(req) !== 'envoy') return { ok: false, status: 403, code: 'caller_not_allowed', message: 'only the edge may call this port' };
    const parsed = parseRoute(req.url ?? '');
    if (!parsed) return { ok: false, status: 404, code: 'not_found', message: 'no such route' };
    const access: Access = decideAccess(await this.caller(req), await this.target(parsed.workspaceId), this.config.WORKSPACE_ADMIN_ROLES);
    if (!access.allow) return { ok: false, status: access.status, code: access.code, message: access.message };
    const endpoint = this.driver?.browserEndpoint?.(parsed.workspaceId);
    if (!endpoint) return { ok: false, status: 503, code: 'workspace_not_running', message: 'the workspace is not running (start it, then reload)', retryable: true };
    return { ok: true, socketPath: endpoint.socketPath, path: parsed.upstreamPath, bare: parsed.bare };
  }

  private headersFor(req: IncomingMessage): Record<string, string | string[]> {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !EDGE_HEADERS.includes(k)) headers[k] = v;
    return headers;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const decision = await this.route(req);
    if (!decision.ok) return this.refuse(res, decision, req);
    if (decision.bare) {
      // `/w/<id>` → `/w/<id>/`, so code-server's relative URLs resolve under the prefix.
      const url = new URL(req.url ?? '/', 'http://x');
      res.writeHead(308, { location: `${url.pathname}/${url.search}` }).end();
      return;
    }
    const upstream = request({ socketPath: decision.socketPath, method: req.method, path: decision.path, headers: this.headersFor(req) }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.statusMessage, up.rawHeaders);
      up.pipe(res);
    });
    upstream.on('error', (error) => this.fail(req, res, error));
    req.on('aborted', () => upstream.destroy());
    req.pipe(upstream);
  }

  private async upgrade(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    const decision = await this.route(req);
    if (!decision.ok) {
      socket.end(`HTTP/1.1 ${decision.status} ${decision.code}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    const upstream = request({ socketPath: decision.socketPath, method: req.method, path: decision.path, headers: this.headersFor(req) });
    upstream.on('upgrade', (up, upSocket, upHead) => {
      const lines = [`HTTP/1.1 ${up.statusCode ?? 101} ${up.statusMessage ?? 'Switching Protocols'}`];
      for (let i = 0; i < up.rawHeaders.length; i += 2) lines.push(`${up.rawHeaders[i]}: ${up.rawHeaders[i + 1]}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (upHead.length > 0) socket.write(upHead);
      if (head.length > 0) upSocket.write(head);
      upSocket.pipe(socket).pipe(upSocket);
      const close = () => {
        upSocket.destroy();
        socket.destroy();
      };
      upSocket.on('error', close);
      socket.on('error', close);
      upSocket.on('close', close);
      socket.on('close', close);
    });
    upstream.on('response', (up) => {
      // The upstream refused the upgrade: pass its answer on and close.
      socket.end(`HTTP/1.1 ${up.statusCode ?? 502} ${up.statusMessage ?? ''}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      up.resume();
    });
    upstream.on('error', () => socket.destroy());
    upstream.end();
  }

  /** The platform envelope; a person's browser navigating gets the refusal page in its language instead. */
  private refuse(res: ServerResponse, r: { status: number; code: string; message: string; retryable?: boolean }, req: IncomingMessage): void {
    if (isBrowserNavigation(req.method ?? '', req.headers)) {
      const page = errorPage({ status: r.status, code: r.code, correlationId: correlationIdOf(req) ?? '', acceptLanguage: req.headers['accept-language'] });
      res.writeHead(r.status, Object.fromEntries(page.headers)).end(page.body);
      return;
    }
    res.writeHead(r.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(errorEnvelope({ ...r, retryable: r.retryable ?? false }, correlationIdOf(req))));
  }

  private fail(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'browser route: upstream failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify(errorEnvelope({ code: 'workspace_unreachable', message: 'the workspace did not answer', retryable: true }, correlationIdOf(req))));
  }
}
