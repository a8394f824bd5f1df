// End-to-end test of the rendered Envoy config against the real Envoy binary: TLS, header stripping,
// ext_authz (gRPC, fail closed), routing, redirects, streaming and the access log.
import * as grpc from '@grpc/grpc-js';
import { envoy } from '@airlock/contracts';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs, { mkdirSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { mtlsHttpsServerOptions, readMtlsMaterial } from '@airlock/grpc';
import { chromium } from 'playwright-core';
import { CHROMIUM_FLAGS, ensureChromium, ensureEnvoy, freePort } from '@airlock/testing';
import { envoyVars, writeEnvoyConfig } from '../../src/envoy-config';
import { ensureWorkloadCertificates, type WorkloadCertificate } from '../../src/mtls-pki';
import { DevPki, ensureDevPki } from '../../src/pki';
import { LOCALES, SCREENSHOTS, newContext, noSeriousA11yViolations, shoot } from './portal-support';

const { AuthorizationService, CheckResponse } = envoy.service.auth.v3;
const { StatusCode } = envoy.type.v3;
const { HeaderValueOption_HeaderAppendAction: AppendAction } = envoy.config.core.v3;


interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

interface Upstream {
  name: string;
  port: number;
  seen: Seen[];
  server: http.Server;
  close: () => Promise<void>;
}

/**
 * Echoes the request headers as JSON; /v1/sse streams 5 events 400 ms apart; WebSocket upgrades echo bytes. HTTPS
 * with the certificate of the workload Envoy's cluster expects there, requiring Envoy's, as the services do.
 */
async function startUpstream(name: string, certificate: WorkloadCertificate): Promise<Upstream> {
  const seen: Seen[] = [];
  // Upgraded sockets are no longer tracked by the HTTP server; close them ourselves on shutdown.
  const sockets = new Set<net.Socket>();
  const server = https.createServer(mtlsHttpsServerOptions(readMtlsMaterial(certificate)), (req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if (req.url?.startsWith('/v1/sse')) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      let i = 0;
      const timer = setInterval(() => {
        res.write(`data: ${i}\n\n`);
        if (++i === 5) {
          clearInterval(timer);
          res.end();
        }
      }, 400);
      res.on('close', () => clearInterval(timer));
      return;
    }
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ upstream: name, method: req.method, url: req.url, headers: req.headers }));
    });
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    socket.on('data', (d) => socket.write(Buffer.concat([Buffer.from('echo:'), d])));
    socket.on('end', () => socket.end());
    socket.on('error', () => undefined);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name,
    port: (server.address() as net.AddressInfo).port,
    seen,
    server,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

describe('Envoy edge (real binary, rendered template)', () => {
  let dir: string;
  let pki: DevPki;
  let ca: Buffer;
  let mtls: Record<string, WorkloadCertificate>;
  let envoyProc: ChildProcess | undefined;
  let envoyLog = '';
  let grpcServer: grpc.Server | undefined;
  const upstreams: Upstream[] = [];
  let gateway: Upstream;
  let identity: Upstream;
  let policyHttp: Upstream;
  let portal: Upstream;
  const checks: envoy.service.auth.v3.CheckRequest[] = [];
  let httpsPort: number;
  let httpPort: number;
  let adminPort: number;
  let accessLog: string;

  function request(p: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Res> {
    const start = Date.now();
    return new Promise((resolve, reject) => {
      const req = https.request(
        { host: '127.0.0.1', port: httpsPort, servername: 'localhost', ca, path: p, method, headers, agent: false },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: Date.now() - start }));
        },
      );
      req.setTimeout(8000, () => req.destroy(new Error(`timeout: ${method} ${p}`)));
      req.on('error', reject);
      req.end();
    });
  }

  beforeAll(async () => {
    const envoyBin = await ensureEnvoy();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-envoy-e2e-'));
    pki = await ensureDevPki(path.join(dir, 'pki'));
    ca = fs.readFileSync(pki.caCert);
    // Envoy reaches ext_authz over mTLS: the stand-in policy server holds `policy`'s certificate and requires Envoy's.
    mtls = await ensureWorkloadCertificates(path.join(dir, 'pki'), ['policy', 'envoy', 'gateway', 'identity', 'portal']);
    const policyTls = mtls.policy;

    gateway = await startUpstream('gateway', mtls.gateway);
    identity = await startUpstream('identity', mtls.identity);
    policyHttp = await startUpstream('policy-http', mtls.policy);
    portal = await startUpstream('portal', mtls.portal);
    upstreams.push(gateway, identity, policyHttp, portal);

    grpcServer = new grpc.Server();
    grpcServer.addService(AuthorizationService, {
      check: (
        call: grpc.ServerUnaryCall<envoy.service.auth.v3.CheckRequest, envoy.service.auth.v3.CheckResponse>,
        cb: grpc.sendUnaryData<envoy.service.auth.v3.CheckResponse>,
      ) => {
        checks.push(call.request);
        const headers = call.request.attributes?.request?.http?.headers ?? {};
        if (headers['authorization'] === 'Bearer good') {
          const correlationId = headers['x-correlation-id'] || randomUUID();
          const set = (key: string, value: string) => ({
            header: { key, value },
            appendAction: AppendAction.OVERWRITE_IF_EXISTS_OR_ADD,
          });
          cb(null, CheckResponse.fromPartial({
            status: { code: grpc.status.OK },
            okResponse: {
              headers: [set('x-user-id', 'u1'), set('x-tenant-id', 't1'), set('x-correlation-id', correlationId)],
              headersToRemove: ['authorization'],
              responseHeadersToAdd: [set('x-correlation-id', correlationId)],
            },
          }));
          return;
        }
        cb(null, CheckResponse.fromPartial({
          status: { code: grpc.status.UNAUTHENTICATED },
          deniedResponse: {
            status: { code: StatusCode.Unauthorized },
            headers: [{ header: { key: 'content-type', value: 'application/json' } }],
            body: JSON.stringify({ error: { code: 'unauthenticated', message: 'missing or invalid credential' } }),
          },
        }));
      },
    });
    const grpcPort = await new Promise<number>((resolve, reject) =>
      grpcServer!.bindAsync(
        '127.0.0.1:0',
        grpc.ServerCredentials.createSsl(fs.readFileSync(policyTls.caFile), [{ cert_chain: fs.readFileSync(policyTls.certFile), private_key: fs.readFileSync(policyTls.keyFile) }], true),
        (err, port) =>
        err ? reject(err) : resolve(port)),
    );

    const [pHttps, pHttp, pAdmin] = [await freePort(), await freePort(), await freePort()];
    httpsPort = pHttps;
    httpPort = pHttp;
    adminPort = pAdmin;
    accessLog = path.join(dir, 'access.log');
    const config = path.join(dir, 'envoy.yaml');
    await writeEnvoyConfig(config, envoyVars({
      LISTEN_ADDRESS: '127.0.0.1',
      HTTPS_PORT: httpsPort,
      HTTP_PORT: httpPort,
      ADMIN_PORT: pAdmin,
      TLS_CERT_CHAIN: pki.chain,
      TLS_PRIVATE_KEY: pki.serverKey,
      ACCESS_LOG_PATH: accessLog,
      MTLS_CERT_CHAIN: mtls.envoy.certFile,
      MTLS_PRIVATE_KEY: mtls.envoy.keyFile,
      MTLS_CA: mtls.envoy.caFile,
      POLICY_GRPC_HOST: '127.0.0.1',
      POLICY_GRPC_PORT: grpcPort,
      GATEWAY_HTTP_HOST: '127.0.0.1',
      GATEWAY_HTTP_PORT: gateway.port,
      IDENTITY_HTTP_HOST: '127.0.0.1',
      IDENTITY_HTTP_PORT: identity.port,
      POLICY_HTTP_HOST: '127.0.0.1',
      POLICY_HTTP_PORT: policyHttp.port,
      // Nothing listens there: the gRPC access log is not under test here, and Envoy just drops its entries. The
      // audit, usage and rag routes are not exercised here either (their clusters would refuse policy's certificate).
      AUDIT_GRPC_HOST: '127.0.0.1',
      AUDIT_GRPC_PORT: await freePort(),
      AUDIT_HTTP_HOST: '127.0.0.1',
      AUDIT_HTTP_PORT: policyHttp.port,
      USAGE_HTTP_HOST: '127.0.0.1',
      USAGE_HTTP_PORT: policyHttp.port,
      RAG_HTTP_HOST: '127.0.0.1',
      RAG_HTTP_PORT: policyHttp.port,
      PORTAL_HTTP_HOST: '127.0.0.1',
      PORTAL_HTTP_PORT: portal.port,
    }));

    envoyProc = spawn(envoyBin, ['-c', config, '--log-level', 'warn', '--disable-hot-restart', '--concurrency', '2'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    envoyProc.stdout!.on('data', (d: Buffer) => (envoyLog += d.toString()));
    envoyProc.stderr!.on('data', (d: Buffer) => (envoyLog += d.toString()));

    // Ready when the admin interface reports LIVE (listeners are bound by then).
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (envoyProc.exitCode !== null) throw new Error(`envoy exited (${envoyProc.exitCode}):\n${envoyLog}`);
      const ready = await new Promise<boolean>((resolve) => {
        http.get({ host: '127.0.0.1', port: pAdmin, path: '/ready', agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        }).on('error', () => resolve(false));
      });
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`envoy not ready after 15s:\n${envoyLog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 240_000);

  afterAll(async () => {
    if (envoyProc && envoyProc.exitCode === null) {
      const exited = new Promise((r) => envoyProc!.once('exit', r));
      envoyProc.kill('SIGTERM');
      const t = setTimeout(() => envoyProc!.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    }
    grpcServer?.forceShutdown();
    await Promise.all(upstreams.map((u) => u.close()));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('good token: reaches the gateway with the verified identity, client identity headers and credential stripped', async () => {
    const before = gateway.seen.length;
    const res = await request('/v1/models?x=1', {
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
    expect(gateway.seen.length).toBe(before + 1);

    // The policy service never sees the forged identity either (stripped before ext_authz).
    const check = checks[checks.length - 1].attributes!.request!.http!;
    expect(check.path).toBe('/v1/models?x=1');
    expect(check.headers['x-user-id']).toBeUndefined();
    expect(check.headers['x-airlock-identity']).toBeUndefined();

    // Without a client correlation id the authorizer's generated one is returned.
    const res2 = await request('/tabby/v1/health', { authorization: 'Bearer good' });
    expect(res2.status).toBe(200);
    expect(JSON.parse(res2.body).upstream).toBe('gateway');
    expect(res2.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('bad or missing token: 401 with the JSON error, upstream never reached', async () => {
    const before = gateway.seen.length;
    for (const headers of [{ authorization: 'Bearer bad' }, {}] as Record<string, string>[]) {
      const res = await request('/v1/chat/completions', headers, 'POST');
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toBe('application/json');
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'unauthenticated' } });
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    }
    // Path normalization: the ext_authz-exempt /auth/ prefix cannot be used to reach the gateway.
    const sneaky = await request('/auth/../v1/models', {});
    expect(sneaky.status).toBe(401);
    expect(gateway.seen.length).toBe(before);
  });

  it('/healthz answers without a token and without calling ext_authz', async () => {
    const before = checks.length;
    const res = await request('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toBe('ok\n');
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(checks.length).toBe(before);
  });

  it('/auth/ reaches identity without ext_authz, still stripping identity headers', async () => {
    const before = checks.length;
    const res = await request('/auth/login', { 'x-user-id': 'attacker', 'x-workspace-id': 'w-evil' }, 'POST');
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { upstream: string; headers: Record<string, string> };
    expect(body.upstream).toBe('identity');
    expect(body.headers).not.toHaveProperty('x-user-id');
    expect(body.headers).not.toHaveProperty('x-workspace-id');
    expect(checks.length).toBe(before);
  });

  it('/api/policy/ goes to the Policy API behind ext_authz; every other path to the portal, also behind it', async () => {
    const before = checks.length;
    const ok = await request('/api/policy/rules', { authorization: 'Bearer good' });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).upstream).toBe('policy-http');
    expect((await request('/api/policy/rules', {})).status).toBe(401);
    for (const page of ['/', '/tokens', '/assets/index-abc.js', '/nope']) {
      const res = await request(page, { authorization: 'Bearer good' });
      expect([page, res.status, JSON.parse(res.body).upstream]).toEqual([page, 200, 'portal']);
    }
    expect((await request('/', {})).status).toBe(401);
    expect(checks.length).toBe(before + 7);
  });

  it('plain HTTP only redirects (301) to HTTPS', async () => {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: httpPort, path: '/v1/models?x=1', headers: { host: `localhost:${httpPort}` }, agent: false },
        (r) => {
          r.resume();
          resolve(r);
        }).on('error', reject);
    });
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe(`https://localhost:${httpsPort}/v1/models?x=1`);
  });

  it('TLS: 1.1 refused; 1.2 and 1.3 accepted; ALPN offers h2', async () => {
    const connect = (opts: tls.ConnectionOptions) => new Promise<{ err?: Error; version?: string | null; alpn?: string | false | null }>(
      (resolve) => {
        const s = tls.connect({ host: '127.0.0.1', port: httpsPort, servername: 'localhost', ca, ...opts }, () => {
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
        { host: '127.0.0.1', port: httpsPort, servername: 'localhost', ca, path: '/v1/sse', agent: false,
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
        host: '127.0.0.1', port: httpsPort, servername: 'localhost', ca, path: '/v1/realtime', agent: false,
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
    const seen = gateway.seen[gateway.seen.length - 1];
    expect(seen.url).toBe('/v1/realtime');
    expect(seen.headers['x-user-id']).toBe('u1');
  });

  it('writes JSON access-log lines with the authenticated identity', async () => {
    const deadline = Date.now() + 5000;
    let entry: Record<string, unknown> | undefined;
    while (!entry && Date.now() < deadline) {
      const lines = fs.existsSync(accessLog) ? fs.readFileSync(accessLog, 'utf8').split('\n').filter(Boolean) : [];
      entry = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.correlation_id === 'corr-123');
      if (!entry) await new Promise((r) => setTimeout(r, 200));
    }
    expect(entry).toBeDefined();
    expect(entry).toMatchObject({
      user_id: 'u1', tenant_id: 't1', method: 'GET', path: '/v1/models', upstream_cluster: 'gateway_http',
    });
    // The request was /v1/models?x=1: query strings (which can carry a token) are not logged.
    expect(fs.readFileSync(accessLog, 'utf8')).not.toContain('x=1');
    expect(Number(entry!.status)).toBe(200);
    for (const k of ['time', 'duration_ms', 'response_flags', 'bytes_sent', 'bytes_received', 'request_id']) {
      expect(entry).toHaveProperty(k);
    }
  });

  /** A POST to Envoy's admin API (loopback): runtime overrides and counters. */
  function admin(p: string, method = 'GET'): Promise<string> {
    return new Promise((resolve, reject) => {
      http
        .request({ host: '127.0.0.1', port: adminPort, path: p, method, agent: false }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`admin ${p}: ${res.statusCode} ${body}`))));
        })
        .on('error', reject)
        .end();
    });
  }
  const requestsTo = async (cluster: string) => Number(/: (\d+)/.exec(await admin(`/stats?filter=^cluster\\.${cluster}\\.upstream_rq_total$`))?.[1] ?? 0);

  it('inline completion, the model routes and MCP sessions each have their own pool of connections to the gateway', async () => {
    const routes: Array<[string, string]> = [
      ['/v1/completions', 'gateway_inline'],
      ['/v1/autocomplete', 'gateway_inline'],
      ['/tabby/v1/health', 'gateway_inline'],
      ['/v1/chat/completions', 'gateway_http'],
      ['/v1/completions/other', 'gateway_http'],
      ['/mcp/tools', 'gateway_mcp'],
    ];
    for (const [p, cluster] of routes) {
      const before = await requestsTo(cluster);
      const res = await request(p, { authorization: 'Bearer good' });
      expect([p, res.status, JSON.parse(res.body).upstream]).toEqual([p, 200, 'gateway']);
      expect([p, await requestsTo(cluster)]).toEqual([p, before + 1]);
    }
  });

  it('a pool with no connection left: 503 busy in the error envelope with Retry-After and the correlation id, the gateway not reached', async () => {
    // The circuit breaker's limit, lowered at runtime as a burst would exhaust it.
    await admin('/runtime_modify?circuit_breakers.gateway_http.default.max_requests=0', 'POST');
    try {
      const before = gateway.seen.length;
      const res = await request('/v1/chat/completions', { authorization: 'Bearer good', 'x-correlation-id': 'corr-busy-1' });
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(res.body)).toEqual({
        error: { code: 'busy', message: 'too many requests in flight for this service; retry shortly', correlation_id: 'corr-busy-1', retryable: true },
      });
      expect(gateway.seen.length).toBe(before);
      // The other pools are not affected.
      expect((await request('/v1/completions', { authorization: 'Bearer good' })).status).toBe(200);
    } finally {
      await admin('/runtime_modify?circuit_breakers.gateway_http.default.max_requests=', 'POST');
    }
    expect((await request('/v1/chat/completions', { authorization: 'Bearer good' })).status).toBe(200);
  });

  it('a service that takes no connection: 503 service_unavailable in the error envelope with the correlation id', async () => {
    await identity.close();
    const res = await request('/auth/login', { 'x-correlation-id': 'corr-down-1' });
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toEqual({
      error: { code: 'service_unavailable', message: 'the service is not reachable; retry shortly', correlation_id: 'corr-down-1', retryable: true },
    });

    // A person's browser navigating there gets a page in the language it asks for first, naming the reference.
    const navigate = { accept: 'text/html', 'sec-fetch-mode': 'navigate' };
    const ko = await request('/auth/login', { ...navigate, 'accept-language': 'ko-KR,ko;q=0.9,en;q=0.8' });
    expect([ko.status, ko.headers['content-type'], ko.headers['content-language']]).toEqual([503, 'text/html; charset=utf-8', 'ko']);
    expect(ko.body).toContain('<h1>일시적으로 사용할 수 없습니다</h1>');
    expect(ko.body).toMatch(/참조 번호: <code>[0-9a-f-]{36}<\/code>/);
    expect(ko.headers['content-security-policy']).toContain("default-src 'none'");
    const en = await request('/auth/login', { ...navigate, 'accept-language': 'en-US,en;q=0.9' });
    expect([en.status, en.headers['content-language']]).toEqual([503, 'en']);
    expect(en.body).toContain('<h1>Temporarily unavailable</h1>');
  });

  it.each(LOCALES)('a person navigating to the service that is down in $locale sees the page in that language (Chromium, axe)', async ({ locale, lang }) => {
    const browser = await chromium.launch({ executablePath: await ensureChromium(), headless: true, args: [...CHROMIUM_FLAGS] });
    try {
      const page = await (await newContext(browser, locale)).newPage();
      const reply = (await page.goto(`https://localhost:${httpsPort}/auth/login`))!;
      expect([reply.status(), reply.headers()['content-language']]).toEqual([503, lang]);
      expect(await page.textContent('h1')).toBe(lang === 'ko' ? '일시적으로 사용할 수 없습니다' : 'Temporarily unavailable');
      expect(await page.getByRole('link').getAttribute('href')).toBe('/');
      await noSeriousA11yViolations(page, 'edge 503 page');
      mkdirSync(SCREENSHOTS, { recursive: true });
      await shoot(page, `${lang}-edge-unavailable`);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('fails closed: policy gRPC down -> 503 quickly, upstream not reached', async () => {
    grpcServer!.forceShutdown();
    grpcServer = undefined;
    const before = gateway.seen.length;
    const res = await request('/v1/models', { authorization: 'Bearer good' });
    expect(res.status).toBe(503);
    expect(res.ms).toBeLessThan(3000);
    expect(gateway.seen.length).toBe(before);
    // Exempt routes keep working.
    expect((await request('/healthz')).status).toBe(200);
  });
});
