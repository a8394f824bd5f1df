import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createPool } from '@airlock/postgres';
import { airlock } from '@airlock/contracts';
import { EventProducer, createKafka, newEventId, topicName } from '@airlock/events';
import { ASSERTION_HEADER, AssertionSigner, type Identity } from '@airlock/identity-assertion';
import { GrpcStatus, checkHealth, createClient, unary } from '@airlock/grpc';
import { bootService, type RunningService } from '@airlock/runtime';
import { createLogger } from '@airlock/telemetry';
import { createTestDatabase, createTopics, freePort, startInfra, uniquePrefix, type InfraEndpoints, eventually, type TestDatabase, withRedisUser, type RedisEndpoint } from '@airlock/testing';
import { usageService } from '../src/service';

jest.setTimeout(180_000);

const { UsageEvent } = airlock.events.v1;
/** Stands in for policy's assertion key: ext_authz signs the caller on every request it lets through. */
const edgeSigner = AssertionSigner.generate();
const asserted = (userId: string, tenantId: string, nowMs?: number, signer = edgeSigner) => {
  const identity: Identity = { subject: userId, userId, tenantId, projectId: '', workspaceId: '', roles: [], kind: 'user' };
  return { [ASSERTION_HEADER]: signer.sign(identity, nowMs).token };
};
const { QuotaPeriod, QuotaScope, QuotaSource } = airlock.usage.v1;
type Usage = airlock.usage.v1.GetUsageResponse;
type Client = airlock.usage.v1.UsageServiceClient;


describe('usage service metering real Kafka into PostgreSQL and Redis', () => {
  let infra: InfraEndpoints;
  let prefix: string;
  let db: TestDatabase;
  let redis: Redis;
  let producer: EventProducer;
  let service: RunningService | undefined;
  let client: Client | undefined;
  let metricsPort: number | undefined;
  let keyDir: string | undefined;

  const tenant = 'tenant-a';
  const other = 'tenant-b';
  const topic = () => topicName('usage', prefix);
  const env = async (group: string, redis: RedisEndpoint) => {
    // One telemetry SDK per process: the first boot's metrics port serves every instance's metrics.
    metricsPort ??= await freePort();
    if (!keyDir) {
      keyDir = mkdtempSync(path.join(os.tmpdir(), 'airlock-usage-int-'));
      writeFileSync(path.join(keyDir, 'assertion-public.pem'), edgeSigner.publicKeyPem);
    }
    return {
      IDENTITY_ASSERTION_PUBLIC_KEY_FILE: path.join(keyDir, 'assertion-public.pem'),
      GRPC_PORT: String(await freePort()),
      HTTP_PORT: String(await freePort()),
      METRICS_PORT: String(metricsPort),
      ...db.env,
      ...(await withRedisUser(redis, 'usage', { REDIS_PREFIX: `${prefix}:` })),
      KAFKA_BROKERS: infra.kafka.brokers.join(','),
      KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
      TOPIC_PREFIX: prefix,
      USAGE_CONSUMER_GROUP: group,
      ANOMALY_CHECK_INTERVAL_SECONDS: '1',
      ANOMALY_MIN_TOKENS: '5000',
      ANOMALY_RATIO: '5',
      ANOMALY_MIN_HISTORY_HOURS: '3',
      LOG_LEVEL: 'warn',
    };
  };
  const connect = (s: RunningService) => createClient(airlock.usage.v1.UsageServiceClient, s.grpcAddress, { idempotent: ['airlock.usage.v1.UsageService'] });
  const boot = async (group: string) => {
    service = await bootService(usageService, { ...(await env(group, infra.redis)), MTLS_OFF_FOR_DEVELOPMENT: 'true' });
    client = connect(service);
  };
  const stop = async () => {
    client?.close();
    await service?.close();
    client = undefined;
    service = undefined;
  };
  const usage = (request: Partial<airlock.usage.v1.GetUsageRequest>): Promise<Usage> =>
    unary(client!.getUsage.bind(client!), { tenantId: tenant, projectId: '', userId: '', period: '', workspaceId: '', model: '', ...request });
  const quota = (request: Partial<airlock.usage.v1.CheckQuotaRequest>, via: Client = client!) =>
    unary(via.checkQuota.bind(via), {
      tenantId: tenant,
      scope: QuotaScope.QUOTA_SCOPE_TENANT,
      scopeId: '',
      period: QuotaPeriod.QUOTA_PERIOD_MONTH,
      limitTokens: 1000,
      requestedTokens: 0,
      at: '',
      ...request,
    });
  const report = (request: Partial<airlock.usage.v1.GetUsageReportRequest>, via: Client = client!) =>
    unary(via.getUsageReport.bind(via), { tenantId: tenant, projectId: 'p1', month: '2026-03', ...request });
  const http = (path: string, headers: Record<string, string> = asserted('u1', tenant)) => fetch(`http://${service!.httpAddress}${path}`, { headers });
  const send = (event: airlock.events.v1.UsageEvent) => producer.send(topic(), event.correlationId || event.eventId, UsageEvent.encode(event).finish());
  const event = (fields: Partial<airlock.events.v1.UsageEvent>) =>
    UsageEvent.fromPartial({ eventId: newEventId(), tenantId: tenant, projectId: 'p1', workspaceId: 'w1', userId: 'u1', model: 'model-x', endpoint: '/v1/chat/completions', ...fields });
  // A sentinel sent last on the single-partition topic: once it is metered, everything before it is. Judged by
  // the sentinel tenant's count going up, since earlier drains metered sentinels of their own.
  const drain = async () => {
    const sentinel = event({ tenantId: `${tenant}-sentinel`, timestamp: new Date().toISOString() });
    const before = (await usage({ tenantId: sentinel.tenantId, period: '' })).requests;
    await send(sentinel);
    await eventually('the sentinel', async () => ((await usage({ tenantId: sentinel.tenantId, period: '' })).requests > before ? true : undefined));
  };
  const counter = (t: string, period: string, name: string) => redis.get(`${prefix}:${t}:${period}:${name}`).then((v) => Number(v ?? 0));

  const march = {
    a: event({ timestamp: '2026-03-10T12:00:00Z', promptTokens: 10, completionTokens: 5 }),
    b: event({ timestamp: '2026-03-11T12:00:00Z', userId: 'u2', workspaceId: 'w2', promptTokens: 20, completionTokens: 7 }),
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
    redis = new Redis(infra.redis.url, { username: infra.redis.username, password: infra.redis.password });
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
    if (keyDir) rmSync(keyDir, { recursive: true, force: true });
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

  it('meters a batch whose events share rollup rows, counting a redelivered id once', async () => {
    const batchTenant = `${tenant}-batch`;
    const same = (promptTokens: number) => event({ tenantId: batchTenant, timestamp: '2026-05-04T10:15:00Z', promptTokens, completionTokens: 1 });
    const [first, second, third] = [same(1), same(2), same(4)];
    // One produce request: the consumer fetches the events together, as one batch.
    await producer.sendMany([first, second, first, third].map((e) => ({ topic: topic(), key: e.eventId, value: UsageEvent.encode(e).finish() })));
    await drain();
    expect(await usage({ tenantId: batchTenant, period: '2026-05' })).toEqual({ period: '2026-05', requests: 3, promptTokens: 7, completionTokens: 3 });
    expect(await usage({ tenantId: batchTenant, period: '2026-05-04' })).toEqual({ period: '2026-05-04', requests: 3, promptTokens: 7, completionTokens: 3 });
    expect(await counter(batchTenant, '2026-05', 'tokens')).toBe(10);
    expect(await counter(batchTenant, '2026-05', 'requests')).toBe(3);
  });

  it('narrows by workspace, model and UTC day', async () => {
    expect(await usage({ period: '2026-03', workspaceId: 'w2' })).toMatchObject({ requests: 1, promptTokens: 20, completionTokens: 7 });
    expect(await usage({ period: '2026-03', model: 'model-y' })).toMatchObject({ requests: 1, promptTokens: 1, completionTokens: 1 });
    expect(await usage({ period: '2026-03-10' })).toEqual({ period: '2026-03-10', requests: 1, promptTokens: 10, completionTokens: 5 });
    // 23:30 at -01:00 is 00:30 UTC the next day.
    expect(await usage({ period: '2026-04-01' })).toMatchObject({ requests: 1, promptTokens: 1000 });
    expect(await usage({ period: '2026-03-31' })).toMatchObject({ requests: 0 });
  });

  describe('CheckQuota', () => {
    const q = `${tenant}-quota`;
    const lastMay = event({ tenantId: q, projectId: 'qp', workspaceId: 'qw', userId: 'qu', timestamp: '2026-05-31T23:59:59.999Z', promptTokens: 300, completionTokens: 100 });
    const firstJune = event({ tenantId: q, projectId: 'qp', workspaceId: 'qw', userId: 'qu', timestamp: '2026-06-01T00:00:00Z', promptTokens: 50, completionTokens: 10 });
    const otherUser = event({ tenantId: q, projectId: 'qp', workspaceId: 'qw2', userId: 'qu2', timestamp: '2026-06-01T12:00:00+02:00', promptTokens: 5, completionTokens: 5 });
    const june = '2026-06-15T00:00:00Z';

    beforeAll(async () => {
      for (const e of [lastMay, firstJune, otherUser]) await send(e);
      await drain();
    });

    it('counts each side of a day and month boundary in its own period, with the reset instant', async () => {
      const day = { tenantId: q, period: QuotaPeriod.QUOTA_PERIOD_DAY };
      expect(await quota({ ...day, at: '2026-05-31T23:59:59.999Z' })).toEqual({
        allowed: true,
        reasonCode: 'within_budget',
        usedTokens: 400,
        remainingTokens: 600,
        limitTokens: 1000,
        periodKey: '2026-05-31',
        periodStart: '2026-05-31T00:00:00.000Z',
        resetsAt: '2026-06-01T00:00:00.000Z',
        source: QuotaSource.QUOTA_SOURCE_POSTGRES,
      });
      expect(await quota({ ...day, at: '2026-06-01T00:00:00Z' })).toMatchObject({ usedTokens: 70, periodKey: '2026-06-01', resetsAt: '2026-06-02T00:00:00.000Z' });
      // 12:00 at +02:00 is 10:00 UTC on June 1st.
      expect(await quota({ ...day, at: '2026-06-01T23:59:59Z', scope: QuotaScope.QUOTA_SCOPE_USER, scopeId: 'qu2' })).toMatchObject({ usedTokens: 10 });
      expect(await quota({ tenantId: q, at: '2026-05-01T00:00:00Z' })).toMatchObject({ usedTokens: 400, periodKey: '2026-05', resetsAt: '2026-06-01T00:00:00.000Z' });
      expect(await quota({ tenantId: q, at: june })).toMatchObject({ usedTokens: 70, periodKey: '2026-06', resetsAt: '2026-07-01T00:00:00.000Z' });
    });

    it('answers per tenant, project, workspace and user, matching GetUsage exactly', async () => {
      const month = { tenantId: q, at: june };
      expect(await quota({ ...month, scope: QuotaScope.QUOTA_SCOPE_PROJECT, scopeId: 'qp' })).toMatchObject({ usedTokens: 70 });
      expect(await quota({ ...month, scope: QuotaScope.QUOTA_SCOPE_WORKSPACE, scopeId: 'qw' })).toMatchObject({ usedTokens: 60 });
      expect(await quota({ ...month, scope: QuotaScope.QUOTA_SCOPE_USER, scopeId: 'qu' })).toMatchObject({ usedTokens: 60 });
      expect(await quota({ ...month, scope: QuotaScope.QUOTA_SCOPE_USER, scopeId: 'nobody' })).toMatchObject({ usedTokens: 0, allowed: true });
      const total = await usage({ tenantId: q, period: '2026-06' });
      expect(total.promptTokens + total.completionTokens).toBe(70);
    });

    it('decides against the limit and the requested tokens', async () => {
      const month = { tenantId: q, at: june };
      expect(await quota({ ...month, limitTokens: 80, requestedTokens: 10 })).toMatchObject({ allowed: true, remainingTokens: 10 });
      expect(await quota({ ...month, limitTokens: 80, requestedTokens: 11 })).toMatchObject({ allowed: false, reasonCode: 'exceeds_remaining' });
      expect(await quota({ ...month, limitTokens: 70 })).toMatchObject({ allowed: false, reasonCode: 'budget_exhausted', remainingTokens: 0 });
    });

    it('serves later checks from the Redis counter, which new events keep current', async () => {
      const check = { tenantId: q, scope: QuotaScope.QUOTA_SCOPE_PROJECT, scopeId: 'qp', at: june };
      expect(await quota(check)).toMatchObject({ usedTokens: 70 });
      expect(await quota(check)).toMatchObject({ usedTokens: 70, source: QuotaSource.QUOTA_SOURCE_REDIS });
      await send(event({ tenantId: q, projectId: 'qp', workspaceId: 'qw', userId: 'qu', timestamp: '2026-06-20T00:00:00Z', promptTokens: 20, completionTokens: 10 }));
      await eventually('the increment', async () => ((await quota(check)).usedTokens === 100 ? true : undefined));
      expect(await quota(check)).toMatchObject({ usedTokens: 100, source: QuotaSource.QUOTA_SOURCE_REDIS });
    });

    it('rebuilds a lost counter from PostgreSQL', async () => {
      const check = { tenantId: q, scope: QuotaScope.QUOTA_SCOPE_PROJECT, scopeId: 'qp', at: june };
      const keys = await redis.keys(`${prefix}:quota:project:${q}:qp:2026-06`);
      expect(keys).toHaveLength(1);
      await redis.del(...keys);
      expect(await quota(check)).toMatchObject({ usedTokens: 100, source: QuotaSource.QUOTA_SOURCE_POSTGRES });
      expect(await quota(check)).toMatchObject({ usedTokens: 100, source: QuotaSource.QUOTA_SOURCE_REDIS });
    });

    it('refuses a request without scope, scope id or period', async () => {
      const error = await quota({ scope: QuotaScope.QUOTA_SCOPE_USER }).catch((e: unknown) => e as { code: number; metadata: { get(k: string): unknown[] } });
      expect(error).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
      expect((error as { metadata: { get(k: string): unknown[] } }).metadata.get('x-error-code')).toEqual(['usage_quota_scope_id_required']);
    });

    it('falls back to PostgreSQL when Redis is down, with the same answers', async () => {
      // Nothing listens on a fresh free port: every Redis command fails at once.
      const down = await bootService(usageService, { ...(await env(`${prefix}_usage_noredis`, infra.redis)), REDIS_URL: `redis://127.0.0.1:${await freePort()}`, MTLS_OFF_FOR_DEVELOPMENT: 'true' });
      const downClient = connect(down);
      try {
        const check = { tenantId: q, scope: QuotaScope.QUOTA_SCOPE_PROJECT, scopeId: 'qp', at: june, limitTokens: 100 };
        expect(await quota(check, downClient)).toMatchObject({ usedTokens: 100, allowed: false, reasonCode: 'budget_exhausted', source: QuotaSource.QUOTA_SOURCE_POSTGRES });
        expect(await quota({ ...check, period: QuotaPeriod.QUOTA_PERIOD_DAY, at: '2026-05-31T12:00:00Z' }, downClient)).toMatchObject({ usedTokens: 400, source: QuotaSource.QUOTA_SOURCE_POSTGRES });
        expect((await report({ tenantId: q, projectId: 'qp', month: '2026-06' }, downClient)).totals).toMatchObject({ totalTokens: 100 });
      } finally {
        downClient.close();
        await down.close();
      }
    });
  });

  describe('usage reports', () => {
    const tricky = event({ timestamp: '2026-03-12T00:00:00Z', userId: 'u,"3"', workspaceId: 'w\nx', model: '=cmd()', promptTokens: 4, completionTokens: 4 });

    beforeAll(async () => {
      await send(tricky);
      await drain();
    });

    it('GetUsageReport lists a project month per user, workspace and model, with totals', async () => {
      const r = await report({});
      expect(r.rows.map((x) => [x.userId, x.workspaceId, x.model, x.totalTokens])).toEqual([
        ['u,"3"', 'w\nx', '=cmd()', 8],
        ['u1', 'w1', 'model-x', 15],
        ['u2', 'w2', 'model-x', 27],
      ]);
      expect(r.totals).toEqual({ userId: '', workspaceId: '', model: '', requests: 3, promptTokens: 34, completionTokens: 16, totalTokens: 50 });
    });

    it('serves CSV over HTTP, escaped per RFC 4180 with formulas defused', async () => {
      const res = await http('/api/usage/v1/reports?project_id=p1&month=2026-03&format=csv');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="usage-p1-2026-03.csv"');
      expect(await res.text()).toBe(
        'tenant_id,project_id,month,user_id,workspace_id,model,requests,prompt_tokens,completion_tokens,total_tokens\r\n' +
          `${tenant},p1,2026-03,"u,""3""","w\nx",'=cmd(),1,4,4,8\r\n` +
          `${tenant},p1,2026-03,u1,w1,model-x,1,10,5,15\r\n` +
          `${tenant},p1,2026-03,u2,w2,model-x,1,20,7,27\r\n`,
      );
    });

    it('serves JSON over HTTP, for the caller tenant only', async () => {
      const res = await http('/api/usage/v1/reports?project_id=p1&month=2026-03');
      expect(res.status).toBe(200);
      const body = (await res.json()) as { rows: unknown[]; totals: unknown };
      expect(body).toMatchObject({ tenant_id: tenant, project_id: 'p1', month: '2026-03', totals: { requests: 3, prompt_tokens: 34, completion_tokens: 16, total_tokens: 50 } });
      expect(body.rows[1]).toEqual({ user_id: 'u1', workspace_id: 'w1', model: 'model-x', requests: 1, prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });

      // The plain identity headers are ignored: the tenant is the asserted one.
      const theirs = await http('/api/usage/v1/reports?project_id=p1&month=2026-03&format=json', { ...asserted('someone', other), 'x-user-id': 'u1', 'x-tenant-id': tenant });
      expect(await theirs.json()).toMatchObject({ tenant_id: other, totals: { requests: 1, total_tokens: 18 } });
    });

    it('refuses callers without edge identity, other tenants and bad parameters', async () => {
      const plain = { 'x-user-id': 'u1', 'x-tenant-id': tenant };
      const cases: [string, Record<string, string> | undefined, number, string][] = [
        ['/api/usage/v1/reports?project_id=p1&month=2026-03', {}, 401, 'unauthenticated'],
        // Plain identity headers, as a request that bypassed Envoy would carry them: no assertion, a forged or an expired one.
        ['/api/usage/v1/reports?project_id=p1&month=2026-03', plain, 401, 'unauthenticated'],
        ['/api/usage/v1/reports?project_id=p1&month=2026-03', { ...plain, ...asserted('u1', tenant, undefined, AssertionSigner.generate()) }, 401, 'unauthenticated'],
        ['/api/usage/v1/reports?project_id=p1&month=2026-03', { ...plain, ...asserted('u1', tenant, Date.now() - 10 * 60_000) }, 401, 'unauthenticated'],
        [`/api/usage/v1/reports?project_id=p1&month=2026-03&tenant_id=${other}`, undefined, 403, 'usage_tenant_forbidden'],
        ['/api/usage/v1/reports?project_id=p1&month=2026-3', undefined, 400, 'usage_invalid_period'],
        ['/api/usage/v1/reports?month=2026-03', undefined, 400, 'usage_project_required'],
        ['/api/usage/v1/reports?project_id=p1&month=2026-03&format=xml', undefined, 400, 'usage_invalid_format'],
      ];
      for (const [path, headers, status, code] of cases) {
        const res = await http(path, headers);
        expect([path, res.status]).toEqual([path, status]);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
      }
    });
  });

  it('signals a project far above its own baseline once, in the database, the log and /metrics', async () => {
    // The events below go into the current UTC hour and the three before it; keep clear of a rollover.
    const now = new Date();
    if (now.getUTCMinutes() === 59) await new Promise((r) => setTimeout(r, (61 - now.getUTCSeconds()) * 1000));
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const at = (hoursBefore: number) => new Date(hour - hoursBefore * 3_600_000 + 60_000).toISOString();
    const a = `${tenant}-anomaly`;
    for (const project of ['spiky', 'calm']) {
      for (const h of [3, 2, 1]) await send(event({ tenantId: a, projectId: project, timestamp: at(h), promptTokens: 900, completionTokens: 100 }));
    }
    await send(event({ tenantId: a, projectId: 'spiky', timestamp: at(0), promptTokens: 20_000, completionTokens: 1_000 }));
    await send(event({ tenantId: a, projectId: 'calm', timestamp: at(0), promptTokens: 4_000, completionTokens: 0 }));

    const pool = createPool(db.url, { max: 1, password: db.password });
    try {
      const rows = await eventually('the anomaly row', async () => {
        const r = await pool.query<{ project_id: string; current_tokens: string; baseline_tokens: number; ratio: number }>(
          'SELECT project_id, current_tokens, baseline_tokens, ratio FROM usage_anomalies WHERE tenant_id = $1',
          [a],
        );
        return r.rows.length > 0 ? r.rows : undefined;
      });
      expect(rows).toEqual([{ project_id: 'spiky', current_tokens: '21000', baseline_tokens: 1000, ratio: 21 }]);
    } finally {
      await pool.end();
    }
    const text = await eventually('the anomaly metrics', async () => {
      const body = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return /airlock_usage_anomaly_ratio\{[^}]*project_id="calm"[^}]*\} 4/.test(body) ? body : undefined;
    });
    expect(text).toMatch(new RegExp(`airlock_usage_anomalies_total\\{[^}]*tenant_id="${a}"[^}]*project_id="spiky"[^}]*\\} 1\\b`));
    expect(text).toMatch(/airlock_usage_anomaly_ratio\{[^}]*project_id="spiky"[^}]*\} 21/);
    expect(text).not.toMatch(/airlock_usage_anomalies_total\{[^}]*project_id="calm"/);
    expect(text).toMatch(/airlock_usage_tokens_total\{[^}]*project_id="p1"[^}]*\} /);
  });

  it('still counts an old event once after a restart that redelivers the whole topic', async () => {
    await stop();
    // A new consumer group has no committed offsets: every event on the topic arrives again.
    await boot(`${prefix}_usage_replay`);
    await send(march.a);
    const sentinel = event({ timestamp: '2026-01-15T00:00:00Z', promptTokens: 1, completionTokens: 1 });
    await send(sentinel);
    await eventually('the sentinel after the replay', async () => ((await usage({ period: '2026-01' })).requests >= 1 ? true : undefined));

    // March as before plus the report test's event.
    expect(await usage({ period: '2026-03' })).toEqual({ period: '2026-03', requests: 4, promptTokens: 35, completionTokens: 17 });
    expect(await usage({ period: '2026-02' })).toMatchObject({ requests: 1 });
    expect(await usage({ period: '2026-01' })).toMatchObject({ requests: 1 });
    expect(await counter(tenant, '2026-03', 'tokens')).toBe(52);
    expect(await quota({ tenantId: `${tenant}-quota`, at: '2026-06-15T00:00:00Z' })).toMatchObject({ usedTokens: 100 });
    expect(await checkHealth(service!.grpcAddress, 'airlock.usage.v1.UsageService')).toBe('SERVING');
  });

  it('stops serving on close', async () => {
    const address = service!.grpcAddress;
    await stop();
    expect(await checkHealth(address, '', 300)).toBe('UNREACHABLE');
  });
});
