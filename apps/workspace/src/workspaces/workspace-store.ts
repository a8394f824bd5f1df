import { Injectable } from '@nestjs/common';
import { inTransaction, isAuthenticationFailure, type PoolClient } from '@airlock/postgres';
import { AppError } from '@airlock/runtime';
import { WorkspaceDatabase } from '../database';
import type { QuotaOverride, QuotaScope, Usage } from '../quota/quota';
import { WorkspaceExistsError, WorkspaceStoreAuthFailedError, WorkspaceStoreUnavailableError } from './workspace.errors';
import type { DesiredState, ObservedState } from './workspace-state';

export interface WorkspaceRow {
  id: string;
  tenant_id: string;
  project_id: string;
  owner_user_id: string;
  image: string;
  desired_state: DesiredState;
  observed_state: ObservedState;
  cpu_millis: number;
  memory_mib: number;
  disk_gib: number;
  restart_generation: number;
  observed_generation: number;
  observed_detail: string;
  observed_at: Date | null;
  /** The driver last started it without its isolation (a development setting allowed it). */
  unisolated: boolean;
  attempts: number;
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
  cpuMillis: number;
  memoryMib: number;
  diskGib: number;
}

export interface AdmissionState {
  userUsage: Usage;
  projectUsage: Usage;
  userOverride: QuotaOverride | undefined;
  projectOverride: QuotaOverride | undefined;
  /** The owner's live workspaces, for the Model A check. */
  ownerLive: WorkspaceRow[];
}

export interface DesiredChange {
  desiredState: DesiredState;
  markDeleted: boolean;
  bumpGeneration: boolean;
}

export interface ObservationRecord {
  observedState: ObservedState;
  observedGeneration: number;
  detail: string;
  /** What the driver said about isolation; undefined keeps the recorded value (it did not start anything). */
  unisolated?: boolean;
  /** Delay before the workspace is due again; 0 = as soon as possible. */
  retryInMs: number;
  attempts: number;
  /** The row's updated_at when it was claimed: a later desired change makes the workspace due at once. */
  claimedUpdatedAt: Date;
}

const COLUMNS = `id, tenant_id, project_id, owner_user_id, image, desired_state, observed_state, cpu_millis, memory_mib, disk_gib,
  restart_generation, observed_generation, observed_detail, observed_at, unisolated, attempts, created_at, updated_at, deleted_at`;
const UNIQUE_VIOLATION = '23505';
const USAGE = `count(*)::int AS workspaces, coalesce(sum(cpu_millis), 0)::int AS "cpuMillis",
  coalesce(sum(memory_mib), 0)::int AS "memoryMib", coalesce(sum(disk_gib), 0)::int AS "diskGib"`;
const OVERRIDE = `max_workspaces AS "maxWorkspaces", cpu_millis AS "cpuMillis", memory_mib AS "memoryMib", disk_gib AS "diskGib"`;
/** Converged rows, mirroring isConverged() in SQL so the work queue can be selected in the database. */
const CONVERGED = `((desired_state IN ('REQUESTED', 'RUNNING') AND observed_state = 'RUNNING' AND observed_generation >= restart_generation)
  OR (desired_state = 'STOPPED' AND observed_state = 'STOPPED')
  OR (desired_state = 'DELETING' AND observed_state = 'DELETED'))`;

/** SQL for the registry. Decisions (quota, transitions) stay with the callers, run under the right locks here. */
@Injectable()
export class WorkspaceStore {
  constructor(private readonly db: WorkspaceDatabase) {}

  /**
   * Inserts a workspace while holding locks on its owner and its project, after `admit` has seen their
   * usage and not thrown. The locks make check-then-insert atomic, so concurrent creates cannot together
   * overshoot a quota. Locks are always taken owner first, then project, so they cannot deadlock.
   */
  create(workspace: NewWorkspace, admit: (state: AdmissionState) => void): Promise<WorkspaceRow> {
    return guard(() =>
      inTransaction(this.db.pool, async (client) => {
        await lock(client, `workspace-owner:${workspace.tenantId}/${workspace.ownerUserId}`);
        await lock(client, `workspace-project:${workspace.tenantId}/${workspace.projectId}`);
        const ownerLive = await client.query<WorkspaceRow>(
          `SELECT ${COLUMNS} FROM workspaces WHERE tenant_id = $1 AND owner_user_id = $2 AND deleted_at IS NULL ORDER BY created_at, id`,
          [workspace.tenantId, workspace.ownerUserId],
        );
        admit({
          ownerLive: ownerLive.rows,
          userUsage: await usage(client, workspace.tenantId, 'user', workspace.ownerUserId),
          projectUsage: await usage(client, workspace.tenantId, 'project', workspace.projectId),
          userOverride: await override(client, workspace.tenantId, 'user', workspace.ownerUserId),
          projectOverride: await override(client, workspace.tenantId, 'project', workspace.projectId),
        });
        try {
          const inserted = await client.query<WorkspaceRow>(
            `INSERT INTO workspaces (id, tenant_id, project_id, owner_user_id, image, desired_state, observed_state, cpu_millis, memory_mib, disk_gib)
             VALUES ($1, $2, $3, $4, $5, 'RUNNING', 'REQUESTED', $6, $7, $8)
             RETURNING ${COLUMNS}`,
            [workspace.id, workspace.tenantId, workspace.projectId, workspace.ownerUserId, workspace.image, workspace.cpuMillis, workspace.memoryMib, workspace.diskGib],
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
   * such workspace exists. A change makes the workspace due for reconciliation at once.
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
                  restart_generation = restart_generation + CASE WHEN $4::boolean THEN 1 ELSE 0 END,
                  attempts = 0,
                  next_attempt_at = now(),
                  updated_at = now()
            WHERE id = $1
        RETURNING ${COLUMNS}`,
          [id, change.desiredState, change.markDeleted, change.bumpGeneration],
        );
        return updated.rows[0];
      }),
    );
  }

  /**
   * Leases up to `batch` workspaces that are due: not converged, or converged but not looked at for
   * `resyncMs`. A lease held by a live reconciler is skipped; an expired one (its holder crashed) is taken.
   */
  claimDue(owner: string, leaseMs: number, resyncMs: number, batch: number): Promise<WorkspaceRow[]> {
    return guard(async () => {
      const result = await this.db.pool.query<WorkspaceRow>(
        `UPDATE workspaces SET lease_owner = $1, lease_until = now() + make_interval(secs => $2::double precision / 1000)
          WHERE id IN (
            SELECT id FROM workspaces
             WHERE NOT (desired_state = 'DELETING' AND observed_state = 'DELETED')
               AND next_attempt_at <= now()
               AND (lease_until IS NULL OR lease_until < now())
               AND (NOT ${CONVERGED} OR observed_at IS NULL OR observed_at < now() - make_interval(secs => $3::double precision / 1000))
             ORDER BY next_attempt_at
             LIMIT $4
             FOR UPDATE SKIP LOCKED)
        RETURNING ${COLUMNS}`,
        [owner, leaseMs, resyncMs, batch],
      );
      return result.rows;
    });
  }

  /**
   * Records what the driver saw, if `owner` still holds the lease (fencing: a reconciler that stalled past
   * its lease, and whose work was taken over, must not overwrite newer observations). Releases the lease.
   * Returns the row before and after, or undefined when the lease was lost.
   */
  recordObservation(id: string, owner: string, record: ObservationRecord): Promise<{ before: WorkspaceRow; after: WorkspaceRow } | undefined> {
    return guard(() =>
      inTransaction(this.db.pool, async (client) => {
        const before = (await client.query<WorkspaceRow>(`SELECT ${COLUMNS} FROM workspaces WHERE id = $1 AND lease_owner = $2 FOR UPDATE`, [id, owner])).rows[0];
        if (!before) return undefined;
        const after = await client.query<WorkspaceRow>(
          `UPDATE workspaces
              SET observed_state = $3, observed_generation = $4, observed_detail = $5, observed_at = now(),
                  unisolated = coalesce($9::boolean, unisolated), attempts = $6, lease_owner = NULL, lease_until = NULL,
                  -- A desired change made while the driver worked is due at once, whatever the backoff said.
                  -- (Compared at millisecond precision: the claimed value went through a JS Date.)
                  next_attempt_at = CASE WHEN date_trunc('milliseconds', updated_at) > $8::timestamptz THEN now()
                                         ELSE now() + make_interval(secs => $7::double precision / 1000) END
            WHERE id = $1 AND lease_owner = $2
        RETURNING ${COLUMNS}`,
          [id, owner, record.observedState, record.observedGeneration, record.detail, record.attempts, record.retryInMs, record.claimedUpdatedAt, record.unisolated ?? null],
        );
        return { before, after: after.rows[0] };
      }),
    );
  }

  /** Marks that work has begun (observed PROVISIONING), so a crash mid-way is visible; keeps the lease. */
  markProvisioning(id: string, owner: string): Promise<boolean> {
    return guard(async () => {
      const result = await this.db.pool.query(
        `UPDATE workspaces SET observed_state = 'PROVISIONING', observed_detail = 'provisioning', observed_at = now()
          WHERE id = $1 AND lease_owner = $2 AND observed_state IN ('REQUESTED', 'STOPPED', 'FAILED')`,
        [id, owner],
      );
      return (result.rowCount ?? 0) > 0;
    });
  }

  /** Ids among `ids` that the registry wants to exist (anything not deleted, or deleted but not yet torn down). */
  /** Workspaces wanted and seen running: the ones the idle policy looks at. */
  runningIds(): Promise<string[]> {
    return guard(async () => {
      const result = await this.db.pool.query<{ id: string }>(
        `SELECT id FROM workspaces WHERE desired_state IN ('RUNNING', 'REQUESTED') AND observed_state = 'RUNNING' AND deleted_at IS NULL ORDER BY id`,
      );
      return result.rows.map((r) => r.id);
    });
  }

  wantedAmong(ids: string[]): Promise<Set<string>> {
    return guard(async () => {
      if (ids.length === 0) return new Set();
      const result = await this.db.pool.query<{ id: string }>(
        `SELECT id FROM workspaces WHERE id = ANY($1::text[]) AND NOT (desired_state = 'DELETING' AND observed_state = 'DELETED')`,
        [ids],
      );
      return new Set(result.rows.map((r) => r.id));
    });
  }

  getOverride(tenantId: string, scope: QuotaScope, subjectId: string): Promise<QuotaOverride | undefined> {
    return guard(() => override(this.db.pool, tenantId, scope, subjectId));
  }

  getUsage(tenantId: string, scope: QuotaScope, subjectId: string): Promise<Usage> {
    return guard(() => usage(this.db.pool, tenantId, scope, subjectId));
  }

  setOverride(tenantId: string, scope: QuotaScope, subjectId: string, limits: QuotaOverride): Promise<void> {
    return guard(async () => {
      await this.db.pool.query(
        `INSERT INTO workspace_quotas (tenant_id, scope, subject_id, max_workspaces, cpu_millis, memory_mib, disk_gib)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (tenant_id, scope, subject_id) DO UPDATE
           SET max_workspaces = $4, cpu_millis = $5, memory_mib = $6, disk_gib = $7, updated_at = now()`,
        [tenantId, scope, subjectId, limits.maxWorkspaces, limits.cpuMillis, limits.memoryMib, limits.diskGib],
      );
    });
  }
}

type Queryable = Pick<PoolClient, 'query'>;

async function usage(client: Queryable, tenantId: string, scope: QuotaScope, subjectId: string): Promise<Usage> {
  const column = scope === 'user' ? 'owner_user_id' : 'project_id';
  const result = await client.query<Usage>(`SELECT ${USAGE} FROM workspaces WHERE tenant_id = $1 AND ${column} = $2 AND deleted_at IS NULL`, [tenantId, subjectId]);
  return result.rows[0];
}

async function override(client: Queryable, tenantId: string, scope: QuotaScope, subjectId: string): Promise<QuotaOverride | undefined> {
  const result = await client.query<QuotaOverride>(
    `SELECT ${OVERRIDE} FROM workspace_quotas WHERE tenant_id = $1 AND scope = $2 AND subject_id = $3`,
    [tenantId, scope, subjectId],
  );
  return result.rows[0];
}

function lock(client: PoolClient, key: string) {
  // '/' cannot occur in any id, so distinct pairs never share a key string.
  return client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
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
    if (!(error instanceof AppError) && isAuthenticationFailure(error)) throw new WorkspaceStoreAuthFailedError(error);
    if (!(error instanceof AppError) && isUnreachable(error)) throw new WorkspaceStoreUnavailableError(error);
    throw error;
  }
}
