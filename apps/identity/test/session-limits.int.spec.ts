import Redis from 'ioredis';
import { airlock } from '@airlock/contracts';
import { loadConfig, redisAuthShape } from '@airlock/config';
import { createLogger } from '@airlock/telemetry';
import { eventually, startInfra, uniquePrefix, withRedisUser, type InfraEndpoints } from '@airlock/testing';
import { credentialDigest } from '../src/credentials';
import { IdentityRedis } from '../src/redis/identity-redis';
import { NO_SESSION_LIMITS, type SessionLimits } from '../src/sessions/session-limits';
import { SessionStore, type AdmittedSession, type SessionAdmission } from '../src/sessions/session-store';

// The admission script (src/sessions/session-admission.ts) against a real Redis: limits, eviction, pruning and
// atomicity under parallel logins. Each test uses its own tenant; the whole file its own key prefix.
const policy = { requireMfa: false, sessionIdleSeconds: 600, sessionMaxSeconds: 3_600 };
const limits = (l: Partial<SessionLimits>): SessionLimits => ({ ...NO_SESSION_LIMITS, policyVersion: 'v-test', ruleId: 'sessions.default', ...l });
const principal = (tenantId: string, userId: string) =>
  airlock.identity.v1.Principal.fromPartial({ subject: userId, userId, tenantId, roles: ['developer'], kind: airlock.identity.v1.PrincipalKind.PRINCIPAL_KIND_USER });

function admitted(a: SessionAdmission): AdmittedSession {
  if (!a.admitted) throw new Error(`refused by the ${a.limit} limit (${a.live} live)`);
  return a;
}

describe('session admission within concurrent-session limits (real Redis)', () => {
  const prefix = `${uniquePrefix('identity-sessions')}:`;
  let redis: IdentityRedis;
  let store: SessionStore;
  let subscriber: Redis;
  const announced: string[] = [];
  let n = 0;
  const tenant = () => `t${++n}`;

  const create = (tenantId: string, userId: string, l: SessionLimits = NO_SESSION_LIMITS) => store.admit(principal(tenantId, userId), policy, undefined, l);
  const userSet = (tenantId: string, userId: string) => redis.client.zrange(`sessions:user:${tenantId}:${userId}`, 0, -1);
  const tenantSet = (tenantId: string) => redis.client.zrange(`sessions:tenant:${tenantId}`, 0, -1);
  const live = async (id: string) => typeof (await store.touch(id)) !== 'string';

  let infra: InfraEndpoints;

  beforeAll(async () => {
    infra = await startInfra({ components: ['redis'] });
    // As identity's own Redis user, granted this prefix and its revocation channel only.
    const auth = loadConfig(redisAuthShape, await withRedisUser(infra.redis, 'identity', { REDIS_PREFIX: prefix }));
    redis = new IdentityRedis({ REDIS_URL: infra.redis.url, REDIS_PREFIX: prefix, ...auth }, createLogger('test', 'warn'));
    await redis.onModuleInit();
    store = new SessionStore(redis);
    subscriber = new Redis(infra.redis.url, { username: infra.redis.username, password: infra.redis.password });
    subscriber.on('message', (_channel: string, digest: string) => announced.push(digest));
    await subscriber.subscribe(redis.revocationChannel);
  }, 60_000);

  afterAll(async () => {
    // The service's user may not list keys (KEYS is @dangerous): the admin user cleans up.
    const admin = new Redis(infra.redis.url, { username: infra.redis.username, password: infra.redis.password });
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length) await admin.del(...keys);
    await admin.quit();
    await subscriber?.quit();
    await redis?.onApplicationShutdown();
  });

  it('admits without limits, and still tracks every session of the user and the tenant', async () => {
    const t = tenant();
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(admitted(await create(t, 'alice')).id);
    expect((await userSet(t, 'alice')).sort()).toEqual(ids.map(credentialDigest).sort());
    expect(await tenantSet(t)).toHaveLength(4);
  });

  it('deny: refuses the login beyond maxPerUser and leaves the existing sessions alone', async () => {
    const t = tenant();
    const l = limits({ maxPerUser: 2, onExceed: 'deny' });
    const first = admitted(await create(t, 'alice', l));
    const second = admitted(await create(t, 'alice', l));
    expect(await create(t, 'alice', l)).toEqual({ admitted: false, limit: 'user', live: 2 });
    expect([await live(first.id), await live(second.id)]).toEqual([true, true]);
    // Another user of the tenant has slots of their own.
    admitted(await create(t, 'bob', l));
    expect(await userSet(t, 'alice')).toHaveLength(2);
  });

  it('evict_oldest: ends the oldest session (key deleted, revocation announced) and admits the new one', async () => {
    const t = tenant();
    const l = limits({ maxPerUser: 2, onExceed: 'evict_oldest' });
    const first = admitted(await create(t, 'alice', l));
    // Oldest = earliest absolute end; make the first one unambiguously older than the second.
    await redis.client.zadd(`sessions:user:${t}:alice`, 'XX', Math.floor(Date.now() / 1000) + 100, credentialDigest(first.id));
    const second = admitted(await create(t, 'alice', l));
    const third = admitted(await create(t, 'alice', l));
    expect(third.evicted).toEqual([credentialDigest(first.id)]);
    expect([await live(first.id), await live(second.id), await live(third.id)]).toEqual([false, true, true]);
    expect((await userSet(t, 'alice')).sort()).toEqual([second.id, third.id].map(credentialDigest).sort());
    expect(await tenantSet(t)).not.toContain(credentialDigest(first.id));
    // Pub/sub delivery is asynchronous.
    await eventually('the eviction announced', () => (announced.includes(credentialDigest(first.id)) ? true : undefined));
  });

  it('evict_oldest after the limit was lowered: ends as many of the oldest as needed', async () => {
    const t = tenant();
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(admitted(await create(t, 'alice')).id);
    const next = admitted(await create(t, 'alice', limits({ maxPerUser: 2, onExceed: 'evict_oldest' })));
    expect(next.evicted).toHaveLength(3);
    expect(await userSet(t, 'alice')).toHaveLength(2);
  });

  it('maxPerTenant: refuses any login beyond it, and never evicts another user to make room', async () => {
    const t = tenant();
    const l = limits({ maxPerUser: 1, maxPerTenant: 3, onExceed: 'evict_oldest' });
    const sessions = [];
    for (const user of ['alice', 'bob', 'carol']) sessions.push(admitted(await create(t, user, l)));
    // dave has no session to give up: the tenant is full.
    expect(await create(t, 'dave', l)).toEqual({ admitted: false, limit: 'tenant', live: 3 });
    // alice ends her own oldest session: the tenant stays at 3.
    const again = admitted(await create(t, 'alice', l));
    expect(again.evicted).toEqual([credentialDigest(sessions[0].id)]);
    expect(await tenantSet(t)).toHaveLength(3);
    expect([await live(sessions[1].id), await live(sessions[2].id)]).toEqual([true, true]);
    // Without a per-user limit the tenant cap alone refuses.
    expect(await create(t, 'erin', limits({ maxPerTenant: 3 }))).toEqual({ admitted: false, limit: 'tenant', live: 3 });
  });

  it('prunes members past their absolute end (by score) and members whose session is gone (when at the limit)', async () => {
    const t = tenant();
    const l = limits({ maxPerUser: 1, maxPerTenant: 1, onExceed: 'deny' });
    const past = Math.floor(Date.now() / 1000) - 10;
    await redis.client.zadd(`sessions:user:${t}:alice`, past, 'expired-member');
    await redis.client.zadd(`sessions:tenant:${t}`, past, 'expired-member');
    const first = admitted(await create(t, 'alice', l));
    expect(await tenantSet(t)).toEqual([credentialDigest(first.id)]);

    // Idle timeout: the key is gone, the member still has its absolute end ahead.
    await redis.client.del(`sess:${credentialDigest(first.id)}`);
    const second = admitted(await create(t, 'alice', l));
    expect(second.evicted).toEqual([]);
    expect(await userSet(t, 'alice')).toEqual([credentialDigest(second.id)]);
    expect(await tenantSet(t)).toEqual([credentialDigest(second.id)]);
  });

  it('logout frees the slot at once', async () => {
    const t = tenant();
    const l = limits({ maxPerUser: 1, maxPerTenant: 5, onExceed: 'deny' });
    const first = admitted(await create(t, 'alice', l));
    expect(await create(t, 'alice', l)).toMatchObject({ admitted: false, limit: 'user' });
    expect(await store.revoke(first.id)).toBeDefined();
    expect([await userSet(t, 'alice'), await tenantSet(t)]).toEqual([[], []]);
    const second = admitted(await create(t, 'alice', l));
    expect(second.evicted).toEqual([]);
  });

  it('admits exactly maxPerUser of many parallel logins (deny), and exactly maxPerTenant across users', async () => {
    const t = tenant();
    const results = await Promise.all(Array.from({ length: 20 }, () => create(t, 'alice', limits({ maxPerUser: 3, onExceed: 'deny' }))));
    expect(results.filter((r) => r.admitted)).toHaveLength(3);
    expect(results.filter((r) => !r.admitted).every((r) => !r.admitted && r.limit === 'user')).toBe(true);
    expect(await userSet(t, 'alice')).toHaveLength(3);

    const t2 = tenant();
    const across = await Promise.all(Array.from({ length: 12 }, (_, i) => create(t2, `u${i}`, limits({ maxPerTenant: 5 }))));
    expect(across.filter((r) => r.admitted)).toHaveLength(5);
    expect(await tenantSet(t2)).toHaveLength(5);
  });

  it('keeps parallel evict_oldest logins within the limit', async () => {
    const t = tenant();
    const results = await Promise.all(Array.from({ length: 10 }, () => create(t, 'alice', limits({ maxPerUser: 2, onExceed: 'evict_oldest' }))));
    expect(results.every((r) => r.admitted)).toBe(true);
    const survivors = await userSet(t, 'alice');
    expect(survivors).toHaveLength(2);
    const alive = await Promise.all((results as AdmittedSession[]).map((r) => live(r.id)));
    expect(alive.filter(Boolean)).toHaveLength(2);
  });
});

