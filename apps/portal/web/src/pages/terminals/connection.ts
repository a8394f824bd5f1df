// One terminal's link to the terminal service: a fresh single-use ticket for every (re)connect, binary frames
// both ways, JSON text frames for control. Kept free of React and xterm so its rules are testable on their own.

/** What the page shows about the link. */
export type LinkState = 'connecting' | 'open' | 'reconnecting' | 'ended' | 'revoked';

/** The close code of a connection ended by the idle lock: only the user's own action reconnects (and so unlocks). */
export const LOCKED_CLOSE = 4401;

/** A control message from the server (apps/terminal/openapi.yaml, the WebSocket route). */
export type ServerNotice = { type: 'locked' } | { type: 'unlocked' } | { type: 'exit' } | { type: 'error'; code: string };

export interface ConnectionEvents {
  output(bytes: Uint8Array): void;
  state(state: LinkState): void;
  notice(notice: ServerNotice): void;
}

export interface ConnectionOptions {
  /** Asks for a ticket; its `url` is the path to open (ticket included). */
  ticket: () => Promise<{ url: string }>;
  size: () => { cols: number; rows: number };
  events: ConnectionEvents;
  /** The page's origin as ws(s)://host. */
  socketOrigin: string;
  /** Delays between attempts; the last one repeats. */
  backoffMs?: readonly number[];
  openSocket?: (url: string) => WebSocket;
}

/** Close codes after which reconnecting is pointless: the invitation was withdrawn, the session terminated. */
export const FINAL_CLOSE: Record<number, LinkState> = { 4403: 'revoked', 4410: 'ended' };
const DEFAULT_BACKOFF_MS = [500, 1_000, 2_000, 4_000, 8_000];

/** The WebSocket URL for a ticket's path, with the terminal's size so the restored screen fits at once. */
export function socketUrl(origin: string, path: string, size: { cols: number; rows: number }): string {
  const url = new URL(path, origin);
  url.searchParams.set('cols', String(size.cols));
  url.searchParams.set('rows', String(size.rows));
  return url.toString();
}

/** A server text frame as a notice, or undefined for anything unknown (ignored, a newer server may say more). */
export function parseNotice(text: string): ServerNotice | undefined {
  try {
    const m = JSON.parse(text) as { type?: unknown; code?: unknown };
    if (m.type === 'locked' || m.type === 'unlocked' || m.type === 'exit') return { type: m.type };
    if (m.type === 'error' && typeof m.code === 'string') return { type: 'error', code: m.code };
  } catch {
    // not JSON: ignored like an unknown message
  }
  return undefined;
}

export class TerminalConnection {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private readonly encoder = new TextEncoder();

  constructor(private readonly options: ConnectionOptions) {}

  start(): void {
    this.options.events.state('connecting');
    void this.connect();
  }

  /** Typed input, as the terminal emulator hands it over (a string of characters). */
  send(data: string): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(this.encoder.encode(data));
  }

  resize(cols: number, rows: number): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: 'resize', cols, rows }));
  }

  /** Reconnects now with a fresh ticket: how the owner unlocks an idle-locked session. */
  reconnectNow(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.attempt = 0;
    const old = this.socket;
    this.socket = null;
    old?.close(1000, 'reconnect');
    this.options.events.state('reconnecting');
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close(1000, 'closed');
    this.socket = null;
  }

  private async connect(): Promise<void> {
    let path: string;
    try {
      path = (await this.options.ticket()).url;
    } catch (error) {
      // A terminated session (409) or lost access (403, 404) will not come back; anything else may.
      const status = (error as { status?: unknown }).status;
      if (status === 409 || status === 404) return this.finish('ended');
      if (status === 403) return this.finish('revoked');
      return this.retry();
    }
    if (this.stopped) return;
    const url = socketUrl(this.options.socketOrigin, path, this.options.size());
    const socket = (this.options.openSocket ?? ((u) => new WebSocket(u)))(url);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.options.events.state('open');
    };
    socket.onmessage = (event: MessageEvent) => {
      if (typeof event.data === 'string') {
        const notice = parseNotice(event.data);
        if (notice) this.options.events.notice(notice);
      } else this.options.events.output(new Uint8Array(event.data as ArrayBuffer));
    };
    socket.onclose = (event: CloseEvent) => {
      if (this.socket !== socket || this.stopped) return;
      this.socket = null;
      const final = FINAL_CLOSE[event.code];
      if (final) this.finish(final);
      // A new ticket would unlock the session: that is for the user to ask (reconnectNow), not for a timer.
      else if (event.code === LOCKED_CLOSE) this.options.events.notice({ type: 'locked' });
      else this.retry();
    };
  }

  private retry(): void {
    if (this.stopped) return;
    this.options.events.state('reconnecting');
    const backoff = this.options.backoffMs ?? DEFAULT_BACKOFF_MS;
    const delay = backoff[Math.min(this.attempt, backoff.length - 1)];
    this.attempt += 1;
    this.timer = setTimeout(() => void this.connect(), delay);
  }

  private finish(state: LinkState): void {
    this.stopped = true;
    this.options.events.state(state);
  }
}
