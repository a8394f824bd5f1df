import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { airlock, envoy } from '@airlock/contracts';
import { GrpcStatus, createClient, unary } from '@airlock/grpc';
import { bootService, type RunningService } from '@airlock/runtime';
import { EventProducer, createKafka, newEventId, topicName } from '@airlock/events';
import { createLogger } from '@airlock/telemetry';
import {
  createTestDatabase,
  createTopics,
  eventually,
  freePort,
  grpcServing,
  startBuiltService,
  startInfra,
  uniquePrefix,
  withRedisUser,
  type BuiltService,
  type InfraEndpoints,
} from '@airlock/testing';
import { DEFAULT_BUNDLE_FILE } from '../src/bundles/bundle';
import { policyService } from '../src/service';

jest.setTimeout(120_000);

const { PrincipalKind } = airlock.identity.v1;
const { StatusCode } = envoy.type.v3;
type CheckResponse = envoy.service.auth.v3.CheckResponse;
type Envelope = { error: { code: string; message: string; correlation_id: string; retryable: boolean } };


const headerMap = (options: envoy.config.core.v3.HeaderValueOption[] = []) => Object.fromEntries(options.map((o) => [o.header!.key, o.header!.value]));
const body = (res: CheckResponse) => JSON.parse(res.deniedResponse!.body) as Envelope;

const slow = (id: string, pathPrefix: string, burst: number, extra: Record<string, unknown> = {}) => ({
  id,
  match: { pathPrefix, methods: ['POST'] },
  key: ['user'],
  rate: { requests: 1, perSeconds: 3600 },
  burst,
  ...extra,
});

describe('rate limits and token budgets in ext_authz, against real Redis, identity and usage', () => {
  let infra: InfraEndpoints;
  let dir: string;
  let prefix: string;
  const dbs: { drop(): Promise<void> }[] = [];
  const running: RunningService[] = [];
  const clients: { close(): void }[] = [];
  let identity: airlock.identity.v1.IdentityServiceClient;
  let usageClient: airlock.usage.v1.UsageServiceClient;
  // The real identity and usage services, run from their builds.
  let identityProcess: BuiltService | undefined;
  let usage: BuiltService | undefined;
  let producer: EventProducer;
  let policyA: envoy.service.auth.v3.AuthorizationClient;
  let policyB: envoy.service.auth.v3.AuthorizationClient;
  let policyRedisDown: envoy.service.auth.v3.AuthorizationClient;
  // Policy signs the identity assertion with this key; identity's and usage's HTTP faces verify with its public half.
  const assertionKeys: Record<string, string> = {};

  const bundleWith = (name: string, limits: unknown) => {
    const bundle = { ...JSON.parse(readFileSync(DEFAULT_BUNDLE_FILE, 'utf8')), limits };
    const file = path.join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(bundle));
    return file;
  };

  const ports = async () => ({ GRPC_PORT: String(await freePort()), HTTP_PORT: String(await freePort()), METRICS_PORT: String(await freePort()), LOG_LEVEL: 'error' });

  const bootPolicy = async (env: Record<string, string>) => {
    const redisEnv = { POLICY_LIMITS_REDIS_PREFIX: `${prefix}rl:`, IDENTITY_REVOCATION_CHANNEL: `${prefix}revocations`, POLICY_BUNDLE_CHANNEL: `${prefix}bundles` };
    const service = await bootService(policyService, {
      MTLS_OFF_FOR_DEVELOPMENT: 'true',
      ...(await ports()),
      // Policy's own Redis user, granted these prefixes only; a test's REDIS_URL (an unreachable one) wins.
      ...(await withRedisUser(infra.redis, 'policy', redisEnv)),
      ...assertionKeys,
      ...env,
    });
    running.unshift(service);
    const client = createClient(envoy.service.auth.v3.AuthorizationClient, service.grpcAddress);
    clients.push(client);
    return client;
  };

  const token = async (userId: string, projectId: string) =>
    (
      await unary(identity.issueToken.bind(identity), {
        principal: { subject: '', userId, tenantId: 't-bank', projectId, workspaceId: '', roles: ['developer'], kind: PrincipalKind.PRINCIPAL_KIND_USER },
        ttlSeconds: 600,
      })
    ).accessToken;

  const check = (via: envoy.service.auth.v3.AuthorizationClient, bearer: string, path = '/v1/chat/completions', correlationId = 'corr-limits-0001') =>
    unary(
      via.check.bind(via),
      envoy.service.auth.v3.CheckRequest.fromPartial({
        attributes: {
          source: { address: { socketAddress: { address: '198.51.100.23', portValue: 50123 } } },
          request: { http: { method: 'POST', path, host: 'airlock.example', headers: { authorization: `Bearer ${bearer}`, 'x-correlation-id': correlationId } } },
        },
      }),
    );

  beforeAll(async () => {
    infra = await startInfra({ components: ['redis', 'postgres', 'kafka'] });
    prefix = `${uniquePrefix('policy_limits')}:`;
    const topicPrefix = prefix.slice(0, -1);
    dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-policy-limits-'));
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    assertionKeys.POLICY_ASSERTION_KEY_FILE = path.join(dir, 'assertion-key.pem');
    assertionKeys.IDENTITY_ASSERTION_PUBLIC_KEY_FILE = path.join(dir, 'assertion-key.pub.pem');
    writeFileSync(assertionKeys.POLICY_ASSERTION_KEY_FILE, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(assertionKeys.IDENTITY_ASSERTION_PUBLIC_KEY_FILE, pair.publicKey.export({ type: 'spki', format: 'pem' }));
    const identityDb = await createTestDatabase(infra, 'policy_limits_identity');
    const usageDb = await createTestDatabase(infra, 'policy_limits_usage');
    dbs.push(identityDb, usageDb);
    await createTopics(infra, [topicName('usage', topicPrefix)]);

    const identityService_ = await startBuiltService({
      app: 'identity',
      env: {
        MTLS_OFF_FOR_DEVELOPMENT: 'true',
        LOG_LEVEL: 'warn',
        ...(await withRedisUser(infra.redis, 'identity', { REDIS_PREFIX: prefix })),
        ...identityDb.env,
        IDENTITY_SIGNING_KEY_FILE: path.join(dir, 'signing.pem'),
        IDENTITY_GENERATE_KEY: 'true',
        IDENTITY_ALLOW_ISSUE: 'true',
        IDENTITY_ASSERTION_PUBLIC_KEY_FILE: assertionKeys.IDENTITY_ASSERTION_PUBLIC_KEY_FILE,
      },
      ready: grpcServing('airlock.identity.v1.IdentityService'),
    });
    identityProcess = identityService_;
    usage = await startBuiltService({
      app: 'usage',
      env: {
        MTLS_OFF_FOR_DEVELOPMENT: 'true',
        LOG_LEVEL: 'warn',
        ...usageDb.env,
        ...(await withRedisUser(infra.redis, 'usage', { REDIS_PREFIX: `${prefix}usage:` })),
        KAFKA_BROKERS: infra.kafka.brokers.join(','),
        KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
        TOPIC_PREFIX: topicPrefix,
        USAGE_CONSUMER_GROUP: `${topicPrefix}_usage`,
        ANOMALY_CHECK_INTERVAL_SECONDS: '0',
        IDENTITY_ASSERTION_PUBLIC_KEY_FILE: assertionKeys.IDENTITY_ASSERTION_PUBLIC_KEY_FILE,
      },
      ready: grpcServing('airlock.usage.v1.UsageService'),
    });
    identity = createClient(airlock.identity.v1.IdentityServiceClient, identityService_.grpcAddress);
    usageClient = createClient(airlock.usage.v1.UsageServiceClient, usage.grpcAddress);
    clients.push(identity, usageClient);
    producer = new EventProducer(createKafka({ brokers: infra.kafka.brokers, clientId: 'policy-limits-test', logger: createLogger('policy-limits-test', 'fatal') }));

    const shared = bundleWith('shared', {
      rateLimits: [slow('rl.chat.user', '/v1/chat', 4)],
      tokenBudgets: [
        { id: 'tb.project.month', match: { pathPrefix: '/v1/chat' }, scope: 'project', period: 'month', limitTokens: 1000 },
        { id: 'tb.agent.closed', match: { pathPrefix: '/v1/agent' }, scope: 'project', period: 'day', limitTokens: 1000, onUsageError: 'fail_closed' },
      ],
    });
    const common = { IDENTITY_ADDR: identityService_.grpcAddress, USAGE_ADDR: usage.grpcAddress, POLICY_BUNDLE_FILE: shared };
    // Every answer from usage, not the cache, so the test sees a budget run out at once.
    policyA = await bootPolicy({ ...common, POLICY_BUDGET_ALLOW_CACHE_MS: '0' });
    policyB = await bootPolicy({ ...common, POLICY_BUDGET_ALLOW_CACHE_MS: '0' });
    policyRedisDown = await bootPolicy({
      IDENTITY_ADDR: identityService_.grpcAddress,
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      POLICY_LIMITS_REPLICAS: '2',
      POLICY_BUNDLE_FILE: bundleWith('redis-down', {
        rateLimits: [slow('rl.chat.open', '/v1/chat', 4), slow('rl.agent.closed', '/v1/agent', 4, { onStoreError: 'fail_closed' })],
      }),
    });
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await producer?.disconnect();
    for (const s of running) await s.close();
    await identityProcess?.stop();
    await usage?.stop();
    for (const db of dbs) await db.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('two policy replicas share one limit: of 12 concurrent requests exactly the burst (4) pass', async () => {
    const bearer = await token('u-replicas', 'p-replicas');
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => check(i % 2 ? policyA : policyB, bearer, '/v1/chat/completions', `corr-rl-${i}-abcdef`)));
    const ok = answers.filter((a) => a.status?.code === GrpcStatus.OK);
    const limited = answers.filter((a) => a.status?.code === GrpcStatus.RESOURCE_EXHAUSTED);
    expect([ok.length, limited.length]).toEqual([4, 8]);

    // Allowed answers tell the client what is left.
    const remaining = ok.map((a) => headerMap(a.okResponse!.responseHeadersToAdd)['ratelimit']).sort();
    expect(remaining).toEqual(['"rl.chat.user";r=0;t=3600', '"rl.chat.user";r=1;t=3600', '"rl.chat.user";r=2;t=3600', '"rl.chat.user";r=3;t=3600']);
    expect(headerMap(ok[0].okResponse!.responseHeadersToAdd)['ratelimit-policy']).toBe('"rl.chat.user";q=4;w=14400');

    const denied = limited[0];
    expect(denied.deniedResponse!.status!.code).toBe(StatusCode.TooManyRequests);
    const headers = headerMap(denied.deniedResponse!.headers);
    const retryAfter = Number(headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(headers).toMatchObject({
      'content-type': 'application/json',
      'ratelimit-policy': '"rl.chat.user";q=4;w=14400',
      ratelimit: `"rl.chat.user";r=0;t=${retryAfter}`,
    });
    const envelope = body(denied);
    expect(envelope.error).toEqual({
      code: 'rate_limited',
      message: `rate limit "rl.chat.user" exceeded (1 requests per 3600 s, burst 4); retry in ${retryAfter} s`,
      correlation_id: expect.stringMatching(/^corr-rl-\d+-abcdef$/),
      retryable: true,
    });
    expect(headers['x-correlation-id']).toBe(envelope.error.correlation_id);
  });

  it('limits are per user: another user of the same project still passes', async () => {
    expect((await check(policyA, await token('u-other', 'p-replicas'))).status?.code).toBe(GrpcStatus.OK);
  });

  it('a project over its token budget (metered by usage from Kafka) gets 429 token_budget_exceeded until the month resets', async () => {
    const bearer = await token('u-budget', 'p-budget');
    expect((await check(policyA, bearer)).status?.code).toBe(GrpcStatus.OK);

    const topic = topicName('usage', prefix.slice(0, -1));
    const event = airlock.events.v1.UsageEvent.fromPartial({
      eventId: newEventId(),
      tenantId: 't-bank',
      projectId: 'p-budget',
      userId: 'u-budget',
      model: 'reference-chat',
      endpoint: '/v1/chat/completions',
      timestamp: new Date().toISOString(),
      promptTokens: 900,
      completionTokens: 300,
    });
    await producer.send(topic, event.eventId, airlock.events.v1.UsageEvent.encode(event).finish());
    await eventually('usage to meter the event', async () => {
      const u = await unary(usageClient.getUsage.bind(usageClient), { tenantId: 't-bank', projectId: 'p-budget', userId: '', period: '', workspaceId: '', model: '' });
      return u.promptTokens + u.completionTokens >= 1200 ? true : undefined;
    });

    const denied = await check(policyB, bearer);
    expect(denied.status?.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(denied.deniedResponse!.status!.code).toBe(StatusCode.TooManyRequests);
    const now = new Date();
    const reset = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    const month = now.toISOString().slice(0, 7);
    expect(body(denied).error).toEqual({
      code: 'token_budget_exceeded',
      message: `token budget "tb.project.month" of project p-budget is used up for ${month}: 1200 of 1000 tokens; it resets at ${reset.toISOString()}`,
      correlation_id: 'corr-limits-0001',
      retryable: false,
    });
    const retryAfter = Number(headerMap(denied.deniedResponse!.headers)['retry-after']);
    expect(Math.abs(retryAfter - (reset.getTime() - Date.now()) / 1000)).toBeLessThan(60);
    // The request was counted by the rate limit before the budget refused it: the client still sees its limit.
    expect(headerMap(denied.deniedResponse!.headers)['ratelimit']).toBe('"rl.chat.user";r=2;t=3600');
  });

  describe('Redis unreachable', () => {
    it('fail_open_local: the replica enforces its share (burst 4 over 2 replicas: 2) and answers 429 past it', async () => {
      const bearer = await token('u-redis-down', 'p-down');
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await check(policyRedisDown, bearer));
      expect(answers.map((a) => a.status?.code)).toEqual([GrpcStatus.OK, GrpcStatus.OK, GrpcStatus.RESOURCE_EXHAUSTED, GrpcStatus.RESOURCE_EXHAUSTED]);
      expect(body(answers[3]).error.code).toBe('rate_limited');
    });

    it('fail_closed: 503 rate_limiter_unavailable, retryable, Retry-After 1', async () => {
      const denied = await check(policyRedisDown, await token('u-redis-down', 'p-down'), '/v1/agent');
      expect(denied.status?.code).toBe(GrpcStatus.UNAVAILABLE);
      expect(denied.deniedResponse!.status!.code).toBe(StatusCode.ServiceUnavailable);
      expect(headerMap(denied.deniedResponse!.headers)['retry-after']).toBe('1');
      expect(body(denied).error).toMatchObject({ code: 'rate_limiter_unavailable', retryable: true });
    });
  });

  describe('usage unreachable', () => {
    beforeAll(async () => {
      await usage!.stop();
      usage = undefined;
    });

    it('an exhausted budget stays denied from the cache; fail_open budgets admit; fail_closed budgets answer 503', async () => {
      expect(body(await check(policyB, await token('u-budget', 'p-budget'))).error.code).toBe('token_budget_exceeded');
      expect((await check(policyA, await token('u-after', 'p-fresh'))).status?.code).toBe(GrpcStatus.OK);
      const closed = await check(policyA, await token('u-after', 'p-fresh'), '/v1/agent');
      expect(closed.deniedResponse!.status!.code).toBe(StatusCode.ServiceUnavailable);
      expect(body(closed).error).toMatchObject({ code: 'token_budget_unavailable', retryable: true });
    });
  });
});
