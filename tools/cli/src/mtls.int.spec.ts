// mTLS between services, against a real service process (the built dlp, which needs no datastore) with real
// certificates from the dev PKI: no client certificate or one from another CA → the handshake is refused; a workload
// outside dlp's call graph → PERMISSION_DENIED caller_not_allowed; the gateway (in the graph) → answered.
import { type ChildProcess, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
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

describe('mTLS on internal gRPC (a real dlp process, dev PKI certificates)', () => {
  let dir: string;
  let certs: Record<string, WorkloadCertificate>;
  let foreign: WorkloadCertificate;
  let address: string;
  let child: ChildProcess;
  let log = '';

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airlock-mtls-'));
    certs = await ensureWorkloadCertificates(path.join(dir, 'pki'), ['dlp', 'gateway', 'usage', 'operator']);
    // A `gateway` certificate from a CA dlp does not trust: the name alone must not open the door.
    foreign = (await ensureWorkloadCertificates(path.join(dir, 'other-pki'), ['gateway'])).gateway;
    const port = await freePort();
    address = `127.0.0.1:${port}`;
    child = spawn(process.execPath, [path.join(ROOT, 'apps/dlp/dist/main.js')], {
      env: {
        PATH: process.env.PATH,
        BIND_HOST: '127.0.0.1',
        GRPC_PORT: String(port),
        METRICS_PORT: String(await freePort()),
        LOG_LEVEL: 'warn',
        MTLS_CERT_FILE: certs.dlp.certFile,
        MTLS_KEY_FILE: certs.dlp.keyFile,
        MTLS_CA_FILE: certs.dlp.caFile,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const deadline = Date.now() + 30_000;
    while ((await checkHealth(address, '', 500, as(certs.operator))) !== 'SERVING') {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`dlp did not become ready:\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
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
