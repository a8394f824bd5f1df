import path from 'node:path';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createPool, inTransaction, migrate, type Pool } from '@airlock/postgres';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { terminalConfig } from '../config';
import { terminalStoreError } from '../errors';
import { configuredLimits, type RecordingMode, type SessionLimits, type SessionState, type ShareMode, type TerminalSession } from './session';

/** Outside src/ so the same relative path works from src/sessions (tests) and dist/sessions (runtime). */
export const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'migrations');

interface SessionRow {
  id: string;
  tenant_id: string;
  workspace_id: string;
  owner_user_id: string;
  name: string;
  account_key: string;
  state: SessionState;
  recording: RecordingMode;
  detached_ttl_seconds: number | null;
  idle_lock_seconds: number | null;
  allow_read_write_sharing: boolean | null;
  created_at: Date;
  last_attached_at: Date | null;
  detached_at: Date | null;
  shares: { user_id: string; mode: ShareMode }[] | null;
}

const SELECT = `
SELECT s.*, (SELECT json_agg(json_build_object('user_id', h.user_id, 'mode', h.mode) ORDER BY h.user_id)
             FROM terminal_shares h WHERE h.session_id = s.id) AS shares
FROM terminal_sessions s`;

/** A row of a session created before its limits were stored gets the service's defaults. */
const toSession = (defaults: SessionLimits) => (r: SessionRow): TerminalSession => ({
  id: r.id,
  tenantId: r.tenant_id,
  workspaceId: r.workspace_id,
  ownerUserId: r.owner_user_id,
  name: r.name,
  accountKey: r.account_key,
  state: r.state,
  recording: r.recording,
  limits: {
    detachedTtlSeconds: r.detached_ttl_seconds ?? defaults.detachedTtlSeconds,
    idleLockSeconds: r.idle_lock_seconds ?? defaults.idleLockSeconds,
    allowReadWriteSharing: r.allow_read_write_sharing ?? defaults.allowReadWriteSharing,
  },
  createdAt: r.created_at,
  lastAttachedAt: r.last_attached_at,
  detachedAt: r.detached_at,
  shares: (r.shares ?? []).map((s) => ({ userId: s.user_id, mode: s.mode })),
});

export interface NewSessionRow {
  id: string;
  tenantId: string;
  workspaceId: string;
  ownerUserId: string;
  name: string;
  accountKey: string;
  recording: RecordingMode;
  limits: SessionLimits;
}

/** Session metadata in PostgreSQL (database airlock_terminal): the record that outlives the service. */
@Injectable()
export class SessionStore implements OnModuleInit, OnApplicationShutdown {
  private readonly pool: Pool;
  private readonly toSession: (r: SessionRow) => TerminalSession;
  private readonly defaultTtlSeconds: number;

  constructor(
    @Inject(APP_CONFIG) config: ServiceConfig<typeof terminalConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    this.pool = createPool(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX, password: config.DATABASE_PASSWORD_FILE?.reveal() });
    this.defaultTtlSeconds = config.TERMINAL_DETACHED_TTL_SECONDS;
    this.toSession = toSession(configuredLimits(config));
  }

  async onModuleInit(): Promise<void> {
    const applied = await this.query(() => migrate(this.pool, MIGRATIONS_DIR, 'terminal_migrations'));
    if (applied.length > 0) this.logger.info({ applied }, 'terminal migrations applied');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }

  private async query<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw terminalStoreError(error);
    }
  }

  /** The same database for the service's other tables (recordings), with the same error mapping. */
  async run<T>(fn: (pool: Pool) => Promise<T>): Promise<T> {
    return this.query(() => fn(this.pool));
  }

  private async rows(where: string, values: unknown[]): Promise<TerminalSession[]> {
    return this.query(async () => (await this.pool.query<SessionRow>(`${SELECT} WHERE ${where} ORDER BY s.created_at DESC, s.id`, values)).rows.map(this.toSession));
  }

  async get(id: string): Promise<TerminalSession | undefined> {
    return (await this.rows('s.id = $1', [id]))[0];
  }

  /**
   * Inserts the session unless the owner already has `max` live ones; the count and the insert run under a
   * per-owner advisory lock, so two creates at once cannot both take the last place.
   */
  async insertWithinLimit(row: NewSessionRow, max: number): Promise<boolean> {
    return this.query(() =>
      inTransaction(this.pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${row.tenantId}/${row.ownerUserId}`]);
        const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM terminal_sessions WHERE tenant_id = $1 AND owner_user_id = $2 AND state <> 'terminated'`, [row.tenantId, row.ownerUserId]);
        if (Number(rows[0].n) >= max) return false;
        await client.query(
          `INSERT INTO terminal_sessions (id, tenant_id, workspace_id, owner_user_id, name, account_key, recording, detached_ttl_seconds, idle_lock_seconds, allow_read_write_sharing, state, detached_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'detached', now())`,
          [row.id, row.tenantId, row.workspaceId, row.ownerUserId, row.name, row.accountKey, row.recording, row.limits.detachedTtlSeconds, row.limits.idleLockSeconds, row.limits.allowReadWriteSharing],
        );
        return true;
      }),
    );
  }

  /** Live sessions the user owns or is invited to, newest first. */
  async listVisible(tenantId: string, userId: string): Promise<TerminalSession[]> {
    return this.rows(`s.tenant_id = $1 AND s.state <> 'terminated' AND (s.owner_user_id = $2 OR EXISTS (SELECT 1 FROM terminal_shares h WHERE h.session_id = s.id AND h.user_id = $2))`, [tenantId, userId]);
  }

  /** Live sessions of a tenant's workspace (every workspace when workspaceId is empty). */
  async listLive(filter: { tenantId?: string; workspaceId?: string } = {}): Promise<TerminalSession[]> {
    return this.rows(`s.state <> 'terminated' AND ($1::text IS NULL OR s.tenant_id = $1) AND ($2::text IS NULL OR s.workspace_id = $2)`, [filter.tenantId || null, filter.workspaceId || null]);
  }

  async rename(id: string, name: string): Promise<void> {
    await this.query(() => this.pool.query('UPDATE terminal_sessions SET name = $2 WHERE id = $1', [id, name]));
  }

  async markAttached(id: string): Promise<void> {
    await this.query(() => this.pool.query(`UPDATE terminal_sessions SET state = 'attached', last_attached_at = now(), detached_at = NULL WHERE id = $1 AND state <> 'terminated'`, [id]));
  }

  async markDetached(id: string): Promise<void> {
    await this.query(() => this.pool.query(`UPDATE terminal_sessions SET state = 'detached', detached_at = now() WHERE id = $1 AND state = 'attached'`, [id]));
  }

  /** After a restart nobody is attached any more: every attached row becomes detached from now. */
  async detachAll(): Promise<number> {
    return this.query(async () => (await this.pool.query(`UPDATE terminal_sessions SET state = 'detached', detached_at = now() WHERE state = 'attached'`)).rowCount ?? 0);
  }

  /** True when this call ended it (a second terminate is a no-op). */
  async markTerminated(id: string, reason: string): Promise<boolean> {
    return this.query(async () => ((await this.pool.query(`UPDATE terminal_sessions SET state = 'terminated', terminated_at = now(), terminated_reason = $2, detached_at = NULL WHERE id = $1 AND state <> 'terminated'`, [id, reason])).rowCount ?? 0) > 0);
  }

  /** Detached sessions whose own TTL has run out at `now`. */
  async detachedExpired(now: Date): Promise<TerminalSession[]> {
    return this.rows(`s.state = 'detached' AND s.detached_at + make_interval(secs => coalesce(s.detached_ttl_seconds, $2)) < $1`, [now, this.defaultTtlSeconds]);
  }

  async share(id: string, userId: string, mode: ShareMode): Promise<void> {
    await this.query(() => this.pool.query('INSERT INTO terminal_shares (session_id, user_id, mode) VALUES ($1, $2, $3) ON CONFLICT (session_id, user_id) DO UPDATE SET mode = EXCLUDED.mode', [id, userId, mode]));
  }

  async unshare(id: string, userId: string): Promise<void> {
    await this.query(() => this.pool.query('DELETE FROM terminal_shares WHERE session_id = $1 AND user_id = $2', [id, userId]));
  }
}
