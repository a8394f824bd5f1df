// mTLS between services, against real service processes with real certificates from the dev PKI. gRPC (the built
// dlp, which needs no datastore): no client certificate or one from another CA → the handshake is refused; a workload
// outside dlp's call graph → PERMISSION_DENIED caller_not_allowed; the gateway (in the graph) → answered. HTTP (the
// built portal): plaintext and certificate-less TLS refused, a workload other than Envoy → 403 caller_not_allowed.
import { type ChildProcess, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { airlock } from '@airlock/contracts';
import {
  CALLER_NOT_ALLOWED,
  ERROR_CODE_TRAILER,
  GrpcCredentials,
  GrpcStatus,
  checkHealth,
  createClient,
  isGrpcError,
  mtlsChannelCredentials,
  mtlsHttpsClientOptions,
  readMtlsMaterial,
  unary,
  type ChannelCredentials,
} from '@airlock/grpc';
import { freePort } from '@airlock/testing';
import { ensureWorkloadCertificates, type WorkloadCertificate } from './mtls-pki';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** One Scan on `client`'s channel; resolves to the answer or the gRPC error. */
async function scanWith(client: airlock.dlp.v1.DlpServiceClient): Promise<airlock.dlp.v1.ScanResponse | Error> {
  try {
    return await unary(client.scan.bind(client), { text: 'hello', direction: airlock.dlp.v1.Direction.DIRECTION_INBOUND, correlationId: '', policyVersion: undefined });
  } catch (error) {
    return error as Error;
  }
}

/** Scan once, on a new channel, as whoever `credentials` names. */
async function scanAs(address: string, credentials: ChannelCredentials): Promise<airlock.dlp.v1.ScanResponse | Error> {
  const client = createClient(airlock.dlp.v1.DlpServiceClient, address, { credentials, deadlineMs: 5_000 });
  try {
    return await scanWith(client);
  } finally {
    client.close();
  }
}

const as = (certificate: WorkloadCertificate) => mtlsChannelCredentials(readMtlsMaterial(certificate));

/** A built service (`apps/<app>/dist/main.js`) with mTLS on as `certificate`, started and SERVING on gRPC health. */
async function startService(app: string, certificate: WorkloadCertificate, operator: WorkloadCertificate, extraEnv: NodeJS.ProcessEnv = {}) {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  let log = '';
  const child = spawn(process.execPath, [path.join(ROOT, `apps/${app}/dist/main.js`)], {
    env: {
      PATH: process.env.PATH,
      BIND_HOST: '127.0.0.1',
      GRPC_PORT: String(port),
      METRICS_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      MTLS_CERT_FILE: certificate.certFile,
      MTLS_KEY_FILE: certificate.keyFile,
      MTLS_CA_FILE: certificate.caFile,
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const deadline = Date.now() + 30_000;
  while ((await checkHealth(address, '', 500, as(operator))) !== 'SERVING') {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${app} did not become ready:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { address, child };
}

describe('mTLS on internal gRPC (a real dlp process, dev PKI certificates)', () => {
  let dir: string;
  let certs: Record<string, WorkloadCertificate>;
  let foreign: WorkloadCertificate;
  let address: string;
  let child: ChildProcess;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-mtls-'));
    certs = await ensureWorkloadCertificates(path.join(dir, 'pki'), ['dlp', 'gateway', 'usage', 'operator']);
    // A `gateway` certificate from a CA dlp does not trust: the name alone must not open the door.
    foreign = (await ensureWorkloadCertificates(path.join(dir, 'other-pki'), ['gateway'])).gateway;
    ({ address, child } = await startService('dlp', certs.dlp, certs.operator));
  }, 60_000);

  afterAll(() => {
    child?.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('issues certificates naming their workload in CN and URI SAN, for client and server use, with 0600 keys', () => {
    const leaf = new X509Certificate(fs.readFileSync(certs.gateway.certFile));
    expect(leaf.subject).toContain('CN=gateway');
    expect(leaf.subjectAltName).toContain('URI:spiffe://airlock/gateway');
    expect(leaf.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']));
    expect(fs.statSync(certs.gateway.keyFile).mode & 0o777).toBe(0o600);
  });

  it('refuses a call without a client certificate in the handshake', async () => {
    // TLS that trusts dlp's CA but presents nothing, and plaintext: neither gets a call through.
    const anonymous = GrpcCredentials.createSsl(fs.readFileSync(certs.dlp.caFile));
    for (const credentials of [anonymous, GrpcCredentials.createInsecure()]) {
      const result = await scanAs(address, credentials);
      expect(isGrpcError(result) && result.code).toBe(GrpcStatus.UNAVAILABLE);
    }
    expect(await checkHealth(address, '', 1_000, anonymous)).toBe('UNREACHABLE');
  });

  it('refuses a certificate from another CA, whatever workload it names', async () => {
    const result = await scanAs(address, as(foreign));
    expect(isGrpcError(result) && result.code).toBe(GrpcStatus.UNAVAILABLE);
  });

  it('answers PERMISSION_DENIED caller_not_allowed to a verified workload outside its call graph', async () => {
    const result = await scanAs(address, as(certs.usage));
    expect(isGrpcError(result)).toBe(true);
    if (!isGrpcError(result)) return;
    expect(result.code).toBe(GrpcStatus.PERMISSION_DENIED);
    expect(result.metadata.get(ERROR_CODE_TRAILER)).toEqual([CALLER_NOT_ALLOWED]);
    expect(result.metadata.get('x-correlation-id')).toHaveLength(1);
    expect(result.details).toContain('usage');
    // Health stays open to every verified caller (readiness checks are not in the graph).
    expect(await checkHealth(address, '', 1_000, as(certs.usage))).toBe('SERVING');
  });

  it('judges every call on a connection by the certificate of that connection (the caller is read once per connection)', async () => {
    const gateway = createClient(airlock.dlp.v1.DlpServiceClient, address, { credentials: as(certs.gateway), deadlineMs: 5_000 });
    const usage = createClient(airlock.dlp.v1.DlpServiceClient, address, { credentials: as(certs.usage), deadlineMs: 5_000 });
    try {
      const outcomes: string[] = [];
      for (let i = 0; i < 3; i++) {
        for (const [name, client] of [['gateway', gateway], ['usage', usage]] as const) {
          const result = await scanWith(client);
          outcomes.push(`${name} ${isGrpcError(result) ? GrpcStatus[result.code] : 'answered'}`);
        }
      }
      expect(outcomes).toEqual(['gateway answered', 'usage PERMISSION_DENIED', 'gateway answered', 'usage PERMISSION_DENIED', 'gateway answered', 'usage PERMISSION_DENIED']);
    } finally {
      gateway.close();
      usage.close();
    }
  });

  it('answers the gateway, which its call graph names', async () => {
    const result = await scanAs(address, as(certs.gateway));
    expect(result).not.toBeInstanceOf(Error);
    expect((result as airlock.dlp.v1.ScanResponse).text).toBe('hello');
  });
});

/** One GET to 127.0.0.1:`port` (HTTPS unless `plain`); resolves to status and body, or to the error of a refused connection. */
function httpsGet(port: number, options: https.RequestOptions, plain = false): Promise<{ status: number; body: string } | Error> {
  return new Promise((resolve) => {
    const req = (plain ? http : https).get({ host: '127.0.0.1', port, path: '/', agent: false, headers: { 'x-correlation-id': 'mtls-http-test' }, ...options }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', resolve);
  });
}

describe('mTLS on HTTP faces (a real portal process, dev PKI certificates)', () => {
  let dir: string;
  let certs: Record<string, WorkloadCertificate>;
  let httpPort: number;
  let child: ChildProcess;
  const as = (workload: string) => mtlsHttpsClientOptions(readMtlsMaterial(certs[workload]), 'portal');

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-mtls-http-'));
    certs = await ensureWorkloadCertificates(path.join(dir, 'pki'), ['portal', 'envoy', 'gateway', 'operator']);
    httpPort = await freePort();
    // The portal's health API takes its caller from the edge's assertion; the JWKS is fetched only when first needed.
    const jwks = `https://127.0.0.1:${await freePort()}/api/policy/v1/assertion/jwks.json`;
    ({ child } = await startService('portal', certs.portal, certs.operator, { HTTP_PORT: String(httpPort), IDENTITY_ASSERTION_JWKS_URL: jwks }));
  }, 60_000);

  afterAll(() => {
    child?.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses plaintext and a TLS client that presents no certificate', async () => {
    // Errors of node's own sockets come from another realm than the test's: compared by their codes.
    expect(await httpsGet(httpPort, {}, true)).toMatchObject({ code: 'ECONNRESET' });
    const anonymous = await httpsGet(httpPort, { ca: fs.readFileSync(certs.portal.caFile), checkServerIdentity: () => undefined });
    expect(anonymous).toMatchObject({ code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' });
  });

  it('answers another verified workload 403 caller_not_allowed, with the envelope and correlation id', async () => {
    const { status, body } = (await httpsGet(httpPort, as('gateway'))) as { status: number; body: string };
    expect(status).toBe(403);
    expect(JSON.parse(body)).toEqual({ error: expect.objectContaining({ code: 'caller_not_allowed', correlation_id: 'mtls-http-test', retryable: false }) });
  });

  it('serves Envoy, whose certificate the HTTP face admits', async () => {
    const { status, body } = (await httpsGet(httpPort, as('envoy'))) as { status: number; body: string };
    expect(status).toBe(200);
    expect(body).toContain('<html');
  });

  it('is checked by name on the client side too: a server that is not the one asked for is refused', async () => {
    const wrongServer = await httpsGet(httpPort, mtlsHttpsClientOptions(readMtlsMaterial(certs.envoy), 'policy'));
    expect(wrongServer).toMatchObject({ message: expect.stringContaining('does not name policy') });
  });
});
