import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BackendClient, UpstreamError } from './backend-client';

/** A backend that sends an SSE event at once and one 100 ms later, then stays silent until the test ends. */
function stallingBackend(): Promise<{ url: string; seen: http.IncomingHttpHeaders[]; close: () => Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: {"n":1}\n\n');
    setTimeout(() => res.write('data: {"n":2}\n\n'), 100);
  });
  server.on('connection', (s) => sockets.add(s));
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        seen,
        close: () => {
          for (const s of sockets) s.destroy();
          return new Promise((r) => server.close(() => r()));
        },
      }),
    ),
  );
}

async function collect(events: AsyncGenerator<{ data: string }>, seen: string[]): Promise<UpstreamError> {
  try {
    for await (const e of events) seen.push(e.data);
  } catch (error) {
    return error as UpstreamError;
  }
  throw new Error('the stream ended without an error');
}

describe('BackendClient streams', () => {
  let backend: Awaited<ReturnType<typeof stallingBackend>>;
  let client: BackendClient;

  beforeAll(async () => {
    backend = await stallingBackend();
    const config = { protocol: 'openai', baseUrl: backend.url, mtls: false, maxConnections: 4, connectTimeoutMs: 1_000, idleTimeoutMs: 150, retries: 0, breaker: { failureThreshold: 5, cooldownMs: 1_000 } } as const;
    client = new BackendClient('ref', config, 1_000);
  });

  afterAll(async () => {
    client.close();
    await backend.close();
  });

  it('ends a stream that goes silent with idle_timeout, after the events that did arrive', async () => {
    const res = await client.send('chat', { path: '/v1/chat/completions', body: {} });
    const seen: string[] = [];
    const error = await collect(res.events(), seen);
    expect(seen).toEqual(['{"n":1}', '{"n":2}']);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.kind).toBe('idle_timeout');
  });

  it('does not count the time the consumer spends on a chunk as backend silence', async () => {
    const res = await client.send('chat', { path: 'v1/chat/completions', body: {} });
    const events = res.events();
    expect((await events.next()).value).toEqual({ data: '{"n":1}', event: undefined });
    // Longer than the idle timeout, but the client was not waiting on the backend meanwhile: the second event,
    // sent during this pause, is still delivered.
    await new Promise((r) => setTimeout(r, 300));
    const seen: string[] = [];
    const error = await collect(events, seen);
    expect(seen).toEqual(['{"n":2}']);
    expect(error.kind).toBe('idle_timeout');
  });

  it("sends the caller's trace context with the request", async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const res = await client.send('chat', { path: 'v1/chat/completions', body: {}, trace: { traceparent } });
    res.destroy();
    expect(backend.seen.at(-1)?.traceparent).toBe(traceparent);
  });

  it('ends the wait with aborted when the client goes away', async () => {
    const abort = new AbortController();
    const res = await client.send('chat', { path: 'v1/chat/completions', body: {}, signal: abort.signal });
    const seen: string[] = [];
    const pending = collect(res.events(), seen);
    setTimeout(() => abort.abort(), 20);
    const error = await pending;
    expect(error.kind).toBe('aborted');
    expect(client.host).toBe('127.0.0.1');
    expect(client.port).toBe(Number(new URL(backend.url).port));
  });

  it('refuses a request whose client is already gone, and survives one that goes away while it connects', async () => {
    const gone = new AbortController();
    gone.abort();
    await expect(client.send('chat', { path: 'v1/chat/completions', body: {}, signal: gone.signal })).rejects.toMatchObject({ kind: 'aborted' });
    // Aborted before the socket exists: destroying the request must not raise an unhandled "socket hang up".
    const leaving = new AbortController();
    const sent = client.send('chat', { path: 'v1/chat/completions', body: {}, signal: leaving.signal });
    leaving.abort();
    await expect(sent).rejects.toMatchObject({ kind: 'aborted' });
    await new Promise((r) => setTimeout(r, 50));
    // The client still works (this backend then stalls: the response is dropped once it has begun).
    const res = await client.send('chat', { path: 'v1/chat/completions', body: {} });
    expect(res.status).toBe(200);
    res.destroy();
  });
});
