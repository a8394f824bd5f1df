import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { airlock } from '@airlock/contracts';
import { EventProducer, createKafka, newEventId, topicName } from '@airlock/events';
import { ASSERTION_HEADER, AssertionSigner, type Identity } from '@airlock/identity-assertion';
import { bootService, type RunningService } from '@airlock/runtime';
import { createLogger } from '@airlock/telemetry';
import {
  createTestDatabase,
  createTopics,
  eventually,
  freePort,
  policyTestBundle,
  startBuiltPolicy,
  startInfra,
  uniquePrefix,
  withRedisUser,
  type BuiltService,
  type InfraEndpoints,
  type TestDatabase,
} from '@airlock/testing';
import { usageService } from '../src/service';

jest.setTimeout(180_000);

const { UsageEvent } = airlock.events.v1;
/** Stands in for policy's ext_authz key: the caller of the HTTP route is whoever it signs. */
const edgeSigner = AssertionSigner.generate();
const DAY_MS = 86_400_000;
const dayOf = (at: Date) => at.toISOString().slice(0, 10);

interface MyUsage {
  days: { date: string; model: string; prompt_tokens: number; completion_tokens: number }[];
  budget: { limit_tokens: number | null; used_tokens: number; remaining_tokens: number | null; period: string; id: string | null; scope: string | null };
}

/**
 * `GET /api/usage/v1/me` on real Kafka, PostgreSQL and Redis, with the real policy service deciding which
 * budgets apply: its default bundle plus a daily budget per user.
 */
describe('usage /api/usage/v1/me', () => {
  let infra: InfraEndpoints;
  let prefix: string;
  let dir: string;
  let db: TestDatabase;
  let producer: EventProducer;
  let policy: BuiltService | undefined;
  const services: RunningService[] = [];
  let withPolicy: RunningService;

  const tenant = 'acme';
  const alice = { userId: 'alice', projectId: 'payments' };
  const headers = (who: { userId: string; projectId?: string }, signer = edgeSigner, nowMs?: number): Record<string, string> => {
    const identity: Identity = { subject: who.userId, userId: who.userId, tenantId: tenant, projectId: who.projectId ?? '', workspaceId: '', roles: ['developer'], kind: 'user' };
    return { [ASSERTION_HEADER]: signer.sign(identity, nowMs).token };
  };
  const me = async (service: RunningService, query = '', h = headers(alice)) => {
    const res = await fetch(`http://${service.httpAddress}/api/usage/v1/me${query}`, { headers: h });
    return { status: res.status, cacheControl: res.headers.get('cache-control'), body: (await res.json()) as MyUsage & { error: { code: string; retryable: boolean } } };
  };

  const now = new Date();
  const event = (userId: string, at: Date, model: string, promptTokens: number, completionTokens: number) =>
    UsageEvent.fromPartial({ eventId: newEventId(), tenantId: tenant, projectId: 'payments', workspaceId: 'w1', userId, model, endpoint: '/v1/chat/completions', timestamp: at.toISOString(), promptTokens, completionTokens });

  async function bootUsage(policyAddr?: string): Promise<RunningService> {
    const service = await bootService(usageService, {
      MTLS_OFF_FOR_DEVELOPMENT: 'true',
      IDENTITY_ASSERTION_PUBLIC_KEY_FILE: path.join(dir, 'assertion-public.pem'),
      GRPC_PORT: String(await freePort()),
      HTTP_PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      ...db.env,
      ...(await withRedisUser(infra.redis, 'usage', { REDIS_PREFIX: `${prefix}:` })),
      KAFKA_BROKERS: infra.kafka.brokers.join(','),
      KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
      TOPIC_PREFIX: prefix,
      USAGE_CONSUMER_GROUP: `${prefix}-usage`,
      ANOMALY_CHECK_INTERVAL_SECONDS: '0',
      LOG_LEVEL: 'warn',
      ...(policyAddr ? { POLICY_ADDR: policyAddr, USAGE_POLICY_DEADLINE_MS: '300' } : {}),
    });
    services.push(service);
    return service;
  }

  beforeAll(async () => {
    infra = await startInfra({ components: ['postgres', 'redis', 'kafka'] });
    prefix = uniquePrefix('usage_me');
    dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-usage-me-'));
    writeFileSync(path.join(dir, 'assertion-public.pem'), edgeSigner.publicKeyPem);
    db = await createTestDatabase(infra, prefix);
    await createTopics(infra, [topicName('usage', prefix)]);

    // The real policy service, from its build: its GetTokenBudgets says which budgets apply — a day's budget per
    // project (as the default bundle has) and one per user. It authenticates nobody here: no identity is needed.
    const tokenBudgets = [
      { id: 'tb.project.day', match: { pathPrefix: '/v1' }, scope: 'project', period: 'day', limitTokens: 20_000_000 },
      { id: 'tb.user.day', match: { pathPrefix: '/v1' }, scope: 'user', period: 'day', limitTokens: 1_000 },
    ];
    policy = await startBuiltPolicy({ dir, bundle: policyTestBundle('usage-me-test', { limits: { tokenBudgets } }) });
    withPolicy = await bootUsage(policy.grpcAddress);

    producer = new EventProducer(createKafka({ brokers: infra.kafka.brokers, clientId: 'usage-me-test', logger: createLogger('usage-me-test', 'fatal') }));
    const topic = topicName('usage', prefix);
    for (const e of [
      event('alice', now, 'model-x', 100, 50),
      event('alice', now, 'model-y', 10, 5),
      event('alice', new Date(now.getTime() - DAY_MS), 'model-x', 20, 10),
      event('alice', new Date(now.getTime() - 40 * DAY_MS), 'model-x', 1, 1),
      event('bob', now, 'model-x', 400, 100),
    ]) {
      await producer.send(topic, e.eventId, UsageEvent.encode(e).finish());
    }
    // Metered once bob's (the last) counts in the project's day.
    await eventually('the events metered', async () => ((await me(withPolicy, '', headers({ userId: 'bob', projectId: 'payments' }))).body.budget?.used_tokens === 500 ? true : undefined));
  });

  afterAll(async () => {
    await producer?.disconnect();
    for (const s of services) await s.close();
    await policy?.stop();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("answers the caller's own tokens per UTC day and model, oldest first, within the days asked", async () => {
    const reply = await me(withPolicy, '?days=30');
    expect(reply.status).toBe(200);
    expect(reply.cacheControl).toBe('no-store');
    expect(reply.body.days).toEqual([
      { date: dayOf(new Date(now.getTime() - DAY_MS)), model: 'model-x', prompt_tokens: 20, completion_tokens: 10 },
      { date: dayOf(now), model: 'model-x', prompt_tokens: 100, completion_tokens: 50 },
      { date: dayOf(now), model: 'model-y', prompt_tokens: 10, completion_tokens: 5 },
    ]);
    expect((await me(withPolicy, '?days=1')).body.days.map((d) => d.model)).toEqual(['model-x', 'model-y']);
    expect((await me(withPolicy, '?days=90')).body.days).toHaveLength(4);
    expect((await me(withPolicy)).body.days).toHaveLength(3);
  });

  it("shows the daily budget that stops the caller first: alice's own (165 of 1000), not the project's (665 of 20 M)", async () => {
    expect((await me(withPolicy)).body.budget).toEqual({ limit_tokens: 1_000, used_tokens: 165, remaining_tokens: 835, period: 'day', id: 'tb.user.day', scope: 'user' });
    // bob spent 500 of his own 1000; the project's day (665 of 20 M, alice's included) has far more left.
    expect((await me(withPolicy, '', headers({ userId: 'bob', projectId: 'payments' }))).body.budget).toMatchObject({ id: 'tb.user.day', used_tokens: 500, remaining_tokens: 500 });
  });

  it('shows no limit, and the caller\'s own tokens today, where policy names no budget', async () => {
    const withoutPolicy = await bootUsage();
    expect((await me(withoutPolicy)).body.budget).toEqual({ limit_tokens: null, used_tokens: 165, remaining_tokens: null, period: 'day', id: null, scope: null });
  });

  it('refuses a bad days value (400) and plain identity headers without a valid assertion (401)', async () => {
    for (const days of ['0', '91', '-1', '1.5', 'abc']) {
      const reply = await me(withPolicy, `?days=${days}`);
      expect([days, reply.status, reply.body.error.code]).toEqual([days, 400, 'usage_invalid_days']);
    }
    for (const h of [{}, headers(alice, AssertionSigner.generate()), headers(alice, edgeSigner, Date.now() - 10 * 60_000)]) {
      const reply = await me(withPolicy, '', { ...h, 'x-user-id': 'alice', 'x-tenant-id': tenant });
      expect([reply.status, reply.body.error.code]).toEqual([401, 'unauthenticated']);
    }
  });

  // Last: it stops policy.
  it('answers 503 usage_budget_unavailable (retryable) when policy cannot be asked, rather than a wrong budget', async () => {
    await policy!.stop();
    policy = undefined;
    const reply = await me(withPolicy);
    expect(reply.status).toBe(503);
    expect(reply.body.error).toMatchObject({ code: 'usage_budget_unavailable', retryable: true });
  });
});
