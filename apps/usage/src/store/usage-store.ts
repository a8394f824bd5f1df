import path from 'node:path';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { createPool, migrate, type Pool } from '@airlock/postgres';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import { hourOf, windowOf, type Period, type PeriodWindow } from '../metering/period';
import type { usageConfig } from '../config';
import type { CostRates } from '../report/cost-units';
import type { GroupBy, Interval } from '../report/report-query';

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
  /** "YYYY-MM" reads the monthly rollup, "YYYY-MM-DD" the daily one. */
  period: string;
  workspaceId?: string;
  model?: string;
}

export type QuotaScopeKind = 'tenant' | 'project' | 'workspace' | 'user';

// Fixed identifiers only: the scope picks a column, never a caller's string.
const SCOPE_COLUMNS: Record<Exclude<QuotaScopeKind, 'tenant'>, string> = { project: 'project_id', workspace: 'workspace_id', user: 'user_id' };

export interface ReportRow extends UsageTotals {
  userId: string;
  workspaceId: string;
  model: string;
}

export interface UserDay {
  /** UTC day, "YYYY-MM-DD". */
  day: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
}

export interface ProjectHours {
  tenantId: string;
  projectId: string;
  /** Tokens of the hour being assessed. */
  tokens: number;
  /** Tokens of each earlier hour with usage, oldest first. */
  previous: number[];
}

export interface SeriesQuery {
  tenantId: string;
  /** undefined: every project. */
  projectIds?: string[];
  /** UTC days, inclusive. */
  from: string;
  to: string;
  interval: Interval;
  groupBy: GroupBy;
  /** undefined: no cost is computed. */
  rates?: CostRates;
  /** Most rows returned. */
  limit: number;
}

export interface SeriesRow extends UsageTotals {
  /** "YYYY-MM-DD" or "YYYY-MM". */
  period: string;
  /** The group's id: a project, user, model, workspace or tenant id ('' = none). */
  key: string;
  /** null when no cost rates are configured. */
  costUnits: number | null;
}

export interface AnomalyRow {
  projectId: string;
  hour: Date;
  currentTokens: number;
  baselineTokens: number;
  ratio: number;
  detectedAt: Date;
}

// Fixed identifiers only: the query's group and interval pick an expression, never a caller's string.
const GROUP_COLUMNS: Record<GroupBy, string> = { project: 'd.project_id', user: 'd.user_id', model: 'd.model', workspace: 'd.workspace_id', tenant: 'd.tenant_id' };
const INTERVAL_EXPRESSIONS: Record<Interval, string> = { day: 'd.day', month: 'left(d.day, 7)' };

/** A CTE adding the `event` CTE's rows, summed per rollup row, to a rollup whose period column is `column`. */
function rollupUpsert(name: string, table: string, column: string): string {
  // Summed first: one statement may not update a row twice. Ordered so concurrent batches (two replicas)
  // take the rows' locks in the same order instead of deadlocking.
  return `${name} AS (
         INSERT INTO ${table} AS r (tenant_id, ${column}, project_id, workspace_id, user_id, model, requests, prompt_tokens, completion_tokens)
         SELECT tenant_id, ${column}, project_id, workspace_id, user_id, model, count(*), sum(prompt_tokens), sum(completion_tokens)
           FROM event GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
         ON CONFLICT (tenant_id, ${column}, project_id, workspace_id, user_id, model) DO UPDATE SET
           requests = r.requests + EXCLUDED.requests,
           prompt_tokens = r.prompt_tokens + EXCLUDED.prompt_tokens,
           completion_tokens = r.completion_tokens + EXCLUDED.completion_tokens,
           updated_at = now()
       )`;
}

// A batch of events and their rollups in one statement (so one transaction): the events arrive as one array
// per column; the rollups sum only the rows the insert returned, which leaves out ids recorded before.
const RECORD_EVENTS_SQL = `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                              $9::text[], $10::text[], $11::text[], $12::bigint[], $13::bigint[], $14::text[], $15::timestamptz[])
           AS i(event_id, occurred_at, period, correlation_id, tenant_id, project_id, workspace_id, user_id,
                endpoint, model, route_target, prompt_tokens, completion_tokens, day, hour)
       ), inserted AS (
         INSERT INTO usage_events (event_id, occurred_at, period, correlation_id, tenant_id, project_id, workspace_id, user_id,
                                   endpoint, model, route_target, prompt_tokens, completion_tokens)
         SELECT event_id, occurred_at, period, correlation_id, tenant_id, project_id, workspace_id, user_id,
                endpoint, model, route_target, prompt_tokens, completion_tokens FROM input
         ON CONFLICT (event_id) DO NOTHING
         RETURNING event_id
       ), event AS (
         SELECT input.* FROM input JOIN inserted USING (event_id)
       ), ${rollupUpsert('monthly', 'usage_monthly', 'period')}, ${rollupUpsert('daily', 'usage_daily', 'day')}, hourly AS (
         INSERT INTO usage_hourly AS h (tenant_id, project_id, hour, requests, tokens)
         SELECT tenant_id, project_id, hour, count(*), sum(prompt_tokens + completion_tokens) FROM event GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
         ON CONFLICT (tenant_id, project_id, hour) DO UPDATE SET requests = h.requests + EXCLUDED.requests, tokens = h.tokens + EXCLUDED.tokens
       )
       SELECT event_id FROM inserted`;

/** A usage event to meter, with the billing period of its timestamp. */
export interface MeteredEvent {
  event: UsageEvent;
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
    this.pool = createPool(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX, password: config.DATABASE_PASSWORD_FILE?.reveal() });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    this.pool.on('error', (err) => this.logger.warn({ err }, 'idle postgres connection failed'));
  }

  async onModuleInit(): Promise<void> {
    const applied = await migrate(this.pool, MIGRATIONS_DIR, 'usage_migrations');
    if (applied.length > 0) this.logger.info({ applied }, 'usage migrations applied');
  }

  /**
   * Records the events and adds them to their monthly, daily and hourly rollups in one statement (so
   * atomically), and returns the ids it recorded. An id recorded before (a redelivery) changes nothing and is
   * not returned, so it never counts twice. Ids must be distinct within one call.
   */
  async recordMany(metered: readonly MeteredEvent[]): Promise<Set<string>> {
    if (metered.length === 0) return new Set();
    const column = <T>(pick: (m: MeteredEvent) => T) => metered.map(pick);
    const { rows } = await this.pool.query<{ event_id: string }>(RECORD_EVENTS_SQL, [
      column((m) => m.event.eventId),
      column((m) => m.event.timestamp),
      column((m) => m.period),
      column((m) => m.event.correlationId),
      column((m) => m.event.tenantId),
      column((m) => m.event.projectId),
      column((m) => m.event.workspaceId),
      column((m) => m.event.userId),
      column((m) => m.event.endpoint),
      column((m) => m.event.model),
      column((m) => m.event.routeTarget),
      column((m) => m.event.promptTokens),
      column((m) => m.event.completionTokens),
      column((m) => windowOf('day', new Date(m.event.timestamp)).key),
      column((m) => hourOf(new Date(m.event.timestamp)).toISOString()),
    ]);
    return new Set(rows.map((r) => r.event_id));
  }

  /** Totals of a month ("YYYY-MM") or a day ("YYYY-MM-DD"); '' in a narrowing field means all. */
  async totals(scope: UsageScope): Promise<UsageTotals> {
    const [table, column] = scope.period.length === 7 ? ['usage_monthly', 'period'] : ['usage_daily', 'day'];
    const { rows } = await this.pool.query<{ requests: string; prompt_tokens: string; completion_tokens: string }>(
      `SELECT COALESCE(SUM(requests), 0) AS requests,
              COALESCE(SUM(prompt_tokens), 0) AS prompt_tokens,
              COALESCE(SUM(completion_tokens), 0) AS completion_tokens
         FROM ${table}
        WHERE tenant_id = $1 AND ${column} = $2 AND ($3 = '' OR project_id = $3) AND ($4 = '' OR user_id = $4)
          AND ($5 = '' OR workspace_id = $5) AND ($6 = '' OR model = $6)`,
      [scope.tenantId, scope.period, scope.projectId, scope.userId, scope.workspaceId ?? '', scope.model ?? ''],
    );
    const row = rows[0];
    return { requests: Number(row.requests), promptTokens: Number(row.prompt_tokens), completionTokens: Number(row.completion_tokens) };
  }

  /** Prompt + completion tokens of one quota scope in one day or month window. */
  async usedTokens(tenantId: string, scope: QuotaScopeKind, scopeId: string, window: PeriodWindow): Promise<number> {
    const [table, column] = window.kind === 'month' ? ['usage_monthly', 'period'] : ['usage_daily', 'day'];
    const narrowing = scope === 'tenant' ? '' : `AND ${SCOPE_COLUMNS[scope]} = $3`;
    const { rows } = await this.pool.query<{ tokens: string }>(
      `SELECT COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS tokens FROM ${table} WHERE tenant_id = $1 AND ${column} = $2 ${narrowing}`,
      scope === 'tenant' ? [tenantId, window.key] : [tenantId, window.key, scopeId],
    );
    return Number(rows[0].tokens);
  }

  /** One user's tokens per UTC day and model, from `fromDay` to `toDay` ("YYYY-MM-DD", inclusive), oldest first. */
  async userDays(tenantId: string, userId: string, fromDay: string, toDay: string): Promise<UserDay[]> {
    const { rows } = await this.pool.query<{ day: string; model: string; prompt_tokens: string; completion_tokens: string }>(
      `SELECT day, model, SUM(prompt_tokens) AS prompt_tokens, SUM(completion_tokens) AS completion_tokens
         FROM usage_daily WHERE tenant_id = $1 AND user_id = $2 AND day >= $3 AND day <= $4
        GROUP BY day, model
        ORDER BY day, model COLLATE "C"`,
      [tenantId, userId, fromDay, toDay],
    );
    return rows.map((r) => ({ day: r.day, model: r.model, promptTokens: Number(r.prompt_tokens), completionTokens: Number(r.completion_tokens) }));
  }

  /** One project's month per user, workspace and model. */
  async projectMonth(tenantId: string, projectId: string, month: Period): Promise<ReportRow[]> {
    const { rows } = await this.pool.query<{ user_id: string; workspace_id: string; model: string; requests: string; prompt_tokens: string; completion_tokens: string }>(
      `SELECT user_id, workspace_id, model, SUM(requests) AS requests, SUM(prompt_tokens) AS prompt_tokens, SUM(completion_tokens) AS completion_tokens
         FROM usage_monthly WHERE tenant_id = $1 AND period = $2 AND project_id = $3
        GROUP BY user_id, workspace_id, model
        ORDER BY user_id COLLATE "C", workspace_id COLLATE "C", model COLLATE "C"`,
      [tenantId, month, projectId],
    );
    return rows.map((r) => ({
      userId: r.user_id,
      workspaceId: r.workspace_id,
      model: r.model,
      requests: Number(r.requests),
      promptTokens: Number(r.prompt_tokens),
      completionTokens: Number(r.completion_tokens),
    }));
  }

  /**
   * Usage per interval and group over a range of UTC days, from the daily rollup, ordered by period then group
   * (bytewise). Cost units are summed per model row (rates are per model) before grouping.
   */
  async series(q: SeriesQuery): Promise<SeriesRow[]> {
    const rates = q.rates ?? { models: [], prompt: [], completion: [] };
    const { rows } = await this.pool.query<{ period: string; key: string; requests: string; prompt_tokens: string; completion_tokens: string; cost_units: number }>(
      `WITH rate AS (SELECT * FROM unnest($5::text[], $6::float8[], $7::float8[]) AS r(model, prompt, completion))
       SELECT ${INTERVAL_EXPRESSIONS[q.interval]} AS period, ${GROUP_COLUMNS[q.groupBy]} AS key,
              SUM(d.requests) AS requests, SUM(d.prompt_tokens) AS prompt_tokens, SUM(d.completion_tokens) AS completion_tokens,
              SUM(d.prompt_tokens * COALESCE(m.prompt, fallback.prompt, 0) + d.completion_tokens * COALESCE(m.completion, fallback.completion, 0)) / 1e6 AS cost_units
         FROM usage_daily d
         LEFT JOIN rate m ON m.model = d.model
         LEFT JOIN rate fallback ON fallback.model = '*'
        WHERE d.tenant_id = $1 AND d.day >= $2 AND d.day <= $3 AND ($4::text[] IS NULL OR d.project_id = ANY($4))
        GROUP BY 1, 2
        ORDER BY 1, ${GROUP_COLUMNS[q.groupBy]} COLLATE "C"
        LIMIT $8`,
      [q.tenantId, q.from, q.to, q.projectIds ?? null, rates.models, rates.prompt, rates.completion, q.limit],
    );
    return rows.map((r) => ({
      period: r.period,
      key: r.key,
      requests: Number(r.requests),
      promptTokens: Number(r.prompt_tokens),
      completionTokens: Number(r.completion_tokens),
      costUnits: q.rates ? Math.round(Number(r.cost_units) * 10_000) / 10_000 : null,
    }));
  }

  /** The projects of a tenant with usage in a month, bytewise ordered, at most `limit`. */
  async projectsWithUsage(tenantId: string, month: string, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ project_id: string }>(
      `SELECT project_id FROM usage_monthly WHERE tenant_id = $1 AND period = $2 AND project_id <> ''
        GROUP BY project_id ORDER BY project_id COLLATE "C" LIMIT $3`,
      [tenantId, month, limit],
    );
    return rows.map((r) => r.project_id);
  }

  /** Anomalous project-hours of a tenant in [from, to), newest first, at most `limit`. */
  async anomalies(tenantId: string, projectIds: string[] | undefined, from: Date, to: Date, limit: number): Promise<AnomalyRow[]> {
    const { rows } = await this.pool.query<{ project_id: string; hour: Date; current_tokens: string; baseline_tokens: number; ratio: number; detected_at: Date }>(
      `SELECT project_id, hour, current_tokens, baseline_tokens, ratio, detected_at FROM usage_anomalies
        WHERE tenant_id = $1 AND hour >= $2 AND hour < $3 AND ($4::text[] IS NULL OR project_id = ANY($4))
        ORDER BY hour DESC, project_id COLLATE "C" LIMIT $5`,
      [tenantId, from.toISOString(), to.toISOString(), projectIds ?? null, limit],
    );
    return rows.map((r) => ({
      projectId: r.project_id,
      hour: r.hour,
      currentTokens: Number(r.current_tokens),
      baselineTokens: Number(r.baseline_tokens),
      ratio: Number(r.ratio),
      detectedAt: r.detected_at,
    }));
  }

  /**
   * Projects with usage in `hour`, each with its tokens so far and the tokens of its previous active hours
   * (those with usage) since `since`, oldest first.
   */
  async activeProjectHours(hour: Date, since: Date): Promise<ProjectHours[]> {
    const { rows } = await this.pool.query<{ tenant_id: string; project_id: string; tokens: string; previous: string[] }>(
      `SELECT cur.tenant_id, cur.project_id, cur.tokens,
              COALESCE(array_agg(prev.tokens ORDER BY prev.hour) FILTER (WHERE prev.hour IS NOT NULL), '{}') AS previous
         FROM usage_hourly cur
         LEFT JOIN usage_hourly prev
           ON prev.tenant_id = cur.tenant_id AND prev.project_id = cur.project_id
          AND prev.hour >= $2 AND prev.hour < $1 AND prev.tokens > 0
        WHERE cur.hour = $1
        GROUP BY cur.tenant_id, cur.project_id, cur.tokens`,
      [hour.toISOString(), since.toISOString()],
    );
    return rows.map((r) => ({ tenantId: r.tenant_id, projectId: r.project_id, tokens: Number(r.tokens), previous: r.previous.map(Number) }));
  }

  /** Records an anomalous project-hour; false when it was recorded before (by this or another replica). */
  async recordAnomaly(a: { tenantId: string; projectId: string; hour: Date; currentTokens: number; baselineTokens: number; ratio: number }): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO usage_anomalies (tenant_id, project_id, hour, current_tokens, baseline_tokens, ratio)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [a.tenantId, a.projectId, a.hour.toISOString(), a.currentTokens, a.baselineTokens, a.ratio],
    );
    return result.rowCount === 1;
  }

  // After every onModuleDestroy: the consumer has finished its last transaction by then.
  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
