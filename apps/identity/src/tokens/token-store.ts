import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { identityConfig } from '../service';
import { TokenStoreUnavailableError } from './errors';

/**
 * The ids (`jti`) of live tokens. A token verifies only while its id is here, so deleting the id revokes it;
 * each entry expires with its token, so the set never outgrows the tokens in circulation.
 */
@Injectable()
export class TokenStore implements OnModuleInit, OnApplicationShutdown {
  private readonly redis: Redis;
  private lastError = '';

  constructor(@Inject(APP_CONFIG) config: ServiceConfig<typeof identityConfig>, @Inject(APP_LOGGER) private readonly logger: Logger) {
    this.redis = new Redis(config.REDIS_URL, {
      keyPrefix: config.REDIS_PREFIX,
      lazyConnect: true,
      connectTimeout: 2_000,
      // Verification sits on every request's path (via ext_authz, 1 s budget at Envoy): fail fast rather than
      // queue while Redis is away.
      commandTimeout: 500,
      maxRetriesPerRequest: 1,
    });
    this.redis.on('error', (error: Error) => {
      // ioredis repeats the same error on every reconnect attempt; log each distinct one once.
      if (error.message === this.lastError) return;
      this.lastError = error.message;
      this.logger.warn({ err: error.message }, 'redis connection error');
    });
    this.redis.on('ready', () => (this.lastError = ''));
  }

  async onModuleInit(): Promise<void> {
    try {
      await this.redis.connect();
    } catch (error) {
      this.redis.disconnect();
      // connect() rejects with a bare "Connection is closed"; the error event said why.
      const reason = this.lastError || (error as Error).message;
      throw new Error(`cannot reach Redis at REDIS_URL: ${reason}`, { cause: error });
    }
  }

  // After the servers have drained (onModuleDestroy runs before that in a hybrid HTTP + gRPC app), so an
  // in-flight verification still has its connection.
  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status === 'end') return;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  async remember(jti: string, ttlSeconds: number): Promise<void> {
    await this.call(() => this.redis.set(key(jti), '1', 'EX', ttlSeconds));
  }

  async isLive(jti: string): Promise<boolean> {
    return (await this.call(() => this.redis.exists(key(jti)))) === 1;
  }

  /** Resolves to whether the token was live. */
  async forget(jti: string): Promise<boolean> {
    return (await this.call(() => this.redis.del(key(jti)))) === 1;
  }

  async ping(): Promise<void> {
    await this.call(() => this.redis.ping());
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new TokenStoreUnavailableError(error);
    }
  }
}

const key = (jti: string) => `jti:${jti}`;
