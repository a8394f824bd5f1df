import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { isRedisAuthFailure, redisCredentials } from '@airlock/config';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { terminalConfig } from '../config';
import { terminalStoreError } from '../errors';
import type { Access } from '../sessions/session';

/** What a ticket lets its bearer do: attach once to one session, as one user, with one access. */
export interface Ticket {
  sessionId: string;
  tenantId: string;
  userId: string;
  access: Access;
}

export interface LiveState {
  /** Epoch ms of the last keystroke (or of the session's creation or unlock). */
  lastInputMs: number;
  locked: boolean;
}

/**
 * The hot state in Redis (keys under REDIS_PREFIX): single-use tickets, and per session its attached clients,
 * last input and idle lock. Tickets are stored under the SHA-256 of their value, so Redis never holds one that
 * works; GETDEL takes one atomically, so a ticket works once even when two upgrades race with it.
 */
@Injectable()
export class HotState implements OnApplicationShutdown {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly ticketTtlSeconds: number;

  constructor(@Inject(APP_CONFIG) config: ServiceConfig<typeof terminalConfig>, @Inject(APP_LOGGER) logger: Logger) {
    this.prefix = config.REDIS_PREFIX;
    this.ticketTtlSeconds = config.TERMINAL_TICKET_TTL_SECONDS;
    this.redis = new Redis(config.REDIS_URL, { ...redisCredentials(config), maxRetriesPerRequest: 1, commandTimeout: 1_000 });
    this.redis.on('error', (err: Error) => {
      if (isRedisAuthFailure(err)) logger.error({ err: err.message }, "Redis refused terminal's user (REDIS_USERNAME, REDIS_PASSWORD_FILE)");
      else logger.debug({ err: err.message }, 'redis connection error');
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw terminalStoreError(error);
    }
  }

  private ticketKey(ticket: string): string {
    return `${this.prefix}ticket:${createHash('sha256').update(ticket).digest('hex')}`;
  }

  private sessionKey(id: string): string {
    return `${this.prefix}s:${id}`;
  }

  get ticketTtl(): number {
    return this.ticketTtlSeconds;
  }

  async issueTicket(ticket: Ticket): Promise<string> {
    const value = randomBytes(32).toString('base64url');
    await this.call(() => this.redis.set(this.ticketKey(value), JSON.stringify(ticket), 'EX', this.ticketTtlSeconds));
    return value;
  }

  /** The ticket's grant, once; undefined when unknown, expired or already used. */
  async consumeTicket(value: string): Promise<Ticket | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(value)) return undefined;
    const raw = await this.call(() => this.redis.getdel(this.ticketKey(value)));
    return raw ? (JSON.parse(raw) as Ticket) : undefined;
  }

  async live(id: string): Promise<LiveState> {
    const [lastInput, locked] = await this.call(() => this.redis.hmget(this.sessionKey(id), 'last_input', 'locked'));
    return { lastInputMs: Number(lastInput ?? 0), locked: locked === '1' };
  }

  async touchInput(id: string, nowMs: number): Promise<void> {
    await this.call(() => this.redis.hset(this.sessionKey(id), 'last_input', String(nowMs)));
  }

  async setLocked(id: string, locked: boolean, nowMs: number): Promise<void> {
    await this.call(() => this.redis.hset(this.sessionKey(id), 'locked', locked ? '1' : '0', ...(locked ? [] : ['last_input', String(nowMs)])));
  }

  /** Clients attached through this service, kept for operators and the portal's list. */
  async addClients(id: string, delta: number): Promise<number> {
    return this.call(() => this.redis.hincrby(this.sessionKey(id), 'clients', delta));
  }

  /** After a restart every connection is gone: the counts start again from zero. */
  async resetClients(ids: string[]): Promise<void> {
    for (const id of ids) await this.call(() => this.redis.hset(this.sessionKey(id), 'clients', '0'));
  }

  async forget(id: string): Promise<void> {
    await this.call(() => this.redis.del(this.sessionKey(id)));
  }
}
