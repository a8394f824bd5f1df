import { Inject, Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { APP_LOGGER } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import { TerminalAudit } from '../audit/terminal-audit';
import { SessionTerminatedError, TicketInvalidError, type InputRefusal } from '../errors';
import { HotState, type Ticket } from '../hot/hot-state';
import { terminalMetrics } from '../metrics';
import { restoreSequence } from '../pty/control-protocol';
import { Pty } from '../pty/pty.provider';
import { SessionRecorder } from '../recording/session-recorder';
import { accessOf, canType, type TerminalSession } from '../sessions/session';
import { SessionStore } from '../sessions/session-store';
import { TerminateSession } from '../sessions/sessions.usecases';
import { accountByKey } from '../workspaces/workspace-hosts';
import { CLOSE, Connections, type OpenConnection } from './connections';

export interface AttachRequest {
  ticket: Ticket;
  /** The client's terminal size, when it gave one (`cols`/`rows` on the upgrade URL). */
  size?: { cols: number; rows: number };
  startedAt: number;
}

/** How often a connection's last input is written to Redis at most: the idle lock counts minutes, not keystrokes. */
const TOUCH_EVERY_MS = 1_000;
/** A quiet terminal is still alive: pings keep the edge's idle timeout (Envoy: 1800 s on /ws/terminal/) from cutting it. */
const PING_EVERY_MS = 30_000;

/** Control messages from the client (text frames). */
export function parseClientMessage(text: string): { type: 'resize'; cols: number; rows: number } | undefined {
  try {
    const m = JSON.parse(text) as Record<string, unknown>;
    const ok = (v: unknown, max: number) => Number.isInteger(v) && (v as number) >= 2 && (v as number) <= max;
    if (m.type === 'resize' && ok(m.cols, 500) && ok(m.rows, 200)) return { type: 'resize', cols: m.cols as number, rows: m.rows as number };
  } catch {
    // not JSON: ignored like any unknown message
  }
  return undefined;
}

/**
 * One WebSocket attached to one session: checks the ticket's grant against the session as it is now, attaches
 * a tmux control client, sends the restored screen, then relays output out and (for those who may type, while
 * the session is not locked) keystrokes in. The last connection leaving makes the session detached.
 */
@Injectable()
export class AttachSession {
  constructor(
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly store: SessionStore,
    private readonly hot: HotState,
    private readonly pty: Pty,
    private readonly connections: Connections,
    private readonly terminate: TerminateSession,
    private readonly audit: TerminalAudit,
    private readonly recorder: SessionRecorder,
  ) {}

  /**
   * Before the upgrade is accepted: the session still exists and the ticket's holder still has access. Also reads
   * the lock, so that run() can listen to the socket before awaiting anything (a frame sent at once is not lost).
   */
  async check(ticket: Ticket): Promise<{ session: TerminalSession; locked: boolean }> {
    const session = await this.store.get(ticket.sessionId);
    if (!session) throw new TicketInvalidError();
    if (session.state === 'terminated') throw new SessionTerminatedError();
    const access = accessOf(session, { tenantId: ticket.tenantId, userId: ticket.userId });
    // Withdrawn or narrowed since the ticket was issued: the ticket is worth what the access is now.
    if (!access || (ticket.access !== 'read-only' && !canType(access))) throw new TicketInvalidError();
    return { session, locked: (await this.hot.live(session.id)).locked };
  }

  async run(ws: WebSocket, session: TerminalSession, request: AttachRequest & { locked: boolean }): Promise<void> {
    const { ticket } = request;
    const mayType = canType(ticket.access);
    const guest = ticket.access !== 'owner';
    const client = this.pty.attach(accountByKey(session.accountKey), session.id, !mayType);
    let locked = request.locked;
    let lastTouch = 0;
    // Keys typed before the restored screen was sent wait for it: tmux gets them once this connection's client
    // is attached and its capture taken, so they are neither sent through a client still attaching nor echoed
    // ahead of the screen they were typed into. Never settled when the attach fails: the socket closes, and
    // keys nobody saw echoed go nowhere.
    let attachDone!: () => void;
    let inputChain = new Promise<void>((resolve) => (attachDone = resolve));
    let open = true;

    const send = (data: Buffer) => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(data, { binary: true });
      terminalMetrics.bytesOut.add(data.length);
    };
    const connection: OpenConnection = {
      userId: ticket.userId,
      notify: (message) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(message)),
      setLocked: (value) => {
        locked = value;
        connection.notify({ type: value ? 'locked' : 'unlocked' });
      },
      close: (code, reason) => ws.close(code, reason),
    };
    const refuse = (code: InputRefusal) => {
      terminalMetrics.refusedInput.add(1, { reason: code });
      connection.notify({ type: 'error', code });
    };

    client.on('output', send);
    client.on('exit', (reason) => {
      if (!open) return;
      connection.notify({ type: 'exit' });
      ws.close(CLOSE.terminated, 'session ended');
      // The shell ended (or tmux lost it) while we were attached: the session is over.
      void this.pty.list(accountByKey(session.accountKey)).then(async (names) => {
        if (!names.includes(session.id)) await this.terminate.execute(session, '', 'shell_exited');
      }, () => undefined);
      this.logger.debug({ session_id: session.id, reason }, 'tmux client exited');
    });

    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) {
        const message = parseClientMessage(data.toString('utf8'));
        // A guest's window does not resize the owner's shell.
        if (message?.type === 'resize' && !guest) {
          void client.resize(message.cols, message.rows).then(() => this.recorder.resize(session.id, message.cols, message.rows), () => undefined);
        }
        return;
      }
      if (!mayType) return refuse('terminal_read_only');
      if (locked) return refuse('terminal_locked');
      terminalMetrics.bytesIn.add(data.length);
      this.recorder.input(session.id, data);
      inputChain = inputChain.then(() => client.input(session.id, data)).catch(() => undefined);
      const now = Date.now();
      if (now - lastTouch > TOUCH_EVERY_MS) {
        lastTouch = now;
        void this.hot.touchInput(session.id, now).catch(() => undefined);
      }
    });

    const ping = setInterval(() => ws.readyState === ws.OPEN && ws.ping(), PING_EVERY_MS);
    ws.on('close', () => {
      clearInterval(ping);
      open = false;
      void client.detach();
      void this.leave(session, connection, guest);
    });

    const first = this.connections.add(session.id, connection) === 1;
    if (first) await this.store.markAttached(session.id);
    await this.hot.addClients(session.id, 1).catch(() => undefined);
    // Not awaited: the screen should not wait for the broker (record() never throws; a broker outage spools).
    void this.audit.record({ action: guest ? 'join' : 'attach', session, actor: ticket.userId, target: ticket.access });

    try {
      await client.whenAttached();
      if (request.size && !guest) {
        await client.resize(request.size.cols, request.size.rows);
        this.recorder.resize(session.id, request.size.cols, request.size.rows);
      }
      const capture = await client.capture(session.id, this.pty.scrollbackLines);
      send(restoreSequence(capture));
      client.resume();
      attachDone();
      terminalMetrics.attachSeconds.record((performance.now() - request.startedAt) / 1000);
      if (locked) connection.notify({ type: 'locked' });
    } catch (error) {
      this.logger.warn({ session_id: session.id, err: String(error) }, 'attach failed');
      ws.close(1011, 'attach failed');
    }
  }

  private async leave(session: TerminalSession, connection: OpenConnection, guest: boolean): Promise<void> {
    const left = this.connections.remove(session.id, connection);
    try {
      await this.hot.addClients(session.id, -1).catch(() => undefined);
      if (left === 0) await this.store.markDetached(session.id);
      await this.audit.record({ action: guest ? 'leave' : 'detach', session, actor: connection.userId });
    } catch (error) {
      this.logger.warn({ session_id: session.id, err: String(error) }, 'detach could not be recorded');
    }
  }
}
