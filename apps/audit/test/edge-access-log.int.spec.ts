import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { topicName } from '@airlock/events';
import { bootService, type RunningService } from '@airlock/runtime';
import { createTopics, ensureEnvoy, eventually, freePort, startInfra, uniquePrefix, waitForTcp, withRedisUser } from '@airlock/testing';
import { EDGE_LOGGED_HEADERS } from '../src/edge/access-log-entry';
import { auditService } from '../src/service';
import { exited } from './support';

jest.setTimeout(180_000);

/**
 * The access-log part of an Envoy config: HTTP access logs streamed over gRPC (transport v3) to the audit
 * service's AccessLogService, with the identity headers the audit event takes its principal from. The same
 * snippet goes into the edge's envoy.template.yaml (see the audit README).
 */
function envoyConfig(listenPort: number, auditPort: number): string {
  return `
static_resources:
  listeners:
    - name: edge
      address: { socket_address: { address: 127.0.0.1, port_value: ${listenPort} } }
      filter_chains:
        - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: edge
                access_log:
                  - name: envoy.access_loggers.http_grpc
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig
                      common_config:
                        log_name: airlock-edge
                        transport_api_version: V3
                        grpc_service: { envoy_grpc: { cluster_name: audit_als } }
                        buffer_flush_interval: 0.2s
                      additional_request_headers_to_log: [${EDGE_LOGGED_HEADERS.join(', ')}]
                http_filters:
                  - name: envoy.filters.http.router
                    typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
                route_config:
                  virtual_hosts:
                    - name: all
                      domains: ["*"]
                      routes:
                        - match: { prefix: /v1/chat }
                          direct_response: { status: 200, body: { inline_string: "ok" } }
                        - match: { prefix: / }
                          direct_response: { status: 403, body: { inline_string: "denied" } }
  clusters:
    - name: audit_als
      type: STATIC
      connect_timeout: 1s
      typed_extension_protocol_options:
        envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
          "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
          explicit_http_config: { http2_protocol_options: {} }
      load_assignment:
        cluster_name: audit_als
        endpoints:
          - lb_endpoints:
              - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${auditPort} } } }
`;
}

type EdgeRecord = { event_type: string; correlation_id: string; user_id: string; tenant_id: string; project_id: string; workspace_id: string; client_ip: string; endpoint: string; status_code: number; latency_ms: number; action: string; outcome: string; service: string; actor: string; policy_version: string };

describe('Envoy access logs as audit events (real Envoy, real Kafka)', () => {
  let dir: string;
  let service: RunningService | undefined;
  let envoy: ChildProcess | undefined;

  afterAll(async () => {
    envoy?.kill('SIGTERM');
    if (envoy) await exited(envoy);
    await service?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('turns each HTTP access-log entry Envoy streams into an edge.access event in the sinks', async () => {
    const [bin, infra] = await Promise.all([ensureEnvoy(), startInfra({ components: ['kafka', 'redis'] })]);
    dir = await mkdtemp(path.join(tmpdir(), 'audit-edge-'));
    const prefix = uniquePrefix('edge_als');
    await createTopics(infra, [topicName('audit', prefix)], 1);
    const sinkPath = path.join(dir, 'audit.jsonl');
    const grpcPort = await freePort();
    service = await bootService(auditService, {
      MTLS_OFF_FOR_DEVELOPMENT: 'true',
      GRPC_PORT: String(grpcPort),
      METRICS_PORT: String(await freePort()),
      KAFKA_BROKERS: infra.kafka.brokers.join(','),
      KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
      TOPIC_PREFIX: prefix,
      AUDIT_SINK_JSONL_PATH: sinkPath,
      ...(await withRedisUser(infra.redis, 'audit', { AUDIT_CONSUMER_GROUP: `${prefix}_audit` })),
      LOG_LEVEL: 'error',
    });

    const listenPort = await freePort();
    const configFile = path.join(dir, 'envoy.yaml');
    await writeFile(configFile, envoyConfig(listenPort, grpcPort));
    envoy = spawn(bin, ['-c', configFile, '--disable-hot-restart', '--concurrency', '1', '-l', 'warning'], { stdio: ['ignore', 'inherit', 'inherit'] });
    await waitForTcp('127.0.0.1', listenPort, 30_000);

    const identity = { 'x-user-id': 'user-7', 'x-tenant-id': 'tenant-a', 'x-project-id': 'proj-1', 'x-workspace-id': 'ws-9', 'x-airlock-policy-version': 'p-42' };
    const ok = await fetch(`http://127.0.0.1:${listenPort}/v1/chat/completions?api_key=secret-value`, {
      method: 'POST',
      headers: { ...identity, 'x-correlation-id': 'corr-edge-1', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(ok.status).toBe(200);
    const denied = await fetch(`http://127.0.0.1:${listenPort}/v1/agent`, { headers: { 'x-correlation-id': 'corr-edge-2' } });
    expect(denied.status).toBe(403);

    const records = await eventually(
      'both access-log entries in the sink',
      async () => {
        const lines = (await readFile(sinkPath, 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as EdgeRecord);
        const edge = lines.filter((r) => r.event_type === 'edge.access');
        return edge.length >= 2 ? edge : undefined;
      },
      60_000,
    );
    const chat = records.find((r) => r.correlation_id === 'corr-edge-1')!;
    expect(chat).toMatchObject({
      event_type: 'edge.access',
      user_id: 'user-7',
      actor: 'user-7',
      tenant_id: 'tenant-a',
      project_id: 'proj-1',
      workspace_id: 'ws-9',
      policy_version: 'p-42',
      client_ip: '127.0.0.1',
      endpoint: '/v1/chat/completions',
      status_code: 200,
      action: 'POST',
      outcome: 'success',
      service: 'envoy',
    });
    expect(chat.latency_ms).toBeGreaterThanOrEqual(0);
    // The query string (which can carry credentials) is not audited.
    expect(JSON.stringify(records)).not.toContain('secret-value');
    expect(records.find((r) => r.correlation_id === 'corr-edge-2')).toMatchObject({ endpoint: '/v1/agent', status_code: 403, outcome: 'denied', action: 'GET', user_id: '' });

    // Each request once, also after the stream has been open longer than the 10 s after which it used to be
    // ended from this side (when every entry of the stream was published a second time).
    await new Promise((r) => setTimeout(r, 12_000));
    const settled = (await readFile(sinkPath, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as EdgeRecord & { event_id: string });
    const perRequest = ['corr-edge-1', 'corr-edge-2'].map((c) => settled.filter((r) => r.event_type === 'edge.access' && r.correlation_id === c).length);
    expect(perRequest).toEqual([1, 1]);
    console.log(`[edge access log] requests=2 edge_events_in_sink=${settled.filter((r) => r.event_type === 'edge.access').length}`);

    // The service stops while Envoy still holds its stream open: the stream is ended from this side, so the
    // gRPC server's graceful shutdown does not wait for Envoy (the test's timeout would end a hang).
    const stopping = service;
    service = undefined;
    await stopping.close();
  });
});
