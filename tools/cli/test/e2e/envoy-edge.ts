// The edge under test for the Envoy specs: the rendered template run by the real Envoy binary, in front of
// stand-in upstreams (HTTPS with the workload certificates Envoy's clusters expect) and a stand-in ext_authz server
// that admits `Bearer good` with a made-up identity and refuses everything else with 401.
import * as grpc from '@grpc/grpc-js';
import { envoy } from '@airlock/contracts';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mtlsHttpsServerOptions, readMtlsMaterial } from '@airlock/grpc';
import { ensureEnvoy, freePort } from '@airlock/testing';
import { envoyVars, writeEnvoyConfig } from '../../src/envoy-config';
import { ensureWorkloadCertificates, type WorkloadCertificate } from '../../src/mtls-pki';
import { ensureDevPki } from '../../src/pki';

const { AuthorizationService, CheckResponse } = envoy.service.auth.v3;
const { StatusCode } = envoy.type.v3;
const { HeaderValueOption_HeaderAppendAction: AppendAction } = envoy.config.core.v3;

export interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface Upstream {
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
export async function startUpstream(name: string, certificate: WorkloadCertificate): Promise<Upstream> {
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

export interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

export interface EdgeUnderTest {
  httpsPort: number;
  httpPort: number;
  adminPort: number;
  /** The dev CA the edge's server certificate chains to. */
  ca: Buffer;
  accessLog: string;
  gateway: Upstream;
  identity: Upstream;
  policyHttp: Upstream;
  portal: Upstream;
  /** Every CheckRequest the stand-in ext_authz server received, in order. */
  checks: envoy.service.auth.v3.CheckRequest[];
  /** One HTTPS request to the edge on a new connection. */
  request(p: string, headers?: Record<string, string>, method?: string): Promise<Res>;
  /** A call to Envoy's admin API (loopback): runtime overrides and counters; rejects unless 200. */
  admin(p: string, method?: string): Promise<string>;
  /** Stops the stand-in ext_authz server, as if policy were gone. */
  stopPolicy(): void;
  close(): Promise<void>;
}

/** Starts the stand-ins and Envoy with the rendered template; resolves once Envoy reports ready. */
export async function startEdge(): Promise<EdgeUnderTest> {
  let envoyLog = '';
  let grpcServer: grpc.Server | undefined;
  const upstreams: Upstream[] = [];
  const checks: envoy.service.auth.v3.CheckRequest[] = [];
  const envoyBin = await ensureEnvoy();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-envoy-e2e-'));
  const pki = await ensureDevPki(path.join(dir, 'pki'));
  const ca = fs.readFileSync(pki.caCert);
  // Envoy reaches ext_authz over mTLS: the stand-in policy server holds `policy`'s certificate and requires Envoy's.
  const mtls = await ensureWorkloadCertificates(path.join(dir, 'pki'), ['policy', 'envoy', 'gateway', 'identity', 'portal']);
  const policyTls = mtls.policy;

  const gateway = await startUpstream('gateway', mtls.gateway);
  const identity = await startUpstream('identity', mtls.identity);
  const policyHttp = await startUpstream('policy-http', mtls.policy);
  const portal = await startUpstream('portal', mtls.portal);
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

  const [httpsPort, httpPort, adminPort] = [await freePort(), await freePort(), await freePort()];
  const accessLog = path.join(dir, 'access.log');
  const config = path.join(dir, 'envoy.yaml');
  await writeEnvoyConfig(config, envoyVars({
    LISTEN_ADDRESS: '127.0.0.1',
    HTTPS_PORT: httpsPort,
    HTTP_PORT: httpPort,
    ADMIN_PORT: adminPort,
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

  const envoyProc: ChildProcess = spawn(envoyBin, ['-c', config, '--log-level', 'warn', '--disable-hot-restart', '--concurrency', '2'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  envoyProc.stdout!.on('data', (d: Buffer) => (envoyLog += d.toString()));
  envoyProc.stderr!.on('data', (d: Buffer) => (envoyLog += d.toString()));

  async function close(): Promise<void> {
    if (envoyProc.exitCode === null && envoyProc.signalCode === null) {
      const exited = new Promise((r) => envoyProc.once('exit', r));
      envoyProc.kill('SIGTERM');
      const t = setTimeout(() => envoyProc.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    }
    grpcServer?.forceShutdown();
    await Promise.all(upstreams.map((u) => u.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  }

  // Ready when the admin interface reports LIVE (listeners are bound by then); an Envoy that never is takes the
  // stand-ins down with it, so a failed start leaves nothing listening.
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (envoyProc.exitCode !== null) {
      await close();
      throw new Error(`envoy exited (${envoyProc.exitCode}):\n${envoyLog}`);
    }
    const ready = await new Promise<boolean>((resolve) => {
      http.get({ host: '127.0.0.1', port: adminPort, path: '/ready', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      }).on('error', () => resolve(false));
    });
    if (ready) break;
    if (Date.now() > deadline) {
      await close();
      throw new Error(`envoy not ready after 15s:\n${envoyLog}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

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

  return {
    httpsPort,
    httpPort,
    adminPort,
    ca,
    accessLog,
    gateway,
    identity,
    policyHttp,
    portal,
    checks,
    request,
    admin,
    stopPolicy: () => {
      grpcServer?.forceShutdown();
      grpcServer = undefined;
    },
    close,
  };
}
