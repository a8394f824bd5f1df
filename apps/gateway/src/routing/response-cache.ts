import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import Redis from 'ioredis';
import { isRedisAuthFailure, redisCredentials } from '@airlock/config';
import type { gatewayConfig } from '../config';

/** A backend answer kept to replay when the backend is down: the JSON body, or the SSE data payloads. */
export type CachedReply = { kind: 'json'; body: string } | { kind: 'sse'; events: string[] };

const MAX_ENTRY_BYTES = 256 * 1024;

/**
 * The first fallback when a backend fails (before the alternative backend and ai_disabled): answers to
 * repeatable requests (temperature 0, autocomplete) are kept in Redis for GATEWAY_CACHE_TTL_SECONDS and
 * served when the backend fails. Keys are hashes of tenant + route + the prompt as sent (already masked by
 * DLP), so tenants never share entries. Best effort: a Redis problem never fails a request, it only means
 * no cached answer.
 */
@Injectable()
export class ResponseCache implements OnApplicationShutdown {
  private readonly redis?: Redis;
  private readonly ttl: number;
  private readonly prefix: string;

  constructor(@Inject(APP_CONFIG) config: ServiceConfig<typeof gatewayConfig>, @Inject(APP_LOGGER) private readonly logger: Logger) {
    this.ttl = config.GATEWAY_CACHE_TTL_SECONDS;
    this.prefix = config.GATEWAY_CACHE_PREFIX;
    if (config.REDIS_URL) {
      this.redis = new Redis(config.REDIS_URL, { ...redisCredentials(config), maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 250, lazyConnect: false });
      this.redis.on('error', (error: Error) => {
        // An outage is routine for a best-effort cache; refused credentials are a deployment error to fix.
        if (isRedisAuthFailure(error)) this.logger.error({ err: error.message }, "response cache: Redis refused the gateway's user (REDIS_USERNAME, REDIS_PASSWORD_FILE)");
        else this.logger.debug({ err: error.message }, 'response cache: redis error');
      });
    }
  }

  get enabled(): boolean {
    return this.redis !== undefined;
  }

  key(parts: string[]): string {
    const h = createHash('sha256');
    for (const p of parts) h.update(p).update('\0');
    return this.prefix + h.digest('hex');
  }

  async get(key: string): Promise<CachedReply | undefined> {
    if (!this.redis) return undefined;
    try {
      const raw = await this.redis.get(key);
      return raw ? (JSON.parse(raw) as CachedReply) : undefined;
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'response cache unavailable');
      return undefined;
    }
  }

  put(key: string, value: CachedReply): void {
    if (!this.redis) return;
    const raw = JSON.stringify(value);
    if (raw.length > MAX_ENTRY_BYTES) return;
    this.redis.set(key, raw, 'EX', this.ttl).catch((error: Error) => this.logger.debug({ err: error.message }, 'response cache write failed'));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
  }
}
