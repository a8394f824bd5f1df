import Redis from 'ioredis';
import { airlock } from '@airlock/contracts';
import { createLogger } from '@airlock/telemetry';
import { eventually, freePort, startInfra, startPrivateRedis, uniquePrefix, type PrivateRedis, withRedisUser } from '@airlock/testing';
import { loadConfig, redisAuthShape, type RedisAuthConfig } from '@airlock/config';
import { CompiledLimits } from '../src/limits/compiled-limits';
import { limitsSection } from '../src/limits/limits-schema';
import { RateLimiter, type RateLimiterConfig } from '../src/limits/rate-limiter';

jest.setTimeout(60_000);

const { PrincipalKind } = airlock.identity.v1;
const logger = createLogger('limits-store-test', 'silent');
const principal = (userId: string, projectId = 'p-pay'): airlock.identity.v1.Principal => ({
  subject: userId,
  userId,
  tenantId: 't-bank',
  projectId,
  workspaceId: '',
  roles: ['developer'],
  kind: PrincipalKind.PRINCIPAL_KIND_USER,
});

const compile = (rateLimits: unknown[], onStoreError?: string) => new CompiledLimits(limitsSection.parse({ rateLimits, onStoreError }));
const slow = (id: string, burst: number, extra: Record<string, unknown> = {}) => ({ id, key: ['user'], rate: { requests: 1, perSeconds: 3600 }, burst, ...extra });

describe('RateLimiter against real Redis', () => {
  let redisUrl: string;
  let auth: RedisAuthConfig;
  let prefix: string;
  let admin: Redis;
  const limiters: RateLimiter[] = [];

  const limiter = async (overrides: Partial<RateLimiterConfig> = {}) => {
    const l = new RateLimiter({ REDIS_URL: redisUrl, ...auth, POLICY_LIMITS_REDIS_PREFIX: prefix, POLICY_LIMITS_REDIS_TIMEOUT_MS: 1_000, POLICY_LIMITS_REPLICAS: 1, ...overrides }, logger);
    await l.onModuleInit();
    limiters.push(l);
    return l;
  };

  beforeAll(async () => {
    const infra = await startInfra({ components: ['redis'] });
    redisUrl = infra.redis.url;
    prefix = `${uniquePrefix('policy_rl')}:`;
    // Policy's own Redis user, granted the bucket prefix only.
    auth = loadConfig(redisAuthShape, await withRedisUser(infra.redis, 'policy', { POLICY_LIMITS_REDIS_PREFIX: prefix }));
    admin = new Redis(redisUrl, { username: infra.redis.username, password: infra.redis.password });
  });

  afterAll(async () => {
    await Promise.all(limiters.map((l) => l.onApplicationShutdown()));
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length) await admin.del(...keys);
    await admin.quit();
  });

  it('admits the burst, then refuses with the wait until the next request fits; state is one expiring key per bucket', async () => {
    const l = await limiter();
    const refs = compile([{ id: 'rl.exact', key: ['user'], rate: { requests: 60, perSeconds: 60 }, burst: 3 }]).buckets(principal('u-exact'), '/v1/chat', 'POST');
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await l.check(refs));
    expect(results.map((r) => [r.source, r.admitted, r.buckets[0].remaining])).toEqual([
      ['redis', true, 2],
      ['redis', true, 1],
      ['redis', true, 0],
      ['redis', false, 0],
    ]);
    const refused = results[3].buckets[0];
    // The three admissions took a little time, so the wait is a little under one interval (1 s).
    expect(refused.waitUs).toBeGreaterThan(0);
    expect(refused.waitUs).toBeLessThanOrEqual(1_000_000);
    expect(refused.restoreUs).toBe(refused.waitUs);
    const key = `${prefix}{t-bank}:rl.exact:u-exact`;
    const ttl = await admin.pttl(key);
    expect(ttl).toBeGreaterThan(2_000);
    expect(ttl).toBeLessThanOrEqual(3_000);
    expect(await admin.get(key)).toMatch(/^\d{16}$/);
  });

  it('updates no bucket when one refuses (all-or-nothing in one script)', async () => {
    const l = await limiter();
    const limits = compile([slow('rl.wide', 5), slow('rl.narrow', 1, { match: { pathPrefix: '/v1/agent' } })]);
    const who = principal('u-all-or-nothing');
    expect((await l.check(limits.buckets(who, '/v1/agent', 'POST'))).admitted).toBe(true);
    const refused = await l.check(limits.buckets(who, '/v1/agent', 'POST'));
    expect(refused.admitted).toBe(false);
    expect(refused.buckets.map((b) => b.remaining)).toEqual([4, 0]);
    // rl.wide was not charged for the refused request.
    expect((await l.check(limits.buckets(who, '/v1/chat', 'POST'))).buckets[0].remaining).toBe(3);
  });

  it('two limiters with their own connections share one limit: together they admit it once, not twice', async () => {
    const [a, b] = [await limiter(), await limiter()];
    const refs = compile([slow('rl.shared', 25)]).buckets(principal('u-shared'), '/v1/chat', 'POST');
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).check(refs)));
    expect(results.every((r) => r.source === 'redis')).toBe(true);
    expect(results.filter((r) => r.admitted)).toHaveLength(25);
  });

  it('two limiters hammering a fast limit admit at most burst + rate × elapsed between them', async () => {
    const [a, b] = [await limiter(), await limiter()];
    const refs = compile([{ id: 'rl.fast', key: ['user'], rate: { requests: 50, perSeconds: 1 }, burst: 5 }]).buckets(principal('u-fast'), '/v1/chat', 'POST');
    const started = process.hrtime.bigint();
    let admitted = 0;
    const worker = async (l: RateLimiter) => {
      while (Number(process.hrtime.bigint() - started) / 1e9 < 1.5) if ((await l.check(refs)).admitted) admitted++;
    };
    await Promise.all([worker(a), worker(a), worker(b), worker(b)]);
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    expect(admitted).toBeGreaterThan(5);
    expect(admitted).toBeLessThanOrEqual(5 + Math.ceil(50 * elapsed));
  });

  describe('Redis unreachable (a port with nothing listening)', () => {
    let down: string;
    beforeAll(async () => {
      down = `redis://127.0.0.1:${await freePort()}`;
    });

    it('fail_open_local: each replica enforces its share locally', async () => {
      const l = await limiter({ REDIS_URL: down, POLICY_LIMITS_REPLICAS: 2 });
      const refs = compile([slow('rl.open', 10)], 'fail_open_local').buckets(principal('u-open'), '/v1/chat', 'POST');
      const results = [];
      for (let i = 0; i < 8; i++) results.push(await l.check(refs));
      expect(results.every((r) => r.source === 'local')).toBe(true);
      expect(results.filter((r) => r.admitted)).toHaveLength(5);
    });

    it('fail_closed: no decision (the caller answers 503), also when only one of the buckets fails closed', async () => {
      const l = await limiter({ REDIS_URL: down });
      const closed = compile([slow('rl.closed', 10, { onStoreError: 'fail_closed' })]).buckets(principal('u-closed'), '/v1/chat', 'POST');
      expect(await l.check(closed)).toEqual({ admitted: false, buckets: [], source: 'unavailable' });
      const mixed = compile([slow('rl.open', 10), slow('rl.closed', 10, { onStoreError: 'fail_closed' })]).buckets(principal('u-closed'), '/v1/chat', 'POST');
      expect((await l.check(mixed)).source).toBe('unavailable');
    });
  });

  // A server of its own, which this suite may take away (never the shared one).
  describe('a private Redis that stops and comes back', () => {
    let redis: PrivateRedis;
    beforeAll(async () => {
      redis = await startPrivateRedis('policy-rl');
    });
    afterAll(async () => redis?.destroy());

    it('falls back while Redis is down and uses it again once it is back', async () => {
      const l = await limiter({ REDIS_URL: redis.url, ...loadConfig(redisAuthShape, await withRedisUser(redis.endpoint, 'policy', { POLICY_LIMITS_REDIS_PREFIX: prefix })) });
      const limits = compile([slow('rl.outage', 3)]);
      const refs = limits.buckets(principal('u-outage'), '/v1/chat', 'POST');
      const closed = compile([slow('rl.outage.closed', 3, { onStoreError: 'fail_closed' })]).buckets(principal('u-outage'), '/v1/chat', 'POST');
      expect((await l.check(refs)).source).toBe('redis');

      await redis.stop();
      const during = await eventually('the limiter to notice', async () => {
        const r = await l.check(refs);
        return r.source === 'redis' ? undefined : r;
      });
      expect(during.source).toBe('local');
      expect((await l.check(closed)).source).toBe('unavailable');

      await redis.start();
      // A fresh server has no buckets: the next Redis answer starts from a full bucket.
      const after = await eventually('the limiter to reconnect', async () => {
        const r = await l.check(refs);
        return r.source === 'redis' ? r : undefined;
      });
      expect(after).toMatchObject({ admitted: true, buckets: [{ remaining: 2 }] });
    });
  });
});
