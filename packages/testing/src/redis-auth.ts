// How the project's Redis authenticates: the `default` user is off (a client without credentials gets NOAUTH
// for every command), the harness has an admin user whose random password lives in a 0600 file of the state dir,
// and each service (or test) gets an ACL user of its own, allowed only its key prefixes, its channels and the
// commands it needs.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { randomPassword, writeSecretFile } from './postgres-auth';
import { infraDir } from './paths';

/** The harness's own user (creating and removing service users); never given to a service. */
export const REDIS_ADMIN = 'airlock';

/** The admin password of every Redis the harness starts (the shared one and private ones). */
export const redisAdminPasswordFile = (): string => path.join(infraDir('redis'), 'admin-password');

/** The admin password, or '' when none was made yet. */
export function readRedisAdminPassword(): string {
  const file = redisAdminPasswordFile();
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
}

/** The admin password, made (and written 0600) when there is none. */
export async function ensureRedisAdminPassword(): Promise<string> {
  const existing = readRedisAdminPassword();
  if (existing) return existing;
  const password = randomPassword();
  await writeSecretFile(redisAdminPasswordFile(), password);
  return password;
}

/**
 * What Redis stores for a password (`#<sha256 hex>` in an ACL rule): sent instead of the password, so the plain
 * password is never in the ACL file, in `ACL LIST` or in a command the server could echo.
 */
export function aclPasswordHash(password: string): string {
  return `#${createHash('sha256').update(password).digest('hex')}`;
}

/**
 * The ACL file, rewritten at every start so the `default` and admin lines are always these (an edited or older
 * file never re-opens unauthenticated access); the lines of other users (services, tests: saved by `ACL SAVE`
 * when they were made) are kept, so they survive a restart of the server.
 */
export function renderAclFile(existing: string, adminPassword: string): string {
  const managed = new Set(['default', REDIS_ADMIN]);
  const kept = existing.split('\n').filter((line) => /^user \S+ /.test(line) && !managed.has(line.split(' ')[1]!));
  return [
    'user default off resetpass resetkeys resetchannels -@all',
    `user ${REDIS_ADMIN} on ${aclPasswordHash(adminPassword)} ~* &* +@all`,
    ...kept,
    '',
  ].join('\n');
}

/** The services that use Redis. */
export type RedisService = 'identity' | 'policy' | 'gateway' | 'audit' | 'usage' | 'terminal';

/**
 * The commands each service runs (scripts count: Redis checks every command a script calls). Every user also
 * gets the connection commands (AUTH, PING, QUIT…) and INFO (ioredis's ready check); nothing in @dangerous
 * (FLUSHALL, KEYS, CONFIG, DEBUG, ACL…), whatever the categories above would allow.
 */
export const REDIS_SERVICE_COMMANDS: Record<RedisService, readonly string[]> = {
  // Tokens, sessions and login state, session limits in a script (TIME), revocations published to policy.
  identity: ['+@read', '+@write', '+@transaction', '+evalsha', '+eval', '+time', '+publish'],
  // Rate limits in a GCRA script; the revocation channel (subscribe) and the bundle channel (publish + subscribe).
  policy: ['+@read', '+@write', '+evalsha', '+eval', '+time', '+subscribe', '+unsubscribe', '+publish'],
  // The response cache.
  gateway: ['+get', '+set'],
  // De-duplication marks by event id.
  audit: ['+mget', '+set'],
  // Live counters and quota counters (MULTI and scripts).
  usage: ['+@read', '+@write', '+@transaction', '+evalsha', '+eval'],
  // Single-use tickets (SET, GETDEL) and per-session hot state (a hash).
  terminal: ['+set', '+getdel', '+hset', '+hmget', '+hincrby', '+del'],
};

/** What a service's user may touch: keys under these prefixes and these pub/sub channels, nothing else. */
export interface RedisGrant {
  keyPrefixes: readonly string[];
  channels?: readonly string[];
}

/** A literal string as a Redis glob pattern (`*`, `?`, `[`, `]` and `\` escaped). */
export function globLiteral(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** A user name the harness makes: no spaces or control characters (ACL rules are space-separated). */
export function assertSafeRedisUser(name: string): string {
  if (!/^[A-Za-z0-9_.:-]{1,100}$/.test(name) || name === 'default' || name === REDIS_ADMIN) throw new Error(`unsafe Redis user name: ${JSON.stringify(name)}`);
  return name;
}

/** The `ACL SETUSER` arguments that give `user` exactly the service's grant (everything it had before is reset). */
export function serviceAclRules(service: RedisService, grant: RedisGrant, password: string): string[] {
  if (grant.keyPrefixes.length === 0) throw new Error(`a Redis grant for ${service} needs a key prefix`);
  return [
    'reset',
    'on',
    aclPasswordHash(password),
    ...grant.keyPrefixes.map((p) => `~${globLiteral(p)}*`),
    ...(grant.channels ?? []).map((c) => `&${globLiteral(c)}`),
    '+@connection',
    ...REDIS_SERVICE_COMMANDS[service],
    '-@dangerous',
    '+info',
  ];
}
