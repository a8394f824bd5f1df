import path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { createPool, inTransaction, migrate, type Pool } from '@airlock/postgres';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { auditConfig } from '../config';
import type { ChainedAuditRecord } from '../events/audit-record';
import { DAY_MS, partitionName } from './index-days';

/** Outside src/ so the same relative path works from src/event-index (tests) and dist/event-index (runtime). */
export const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'migrations');

/** Columns a search may narrow on, by the API's filter name; fixed identifiers, never a caller's string. */
export const FILTER_COLUMNS = {
  user_id: 'user_id',
  project_id: 'project_id',
  workspace_id: 'workspace_id',
  endpoint: 'endpoint',
  event_type: 'event_type',
  outcome: 'outcome',
  dlp_action: 'dlp_action',
  policy_version: 'policy_version',
  correlation_id: 'correlation_id',
} as const;
export type SearchFilter = keyof typeof FILTER_COLUMNS;

/** Where a page ends: the last row's event time (µs since the epoch, exact) and id. */
export interface IndexPosition {
  micros: string;
  eventId: string;
}

export interface IndexSearch {
  tenantId: string;
  from: Date;
  to: Date;
  filters: Partial<Record<SearchFilter, string>>;
  after?: IndexPosition;
  limit: number;
}

export interface IndexedEvent {
  position: IndexPosition;
  record: ChainedAuditRecord;
}

// One statement per batch: the rows travel as one array per column. A redelivered event has the same time and
// id, so it hits the primary key of its day's partition and is skipped.
const INSERT_SQL = `INSERT INTO audit_events (occurred_at, event_id, tenant_id, user_id, project_id, workspace_id, endpoint,
                                   event_type, outcome, dlp_action, policy_version, correlation_id, record)
  SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                       $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::jsonb[])
  ON CONFLICT DO NOTHING`;

// Microseconds since the epoch as text: the cursor must name the exact stored instant, which a JS Date (ms) cannot.
const POSITION = `(extract(epoch FROM occurred_at) * 1000000)::bigint::text AS micros, event_id`;
const AT_MICROS = (param: string) => `(timestamptz 'epoch' + ${param}::bigint * interval '1 microsecond')`;

/**
 * The audit index in PostgreSQL (`audit_events`, one partition per UTC day), present only when DATABASE_URL is
 * set. Creating and dropping partitions is serialised across replicas by an advisory lock.
 */
@Injectable()
export class AuditIndexStore {
  private readonly pool?: Pool;
  private readonly days = new Set<string>();

  constructor(
    @Inject(APP_CONFIG) config: Pick<ServiceConfig<typeof auditConfig>, 'DATABASE_URL' | 'DATABASE_POOL_MAX' | 'DATABASE_PASSWORD_FILE'>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    if (!config.DATABASE_URL) return;
    this.pool = createPool(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX, password: config.DATABASE_PASSWORD_FILE?.reveal() });
    this.pool.on('error', (err) => this.logger.warn({ err }, 'idle postgres connection failed'));
  }

  get enabled(): boolean {
    return this.pool !== undefined;
  }

  private get db(): Pool {
    if (!this.pool) throw new Error('the audit index is not configured (DATABASE_URL)');
    return this.pool;
  }

  async migrate(): Promise<string[]> {
    return migrate(this.db, MIGRATIONS_DIR, 'audit_migrations');
  }

  /** Creates the partitions of these UTC days ("YYYY-MM-DD") that do not exist yet. */
  async ensureDays(days: Iterable<string>): Promise<void> {
    const missing = [...new Set(days)].filter((d) => !this.days.has(d)).sort();
    if (missing.length === 0) return;
    await inTransaction(this.db, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('audit_events_partitions'))`);
      for (const day of missing) {
        const start = new Date(`${day}T00:00:00Z`);
        const end = new Date(start.getTime() + DAY_MS);
        // Literals, not parameters (DDL takes none); both come from dayKey's fixed format.
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${partitionName(day)} PARTITION OF audit_events FOR VALUES FROM ('${start.toISOString()}') TO ('${end.toISOString()}')`,
        );
      }
    });
    for (const day of missing) this.days.add(day);
  }

  /** Drops the partitions of days before `firstKept` ("YYYY-MM-DD"); returns their days. */
  async dropDaysBefore(firstKept: string): Promise<string[]> {
    return inTransaction(this.db, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('audit_events_partitions'))`);
      const { rows } = await client.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_events'::regclass`,
      );
      const dropped: string[] = [];
      for (const { name } of rows) {
        const day = /^audit_events_(\d{4})(\d{2})(\d{2})$/.exec(name);
        if (!day) continue;
        const key = `${day[1]}-${day[2]}-${day[3]}`;
        if (key >= firstKept) continue;
        await client.query(`DROP TABLE ${name}`);
        this.days.delete(key);
        dropped.push(key);
      }
      return dropped.sort();
    });
  }

  /** One multi-row insert; events already indexed are skipped. Their days' partitions must exist. */
  async insert(records: readonly ChainedAuditRecord[]): Promise<number> {
    if (records.length === 0) return 0;
    const column = (pick: (r: ChainedAuditRecord) => unknown) => records.map(pick);
    const result = await this.db.query(INSERT_SQL, [
      column((r) => r.timestamp),
      column((r) => r.event_id),
      column((r) => r.tenant_id),
      column((r) => r.user_id),
      column((r) => r.project_id),
      column((r) => r.workspace_id),
      column((r) => r.endpoint),
      column((r) => r.event_type),
      column((r) => r.outcome),
      column((r) => r.dlp_action),
      column((r) => r.policy_version),
      column((r) => r.correlation_id),
      column((r) => JSON.stringify(r)),
    ]);
    return result.rowCount ?? 0;
  }

  /** One tenant's events in [from, to), oldest first, after `after`; at most `limit` rows. */
  async search(q: IndexSearch): Promise<IndexedEvent[]> {
    const { where, params } = whereOf(q);
    params.push(q.limit);
    const { rows } = await this.db.query<{ micros: string; event_id: string; record: ChainedAuditRecord }>(
      `SELECT ${POSITION}, record FROM audit_events WHERE ${where} ORDER BY occurred_at, event_id LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => ({ position: { micros: r.micros, eventId: r.event_id }, record: r.record }));
  }

  /** How many events a search matches, counted up to `atMost + 1` (enough to tell "more than atMost"). */
  async countUpTo(q: Omit<IndexSearch, 'limit' | 'after'>, atMost: number): Promise<number> {
    const { where, params } = whereOf(q);
    params.push(atMost + 1);
    const { rows } = await this.db.query<{ n: string }>(`SELECT count(*) AS n FROM (SELECT 1 FROM audit_events WHERE ${where} LIMIT $${params.length}) matched`, params);
    return Number(rows[0]!.n);
  }

  /** One event of the tenant by id (every partition's primary key is probed). */
  async find(tenantId: string, eventId: string): Promise<ChainedAuditRecord | undefined> {
    const { rows } = await this.db.query<{ record: ChainedAuditRecord }>(
      'SELECT record FROM audit_events WHERE event_id = $1 AND tenant_id = $2 ORDER BY occurred_at LIMIT 1',
      [eventId, tenantId],
    );
    return rows[0]?.record;
  }

  /** Called by AuditIndexWriter once its last write is done. */
  async close(): Promise<void> {
    await this.pool?.end();
  }
}

/** The WHERE clause of a tenant's search and its parameters ($1 tenant, $2 from, $3 to, then the filters and the cursor). */
function whereOf(q: Omit<IndexSearch, 'limit'>): { where: string; params: unknown[] } {
  const params: unknown[] = [q.tenantId, q.from.toISOString(), q.to.toISOString()];
  const where = ['tenant_id = $1', 'occurred_at >= $2', 'occurred_at < $3'];
  for (const [name, column] of Object.entries(FILTER_COLUMNS) as [SearchFilter, string][]) {
    const value = q.filters[name];
    if (value === undefined) continue;
    params.push(value);
    where.push(`${column} = $${params.length}`);
  }
  if (q.after) {
    params.push(q.after.micros, q.after.eventId);
    where.push(`(occurred_at, event_id) > (${AT_MICROS(`$${params.length - 1}`)}, $${params.length})`);
  }
  return { where: where.join(' AND '), params };
}
