import { readFileSync, existsSync } from 'node:fs';
import { auditVerify } from '@airlock/audit-chain';
import { airlock } from '@airlock/contracts';
import { checkHealth, createClient, unary } from '@airlock/grpc';
import { uniquePrefix, eventually } from '@airlock/testing';
import { operatorCredentials, startMesh, stopMesh, stopService, type MeshInfo } from '../../src/mesh';
import { SERVICES } from '../../src/service-env';
import { accessLogEntry, edgeCaller, issueToken } from './support';

// The thin slice through the real mesh: Envoy (TLS) -> ext_authz (policy -> identity) -> gateway -> dlp ->
// reference model backend -> client; audit event -> Kafka -> audit service -> SIEM sink file; usage event
// -> Kafka -> usage service -> PostgreSQL.
const AWS_KEY = 'AKIAQ3EGXTZ7V5LN2MWB';

describe('Airlock mesh end to end (through Envoy over TLS)', () => {
  const name = uniquePrefix('e2e');
  let mesh: MeshInfo;
  let call: ReturnType<typeof edgeCaller>;
  let token: string;

  beforeAll(async () => {
    // debug: dlp logs an answered gRPC call (the line the correlation test below follows) only at debug.
    mesh = await startMesh({ name, ports: 'free', logLevel: 'debug', log: (l) => process.stderr.write(`[e2e] ${l}\n`) });
    call = edgeCaller(mesh);
    token = await issueToken(mesh, { userId: 'alice', tenantId: `${name}-tenant`, projectId: 'payments', workspaceId: 'ws-alice' });
  }, 240_000);

  afterAll(async () => {
    await stopMesh(name);
  }, 60_000);

  it('has every service answering grpc.health.v1 SERVING', async () => {
    for (const service of SERVICES) {
      expect([service, await checkHealth(`127.0.0.1:${mesh.services[service].grpc}`, '', 1_000, operatorCredentials(mesh))]).toEqual([service, 'SERVING']);
    }
  });

  const correlationId = `e2e-${Date.now()}-chat`;

  it('answers /v1/chat with the planted AWS key masked before it reached the model', async () => {
    const reply = await call('/v1/chat', {
      token,
      headers: { 'x-correlation-id': correlationId, 'x-user-id': 'mallory' },
      body: { messages: [{ role: 'user', content: `deploy with ${AWS_KEY} now` }] },
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['x-correlation-id']).toBe(correlationId);
    expect(reply.headers['strict-transport-security']).toContain('max-age=');
    // The reference backend echoes what it received: the key never reached it.
    expect(reply.body.message.content).toBe('Reference answer from reference-chat. You said: deploy with [MASKED:secret.aws_access_key_id] now');
    expect(JSON.stringify(reply.body)).not.toContain(AWS_KEY);
    expect(reply.body.dlp_action).toBe('mask');
    expect(reply.body.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('writes the audit event to the SIEM sink with the same correlation id and dlp_action=mask', async () => {
    const event = await eventually('audit event in the sink', () => {
      if (!existsSync(mesh.auditSinkPath)) return undefined;
      return readFileSync(mesh.auditSinkPath, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        // Envoy's edge.access record carries the same correlation id and may be written first.
        .find((e) => e.correlation_id === correlationId && e.service === 'gateway');
    });
    expect(event).toMatchObject({
      correlation_id: correlationId,
      dlp_action: 'mask',
      endpoint: '/v1/chat',
      status_code: 200,
      user_id: 'alice',
      tenant_id: `${name}-tenant`,
      route_target: 'chat:reference-chat',
      service: 'gateway',
    });
    expect(event.event_id).toMatch(/^[0-9A-Z]{26}$/);
    expect(JSON.stringify(event)).not.toContain(AWS_KEY);
    // The sink is hash-chained: `tools/airlock audit verify` accepts it as written.
    const report = await auditVerify(mesh.auditSinkPath, {});
    expect(report).toMatchObject({ ok: true });
    expect(report.records).toBeGreaterThanOrEqual(1);
  });

  it('counts the request in the usage service', async () => {
    const usage = createClient(airlock.usage.v1.UsageServiceClient, `127.0.0.1:${mesh.services.usage.grpc}`, { credentials: operatorCredentials(mesh) });
    try {
      const counted = await eventually('usage rollup', async () => {
        const res = await unary(usage.getUsage.bind(usage), { tenantId: `${name}-tenant`, projectId: '', workspaceId: '', userId: 'alice', model: '', period: '' });
        return res.requests >= 1 ? res : undefined;
      });
      expect(counted.promptTokens).toBeGreaterThan(0);
      expect(counted.completionTokens).toBeGreaterThan(0);
    } finally {
      usage.close();
    }
  });

  it('logs the request as JSON in gateway and dlp with one correlation id and one trace id', async () => {
    const lines = (service: string) =>
      readFileSync(`${mesh.logsDir}/${service}.log`, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
    const gatewayLine = await eventually('gateway request log', () => lines('gateway').find((l) => l.msg === 'http request' && l.correlation_id === correlationId));
    expect(gatewayLine).toMatchObject({ service: 'gateway', method: 'POST', path: '/v1/chat', status: 200 });
    expect(gatewayLine.trace_id).toMatch(/^[0-9a-f]{32}$/);
    // x-correlation-id and traceparent travel as gRPC metadata from the gateway to dlp.
    const dlpLine = lines('dlp').find((l) => l.msg === 'grpc call' && l.correlation_id === correlationId);
    expect(dlpLine).toMatchObject({ service: 'dlp', outcome: 'ok', trace_id: gatewayLine.trace_id });
    const all = ['gateway', 'dlp', 'policy', 'identity', 'audit'].map((s) => readFileSync(`${mesh.logsDir}/${s}.log`, 'utf8')).join('');
    expect(all).not.toContain(AWS_KEY);
    expect(all).not.toContain(token);
  });

  it('exposes Prometheus metrics on every service (its event loop delay among them), including the gateway request and token counters per project and model', async () => {
    for (const service of SERVICES) {
      const res = await fetch(`http://127.0.0.1:${mesh.services[service].metrics}/metrics`);
      expect([service, res.status]).toEqual([service, 200]);
      const text = await res.text();
      expect(text).toContain(`service_name="airlock-${service}"`);
      // How late its event loop ran since the last scrape (the runtime's gauge, in seconds).
      expect([service, /^nodejs_eventloop_delay_max\{[^}]*\} \d/m.test(text)]).toEqual([service, true]);
    }
    const gateway = await (await fetch(`http://127.0.0.1:${mesh.services.gateway.metrics}/metrics`)).text();
    expect(gateway).toMatch(/ai_gateway_requests_total\{[^}]*project_id="payments"[^}]*\} 1/);
    expect(gateway).toMatch(/ai_gateway_tokens_total\{[^}]*model="reference-chat"/);
  });

  it('denies a bad token with 401 at the edge; the gateway never sees it', async () => {
    const badCorrelation = `e2e-${Date.now()}-bad`;
    const reply = await call('/v1/chat', {
      token: 'not-a-token',
      headers: { 'x-correlation-id': badCorrelation },
      body: { messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(reply.status).toBe(401);
    expect(reply.body.error.code).toMatch(/^token_|unauthenticated/);
    expect(reply.body.error.correlation_id).toBe(badCorrelation);
    // Envoy's access log shows the request was answered by ext_authz (UAEX) and sent to no upstream.
    const line = await accessLogEntry(mesh, badCorrelation);
    expect(String(line.response_flags)).toContain('UAEX');
    expect([null, '-', '']).toContain(line.upstream_host);
  });

  it('fails fast with 503 dlp_unavailable when the dlp service is down (never forwards unscanned text)', async () => {
    await stopService(name, 'dlp');
    const reply = await call('/v1/chat', { token, body: { messages: [{ role: 'user', content: `again ${AWS_KEY}` }] } });
    expect(reply.status).toBe(503);
    expect(reply.body.error).toMatchObject({ code: 'dlp_unavailable', retryable: true });
    expect(reply.ms).toBeLessThan(10_000);
  });

  it('fails closed with 503 from Envoy when the policy service is down', async () => {
    await stopService(name, 'policy');
    const reply = await call('/v1/chat', { token, body: { messages: [{ role: 'user', content: 'hello' }] } });
    expect(reply.status).toBe(503);
    expect(reply.ms).toBeLessThan(10_000);
  });
});
