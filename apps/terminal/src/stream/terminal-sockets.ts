import { randomBytes } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WebSocketServer } from 'ws';
import { APP_CONFIG, APP_LOGGER, AppError, EdgeCaller, errorEnvelope, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { terminalConfig } from '../config';
import { OriginForbiddenError, TicketInvalidError } from '../errors';
import { HotState } from '../hot/hot-state';
import { AttachSession } from './attach.usecase';

const WS_PATH = /^\/ws\/terminal\/v1\/sessions\/([A-Za-z0-9_-]{1,64})$/;

/** The client's size from the upgrade URL, when both are given and sane. */
export function sizeFrom(params: URLSearchParams): { cols: number; rows: number } | undefined {
  const cols = Number(params.get('cols'));
  const rows = Number(params.get('rows'));
  return Number.isInteger(cols) && Number.isInteger(rows) && cols >= 10 && cols <= 500 && rows >= 5 && rows <= 200 ? { cols, rows } : undefined;
}

/**
 * A browser on HTTP/2 opens the WebSocket with an extended CONNECT (RFC 8441), which has no Sec-WebSocket-Key;
 * Envoy turns it into an HTTP/1.1 upgrade for us without adding one, and `ws` refuses an upgrade without it
 * (400). The key only proves to an HTTP/1.1 client that the server speaks WebSocket; that client is Envoy here,
 * which does not check the answer for a converted stream, so a random key stands in for the missing one.
 */
export function ensureWebSocketKey(headers: IncomingMessage['headers']): void {
  if (!headers['sec-websocket-key']) headers['sec-websocket-key'] = randomBytes(16).toString('base64');
}

/** Whether the upgrade's Origin is one of the allowed ones (exact match; a missing Origin is refused too). */
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  return origin !== undefined && allowed.includes(origin);
}

/**
 * Takes WebSocket upgrades for `/ws/terminal/v1/sessions/{id}` off the HTTP server: the Origin must be allowed,
 * the edge must have authenticated the caller, and the ticket must be this caller's for this session (it is
 * spent by the first upgrade that gets as far as looking at it, right or wrong). A refusal is an ordinary HTTP answer with the error envelope.
 */
@Injectable()
export class TerminalSockets implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly allowedOrigins: readonly string[];

  constructor(
    @Inject(APP_CONFIG) config: ServiceConfig<typeof terminalConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly adapterHost: HttpAdapterHost,
    private readonly edge: EdgeCaller,
    private readonly hot: HotState,
    private readonly attach: AttachSession,
  ) {
    this.allowedOrigins = config.TERMINAL_ALLOWED_ORIGINS;
  }

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.upgrade(req, socket, head));
  }

  onApplicationShutdown(): void {
    for (const ws of this.wss.clients) ws.close(1001, 'service stopping');
    this.wss.close();
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const startedAt = performance.now();
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://terminal');
    const match = WS_PATH.exec(url.pathname);
    const correlationId = typeof req.headers['x-correlation-id'] === 'string' ? req.headers['x-correlation-id'] : undefined;
    if (!match) return refuse(socket, 404, { code: 'not_found', message: 'no such WebSocket route', retryable: false }, correlationId);
    try {
      if (!originAllowed(req.headers.origin, this.allowedOrigins)) throw new OriginForbiddenError();
      const caller = await this.edge.callerFrom(req);
      const ticket = await this.hot.consumeTicket(url.searchParams.get('ticket') ?? '');
      if (!ticket || ticket.sessionId !== match[1] || ticket.userId !== caller.userId || ticket.tenantId !== caller.tenantId) throw new TicketInvalidError();
      const { session, locked } = await this.attach.check(ticket);
      ensureWebSocketKey(req.headers);
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.attach.run(ws, session, { ticket, size: sizeFrom(url.searchParams), startedAt, locked }).catch((error: unknown) => {
          this.logger.error({ err: String(error), session_id: session.id }, 'terminal connection failed');
          ws.close(1011, 'internal error');
        });
      });
    } catch (error) {
      if (error instanceof AppError) return refuse(socket, error.httpStatus, error, correlationId);
      this.logger.error({ err: String(error) }, 'terminal upgrade failed');
      refuse(socket, 500, { code: 'internal', message: 'internal error', retryable: true }, correlationId);
    }
  }
}

function refuse(socket: Duplex, status: number, error: { code: string; message: string; retryable: boolean }, correlationId: string | undefined): void {
  const body = JSON.stringify(errorEnvelope(error, correlationId));
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n${body}`);
}
