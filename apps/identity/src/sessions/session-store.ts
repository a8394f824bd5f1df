import { Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { credentialDigest, randomSecret, SECRET_PATTERN } from '../credentials';
import type { TenantPolicy } from '../login/login-policy';
import { IdentityRedis } from '../redis/identity-redis';

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

const now = () => Math.floor(Date.now() / 1000);
const key = (id: string) => `sess:${credentialDigest(id)}`;

/** Server-side sessions in Redis; each key expires at the earlier of its idle timeout and its absolute end. */
@Injectable()
export class SessionStore {
  constructor(private readonly redis: IdentityRedis) {}

  async create(principal: Principal, policy: TenantPolicy, idToken?: string): Promise<{ id: string; expiresAt: number }> {
    const id = randomSecret();
    const created = now();
    const session: StoredSession = {
      principal,
      createdAt: created,
      absoluteExpiresAt: created + policy.sessionMaxSeconds,
      idleSeconds: policy.sessionIdleSeconds,
      idToken,
    };
    await this.redis.call((r) => r.set(key(id), JSON.stringify(session), 'EX', policy.sessionIdleSeconds, 'NX'));
    return { id, expiresAt: created + policy.sessionIdleSeconds };
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
    await this.redis.announceRevocation(credentialDigest(id));
    return JSON.parse(raw) as StoredSession;
  }
}

