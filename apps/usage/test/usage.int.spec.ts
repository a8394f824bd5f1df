import { Redis } from 'ioredis';
import { airlock } from '@airlock/contracts';
import { EventProducer, createKafka, newEventId, topicName } from '@airlock/events';
import { GrpcStatus, checkHealth, createClient, unary } from '@airlock/grpc';
import { bootService, type RunningService } from '@airlock/runtime';
import { createLogger } from '@airlock/telemetry';
import { createTestDatabase, createTopics, freePort, startInfra, uniquePrefix, type InfraEndpoints, eventually } from '@airlock/testing';
import { usageService } from '../src/service';

jest.setTimeout(180_000);

const { UsageEvent } = airlock.events.v1;
type Usage = airlock.usage.v1.GetUsageResponse;


describe('usage service metering real Kafka into PostgreSQL and Redis', () => {
  let infra: InfraEndpoints;
  let prefix: string;
  let db: { url: string; drop(): Promise<void> };
  let redis: Redis;
  let producer: EventProducer;
  let service: RunningService | undefined;
  let client: airlock.usage.v1.UsageServiceClient | undefined;

  const tenant = 'tenant-a';
  const other = 'tenant-b';
  const topic = () => topicName('usage', prefix);
  const boot = async (group: string) => {
    service = await bootService(usageService, {
      GRPC_PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      DATABASE_URL: db.url,
      REDIS_URL: infra.redis.url,
      REDIS_PREFIX: `${prefix}:`,
      KAFKA_BROKERS: infra.kafka.brokers.join(','),
      TOPIC_PREFIX: prefix,
      USAGE_CONSUMER_GROUP: group,
      LOG_LEVEL: 'warn',
    });
    client = createClient(airlock.usage.v1.UsageServiceClient, service.grpcAddress, { idempotent: ['airlock.usage.v1.UsageService'] });
  };
  const stop = async () => {
    client?.close();
    await service?.close();
    client = undefined;
    service = undefined;
  };
  const usage = (request: Partial<airlock.usage.v1.GetUsageRequest>): Promise<Usage> =>
    unary(client!.getUsage.bind(client!), { tenantId: tenant, projectId: '', userId: '', period: '', ...request });
  const send = (event: airlock.events.v1.UsageEvent) => producer.send(topic(), event.correlationId || event.eventId, UsageEvent.encode(event).finish());
  const event = (fields: Partial<airlock.events.v1.UsageEvent>) =>
    UsageEvent.fromPartial({ eventId: newEventId(), tenantId: tenant, projectId: 'p1', userId: 'u1', model: 'model-x', endpoint: '/v1/chat/completions', ...fields });
  const counter = (t: string, period: string, name: string) => redis.get(`${prefix}:${t}:${period}:${name}`).then((v) => Number(v ?? 0));

  const march = {
    a: event({ timestamp: '2026-03-10T12:00:00Z', promptTokens: 10, completionTokens: 5 }),
    b: event({ timestamp: '2026-03-11T12:00:00Z', userId: 'u2', promptTokens: 20, completionTokens: 7 }),
    c: event({ timestamp: '2026-03-31T23:30:00-01:00' /* 2026-04 in UTC */, projectId: 'p2', promptTokens: 1000, completionTokens: 1 }),
    d: event({ timestamp: '2026-03-20T08:00:00+01:00', projectId: 'p2', model: 'model-y', promptTokens: 1, completionTokens: 1 }),
  };
  const february = event({ timestamp: '2026-03-01T00:30:00+02:00' /* 2026-02 in UTC */, promptTokens: 100, completionTokens: 50 });
  const otherTenant = event({ tenantId: other, timestamp: '2026-03-05T00:00:00Z', promptTokens: 9, completionTokens: 9 });

  beforeAll(async () => {
    infra = await startInfra({ components: ['postgres', 'redis', 'kafka'] });
    prefix = uniquePrefix('usage');
    db = await createTestDatabase(infra, prefix);
    await createTopics(infra, [topic()]);
    redis = new Redis(infra.redis.url);
    producer = new EventProducer(createKafka({ brokers: infra.kafka.brokers, clientId: 'usage-int-test', logger: createLogger('usage-test', 'fatal') }));
    await boot(`${prefix}_usage`);
  });

  afterAll(async () => {
    await stop();
    await producer?.disconnect();
    if (redis) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
    await db?.drop();
  });

  it('reports SERVING', async () => {
    expect(await checkHealth(service!.grpcAddress)).toBe('SERVING');
    expect(await checkHealth(service!.grpcAddress, 'airlock.usage.v1.UsageService')).toBe('SERVING');
  });

  it('refuses GetUsage without tenant_id as INVALID_ARGUMENT', async () => {
    const error = await usage({ tenantId: '' }).catch((e: unknown) => e as { code: number; metadata: { get(k: string): unknown[] } });
    expect(error).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
    expect((error as { metadata: { get(k: string): unknown[] } }).metadata.get('x-error-code')).toEqual(['usage_tenant_required']);
  });

  it('meters each event id once, into the UTC month of its timestamp', async () => {
    await send(march.a);
    await send(march.a); // redelivery
    await send(march.b);
    await send(march.c);
    await send(march.d);
    await send(february);
    await send(otherTenant);
    await producer.send(topic(), 'garbage', Buffer.from('not a usage event'));
    await send(event({ tenantId: '', timestamp: '2026-03-10T00:00:00Z' }));
    await send(event({ timestamp: 'last tuesday' }));
    const now = event({ timestamp: new Date().toISOString(), promptTokens: 2, completionTokens: 3 });
    await send(now);

    // `now` was sent last on a single partition: once it counts, everything before it has been handled.
    const current = await eventually('the current-month event', async () => {
      const u = await usage({});
      return u.requests >= 1 ? u : undefined;
    });
    expect(current).toEqual({ period: new Date().toISOString().slice(0, 7), requests: 1, promptTokens: 2, completionTokens: 3 });

    expect(await usage({ period: '2026-03' })).toEqual({ period: '2026-03', requests: 3, promptTokens: 31, completionTokens: 13 });
    expect(await usage({ period: '2026-04' })).toEqual({ period: '2026-04', requests: 1, promptTokens: 1000, completionTokens: 1 });
    expect(await usage({ period: '2026-02' })).toEqual({ period: '2026-02', requests: 1, promptTokens: 100, completionTokens: 50 });
    expect(await usage({ period: '2026-03', projectId: 'p1' })).toMatchObject({ requests: 2, promptTokens: 30, completionTokens: 12 });
    expect(await usage({ period: '2026-03', userId: 'u1' })).toMatchObject({ requests: 2, promptTokens: 11, completionTokens: 6 });
    expect(await usage({ period: '2026-03', projectId: 'p2', userId: 'u1' })).toMatchObject({ requests: 1, promptTokens: 1, completionTokens: 1 });
    expect(await usage({ period: '2026-03', userId: 'nobody' })).toMatchObject({ requests: 0, promptTokens: 0, completionTokens: 0 });
    expect(await usage({ tenantId: other, period: '2026-03' })).toMatchObject({ requests: 1, promptTokens: 9, completionTokens: 9 });

    expect(await counter(tenant, '2026-03', 'requests')).toBe(3);
    expect(await counter(tenant, '2026-03', 'prompt_tokens')).toBe(31);
    expect(await counter(tenant, '2026-03', 'completion_tokens')).toBe(13);
    expect(await counter(tenant, '2026-03', 'tokens')).toBe(44);
    expect(await counter(other, '2026-03', 'tokens')).toBe(18);
  });

  it('still counts an old event once after a restart that redelivers the whole topic', async () => {
    await stop();
    // A new consumer group has no committed offsets: every event on the topic arrives again.
    await boot(`${prefix}_usage_replay`);
    await send(march.a);
    const sentinel = event({ timestamp: '2026-01-15T00:00:00Z', promptTokens: 1, completionTokens: 1 });
    await send(sentinel);
    await eventually('the sentinel after the replay', async () => ((await usage({ period: '2026-01' })).requests >= 1 ? true : undefined));

    expect(await usage({ period: '2026-03' })).toEqual({ period: '2026-03', requests: 3, promptTokens: 31, completionTokens: 13 });
    expect(await usage({ period: '2026-02' })).toMatchObject({ requests: 1 });
    expect(await usage({ period: '2026-01' })).toMatchObject({ requests: 1 });
    expect(await counter(tenant, '2026-03', 'tokens')).toBe(44);
    expect(await checkHealth(service!.grpcAddress, 'airlock.usage.v1.UsageService')).toBe('SERVING');
  });

  it('stops serving on close', async () => {
    const address = service!.grpcAddress;
    await stop();
    expect(await checkHealth(address, '', 300)).toBe('UNREACHABLE');
  });
});
