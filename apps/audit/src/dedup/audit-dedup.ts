import { createHash } from 'node:crypto';
import os from 'node:os';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { isRedisAuthFailure, redisCredentials } from '@airlock/config';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import { chainStatePath } from '../chain/chain-keeper';
import { DedupWindow } from '../events/dedup-window';
import type { auditConfig } from '../config';

type AuditConfig = ServiceConfig<typeof auditConfig>;

/** What de-duplication reads of the configuration. */
export type AuditDedupConfig = Pick<
  AuditConfig,
  'AUDIT_INSTANCE_ID' | 'AUDIT_SINK_JSONL_PATH' | 'AUDIT_CHAIN_STATE_PATH' | 'REDIS_URL' | 'REDIS_USERNAME' | 'REDIS_PASSWORD_FILE' | 'AUDIT_CONSUMER_GROUP' | 'AUDIT_DEDUP_TTL_S' | 'AUDIT_DEDUP_WINDOW'
>;

/**
 * What the store knows of an event id: `done` — every sink had it and its chain head moved past it; or
 * `claimed` — an instance linked it as `seq` of `chain` and was about to write it to the sinks (it may have
 * crashed before or after they acknowledged).
 */
export type DedupMark = { state: 'done' } | { state: 'claimed'; instance: string; chain: string; seq: number };

export interface ClaimEntry {
  eventId: string;
  chain: string;
  seq: number;
}

interface DedupBackend {
  lookup(ids: readonly string[]): Promise<Map<string, DedupMark>>;
  claim(entries: readonly ClaimEntry[]): Promise<void>;
  confirm(ids: readonly string[]): Promise<void>;
  close(): Promise<void> | void;
}

/** Stored values: `d`, or `c|<instance>|<seq>|<chain>` (the chain id last: it holds a `/`). */
export function encodeMark(mark: DedupMark): string {
  return mark.state === 'done' ? 'd' : `c|${mark.instance}|${mark.seq}|${mark.chain}`;
}

export function decodeMark(value: string): DedupMark | undefined {
  if (value === 'd') return { state: 'done' };
  const m = /^c\|([^|]+)\|(\d+)\|(.+)$/.exec(value);
  return m ? { state: 'claimed', instance: m[1]!, seq: Number(m[2]), chain: m[3]! } : undefined;
}

const CHUNK = 1_000;

/** Marks in Redis, one key per event id with a TTL; MGET / pipelined SET, one round trip per 1000 ids. */
class RedisBackend implements DedupBackend {
  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    private readonly ttlMs: number,
    private readonly instance: string,
  ) {}

  async lookup(ids: readonly string[]): Promise<Map<string, DedupMark>> {
    const marks = new Map<string, DedupMark>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const reply = await this.client.mget(...chunk.map((id) => this.prefix + id));
      reply.forEach((value, j) => {
        const mark = typeof value === 'string' ? decodeMark(value) : undefined;
        if (mark) marks.set(chunk[j]!, mark);
      });
    }
    return marks;
  }

  claim(entries: readonly ClaimEntry[]): Promise<void> {
    return this.set(entries.map((e) => [e.eventId, encodeMark({ state: 'claimed', instance: this.instance, chain: e.chain, seq: e.seq })]));
  }

  confirm(ids: readonly string[]): Promise<void> {
    return this.set(ids.map((id) => [id, 'd']));
  }

  private async set(pairs: Array<[string, string]>): Promise<void> {
    for (let i = 0; i < pairs.length; i += CHUNK) {
      const pipeline = this.client.pipeline();
      for (const [id, value] of pairs.slice(i, i + CHUNK)) pipeline.set(this.prefix + id, value, 'PX', this.ttlMs);
      const error = (await pipeline.exec())?.find(([err]) => err)?.[0];
      if (error) throw error;
    }
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

/** The fallback without Redis: the last AUDIT_DEDUP_WINDOW ids in process memory, seeded from the jsonl sink's tail at boot. */
class MemoryBackend implements DedupBackend {
  constructor(private readonly window: DedupWindow) {}

  async lookup(ids: readonly string[]): Promise<Map<string, DedupMark>> {
    return new Map(ids.filter((id) => this.window.seen(id)).map((id) => [id, { state: 'done' } as const]));
  }

  async claim(): Promise<void> {}

  async confirm(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.window.remember(id);
  }

  close(): void {}
}

/**
 * Durable de-duplication by event id. With REDIS_URL: marks in Redis, shared by every instance of the
 * consumer group and kept AUDIT_DEDUP_TTL_S, independent of any sink file. Without it: the in-process
 * window (only as durable as the jsonl sink's tail it is seeded from).
 */
@Injectable()
export class AuditDedup implements OnApplicationShutdown {
  /** Who claims: AUDIT_INSTANCE_ID, else a digest of host name and chain state file (stable across restarts). */
  readonly instance: string;
  readonly kind: 'redis' | 'memory';
  private readonly backend: DedupBackend;
  private readonly window?: DedupWindow;

  constructor(
    @Inject(APP_CONFIG) config: AuditDedupConfig,
    @Inject(APP_LOGGER) logger: Logger,
  ) {
    this.instance =
      config.AUDIT_INSTANCE_ID ?? createHash('sha256').update(`${os.hostname()}\0${chainStatePath(config)}`).digest('hex').slice(0, 16);
    if (config.REDIS_URL) {
      const prefix = `airlock:audit:dedup:${config.AUDIT_CONSUMER_GROUP}:`;
      // One retry per command: a lookup while Redis is away fails the batch soon (it is retried and nothing is
      // committed) instead of waiting out ioredis's default of 20 reconnects.
      const client = new Redis(config.REDIS_URL, { ...redisCredentials(config), maxRetriesPerRequest: 1 });
      client.on('error', (err) => {
        if (isRedisAuthFailure(err)) logger.error({ err: err.message }, "audit dedup: Redis refused audit's user (REDIS_USERNAME, REDIS_PASSWORD_FILE); events wait until it is fixed");
        else logger.warn({ err: err.message }, 'audit dedup: redis error');
      });
      this.backend = new RedisBackend(client, prefix, config.AUDIT_DEDUP_TTL_S * 1000, this.instance);
      this.kind = 'redis';
    } else {
      this.window = new DedupWindow(config.AUDIT_DEDUP_WINDOW);
      this.backend = new MemoryBackend(this.window);
      this.kind = 'memory';
      logger.warn('REDIS_URL not set: de-duplication is an in-process window seeded from the jsonl sink file, not durable');
    }
  }

  /** Only the in-process window needs it: the ids the jsonl sink's tail holds, newest first. */
  seed(idsNewestFirst: readonly string[]): void {
    if (!this.window) return;
    for (let i = idsNewestFirst.length - 1; i >= 0; i--) this.window.remember(idsNewestFirst[i]!);
  }

  lookup(ids: readonly string[]): Promise<Map<string, DedupMark>> {
    return this.backend.lookup(ids);
  }

  /** Recorded before the sinks are written, so a crash after they acknowledged can be told from one before. */
  claim(entries: readonly ClaimEntry[]): Promise<void> {
    return this.backend.claim(entries);
  }

  confirm(ids: readonly string[]): Promise<void> {
    return this.backend.confirm(ids);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.backend.close();
  }
}
