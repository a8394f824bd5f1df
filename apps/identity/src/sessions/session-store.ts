import { Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import type Redis from 'ioredis';
import { credentialDigest, randomSecret, SECRET_PATTERN } from '../credentials';
import type { TenantPolicy } from '../login/login-policy';
import { IdentityRedis } from '../redis/identity-redis';
import { ADMIT_SESSION_LUA } from './session-admission';
import type { SessionLimits } from './session-limits';

type Principal = airlock.identity.v1.Principal;

/** What Redis holds for a session, under the sha256 of its id (the id itself is only in the cookie). */
export interface StoredSession {
  principal: Principal;
  createdAt: number;
  /** Unix seconds: the absolute end, whatever the activity. */
  absoluteExpiresAt: number;
  idleSeconds: number;
  /** For the IdP's RP-initiated logout (`id_token_hint`). */
  idToken?: string;
}

export type SessionErrorCode = 'session_malformed' | 'session_unknown';

/** A new session, or which limit refused it (and how many live sessions it counted). */
export interface AdmittedSession {
  admitted: true;
  id: string;
  expiresAt: number;
  /** Digests of the user's sessions ended to make room. */
  evicted: string[];
}
export type SessionAdmission = AdmittedSession | { admitted: false; limit: 'user' | 'tenant'; live: number };

const now = () => Math.floor(Date.now() / 1000);
const SESSION_KEY = 'sess:';
const key = (id: string) => `${SESSION_KEY}${credentialDigest(id)}`;
// Tenant ids never contain ':' (the group mapping's alphabet), so `<tenant>:<user>` is unambiguous.
const userSetKey = (p: Principal) => `sessions:user:${p.tenantId}:${p.userId}`;
const tenantSetKey = (p: Principal) => `sessions:tenant:${p.tenantId}`;

type AdmitReply = [string, ...(string | number)[]];
type WithAdmit = Redis & { airlockAdmitSession(...keysAndArgs: (string | number)[]): Promise<AdmitReply> };

/**
 * Server-side sessions in Redis; each key expires at the earlier of its idle timeout and its absolute end.
 * Per user and per tenant, the live sessions are also kept in sorted sets (session-admission.ts), which is how
 * the tenant's concurrent-session limits are enforced.
 */
@Injectable()
export class SessionStore {
  constructor(private readonly redis: IdentityRedis) {
    // EVALSHA, loading the script when Redis does not have it yet; KEYS get the client's key prefix.
    redis.client.defineCommand('airlockAdmitSession', { numberOfKeys: 3, lua: ADMIT_SESSION_LUA });
  }

  /** A session if `limits` admit it (evicting the user's oldest under `evict_oldest`), else which limit refused it. */
  async admit(principal: Principal, policy: TenantPolicy, idToken: string | undefined, limits: SessionLimits): Promise<SessionAdmission> {
    const id = randomSecret();
    const digest = credentialDigest(id);
    const createdMs = Date.now();
    const created = Math.floor(createdMs / 1000);
    const session: StoredSession = {
      principal,
      createdAt: created,
      absoluteExpiresAt: created + policy.sessionMaxSeconds,
      idleSeconds: policy.sessionIdleSeconds,
      idToken,
    };
    const [outcome, ...rest] = await this.redis.call((r) =>
      (r as WithAdmit).airlockAdmitSession(
        `${SESSION_KEY}${digest}`,
        userSetKey(principal),
        tenantSetKey(principal),
        digest,
        JSON.stringify(session),
        policy.sessionIdleSeconds,
        // Fractional seconds: two logins in the same second still have an oldest.
        createdMs / 1000 + policy.sessionMaxSeconds,
        createdMs / 1000,
        limits.maxPerUser,
        limits.maxPerTenant,
        limits.onExceed,
        `${this.redis.keyPrefix}${SESSION_KEY}`,
      ),
    );
    if (outcome === 'user' || outcome === 'tenant') return { admitted: false, limit: outcome, live: Number(rest[0]) };
    // 256 random bits colliding with a live session: not a condition to handle, but never overwrite one.
    if (outcome !== 'admitted') throw new Error(`session admission failed: ${outcome}`);
    const evicted = rest.map(String);
    // Like a logout: policy's principal cache drops the ended sessions at once.
    for (const gone of evicted) await this.redis.announceRevocation(gone);
    return { admitted: true, id, expiresAt: created + policy.sessionIdleSeconds, evicted };
  }

  /** A live session restarts its idle timer; resolves to the session and when it now ends. */
  async touch(id: string): Promise<{ session: StoredSession; expiresAt: number } | SessionErrorCode> {
    if (!SECRET_PATTERN.test(id)) return 'session_malformed';
    const raw = await this.redis.call((r) => r.get(key(id)));
    if (!raw) return 'session_unknown';
    const session = JSON.parse(raw) as StoredSession;
    const t = now();
    const ttl = Math.min(session.idleSeconds, session.absoluteExpiresAt - t);
    if (ttl <= 0) {
      await this.redis.call((r) => r.del(key(id)));
      return 'session_unknown';
    }
    await this.redis.call((r) => r.expire(key(id), ttl));
    return { session, expiresAt: t + ttl };
  }

  /** Deletes the session; resolves to what it was (undefined when there was none). */
  async revoke(id: string): Promise<StoredSession | undefined> {
    if (!SECRET_PATTERN.test(id)) return undefined;
    const raw = await this.redis.call((r) => r.getdel(key(id)));
    if (!raw) return undefined;
    const digest = credentialDigest(id);
    await this.redis.announceRevocation(digest);
    const session = JSON.parse(raw) as StoredSession;
    // Frees its slot at once; were this lost, the next admission at the limit would find the key gone anyway.
    await this.redis.call((r) => r.multi().zrem(userSetKey(session.principal), digest).zrem(tenantSetKey(session.principal), digest).exec());
    return session;
  }
}

