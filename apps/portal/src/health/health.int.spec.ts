import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ASSERTION_HEADER, AssertionSigner } from '@airlock/identity-assertion';
import { bootService, type RunningService } from '@airlock/runtime';
import { metrics } from '@airlock/telemetry';
import { freePort } from '@airlock/testing';
import { NONCE_PLACEHOLDER } from '../config';
import { portalService } from '../service';

jest.setTimeout(60_000);

const PROBE_TIMEOUT_MS = 800;

/**
 * The health API of a real portal service: its probes speak grpc.health.v1 and read Prometheus text over the wire.
 * The serving targets are the portal's own ports (its gRPC health and the process's /metrics, where this test
 * publishes policy's and audit's gauges under their real names); `stopped` is a port nobody listens on, and
 * `hung` a listener that accepts connections and never answers, which the probe timeout must cut short.
 */
describe('GET /api/health/v1/status', () => {
  const signer = AssertionSigner.generate();
  let dir: string;
  let service: RunningService;
  let hung: Server;
  const held: Socket[] = [];

  const headersOf = (roles: string[]) => ({
    [ASSERTION_HEADER]: signer.sign({ subject: 'sam', userId: 'sam', tenantId: 'acme', projectId: '', workspaceId: '', roles, kind: 'user' }).token,
  });
  const get = async (headers: Record<string, string>) => {
    const res = await fetch(`http://${service.httpAddress}/api/health/v1/status`, { headers });
    return { status: res.status, cacheControl: res.headers.get('cache-control'), body: (await res.json()) as any };
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'portal-health-'));
    writeFileSync(path.join(dir, 'index.html'), `<!doctype html><meta name="csp-nonce" content="${NONCE_PLACEHOLDER}"><title>portal</title>`);
    writeFileSync(path.join(dir, 'assertion.pem'), signer.publicKeyPem);
    hung = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const hungPort = (hung.address() as { port: number }).port;
    const [grpc, http, metricsPort, stopped] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const own = { grpc: `127.0.0.1:${grpc}`, metrics: `http://127.0.0.1:${metricsPort}/metrics` };
    service = await bootService(portalService, {
      MTLS_OFF_FOR_DEVELOPMENT: 'true',
      GRPC_PORT: String(grpc),
      HTTP_PORT: String(http),
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'fatal',
      PORTAL_WEB_DIR: dir,
      IDENTITY_ASSERTION_PUBLIC_KEY_FILE: path.join(dir, 'assertion.pem'),
      HEALTH_PROBE_TIMEOUT_MS: String(PROBE_TIMEOUT_MS),
      HEALTH_PROMETHEUS_URL: 'http://prometheus.example:9090/',
      HEALTH_TARGETS: JSON.stringify({
        policy: own,
        audit: own,
        stopped: { grpc: `127.0.0.1:${stopped}`, metrics: `http://127.0.0.1:${stopped}/metrics` },
        hung: { grpc: `127.0.0.1:${hungPort}`, metrics: `http://127.0.0.1:${hungPort}/metrics` },
      }),
    });
    // After the boot: the process's meter provider (the one /metrics exports) exists from then on.
    const meter = metrics.getMeter('health-int-spec');
    meter.createObservableGauge('airlock_policy_bundle_active_number').addCallback((r) => r.observe(4));
    meter.createObservableGauge('airlock_audit_consumer_lag_messages').addCallback((r) => r.observe(12));
    meter.createObservableGauge('airlock_event_spool_messages').addCallback((r) => r.observe(2));
  });

  afterAll(async () => {
    await service?.close();
    for (const socket of held) socket.destroy();
    hung?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows each service up or down (a hung one within the probe timeout), the policy version, the audit lag and spool', async () => {
    const { status, cacheControl, body } = await get(headersOf(['sre']));
    expect([status, cacheControl]).toEqual([200, 'no-store']);
    expect(body).toMatchObject({ status: 'degraded', policy: { active_version: 4 }, audit: { consumer_lag: 12, spool_messages: 4 } });
    expect(body.links).toEqual({ prometheus: 'http://prometheus.example:9090', alerts: 'http://prometheus.example:9090/alerts' });
    const byName = Object.fromEntries(body.services.map((s: any) => [s.name, s]));
    // Under a test runner the process's entry is no Airlock package: no version unless AIRLOCK_VERSION says one.
    expect(byName.policy).toMatchObject({ status: 'serving', detail: null });
    expect(byName.stopped).toMatchObject({ status: 'down', version: null, detail: `no gRPC health answer within ${PROBE_TIMEOUT_MS} ms` });
    expect(byName.hung).toMatchObject({ status: 'down', version: null });
    expect(byName.hung.latency_ms).toBeGreaterThanOrEqual(PROBE_TIMEOUT_MS - 50);
    expect(Date.parse(body.checked_at)).not.toBeNaN();
  });

  it('refuses a developer (403 health_role_required) and a request without a verified identity (401)', async () => {
    const refused = await get(headersOf(['developer']));
    expect([refused.status, refused.body.error.code]).toEqual([403, 'health_role_required']);
    const anonymous = await get({});
    expect([anonymous.status, anonymous.body.error.code]).toEqual([401, 'unauthenticated']);
  });
});
