// End-to-end test of the rendered Envoy config against the real Envoy binary: TLS, header stripping,
// ext_authz (gRPC, fail closed), routing, redirects, streaming and the access log.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import tls from 'node:tls';
import { startEdge, type EdgeUnderTest } from './envoy-edge';

describe('Envoy edge (real binary, rendered template)', () => {
  let edge: EdgeUnderTest;

  beforeAll(async () => {
    edge = await startEdge();
  }, 240_000);

  afterAll(() => edge?.close());

  it('good token: reaches the gateway with the verified identity, client identity headers and credential stripped', async () => {
    const before = edge.gateway.seen.length;
    const res = await edge.request('/v1/models?x=1', {
      authorization: 'Bearer good',
      'x-user-id': 'attacker',
      'x-tenant-id': 'evil',
      'x-airlock-identity': 'forged',
      'x-correlation-id': 'corr-123',
    });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { upstream: string; headers: Record<string, string> };
    expect(body.upstream).toBe('gateway');
    expect(body.headers['x-user-id']).toBe('u1');
    expect(body.headers['x-tenant-id']).toBe('t1');
    expect(body.headers['x-correlation-id']).toBe('corr-123');
    expect(body.headers).not.toHaveProperty('authorization');
    expect(body.headers).not.toHaveProperty('x-airlock-identity');
    expect(body.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-correlation-id']).toBe('corr-123');
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(edge.gateway.seen.length).toBe(before + 1);

    // The policy service never sees the forged identity either (stripped before ext_authz).
    const check = edge.checks[edge.checks.length - 1].attributes!.request!.http!;
    expect(check.path).toBe('/v1/models?x=1');
    expect(check.headers['x-user-id']).toBeUndefined();
    expect(check.headers['x-airlock-identity']).toBeUndefined();

    // Without a client correlation id the authorizer's generated one is returned.
    const res2 = await edge.request('/tabby/v1/health', { authorization: 'Bearer good' });
    expect(res2.status).toBe(200);
    expect(JSON.parse(res2.body).upstream).toBe('gateway');
    expect(res2.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('bad or missing token: 401 with the JSON error, upstream never reached', async () => {
    const before = edge.gateway.seen.length;
    for (const headers of [{ authorization: 'Bearer bad' }, {}] as Record<string, string>[]) {
      const res = await edge.request('/v1/chat/completions', headers, 'POST');
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toBe('application/json');
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'unauthenticated' } });
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    }
    // Path normalization: the ext_authz-exempt /auth/ prefix cannot be used to reach the gateway.
    const sneaky = await edge.request('/auth/../v1/models', {});
    expect(sneaky.status).toBe(401);
    expect(edge.gateway.seen.length).toBe(before);
  });

  it('/healthz answers without a token and without calling ext_authz', async () => {
    const before = edge.checks.length;
    const res = await edge.request('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toBe('ok\n');
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(edge.checks.length).toBe(before);
  });

  it('/auth/ reaches identity without ext_authz, still stripping identity headers', async () => {
    const before = edge.checks.length;
    const res = await edge.request('/auth/login', { 'x-user-id': 'attacker', 'x-workspace-id': 'w-evil' }, 'POST');
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { upstream: string; headers: Record<string, string> };
    expect(body.upstream).toBe('identity');
    expect(body.headers).not.toHaveProperty('x-user-id');
    expect(body.headers).not.toHaveProperty('x-workspace-id');
    expect(edge.checks.length).toBe(before);
  });

  it('/api/policy/ goes to the Policy API behind ext_authz; every other path to the portal, also behind it', async () => {
    const before = edge.checks.length;
    const ok = await edge.request('/api/policy/rules', { authorization: 'Bearer good' });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).upstream).toBe('policy-http');
    expect((await edge.request('/api/policy/rules', {})).status).toBe(401);
    for (const page of ['/', '/tokens', '/assets/index-abc.js', '/nope']) {
      const res = await edge.request(page, { authorization: 'Bearer good' });
      expect([page, res.status, JSON.parse(res.body).upstream]).toEqual([page, 200, 'portal']);
    }
    expect((await edge.request('/', {})).status).toBe(401);
    expect(edge.checks.length).toBe(before + 7);
  });

  it('plain HTTP only redirects (301) to HTTPS', async () => {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: edge.httpPort, path: '/v1/models?x=1', headers: { host: `localhost:${edge.httpPort}` }, agent: false },
        (r) => {
          r.resume();
          resolve(r);
        }).on('error', reject);
    });
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe(`https://localhost:${edge.httpsPort}/v1/models?x=1`);
  });

  it('TLS: 1.1 refused; 1.2 and 1.3 accepted; ALPN offers h2', async () => {
    const connect = (opts: tls.ConnectionOptions) => new Promise<{ err?: Error; version?: string | null; alpn?: string | false | null }>(
      (resolve) => {
        const s = tls.connect({ host: '127.0.0.1', port: edge.httpsPort, servername: 'localhost', ca: edge.ca, ...opts }, () => {
          const r = { version: s.getProtocol(), alpn: s.alpnProtocol };
          s.end();
          resolve(r);
        });
        s.on('error', (err) => resolve({ err }));
      },
    );
    // SECLEVEL=0 lets the Node/OpenSSL client actually offer TLS 1.1, so the refusal comes from Envoy.
    const old = await connect({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
    expect(old.err).toBeDefined();
    expect(old.err!.message).toMatch(/protocol version/i);
    const v12 = await connect({ maxVersion: 'TLSv1.2', ALPNProtocols: ['h2', 'http/1.1'] });
    expect(v12).toMatchObject({ version: 'TLSv1.2', alpn: 'h2' });
    const v13 = await connect({ minVersion: 'TLSv1.3', ALPNProtocols: ['http/1.1'] });
    expect(v13).toMatchObject({ version: 'TLSv1.3', alpn: 'http/1.1' });
  });

  it('SSE streams chunk by chunk through ext_authz and the router', async () => {
    const start = Date.now();
    const arrivals = await new Promise<{ at: number; data: string }[]>((resolve, reject) => {
      const req = https.get(
        { host: '127.0.0.1', port: edge.httpsPort, servername: 'localhost', ca: edge.ca, path: '/v1/sse', agent: false,
          headers: { authorization: 'Bearer good', accept: 'text/event-stream' } },
        (res) => {
          expect(res.statusCode).toBe(200);
          const got: { at: number; data: string }[] = [];
          res.setEncoding('utf8');
          res.on('data', (d: string) => got.push({ at: Date.now() - start, data: d }));
          res.on('end', () => resolve(got));
        },
      );
      req.on('error', reject);
    });
    expect(arrivals.map((a) => a.data).join('')).toBe([0, 1, 2, 3, 4].map((i) => `data: ${i}\n\n`).join(''));
    expect(arrivals.length).toBeGreaterThanOrEqual(4);
    // Event 0 is emitted at ~400 ms and event 4 at ~2 s: a buffering proxy would deliver everything at the end.
    expect(arrivals[0].at).toBeLessThan(1200);
    expect(arrivals[arrivals.length - 1].at - arrivals[0].at).toBeGreaterThan(1000);
  }, 10_000);

  it('WebSocket upgrade is passed through to the gateway', async () => {
    const echoed = await new Promise<string>((resolve, reject) => {
      const req = https.request({
        host: '127.0.0.1', port: edge.httpsPort, servername: 'localhost', ca: edge.ca, path: '/v1/realtime', agent: false,
        headers: {
          authorization: 'Bearer good', connection: 'Upgrade', upgrade: 'websocket',
          'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64'),
        },
      });
      req.on('upgrade', (res, socket) => {
        expect(res.statusCode).toBe(101);
        socket.once('data', (d: Buffer) => {
          resolve(d.toString());
          socket.destroy();
        });
        socket.write('ping');
      });
      req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
      req.on('error', reject);
      req.end();
    });
    expect(echoed).toBe('echo:ping');
    const seen = edge.gateway.seen[edge.gateway.seen.length - 1];
    expect(seen.url).toBe('/v1/realtime');
    expect(seen.headers['x-user-id']).toBe('u1');
  });

  it('writes JSON access-log lines with the authenticated identity', async () => {
    const deadline = Date.now() + 5000;
    let entry: Record<string, unknown> | undefined;
    while (!entry && Date.now() < deadline) {
      const lines = fs.existsSync(edge.accessLog) ? fs.readFileSync(edge.accessLog, 'utf8').split('\n').filter(Boolean) : [];
      entry = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.correlation_id === 'corr-123');
      if (!entry) await new Promise((r) => setTimeout(r, 200));
    }
    expect(entry).toBeDefined();
    expect(entry).toMatchObject({
      user_id: 'u1', tenant_id: 't1', method: 'GET', path: '/v1/models', upstream_cluster: 'gateway_http',
    });
    // The request was /v1/models?x=1: query strings (which can carry a token) are not logged.
    expect(fs.readFileSync(edge.accessLog, 'utf8')).not.toContain('x=1');
    expect(Number(entry!.status)).toBe(200);
    for (const k of ['time', 'duration_ms', 'response_flags', 'bytes_sent', 'bytes_received', 'request_id']) {
      expect(entry).toHaveProperty(k);
    }
  });

  it('fails closed: policy gRPC down -> 503 quickly, upstream not reached', async () => {
    edge.stopPolicy();
    const before = edge.gateway.seen.length;
    const res = await edge.request('/v1/models', { authorization: 'Bearer good' });
    expect(res.status).toBe(503);
    expect(res.ms).toBeLessThan(3000);
    expect(edge.gateway.seen.length).toBe(before);
    // Exempt routes keep working.
    expect((await edge.request('/healthz')).status).toBe(200);
  });
});
