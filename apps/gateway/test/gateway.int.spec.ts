import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { airlock } from '@airlock/contracts';
import { EventConsumer, createKafka, topicName } from '@airlock/events';
import { bootService, type RunningService } from '@airlock/runtime';
import { createLogger } from '@airlock/telemetry';
import { eventually, freePort, startInfra, uniquePrefix, type InfraEndpoints } from '@airlock/testing';
// Built neighbours (turbo builds them first: they are dev dependencies).
import { dlpService } from '@airlock/dlp/dist/service';
import { createReferenceServer } from '@airlock/reference-model/dist/server';
import { gatewayService } from '../src/service';

jest.setTimeout(120_000);

// The gateway with its real neighbours: the dlp service over gRPC, the reference backend over HTTP, Kafka.
describe('gateway /v1/chat', () => {
  let infra: InfraEndpoints;
  let prefix: string;
  let dlp: RunningService;
  let gateway: RunningService;
  let model: Server;
  const audits: airlock.events.v1.AuditEvent[] = [];
  const usages: airlock.events.v1.UsageEvent[] = [];
  const logger = createLogger('gateway-test', 'warn');
  const consumer: { stop: () => Promise<void> } = { stop: async () => undefined };

  const edge = {
    'x-user-id': 'bob',
    'x-tenant-id': 'acme',
    'x-project-id': 'core',
    'x-workspace-id': 'ws-bob',
    'x-airlock-route-backend': 'chat',
    'x-airlock-route-model': 'reference-chat',
    'x-airlock-policy-version': 'v-test',
    'content-type': 'application/json',
  };
  const chat = (body: unknown, headers: Record<string, string> = edge) =>
    fetch(`http://${gateway.httpAddress}/v1/chat`, { method: 'POST', headers, body: JSON.stringify(body) });

  beforeAll(async () => {
    infra = await startInfra({ components: ['kafka'] });
    prefix = uniquePrefix('gw');
    model = createReferenceServer();
    await new Promise<void>((r) => model.listen(0, '127.0.0.1', r));
    dlp = await bootService(dlpService, { GRPC_PORT: String(await freePort()), METRICS_PORT: String(await freePort()), LOG_LEVEL: 'warn' });
    gateway = await bootService(gatewayService, {
      GRPC_PORT: String(await freePort()),
      HTTP_PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      DLP_ADDR: dlp.grpcAddress,
      KAFKA_BROKERS: infra.kafka.brokers.join(','),
      TOPIC_PREFIX: prefix,
      EVENT_SPOOL_DIR: mkdtempSync(path.join(os.tmpdir(), 'airlock-gw-spool-')),
      GATEWAY_BACKENDS: JSON.stringify({
        chat: { protocol: 'openai', baseUrl: `http://127.0.0.1:${(model.address() as AddressInfo).port}` },
        down: { protocol: 'openai', baseUrl: `http://127.0.0.1:${await freePort()}` },
      }),
    });
    const kafka = createKafka({ brokers: infra.kafka.brokers, clientId: 'gateway-test', logger });
    const reader = new EventConsumer(kafka, { groupId: `${prefix}-reader`, topics: [topicName('audit', prefix), topicName('usage', prefix)], logger });
    await reader.start(async ({ topic, value }) => {
      if (topic === topicName('audit', prefix)) audits.push(airlock.events.v1.AuditEvent.decode(value));
      else usages.push(airlock.events.v1.UsageEvent.decode(value));
    });
    consumer.stop = () => reader.stop();
  });

  afterAll(async () => {
    await consumer.stop();
    await gateway?.close();
    await dlp?.close();
    await new Promise((r) => model?.close(r));
  });

  it('masks the prompt, answers, and emits audit + usage events with the same correlation id', async () => {
    const res = await chat({ messages: [{ role: 'user', content: 'token ghp_R8wzQk3LmN5vT1xY7bC2dF6gH9jK0pLs4eWq ok' }] }, { ...edge, 'x-correlation-id': 'gw-test-0001' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-correlation-id')).toBe('gw-test-0001');
    const body: any = await res.json();
    expect(body.message.content).toBe('Reference answer from reference-chat. You said: token [MASKED:secret.github_token] ok');
    expect(body.dlp_action).toBe('mask');

    const audit = await eventually('audit event', () => audits.find((e) => e.correlationId === 'gw-test-0001'));
    expect(audit).toMatchObject({ eventType: 'ai.request', endpoint: '/v1/chat', statusCode: 200, dlpAction: 'mask', userId: 'bob', tenantId: 'acme', routeTarget: 'chat:reference-chat', policyVersion: 'v-test', outcome: 'success' });
    const usage = await eventually('usage event', () => usages.find((e) => e.correlationId === 'gw-test-0001'));
    expect(usage).toMatchObject({ tenantId: 'acme', projectId: 'core', model: 'reference-chat', promptTokens: 3 });
  });

  it('refuses a request that did not come through the edge', async () => {
    const res = await chat({ messages: [{ role: 'user', content: 'hi' }] }, { 'content-type': 'application/json', 'x-user-id': 'eve' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.code).toBe('unauthenticated');
  });

  it('blocks a private key before any backend sees it, and audits the block', async () => {
    const res = await chat(
      { messages: [{ role: 'user', content: '-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----' }] },
      { ...edge, 'x-correlation-id': 'gw-test-0002' },
    );
    expect(res.status).toBe(422);
    const body: any = await res.json();
    expect(body.error).toMatchObject({ code: 'dlp_blocked', correlation_id: 'gw-test-0002', retryable: false });
    const audit = await eventually('audit of the block', () => audits.find((e) => e.correlationId === 'gw-test-0002'));
    expect(audit).toMatchObject({ statusCode: 422, dlpAction: 'block', outcome: 'denied' });
    expect(usages.find((e) => e.correlationId === 'gw-test-0002')).toBeUndefined();
  });

  it('names the field of a malformed body', async () => {
    const res = await chat({ messages: [{ role: 'user', content: 42 }] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error).toMatchObject({ code: 'invalid_request', message: 'messages[0].content must be a string' });
  });

  it('answers 503 backend_unavailable when the routed backend is down', async () => {
    const res = await chat({ messages: [{ role: 'user', content: 'hi' }] }, { ...edge, 'x-airlock-route-backend': 'down' });
    expect(res.status).toBe(503);
    expect(((await res.json()) as any).error).toMatchObject({ code: 'backend_unavailable', retryable: true });
  });

  it('lists its backends with their health over gRPC', async () => {
    const { createClient, unary } = await import('@airlock/grpc');
    const client = createClient(airlock.gateway.v1.GatewayServiceClient, gateway.grpcAddress);
    const res = await unary(client.listBackends.bind(client), {});
    client.close();
    expect(res.backends.map((b) => [b.id, b.healthy])).toEqual([
      ['chat', true],
      ['down', false],
    ]);
  });
});
