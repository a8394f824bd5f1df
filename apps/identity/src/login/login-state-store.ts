import { Injectable } from '@nestjs/common';
import { credentialDigest } from '../credentials';
import { IdentityRedis } from '../redis/identity-redis';

export interface LoginState {
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  /** sha256 of the browser-binding cookie set when the login started. */
  bindingDigest: string;
}

/** How long a started login may take at the IdP (password + TOTP). */
export const LOGIN_STATE_TTL_SECONDS = 600;
// Longer than any ID token this relying party accepts (maxTokenAge 1 h + clock tolerance).
const NONCE_MEMORY_SECONDS = 3_700;

/** Pending logins, keyed by the sha256 of their `state`; each can be taken exactly once. */
@Injectable()
export class LoginStateStore {
  constructor(private readonly redis: IdentityRedis) {}

  async save(state: string, login: LoginState): Promise<void> {
    await this.redis.call((r) => r.set(`login:${credentialDigest(state)}`, JSON.stringify(login), 'EX', LOGIN_STATE_TTL_SECONDS));
  }

  /** Atomically reads and deletes: a replayed `state` finds nothing. */
  async take(state: string): Promise<LoginState | undefined> {
    const raw = await this.redis.call((r) => r.getdel(`login:${credentialDigest(state)}`));
    return raw ? (JSON.parse(raw) as LoginState) : undefined;
  }

  /** Resolves to false when this nonce was consumed before: an ID token replayed into another login. */
  async consumeNonce(nonce: string): Promise<boolean> {
    const set = await this.redis.call((r) => r.set(`nonce:${credentialDigest(nonce)}`, '1', 'EX', NONCE_MEMORY_SECONDS, 'NX'));
    return set === 'OK';
  }
}
