import { type ConnectionEvents, type LinkState, TerminalConnection, parseNotice, socketUrl } from './connection';

/** A stand-in for the browser's WebSocket: the test opens, feeds and closes it. */
class FakeSocket {
  static readonly OPEN = 1;
  readyState = 0;
  binaryType = 'blob';
  sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: unknown) {
    this.sent.push(data);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }
  drop(code: number) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

function connection(options: { tickets?: () => Promise<{ url: string }> } = {}) {
  const sockets: FakeSocket[] = [];
  const states: LinkState[] = [];
  const output: string[] = [];
  const notices: unknown[] = [];
  let issued = 0;
  const events: ConnectionEvents = { output: (b) => output.push(new TextDecoder().decode(b)), state: (s) => states.push(s), notice: (n) => notices.push(n) };
  const conn = new TerminalConnection({
    ticket: options.tickets ?? (async () => ({ url: `/ws/terminal/v1/sessions/s1?ticket=t${++issued}` })),
    size: () => ({ cols: 100, rows: 30 }),
    socketOrigin: 'wss://portal.example',
    events,
    backoffMs: [0],
    openSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket as unknown as WebSocket;
    },
  });
  return { conn, sockets, states, output, notices };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('a terminal connection', () => {
  it('opens the ticket URL with the terminal size, and sends keys as binary and resizes as JSON', async () => {
    const { conn, sockets, states } = connection();
    conn.start();
    await tick();
    expect(sockets[0].url).toBe('wss://portal.example/ws/terminal/v1/sessions/s1?ticket=t1&cols=100&rows=30');
    sockets[0].open();
    conn.send('ls\r');
    conn.resize(120, 40);
    expect(new TextDecoder().decode(sockets[0].sent[0] as Uint8Array)).toBe('ls\r');
    expect(sockets[0].sent[1]).toBe('{"type":"resize","cols":120,"rows":40}');
    expect(states).toEqual(['connecting', 'open']);
    conn.stop();
  });

  it('reconnects with a fresh ticket after a dropped connection, and stops for good after a withdrawal or termination', async () => {
    const { conn, sockets, states } = connection();
    conn.start();
    await tick();
    sockets[0].open();
    sockets[0].drop(1006);
    await tick();
    expect(sockets[1].url).toContain('ticket=t2');
    sockets[1].open();
    sockets[1].drop(4403);
    await tick();
    expect(sockets).toHaveLength(2);
    expect(states).toEqual(['connecting', 'open', 'reconnecting', 'open', 'revoked']);
  });

  it('ends when the ticket is refused because the session ended, and retries when the edge was unreachable', async () => {
    const refusals = [{ status: 0 }, { status: 409 }];
    const { conn, states, sockets } = connection({ tickets: () => Promise.reject(refusals.shift()) });
    conn.start();
    await tick();
    await tick();
    expect(sockets).toHaveLength(0);
    expect(states).toEqual(['connecting', 'reconnecting', 'ended']);
  });

  it('waits for the user after a close by the idle lock', async () => {
    const { conn, sockets, notices } = connection();
    conn.start();
    await tick();
    sockets[0].open();
    sockets[0].drop(4401);
    await tick();
    expect(sockets).toHaveLength(1);
    expect(notices).toEqual([{ type: 'locked' }]);
    conn.reconnectNow();
    await tick();
    expect(sockets[1].url).toContain('ticket=t2');
    conn.stop();
  });

  it('unlocks by reconnecting at once with a new ticket', async () => {
    const { conn, sockets, states } = connection();
    conn.start();
    await tick();
    sockets[0].open();
    conn.reconnectNow();
    await tick();
    expect(sockets[1].url).toContain('ticket=t2');
    sockets[0].drop(1000); // the old socket's close is not a reason to reconnect again
    await tick();
    expect(sockets).toHaveLength(2);
    expect(states).toEqual(['connecting', 'open', 'reconnecting']);
    conn.stop();
  });
});

describe('server notices', () => {
  it('are the known control messages; anything else is ignored', () => {
    expect(parseNotice('{"type":"locked"}')).toEqual({ type: 'locked' });
    expect(parseNotice('{"type":"error","code":"terminal_read_only"}')).toEqual({ type: 'error', code: 'terminal_read_only' });
    expect(parseNotice('{"type":"later"}')).toBeUndefined();
    expect(parseNotice('not json')).toBeUndefined();
  });

  it('a socket URL keeps the ticket and adds the size', () => {
    expect(socketUrl('ws://localhost:8080', '/ws/x?ticket=a%2Bb', { cols: 80, rows: 24 })).toBe('ws://localhost:8080/ws/x?ticket=a%2Bb&cols=80&rows=24');
  });
});
