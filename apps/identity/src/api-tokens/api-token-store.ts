import path from 'node:path';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createPool, inTransaction, isAuthenticationFailure, migrate, type Pool, type PoolClient } from '@airlock/postgres';
import { APP_CONFIG, APP_LOGGER, DependencyUnavailableError, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { identityConfig } from '../config';
import { ApiTokensNotConfiguredError, TokenDatabaseAuthFailedError, TokenDatabaseUnavailableError } from './errors';

/** Outside src/ so the same relative path works from src/api-tokens (tests) and dist/api-tokens (runtime). */
export const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'migrations');

export type ApiTokenType = 'personal' | 'workspace' | 'service_account';

export interface ApiTokenRow {
  id: string;
  token_type: ApiTokenType;
  name: string;
  display_prefix: string;
  created_by: string;
  tenant_id: string;
  subject: string;
  user_id: string;
  project_id: string;
  workspace_id: string;
  roles: string[];
  principal_kind: 'user' | 'service_account';
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

export interface RevokedToken {
  digest: string;
  row: ApiTokenRow;
}

export type NewApiToken = Omit<ApiTokenRow, 'created_at' | 'revoked_at' | 'last_used_at'> & { token_sha256: string };

const COLUMNS = 'id, token_type, name, display_prefix, created_by, tenant_id, subject, user_id, project_id, workspace_id, roles, principal_kind, created_at, expires_at, revoked_at, last_used_at';

/** PostgreSQL: API tokens by the sha256 of their value. Optional: without DATABASE_URL every call is a 503. */
@Injectable()
export class ApiTokenStore implements OnModuleInit, OnApplicationShutdown {
  private pool?: Pool;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof identityConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.DATABASE_URL) {
      this.logger.warn('DATABASE_URL not set: API tokens are disabled');
      return;
    }
    this.pool = createPool(this.config.DATABASE_URL, { max: this.config.DATABASE_POOL_MAX, password: this.config.DATABASE_PASSWORD_FILE?.reveal() });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    this.pool.on('error', (err) => this.logger.warn({ err }, 'idle postgres connection failed'));
    const applied = await migrate(this.pool, MIGRATIONS_DIR, 'identity_migrations');
    if (applied.length > 0) this.logger.info({ applied }, 'identity migrations applied');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool?.end();
  }

  get enabled(): boolean {
    return Boolean(this.config.DATABASE_URL);
  }

  async insert(token: NewApiToken, client?: PoolClient): Promise<ApiTokenRow> {
    const t = token;
    const { rows } = await this.query<ApiTokenRow>(
      `INSERT INTO identity_api_tokens (id, token_sha256, token_type, name, display_prefix, created_by, tenant_id, subject, user_id, project_id, workspace_id, roles, principal_kind, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING ${COLUMNS}`,
      [t.id, t.token_sha256, t.token_type, t.name, t.display_prefix, t.created_by, t.tenant_id, t.subject, t.user_id, t.project_id, t.workspace_id, t.roles, t.principal_kind, t.expires_at],
      client,
    );
    return rows[0];
  }

  /**
   * Revokes the workspace's live workspace tokens created by `token.created_by` and inserts `token`,
   * atomically. A transaction-scoped advisory lock on the workspace serialises concurrent calls, so
   * two of them cannot both leave a live token behind.
   */
  async replaceWorkspaceToken(token: NewApiToken): Promise<{ row: ApiTokenRow; revoked: RevokedToken[] }> {
    return this.transaction(async (client) => {
      // Ids never contain spaces (ID_PATTERN), so the key is unambiguous.
      await this.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`identity-workspace-token ${token.tenant_id} ${token.workspace_id}`], client);
      const revoked = await this.revokeWorkspace(token.tenant_id, token.workspace_id, token.created_by, client);
      return { row: await this.insert(token, client), revoked };
    });
  }

  /** Revokes the live workspace tokens of a workspace (of one creator, when given): their digests and rows. */
  async revokeWorkspace(tenantId: string, workspaceId: string, createdBy?: string, client?: PoolClient): Promise<RevokedToken[]> {
    const { rows } = await this.query<ApiTokenRow & { token_sha256: string }>(
      `UPDATE identity_api_tokens SET revoked_at = now()
       WHERE tenant_id = $1 AND workspace_id = $2 AND token_type = 'workspace' AND revoked_at IS NULL AND ($3::text IS NULL OR created_by = $3)
       RETURNING token_sha256, ${COLUMNS}`,
      [tenantId, workspaceId, createdBy ?? null],
      client,
    );
    return rows.map((r) => ({ digest: r.token_sha256, row: r }));
  }

  async findByDigest(digest: string): Promise<ApiTokenRow | undefined> {
    const { rows } = await this.query<ApiTokenRow>(`SELECT ${COLUMNS} FROM identity_api_tokens WHERE token_sha256 = $1`, [digest]);
    return rows[0];
  }

  async listByCreator(tenantId: string, createdBy: string): Promise<ApiTokenRow[]> {
    const { rows } = await this.query<ApiTokenRow>(
      `SELECT ${COLUMNS} FROM identity_api_tokens WHERE tenant_id = $1 AND created_by = $2 ORDER BY created_at DESC LIMIT 500`,
      [tenantId, createdBy],
    );
    return rows;
  }

  /** Resolves to the revoked token's digest and row, or undefined when the creator has no such live token. */
  async revoke(id: string, tenantId: string, createdBy: string): Promise<RevokedToken | undefined> {
    const { rows } = await this.query<ApiTokenRow & { token_sha256: string }>(
      `UPDATE identity_api_tokens SET revoked_at = now()
       WHERE id = $1 AND tenant_id = $2 AND created_by = $3 AND revoked_at IS NULL RETURNING token_sha256, ${COLUMNS}`,
      [id, tenantId, createdBy],
    );
    return rows[0] ? { digest: rows[0].token_sha256, row: rows[0] } : undefined;
  }

  /** At most one write a minute per token: verification is on every (uncached) request's path. */
  async markUsed(id: string): Promise<void> {
    await this.query(`UPDATE identity_api_tokens SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '60 seconds')`, [id]);
  }

  private async transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    if (!this.pool) throw new ApiTokensNotConfiguredError();
    const pool = this.pool;
    return this.guard(() => inTransaction(pool, fn));
  }

  private async query<R extends object>(sql: string, params: unknown[], client?: PoolClient): Promise<{ rows: R[] }> {
    if (!this.pool) throw new ApiTokensNotConfiguredError();
    const on = client ?? this.pool;
    return this.guard(() => on.query<R>(sql, params));
  }

  /** A lost or unreachable database is one typed, retryable error (UNAVAILABLE / 503); a refused login another. */
  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof DependencyUnavailableError) throw error;
      if (isAuthenticationFailure(error)) throw new TokenDatabaseAuthFailedError(error);
      if (/^(08|57P|ECONN|ENOTFOUND|ETIMEDOUT)/.test((error as { code?: string }).code ?? '') || (error as Error).message.includes('timeout')) {
        throw new TokenDatabaseUnavailableError(error);
      }
      throw error;
    }
  }
}
