import path from 'node:path';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { createPool, inTransaction, migrate, type Pool } from '@airlock/postgres';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { Period } from '../metering/period';
import type { usageConfig } from '../service';

type UsageEvent = airlock.events.v1.UsageEvent;

/** Outside src/ so the same relative path works from src/store (tests) and dist/store (runtime). */
export const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'migrations');

export interface UsageTotals {
  requests: number;
  promptTokens: number;
  completionTokens: number;
}

export interface UsageScope {
  tenantId: string;
  /** '' = every project / every user. */
  projectId: string;
  userId: string;
  period: Period;
}

/** PostgreSQL, the source of truth for metered usage: one row per event id and monthly rollups. */
@Injectable()
export class UsageStore implements OnModuleInit, OnApplicationShutdown {
  private readonly pool: Pool;

  constructor(
    @Inject(APP_CONFIG) config: ServiceConfig<typeof usageConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    this.pool = createPool(config.DATABASE_URL, config.DATABASE_POOL_MAX);
    // An idle client losing its connection must not crash the process; the pool replaces it.
    this.pool.on('error', (err) => this.logger.warn({ err }, 'idle postgres connection failed'));
  }

  async onModuleInit(): Promise<void> {
    const applied = await migrate(this.pool, MIGRATIONS_DIR, 'usage_migrations');
    if (applied.length > 0) this.logger.info({ applied }, 'usage migrations applied');
  }

  /**
   * Records the event and adds it to its monthly rollup, atomically. Returns false (and changes nothing)
   * when the event id was recorded before, so a redelivery never counts twice.
   */
  async record(event: UsageEvent, occurredAt: string, period: Period): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const inserted = await client.query(
        `INSERT INTO usage_events (event_id, occurred_at, period, correlation_id, tenant_id, project_id, workspace_id, user_id,
                                   endpoint, model, route_target, prompt_tokens, completion_tokens)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (event_id) DO NOTHING`,
        [
          event.eventId,
          occurredAt,
          period,
          event.correlationId,
          event.tenantId,
          event.projectId,
          event.workspaceId,
          event.userId,
          event.endpoint,
          event.model,
          event.routeTarget,
          event.promptTokens,
          event.completionTokens,
        ],
      );
      if (inserted.rowCount !== 1) return false;
      await client.query(
        `INSERT INTO usage_monthly (tenant_id, period, project_id, user_id, model, requests, prompt_tokens, completion_tokens)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $7)
         ON CONFLICT (tenant_id, period, project_id, user_id, model) DO UPDATE SET
           requests = usage_monthly.requests + 1,
           prompt_tokens = usage_monthly.prompt_tokens + EXCLUDED.prompt_tokens,
           completion_tokens = usage_monthly.completion_tokens + EXCLUDED.completion_tokens,
           updated_at = now()`,
        [event.tenantId, period, event.projectId, event.userId, event.model, event.promptTokens, event.completionTokens],
      );
      return true;
    });
  }

  async totals(scope: UsageScope): Promise<UsageTotals> {
    const { rows } = await this.pool.query<{ requests: string; prompt_tokens: string; completion_tokens: string }>(
      `SELECT COALESCE(SUM(requests), 0) AS requests,
              COALESCE(SUM(prompt_tokens), 0) AS prompt_tokens,
              COALESCE(SUM(completion_tokens), 0) AS completion_tokens
         FROM usage_monthly
        WHERE tenant_id = $1 AND period = $2 AND ($3 = '' OR project_id = $3) AND ($4 = '' OR user_id = $4)`,
      [scope.tenantId, scope.period, scope.projectId, scope.userId],
    );
    const row = rows[0];
    return { requests: Number(row.requests), promptTokens: Number(row.prompt_tokens), completionTokens: Number(row.completion_tokens) };
  }

  // After every onModuleDestroy: the consumer has finished its last transaction by then.
  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
