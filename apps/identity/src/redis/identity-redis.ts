import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { isRedisAuthFailure, redisCredentials } from '@airlock/config';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { identityConfig } from '../config';
import { TokenStoreAuthFailedError, TokenStoreUnavailableError } from '../tokens/errors';

/**
 * The one Redis connection of the service (token ids, login state, sessions) plus the revocation channel
 * policy listens on. Every command goes through `call`, so an outage is one typed error (UNAVAILABLE / 503).
 */
@Injectable()
export class IdentityRedis implements OnModuleInit, OnApplicationShutdown {
  readonly client: Redis;
  /** Pub/sub channels are not key-prefixed by ioredis: the prefix is applied here. */
  readonly revocationChannel: string;
  /** REDIS_PREFIX: added to command keys by the client, but not to keys a Lua script builds itself. */
  readonly keyPrefix: string;
  private lastError = '';

  constructor(@Inject(APP_CONFIG) config: Pick<ServiceConfig<typeof identityConfig>, 'REDIS_URL' | 'REDIS_PREFIX' | 'REDIS_USERNAME' | 'REDIS_PASSWORD_FILE'>, @Inject(APP_LOGGER) private readonly logger: Logger) {
    this.revocationChannel = `${config.REDIS_PREFIX}revocations`;
    this.keyPrefix = config.REDIS_PREFIX;
    this.client = new Redis(config.REDIS_URL, {
      ...redisCredentials(config),
      keyPrefix: config.REDIS_PREFIX,
      lazyConnect: true,
      connectTimeout: 2_000,
      // Verification sits on every request's path (via ext_authz, 1 s budget at Envoy): fail fast rather than
      // queue while Redis is away.
      commandTimeout: 500,
      maxRetriesPerRequest: 1,
    });
    this.client.on('error', (error: Error) => {
      // ioredis repeats the same error on every reconnect attempt; log each distinct one once.
      if (error.message === this.lastError) return;
      this.lastError = error.message;
      this.logger.warn({ err: error.message }, 'redis connection error');
    });
    this.client.on('ready', () => (this.lastError = ''));
  }

  async onModuleInit(): Promise<void> {
    try {
      await this.client.connect();
    } catch (error) {
      this.client.disconnect();
      // connect() rejects with a bare "Connection is closed"; the error event said why.
      const reason = this.lastError || (error as Error).message;
      throw new Error(`cannot reach Redis at REDIS_URL: ${reason}`, { cause: error });
    }
  }

  // After the servers have drained (onModuleDestroy runs before that in a hybrid HTTP + gRPC app), so an
  // in-flight verification still has its connection.
  async onApplicationShutdown(): Promise<void> {
    if (this.client.status === 'end') return;
    await this.client.quit().catch(() => this.client.disconnect());
  }

  async call<T>(command: (redis: Redis) => Promise<T>): Promise<T> {
    try {
      return await command(this.client);
    } catch (error) {
      if (isRedisAuthFailure(error)) throw new TokenStoreAuthFailedError(error);
      throw new TokenStoreUnavailableError(error);
    }
  }

  /**
   * Tells verifier caches (policy's ext_authz) that the credential whose sha256 is `digest` is no longer
   * valid. Best effort: a missed message is bounded by the caches' TTL.
   */
  async announceRevocation(digest: string): Promise<void> {
    await this.client.publish(this.revocationChannel, digest).catch((error: unknown) => {
      this.logger.warn({ err: (error as Error).message }, 'revocation not announced; caches expire it by TTL');
    });
  }
}
