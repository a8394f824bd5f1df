import { Injectable } from '@nestjs/common';
import { IdentityRedis } from '../redis/identity-redis';

/**
 * The ids (`jti`) of live tokens. A token verifies only while its id is here, so deleting the id revokes it;
 * each entry expires with its token, so the set never outgrows the tokens in circulation.
 */
@Injectable()
export class TokenStore {
  constructor(private readonly redis: IdentityRedis) {}

  async remember(jti: string, ttlSeconds: number): Promise<void> {
    await this.redis.call((r) => r.set(key(jti), '1', 'EX', ttlSeconds));
  }

  async isLive(jti: string): Promise<boolean> {
    return (await this.redis.call((r) => r.exists(key(jti)))) === 1;
  }

  /** Resolves to whether the token was live. */
  async forget(jti: string): Promise<boolean> {
    return (await this.redis.call((r) => r.del(key(jti)))) === 1;
  }

  async ping(): Promise<void> {
    await this.redis.call((r) => r.ping());
  }
}

const key = (jti: string) => `jti:${jti}`;
