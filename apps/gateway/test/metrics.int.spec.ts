import { airlock } from '@airlock/contracts';
import { createClient, unary } from '@airlock/grpc';
import { type GatewayMesh, startGatewayMesh } from './harness';

jest.setTimeout(120_000);

describe('gateway: metrics and the operator view of backends', () => {
  let mesh: GatewayMesh<'chat' | 'code'>;

  beforeAll(async () => {
    mesh = await startGatewayMesh({
      references: { chat: {}, code: {} },
      backends: ({ chat, code, dead }) => ({
        chat: { protocol: 'openai', baseUrl: chat },
        code: { protocol: 'openai', baseUrl: code },
        flaky: { protocol: 'openai', baseUrl: dead, fallback: 'dr', breaker: { failureThreshold: 2, cooldownMs: 60_000 } },
        dr: { protocol: 'openai', baseUrl: chat },
        down: { protocol: 'openai', baseUrl: dead },
      }),
    });
  });

  afterAll(() => mesh?.close());

  it('exposes the gateway metrics, time to first token, and the operator view of backends', async () => {
    // The traffic the metrics count: a streamed chat (time to first token), an autocomplete, and a chat to a
    // backend that is down, whose two failed attempts open its circuit (the alternative answers).
    const streamed = await mesh.post('/v1/chat', 'chat/reference-chat', { stream: true, messages: [{ role: 'user', content: 'hello' }] });
    expect(await streamed.text()).toContain('event: done');
    expect((await mesh.post('/v1/autocomplete', 'code/reference-code', { prefix: 'x' })).status).toBe(200);
    expect((await mesh.post('/v1/chat', 'flaky/reference-chat', { messages: [{ role: 'user', content: 'dr' }] })).status).toBe(200);

    // One OpenTelemetry SDK per process: the first service booted here (dlp) serves every metric.
    const text = await (await fetch(`http://127.0.0.1:${mesh.metricsPort}/metrics`)).text();
    expect(text).toMatch(/ai_gateway_requests_total\{[^}]*service="chat"[^}]*project_id="core"/);
    expect(text).toMatch(/ai_gateway_latency_seconds_bucket\{[^}]*service="autocomplete"/);
    expect(text).toMatch(/ai_gateway_tokens_total\{[^}]*model="reference-chat"/);
    expect(text).toMatch(/ai_gateway_time_to_first_token_seconds_bucket\{[^}]*service="chat"/);
    expect(text).toMatch(/ai_gateway_backend_circuit_state\{[^}]*backend="flaky"[^}]*\} 2/);
    const client = createClient(airlock.gateway.v1.GatewayServiceClient, mesh.gateway.grpcAddress);
    const list = await unary(client.listBackends.bind(client), {});
    client.close();
    expect(list.backends.find((b) => b.id === 'chat')).toMatchObject({ protocol: 'openai', healthy: true });
    expect(list.backends.find((b) => b.id === 'down')).toMatchObject({ healthy: false });
  });
});
