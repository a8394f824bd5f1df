import { Injectable } from '@nestjs/common';
import { inTransaction, type PoolClient } from '@airlock/postgres';
import { AppError } from '@airlock/runtime';
import { WorkspaceDatabase } from '../database';
import { WorkspaceExistsError, WorkspaceStoreUnavailableError } from './workspace.errors';
import type { DesiredState, ObservedState } from './workspace-state';

export interface WorkspaceRow {
  id: string;
  tenant_id: string;
  project_id: string;
  owner_user_id: string;
  image: string;
  desired_state: DesiredState;
  observed_state: ObservedState;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

export interface NewWorkspace {
  id: string;
  tenantId: string;
  projectId: string;
  ownerUserId: string;
  image: string;
}

export interface DesiredChange {
  desiredState: DesiredState;
  markDeleted: boolean;
}

const COLUMNS = 'id, tenant_id, project_id, owner_user_id, image, desired_state, observed_state, created_at, updated_at, deleted_at';
const UNIQUE_VIOLATION = '23505';

/** SQL for the registry. Decisions (quota, transitions) stay with the callers, run under the right locks here. */
@Injectable()
export class WorkspaceRepository {
  constructor(private readonly db: WorkspaceDatabase) {}

  /**
   * Inserts a workspace while holding a lock on its owner, after `admit` has seen the owner's live
   * workspaces and not thrown. The lock makes check-then-insert atomic, so two concurrent creates cannot
   * both squeeze under the quota.
   */
  create(workspace: NewWorkspace, admit: (live: WorkspaceRow[]) => void): Promise<WorkspaceRow> {
    return guard(() =>
      inTransaction(this.db.pool, async (client) => {
        await lockOwner(client, workspace.tenantId, workspace.ownerUserId);
        const live = await client.query<WorkspaceRow>(
          `SELECT ${COLUMNS} FROM workspaces WHERE tenant_id = $1 AND owner_user_id = $2 AND deleted_at IS NULL ORDER BY created_at, id`,
          [workspace.tenantId, workspace.ownerUserId],
        );
        admit(live.rows);
        try {
          const inserted = await client.query<WorkspaceRow>(
            `INSERT INTO workspaces (id, tenant_id, project_id, owner_user_id, image, desired_state, observed_state)
             VALUES ($1, $2, $3, $4, $5, 'REQUESTED', 'REQUESTED')
             RETURNING ${COLUMNS}`,
            [workspace.id, workspace.tenantId, workspace.projectId, workspace.ownerUserId, workspace.image],
          );
          return inserted.rows[0];
        } catch (error) {
          // The unique index is the last word on Model A, should anything ever write without the lock.
          if (sqlState(error) === UNIQUE_VIOLATION) {
            throw new WorkspaceExistsError(workspace.tenantId, workspace.ownerUserId, workspace.projectId);
          }
          throw error;
        }
      }),
    );
  }

  /** Any workspace the registry still holds, deleted ones included (their teardown is still observable). */
  findById(id: string): Promise<WorkspaceRow | undefined> {
    return guard(async () => {
      const result = await this.db.pool.query<WorkspaceRow>(`SELECT ${COLUMNS} FROM workspaces WHERE id = $1`, [id]);
      return result.rows[0];
    });
  }

  /** Live workspaces of a tenant, optionally of one owner, oldest first. */
  listLive(tenantId: string, ownerUserId?: string): Promise<WorkspaceRow[]> {
    return guard(async () => {
      const result = ownerUserId
        ? await this.db.pool.query<WorkspaceRow>(
            `SELECT ${COLUMNS} FROM workspaces WHERE tenant_id = $1 AND owner_user_id = $2 AND deleted_at IS NULL ORDER BY created_at, id`,
            [tenantId, ownerUserId],
          )
        : await this.db.pool.query<WorkspaceRow>(
            `SELECT ${COLUMNS} FROM workspaces WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY created_at, id`,
            [tenantId],
          );
      return result.rows;
    });
  }

  /**
   * Changes a workspace's desired state with its row locked, so concurrent changes apply one after another.
   * `decide` sees the current row and returns the change, or null to leave it as it is. Undefined when no
   * such workspace exists.
   */
  changeDesired(id: string, decide: (current: WorkspaceRow) => DesiredChange | null): Promise<WorkspaceRow | undefined> {
    return guard(() =>
      inTransaction(this.db.pool, async (client) => {
        const current = (await client.query<WorkspaceRow>(`SELECT ${COLUMNS} FROM workspaces WHERE id = $1 FOR UPDATE`, [id])).rows[0];
        if (!current) return undefined;
        const change = decide(current);
        if (!change) return current;
        const updated = await client.query<WorkspaceRow>(
          `UPDATE workspaces
              SET desired_state = $2,
                  deleted_at = CASE WHEN $3::boolean THEN coalesce(deleted_at, now()) ELSE deleted_at END,
                  updated_at = now()
            WHERE id = $1
        RETURNING ${COLUMNS}`,
          [id, change.desiredState, change.markDeleted],
        );
        return updated.rows[0];
      }),
    );
  }
}

function lockOwner(client: PoolClient, tenantId: string, ownerUserId: string) {
  // '/' cannot occur in either id, so distinct (tenant, owner) pairs never share a key string.
  return client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`workspace-owner:${tenantId}/${ownerUserId}`]);
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', '57P01', '57P02', '57P03', '53300']);

/** Connection trouble (as opposed to a bug or a constraint) is worth a retry by the caller. */
function isUnreachable(error: unknown): boolean {
  const code = sqlState(error);
  if (code && (UNREACHABLE_CODES.has(code) || code.startsWith('08'))) return true;
  const message = error instanceof Error ? error.message : '';
  return /timeout exceeded when trying to connect|Connection terminated/i.test(message);
}

async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (!(error instanceof AppError) && isUnreachable(error)) throw new WorkspaceStoreUnavailableError(error);
    throw error;
  }
}
