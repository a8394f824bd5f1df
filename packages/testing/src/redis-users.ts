// One ACL user per service (or per test), allowed only its key prefixes, its channels and its commands
// (redis-auth.ts), made and removed by the admin user. Users are saved to the server's ACL file, so a restart
// of the server keeps them.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { randomPassword, writeSecretFile } from './postgres-auth';
import { assertSafeRedisUser, serviceAclRules, type RedisGrant, type RedisService } from './redis-auth';
import type { RedisEndpoint } from './types';

/** A client of the admin user, closed after `fn`. */
export async function withRedisAdmin<T>(endpoint: RedisEndpoint, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ host: endpoint.host, port: endpoint.port, username: endpoint.username, password: endpoint.password, lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 10_000 });
  redis.on('error', () => undefined);
  await redis.connect();
  try {
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

/** Writes the users to the ACL file; a server without one (a container) keeps them in memory only. */
async function saveAcl(redis: Redis): Promise<void> {
  await redis.call('ACL', 'SAVE').catch((error: Error) => {
    if (!/ACL file/i.test(error.message)) throw error;
  });
}

/** Creates `user` with exactly the service's grant, or brings an existing one to it (a new password included). */
export async function provisionRedisUser(endpoint: RedisEndpoint, user: string, service: RedisService, grant: RedisGrant, password: string): Promise<void> {
  await withRedisAdmin(endpoint, async (redis) => {
    await redis.call('ACL', 'SETUSER', assertSafeRedisUser(user), ...serviceAclRules(service, grant, password));
    await saveAcl(redis);
  });
}

/** Removes `user` and closes its connections (Redis does that on ACL DELUSER). */
export async function dropRedisUser(endpoint: RedisEndpoint, user: string): Promise<void> {
  await withRedisAdmin(endpoint, async (redis) => {
    await redis.call('ACL', 'DELUSER', assertSafeRedisUser(user));
    await saveAcl(redis);
  });
}

export interface TestRedisUser {
  username: string;
  password: string;
  /** The 0600 file holding `password`. */
  passwordFile: string;
  /** What a service booted with this user needs: REDIS_URL (no credentials in it), REDIS_USERNAME, REDIS_PASSWORD_FILE. */
  env: { REDIS_URL: string; REDIS_USERNAME: string; REDIS_PASSWORD_FILE: string };
  /** ioredis options for a client of this user (a test's own client acting as the service). */
  options: { host: string; port: number; username: string; password: string };
  drop(): Promise<void>;
}

export interface TestRedisUserOptions {
  /** The user's name; default `<service>-<random>`. */
  username?: string;
  /** Where the password file goes (a mesh's secrets dir); default: a fresh 0700 temp dir, removed by drop(). */
  secretsDir?: string;
  /** Its password; default a fresh random one (a mesh keeps its users' passwords across `up`s). */
  password?: string;
}

/**
 * A Redis user for one service of one suite (or mesh), with the service's command set and only `grant`'s keys
 * and channels: the shape every service's Redis user has. `drop()` removes the user and its password file.
 */
export async function createTestRedisUser(endpoint: RedisEndpoint, service: RedisService, grant: RedisGrant, options: TestRedisUserOptions = {}): Promise<TestRedisUser> {
  const username = options.username ?? `${service}-${randomPassword().slice(0, 10)}`;
  const password = options.password ?? randomPassword();
  await provisionRedisUser(endpoint, username, service, grant, password);
  const dir = options.secretsDir ?? (await mkdtemp(path.join(os.tmpdir(), 'airlock-redis-secret-')));
  const passwordFile = path.join(dir, `redis-${username}.password`);
  await writeSecretFile(passwordFile, password);
  return {
    username,
    password,
    passwordFile,
    env: { REDIS_URL: endpoint.url, REDIS_USERNAME: username, REDIS_PASSWORD_FILE: passwordFile },
    options: { host: endpoint.host, port: endpoint.port, username, password },
    drop: async () => {
      await dropRedisUser(endpoint, username);
      await rm(options.secretsDir ? passwordFile : dir, { recursive: true, force: true });
    },
  };
}

/**
 * The keys and channels a service configured with `env` uses: the same variables, and the same defaults, as
 * the service's config.ts (identity REDIS_PREFIX and its `revocations` channel; policy POLICY_LIMITS_REDIS_PREFIX,
 * IDENTITY_REVOCATION_CHANNEL, POLICY_BUNDLE_CHANNEL; gateway GATEWAY_CACHE_PREFIX; audit its dedup marks of
 * AUDIT_CONSUMER_GROUP; usage and terminal REDIS_PREFIX). A default changed there must change here: the service's own
 * int tests then fail with NOPERM.
 */
export function serviceRedisGrant(service: RedisService, env: Record<string, unknown>): RedisGrant {
  const read = (name: string, fallback: string): string => (typeof env[name] === 'string' && env[name] !== '' ? (env[name] as string) : fallback);
  switch (service) {
    case 'identity': {
      const prefix = read('REDIS_PREFIX', 'airlock:identity:');
      return { keyPrefixes: [prefix], channels: [`${prefix}revocations`] };
    }
    case 'policy':
      return {
        keyPrefixes: [read('POLICY_LIMITS_REDIS_PREFIX', 'airlock:policy:rl:')],
        channels: [read('IDENTITY_REVOCATION_CHANNEL', 'airlock:identity:revocations'), read('POLICY_BUNDLE_CHANNEL', 'airlock:policy:bundles')],
      };
    case 'gateway':
      return { keyPrefixes: [read('GATEWAY_CACHE_PREFIX', 'airlock:gateway:cache:')] };
    case 'audit':
      return { keyPrefixes: [`airlock:audit:dedup:${read('AUDIT_CONSUMER_GROUP', 'airlock-audit')}:`] };
    case 'usage':
      return { keyPrefixes: [read('REDIS_PREFIX', 'airlock:usage:')] };
    case 'terminal':
      return { keyPrefixes: [read('REDIS_PREFIX', 'airlock:terminal:')] };
  }
}

/**
 * `env` plus a fresh Redis user of `service` granted what `env` configures (serviceRedisGrant): REDIS_URL,
 * REDIS_USERNAME, REDIS_PASSWORD_FILE. The user outlives the suite (the test Redis is shared and disposable);
 * use createTestRedisUser where a test removes it.
 */
export async function withRedisUser<E extends Record<string, unknown>>(endpoint: RedisEndpoint, service: RedisService, env: E): Promise<E & TestRedisUser['env']> {
  const user = await createTestRedisUser(endpoint, service, serviceRedisGrant(service, env));
  return { ...env, ...user.env };
}
