import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { eventually } from '@airlock/testing';
import { type GatewayMesh, startGatewayMesh } from './harness';

/** A backend behind a misconfigured proxy: every request answered 200 with an HTML page. */
async function startHtmlBackend() {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html><body>Welcome to nginx!</body></html>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise((r) => server.close(r)) };
}

jest.setTimeout(120_000);

describe('gateway: backends that fail, clients that go away', () => {
  let mesh: GatewayMesh<'crashy' | 'code'>;
  let html: Awaited<ReturnType<typeof startHtmlBackend>>;

  beforeAll(async () => {
    html = await startHtmlBackend();
    mesh = await startGatewayMesh({
      references: { crashy: { cutAfterChunks: 4 }, code: {} },
      backends: ({ crashy, code }) => ({
        crashy: { protocol: 'openai', baseUrl: crashy },
        code: { protocol: 'openai', baseUrl: code },
        html: { protocol: 'openai', baseUrl: html.url },
      }),
    });
  });

  afterAll(async () => {
    await mesh?.close();
    await html?.close();
  });

  // Long answers, so that DLP's hold-back (the last ~336 characters) lets text through before the end.
  const LONG = 'word '.repeat(200).trim();

  it('a backend dying mid-stream ends the client stream with an error event; usage counts what was sent; others keep working', async () => {
    const id = mesh.nextId();
    // Paced, so the gateway has read the chunks before the connection drops (a reset discards unread bytes).
    Object.assign(mesh.references.crashy.options, { cannedAnswer: LONG, cutAfterChunks: 151, tokensPerSecond: 500 });
    try {
      const stream = await mesh.openai('crashy/reference-chat', { 'x-correlation-id': id }).chat.completions.create({
        model: 'reference-chat',
        stream: true,
        messages: [{ role: 'user', content: 'talk' }],
      });
      let text = '';
      const error = await (async () => {
        for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ code: 'backend_stream_failed', retryable: true });
      // Some scanned text reached the client; what DLP still held back at the cut never does.
      expect(text.length).toBeGreaterThan(0);
      expect(LONG.startsWith(text)).toBe(true);
      expect(await eventually('audit', () => mesh.events.audit(id))).toMatchObject({ statusCode: 502, outcome: 'error' });
      // Metered: every word the gateway got from the model (at most the 150 sent before it died), at least those shown.
      const usage = await eventually('usage', () => mesh.events.usage(id));
      expect(usage.completionTokens).toBeGreaterThanOrEqual(text.split(' ').filter(Boolean).length);
      expect(usage.completionTokens).toBeLessThanOrEqual(150);
    } finally {
      Object.assign(mesh.references.crashy.options, { cannedAnswer: undefined, cutAfterChunks: 4, tokensPerSecond: 0 });
    }
    const ac = await mesh.post('/v1/autocomplete', 'code/reference-code', { prefix: 'x' });
    expect(ac.status).toBe(200);
  });

  it('a client that goes away mid-stream is metered for what was sent and audited as cancelled', async () => {
    const id = mesh.nextId();
    Object.assign(mesh.references.crashy.options, { cutAfterChunks: 0, tokensPerSecond: 200, cannedAnswer: LONG });
    try {
      const stream = await mesh.openai('crashy/reference-chat', { 'x-correlation-id': id }).chat.completions.create({
        model: 'reference-chat',
        stream: true,
        messages: [{ role: 'user', content: 'a long answer please' }],
      });
      for await (const c of stream) if (c.choices[0]?.delta?.content) break;
      const audit = await eventually('audit', () => mesh.events.audit(id));
      expect(audit).toMatchObject({ statusCode: 499, outcome: 'cancelled' });
      const usage = await eventually('usage', () => mesh.events.usage(id));
      expect(usage.completionTokens).toBeGreaterThan(0);
      expect(usage.completionTokens).toBeLessThan(200);
    } finally {
      Object.assign(mesh.references.crashy.options, { cutAfterChunks: 4, tokensPerSecond: 0, cannedAnswer: undefined });
    }
  });

  it('answers 502 backend_bad_response when the backend answers 200 with something other than JSON', async () => {
    for (const [path, body] of [
      ['/v1/chat', { messages: [{ role: 'user', content: 'hi' }] }],
      ['/v1/chat/completions', { model: 'reference-chat', messages: [{ role: 'user', content: 'hi' }] }],
      ['/v1/autocomplete', { prefix: 'x' }],
    ] as const) {
      const id = mesh.nextId();
      const before = html.seen.length;
      const res = await mesh.post(path, 'html/reference-chat', body, { 'x-correlation-id': id });
      expect(res.status).toBe(502);
      expect(await res.json()).toEqual({
        error: { code: 'backend_bad_response', message: expect.stringContaining('not JSON'), correlation_id: id, retryable: false },
      });
      // The backend did answer; what it answered is not passed on as an empty success.
      expect(html.seen.length).toBe(before + 1);
      expect(await eventually('audit', () => mesh.events.audit(id))).toMatchObject({ endpoint: path, statusCode: 502, outcome: 'error', routeTarget: 'html:reference-chat' });
    }
  });
});
