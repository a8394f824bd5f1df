// Integration: the project's Redis refuses clients without credentials, and a service's user reaches its own keys
// and channels only, with only its commands. Runs against the real local Redis (left running afterwards) and a
// private one (restarted).
import { statSync } from 'node:fs';
import Redis from 'ioredis';
import { createTestRedisUser, startInfra, startPrivateRedis, uniquePrefix, type InfraEndpoints, type TestRedisUser } from './index';
import { redisAdminPasswordFile } from './redis-auth';

jest.setTimeout(120_000);

let endpoints: InfraEndpoints;
let identity: TestRedisUser;
let usage: TestRedisUser;
let prefix: string;
const clients: Redis[] = [];

/** A connected client (closed after the suite); `options` adds credentials. */
async function client(options: { username?: string; password?: string } = {}): Promise<Redis> {
  const redis = new Redis(endpoints.redis.url, { ...options, lazyConnect: true, maxRetriesPerRequest: 0, enableReadyCheck: false, retryStrategy: () => null });
  redis.on('error', () => undefined);
  clients.push(redis);
  await redis.connect();
  return redis;
}

/** Why the server refused signing in with `options` (ioredis reports a failed AUTH as an error event). */
async function signInRefusal(options: { username: string; password: string }): Promise<string> {
  const redis = new Redis(endpoints.redis.url, { ...options, lazyConnect: true, maxRetriesPerRequest: 0, enableReadyCheck: false, retryStrategy: () => null });
  const refused = new Promise<Error>((resolve) => redis.once('error', resolve));
  try {
    await redis.connect().catch(() => undefined);
    return (await refused).message;
  } finally {
    redis.disconnect();
  }
}

/** The reply error `promise` is rejected with (it must be rejected). */
async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return (error as Error).message;
}

beforeAll(async () => {
  endpoints = await startInfra({ components: ['redis'], profile: 'test' });
  prefix = uniquePrefix('redis_auth');
  [identity, usage] = await Promise.all([
    createTestRedisUser(endpoints.redis, 'identity', { keyPrefixes: [`${prefix}:identity:`], channels: [`${prefix}:identity:revocations`] }),
    createTestRedisUser(endpoints.redis, 'usage', { keyPrefixes: [`${prefix}:usage:`] }),
  ]);
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await Promise.all([identity?.drop(), usage?.drop()]);
});

test('a client without credentials is refused every command (NOAUTH): the default user is off', async () => {
  const anonymous = await client();
  expect(await refusal(anonymous.ping())).toMatch(/^NOAUTH/);
  expect(await refusal(anonymous.get(`${prefix}:identity:session`))).toMatch(/^NOAUTH/);
  // Not even as `default` with any password.
  expect(await signInRefusal({ username: 'default', password: 'anything' })).toMatch(/WRONGPASS/);
});

test('a wrong password is refused (WRONGPASS)', async () => {
  expect(await signInRefusal({ username: identity.username, password: 'not-the-password' })).toMatch(/WRONGPASS/);
});

test("a service's user uses its own keys and channels and cannot read or write another service's keys", async () => {
  const asIdentity = await client({ username: identity.username, password: identity.password });
  const asUsage = await client({ username: usage.username, password: usage.password });
  expect(await asUsage.set(`${prefix}:usage:counter`, '7')).toBe('OK');
  expect(await asIdentity.set(`${prefix}:identity:session`, 's')).toBe('OK');
  expect(await asIdentity.publish(`${prefix}:identity:revocations`, 'digest')).toBe(0);

  expect(await refusal(asIdentity.get(`${prefix}:usage:counter`))).toMatch(/^NOPERM/);
  expect(await refusal(asUsage.get(`${prefix}:identity:session`))).toMatch(/^NOPERM/);
  expect(await refusal(asUsage.set(`${prefix}:identity:session`, 'forged'))).toMatch(/^NOPERM/);
  // A script cannot reach around the key patterns either.
  expect(await refusal(asUsage.eval(`return redis.call('GET', '${prefix}:identity:session')`, 0))).toMatch(/can't access at least one of the keys/);
  expect(await refusal(asUsage.publish(`${prefix}:identity:revocations`, 'forged'))).toMatch(/^NOPERM/);
  expect(await asIdentity.get(`${prefix}:identity:session`)).toBe('s');
});

test('no service user may run dangerous or administrative commands', async () => {
  const asIdentity = await client({ username: identity.username, password: identity.password });
  for (const command of [['FLUSHALL'], ['KEYS', '*'], ['CONFIG', 'GET', '*'], ['ACL', 'LIST'], ['CLIENT', 'LIST']]) {
    expect(await refusal(asIdentity.call(command[0]!, ...command.slice(1)))).toMatch(/^NOPERM/);
  }
  // INFO stays: ioredis's ready check asks it.
  expect(await asIdentity.info('server')).toContain('redis_version');
});

test('the admin password is a 0600 file; a dropped user can no longer sign in', async () => {
  expect(statSync(redisAdminPasswordFile()).mode & 0o777).toBe(0o600);
  const gone = await createTestRedisUser(endpoints.redis, 'gateway', { keyPrefixes: [`${prefix}:gateway:`] });
  expect(statSync(gone.passwordFile).mode & 0o777).toBe(0o600);
  await gone.drop();
  expect(await signInRefusal({ username: gone.username, password: gone.password })).toMatch(/WRONGPASS/);
});

test('users survive a restart of the server (saved to its ACL file), and the default user stays off', async () => {
  const redis = await startPrivateRedis('redis-auth');
  try {
    const user = await createTestRedisUser(redis.endpoint, 'audit', { keyPrefixes: [`${prefix}:audit:`] });
    await redis.stop();
    await redis.start();
    const asAudit = new Redis(redis.url, { username: user.username, password: user.password, lazyConnect: true, maxRetriesPerRequest: 0 });
    const anonymous = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, enableReadyCheck: false });
    anonymous.on('error', () => undefined);
    try {
      await asAudit.connect();
      expect(await asAudit.set(`${prefix}:audit:mark`, '1')).toBe('OK');
      await anonymous.connect();
      expect(await refusal(anonymous.ping())).toMatch(/^NOAUTH/);
    } finally {
      asAudit.disconnect();
      anonymous.disconnect();
      await user.drop();
    }
  } finally {
    await redis.destroy();
  }
});
