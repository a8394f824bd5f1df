import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  AUTOCOMPLETE_PATH,
  GatewayClient,
  GatewayError,
  autocompletePayload,
  buildRequest,
  chatPayload,
  errorFromResponse,
  errorFromTransport,
  parseAutocomplete,
  parseChat,
} from './gateway';
import { readSettings, type AirlockSettings } from './settings';

const settings: AirlockSettings = {
  gatewayUrl: 'https://edge.example:8443/',
  tokenFile: '/run/secrets/ai_gateway_token',
  caFile: '',
  workspaceId: 'ws_abcdefghijklmnopqrst',
  projectId: 'payments',
  tenantId: 'acme',
  inlineCompletion: true,
};

describe('request building', () => {
  it('autocomplete: prefix, language, bounded tokens, temperature 0; suffix only when there is one', () => {
    expect(autocompletePayload({ prefix: 'const a = ', suffix: '', language: 'typescript' })).toEqual({ prefix: 'const a = ', language: 'typescript', max_tokens: 64, temperature: 0 });
    expect(autocompletePayload({ prefix: 'f(', suffix: ')\n', language: 'python', maxTokens: 16 })).toEqual({ prefix: 'f(', suffix: ')\n', language: 'python', max_tokens: 16, temperature: 0 });
  });

  it('chat: a system message and the question with the selection fenced in its language, not streamed', () => {
    const body = chatPayload('  What does it do? ', 'x = 1', 'python') as { messages: { role: string; content: string }[]; stream: boolean };
    expect(body.stream).toBe(false);
    expect(body.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(body.messages[1]!.content).toBe('What does it do?\n\n```python\nx = 1\n```');
  });

  it('bearer token, the workspace headers the other clients send, a correlation id; the URL under the gateway', () => {
    const req = buildRequest(settings, 'tok.en-1', AUTOCOMPLETE_PATH, { prefix: 'a' }, { correlationId: 'cid-1', userAgent: 'airlock-ai/0.1.0', timeoutMs: 5000 });
    expect(req.url.toString()).toBe('https://edge.example:8443/v1/autocomplete');
    expect(req.headers).toEqual({
      authorization: 'Bearer tok.en-1',
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': 'airlock-ai/0.1.0',
      'x-correlation-id': 'cid-1',
      'x-workspace-id': 'ws_abcdefghijklmnopqrst',
      'x-project-id': 'payments',
      'x-tenant-id': 'acme',
    });
    expect(JSON.parse(req.body)).toEqual({ prefix: 'a' });
    const prefixed = buildRequest({ ...settings, gatewayUrl: 'https://edge/ai', workspaceId: '' }, 't', '/v1/chat', {}, { correlationId: 'c', userAgent: 'u', timeoutMs: 1 });
    expect(prefixed.url.toString()).toBe('https://edge/ai/v1/chat');
    expect(prefixed.headers['x-workspace-id']).toBeUndefined();
  });

  it('refuses a token file that does not hold one token (empty, or a header injection), without echoing it', () => {
    for (const bad of ['', 'two words', 'a\r\nx-evil: 1']) {
      let caught: unknown;
      try {
        buildRequest(settings, bad, AUTOCOMPLETE_PATH, {}, { correlationId: 'c', userAgent: 'u', timeoutMs: 1 });
      } catch (error) {
        caught = error;
      }
      expect(caught).toMatchObject({ code: 'token_unavailable' });
      if (bad) expect((caught as Error).message).not.toContain(bad);
    }
  });
});

describe('response parsing and error mapping', () => {
  it('reads the autocomplete text and the chat message content', () => {
    expect(parseAutocomplete({ id: 'x', model: 'airlock-code', text: '/* done */', usage: {}, dlp_action: 'allow', source: 'backend' }, 'c')).toEqual({ text: '/* done */' });
    expect(parseChat({ id: 'x', model: 'airlock-chat', message: { role: 'assistant', content: 'It adds.' } }, 'c')).toEqual({ content: 'It adds.', model: 'airlock-chat' });
    expect(() => parseAutocomplete({ choices: [] }, 'c')).toThrow(expect.objectContaining({ code: 'bad_response' }));
    expect(() => parseChat(null, 'c')).toThrow(expect.objectContaining({ code: 'bad_response' }));
  });

  it('takes code, message, retryable and correlation id from the platform envelope', () => {
    const e = errorFromResponse(422, JSON.stringify({ error: { code: 'dlp_blocked', message: 'the prompt contains a secret', correlation_id: 'gw-1', retryable: false } }), 'mine');
    expect(e).toBeInstanceOf(GatewayError);
    expect([e.code, e.message, e.status, e.retryable, e.correlationId]).toEqual(['dlp_blocked', 'the prompt contains a secret', 422, false, 'gw-1']);
    expect(errorFromResponse(429, JSON.stringify({ error: { code: 'rate_limited', message: 'slow down', retryable: true } }), 'mine')).toMatchObject({ code: 'rate_limited', retryable: true, correlationId: 'mine' });
    // The platform spells a missing correlation id null: the request's own id stands in.
    expect(errorFromResponse(503, JSON.stringify({ error: { code: 'identity_unavailable', message: 'later', correlation_id: null, retryable: true } }), 'mine')).toMatchObject({ correlationId: 'mine' });
  });

  it('without an envelope, names the failure by HTTP status; never trusts a malformed code', () => {
    expect(errorFromResponse(401, 'nope', 'c')).toMatchObject({ code: 'unauthenticated', retryable: false });
    expect(errorFromResponse(429, '', 'c')).toMatchObject({ code: 'rate_limited', retryable: true });
    expect(errorFromResponse(503, '<html>', 'c')).toMatchObject({ code: 'gateway_unavailable', retryable: true });
    expect(errorFromResponse(500, '', 'c')).toMatchObject({ code: 'gateway_unavailable', retryable: true });
    expect(errorFromResponse(418, '', 'c')).toMatchObject({ code: 'http_418', retryable: false });
    expect(errorFromResponse(400, JSON.stringify({ error: { code: 'Not A Code <script>', message: 5 } }), 'c')).toMatchObject({ code: 'invalid_request', message: 'the gateway answered HTTP 400' });
  });

  it('maps transport failures: unreachable, untrusted TLS, cancelled', () => {
    const errno = (code: string) => Object.assign(new Error(code), { code });
    expect(errorFromTransport(errno('ECONNREFUSED'), 'c')).toMatchObject({ code: 'gateway_unreachable', retryable: true, correlationId: 'c' });
    expect(errorFromTransport(errno('SELF_SIGNED_CERT_IN_CHAIN'), 'c')).toMatchObject({ code: 'tls_untrusted', retryable: false });
    expect(errorFromTransport(Object.assign(new Error('aborted'), { name: 'AbortError' }), 'c')).toMatchObject({ code: 'cancelled' });
    const own = new GatewayError('token_unavailable', 'x');
    expect(errorFromTransport(own, 'c')).toBe(own);
  });
});

describe('GatewayClient against a local HTTP server', () => {
  let server: Server;
  let base: string;
  const seen: { url: string; headers: IncomingHttpHeaders; body: string }[] = [];
  let reply: (url: string) => { status: number; body: unknown; delayMs?: number } = () => ({ status: 200, body: { text: 'ok' } });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-ext-'));
  const tokenFile = path.join(dir, 'token');

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', headers: req.headers, body });
        const r = reply(req.url ?? '');
        setTimeout(() => {
          res.writeHead(r.status, { 'content-type': 'application/json' });
          res.end(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
        }, r.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => (seen.length = 0));

  const client = (over: Partial<AirlockSettings> = {}) => new GatewayClient(() => ({ ...readSettings(() => undefined), gatewayUrl: base, tokenFile, workspaceId: 'ws_1', ...over }), 'airlock-ai/test');

  it('reads the token file on every call (it is rotated) and posts the autocomplete body', async () => {
    reply = () => ({ status: 200, body: { id: 'a', text: '/* completion */' } });
    writeFileSync(tokenFile, 'first-token\n');
    const first = await client().autocomplete({ prefix: 'let x = ', suffix: '', language: 'javascript' });
    expect(first.value).toEqual({ text: '/* completion */' });
    writeFileSync(tokenFile, 'second-token');
    await client().autocomplete({ prefix: 'y', suffix: 'z', language: 'go' });
    expect(seen.map((s) => [s.url, s.headers.authorization, s.headers['x-workspace-id']])).toEqual([
      ['/v1/autocomplete', 'Bearer first-token', 'ws_1'],
      ['/v1/autocomplete', 'Bearer second-token', 'ws_1'],
    ]);
    expect(JSON.parse(seen[1]!.body)).toEqual({ prefix: 'y', suffix: 'z', language: 'go', max_tokens: 64, temperature: 0 });
    expect(seen[0]!.headers['x-correlation-id']).toBe(first.correlationId);
  });

  it('asks /v1/chat and returns the message', async () => {
    writeFileSync(tokenFile, 't');
    reply = () => ({ status: 200, body: { message: { role: 'assistant', content: 'An answer' }, model: 'airlock-chat' } });
    await expect(client().chat('Why?', 'code', 'rust')).resolves.toMatchObject({ value: { content: 'An answer', model: 'airlock-chat' } });
    expect(seen[0]!.url).toBe('/v1/chat');
  });

  it('surfaces the gateway envelope code (e.g. dlp_blocked), a missing token file, a dead gateway and a cancel', async () => {
    writeFileSync(tokenFile, 't');
    reply = () => ({ status: 422, body: { error: { code: 'dlp_blocked', message: 'blocked', correlation_id: 'gw', retryable: false } } });
    await expect(client().autocomplete({ prefix: 'p', suffix: '', language: 'x' })).rejects.toMatchObject({ code: 'dlp_blocked', status: 422 });
    await expect(client({ tokenFile: path.join(dir, 'missing') }).autocomplete({ prefix: 'p', suffix: '', language: 'x' })).rejects.toMatchObject({ code: 'token_unavailable' });
    expect(seen).toHaveLength(1); // no request without a token
    await expect(client({ gatewayUrl: 'http://127.0.0.1:9' }).autocomplete({ prefix: 'p', suffix: '', language: 'x' })).rejects.toMatchObject({ code: 'gateway_unreachable' });
    await expect(client({ caFile: path.join(dir, 'no-ca.pem'), gatewayUrl: base.replace('http:', 'https:') }).autocomplete({ prefix: 'p', suffix: '', language: 'x' })).rejects.toMatchObject({
      code: 'ca_unavailable',
    });
    reply = () => ({ status: 200, body: { text: 'late' }, delayMs: 2_000 });
    const abort = new AbortController();
    const pending = client().autocomplete({ prefix: 'p', suffix: '', language: 'x' }, abort.signal);
    setTimeout(() => abort.abort(), 50);
    await expect(pending).rejects.toMatchObject({ code: 'cancelled' });
    reply = () => ({ status: 200, body: 'not json' });
    await expect(client().autocomplete({ prefix: 'p', suffix: '', language: 'x' })).rejects.toMatchObject({ code: 'bad_response' });
  });
});
