import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createPool, inTransaction, migrate, type Pool, type PoolClient } from '@airlock/postgres';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { policyConfig } from '../config';
import type { PolicyBundle } from './bundle';
import { diffBundles, type BundleChange } from './bundle-diff';
import { DraftNotFoundError, DraftStateError, PreconditionFailedError, VersionNotFoundError } from './bundles.errors';

/** An encoded event as the outbox holds it until it is relayed. */
export interface OutboxEvent {
  key: string;
  event: Uint8Array;
}

/** Outside src/ so the same relative path works from src/bundles (tests) and dist/bundles (runtime). */
export const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'migrations');

export type DraftState = 'open' | 'proposed' | 'approved' | 'rejected';

export interface VersionSummary {
  number: number;
  version: string;
  author: string;
  approver: string | null;
  reason: string;
  origin: 'seed' | 'change' | 'rollback';
  draftId: string | null;
  previous: number | null;
  createdAt: string;
}

export interface StoredVersion extends VersionSummary {
  content: PolicyBundle;
  diff: BundleChange[];
}

export interface ActivePointer {
  number: number;
  version: string;
  activatedBy: string;
  activatedAt: string;
}

export interface Draft {
  id: string;
  kind: 'change' | 'rollback';
  baseNumber: number;
  content: Record<string, unknown>;
  reason: string;
  author: string;
  editors: string[];
  state: DraftState;
  revision: number;
  createdAt: string;
  updatedAt: string;
  proposedBy: string | null;
  proposedAt: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionComment: string | null;
  publishedNumber: number | null;
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : (v as string | null));

const summary = (r: Record<string, unknown>): VersionSummary => ({
  number: r.number as number,
  version: r.version as string,
  author: r.author as string,
  approver: r.approver as string | null,
  reason: r.reason as string,
  origin: r.origin as VersionSummary['origin'],
  draftId: r.draft_id as string | null,
  previous: r.previous as number | null,
  createdAt: iso(r.created_at)!,
});

const draftOf = (r: Record<string, unknown>): Draft => ({
  id: r.id as string,
  kind: r.kind as Draft['kind'],
  baseNumber: r.base_number as number,
  content: r.content as Record<string, unknown>,
  reason: r.reason as string,
  author: r.author as string,
  editors: r.editors as string[],
  state: r.state as DraftState,
  revision: r.revision as number,
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
  proposedBy: r.proposed_by as string | null,
  proposedAt: iso(r.proposed_at),
  decidedBy: r.decided_by as string | null,
  decidedAt: iso(r.decided_at),
  decisionComment: r.decision_comment as string | null,
  publishedNumber: r.published_number as number | null,
});

const SUMMARY_COLUMNS = 'number, version, author, approver, reason, origin, draft_id, previous, created_at';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `YYYY.MM.DD-N`: the day of publication (UTC) and the version's number, so labels never collide. */
export function versionLabel(number: number, at = new Date()): string {
  return `${at.toISOString().slice(0, 10).replaceAll('-', '.')}-${number}`;
}

/**
 * PostgreSQL, the source of truth for policy bundles. Published versions are immutable (a trigger refuses
 * UPDATE and DELETE); the single `policy_active` row names the version in force, and its row lock
 * serialises publication and activation across replicas.
 */
@Injectable()
export class BundleStore implements OnApplicationShutdown {
  readonly pool: Pool;

  constructor(
    @Inject(APP_CONFIG) config: ServiceConfig<typeof policyConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    this.pool = createPool(config.DATABASE_URL!, { max: config.DATABASE_POOL_MAX, password: config.DATABASE_PASSWORD_FILE?.reveal() });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    this.pool.on('error', (err) => this.logger.warn({ err: err.message }, 'idle postgres connection failed'));
  }

  async migrate(): Promise<void> {
    const applied = await migrate(this.pool, MIGRATIONS_DIR, 'policy_migrations');
    if (applied.length > 0) this.logger.info({ applied }, 'policy migrations applied');
  }

  /** Publishes `bundle` as version 1 and activates it, if the store holds no version yet (concurrent boots: once). */
  async seed(bundle: PolicyBundle, author: string): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['policy_seed']);
      if ((await c.query('SELECT 1 FROM policy_versions LIMIT 1')).rowCount! > 0) return false;
      await c.query(
        `INSERT INTO policy_versions (number, version, content, author, reason, origin, previous, diff) VALUES (1, $1, $2, $3, $4, 'seed', NULL, '[]')`,
        [bundle.version, JSON.stringify(bundle), author, 'initial version (the built-in bundle)'],
      );
      await this.setActive(c, 1, author);
      return true;
    });
  }

  async active(): Promise<StoredVersion & { activatedBy: string; activatedAt: string }> {
    const { rows } = await this.pool.query(
      `SELECT v.*, a.activated_by, a.activated_at FROM policy_active a JOIN policy_versions v ON v.number = a.number`,
    );
    if (rows.length === 0) throw new VersionNotFoundError('active');
    return { ...this.stored(rows[0]), activatedBy: rows[0].activated_by, activatedAt: iso(rows[0].activated_at)! };
  }

  async activeNumber(): Promise<number> {
    const { rows } = await this.pool.query<{ number: number }>('SELECT number FROM policy_active');
    if (rows.length === 0) throw new VersionNotFoundError('active');
    return rows[0].number;
  }

  async list(limit: number, before?: number): Promise<VersionSummary[]> {
    const { rows } = await this.pool.query(
      `SELECT ${SUMMARY_COLUMNS} FROM policy_versions WHERE ($1::int IS NULL OR number < $1) ORDER BY number DESC LIMIT $2`,
      [before ?? null, limit],
    );
    return rows.map(summary);
  }

  async activations(limit: number): Promise<ActivePointer[]> {
    const { rows } = await this.pool.query(
      `SELECT a.number, v.version, a.activated_by, a.activated_at FROM policy_activations a JOIN policy_versions v USING (number) ORDER BY a.id DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ number: r.number, version: r.version, activatedBy: r.activated_by, activatedAt: iso(r.activated_at)! }));
  }

  /** By number, or by label (`2026.11.21-3`, what decisions and the dlp service carry). */
  async get(ref: number | string): Promise<StoredVersion> {
    const byNumber = typeof ref === 'number';
    const { rows } = await this.pool.query(`SELECT * FROM policy_versions WHERE ${byNumber ? 'number' : 'version'} = $1`, [ref]);
    if (rows.length === 0) throw new VersionNotFoundError(String(ref));
    return this.stored(rows[0]);
  }

  async latestNumber(client: PoolClient | Pool = this.pool): Promise<number> {
    const { rows } = await client.query<{ n: number }>('SELECT coalesce(max(number), 0)::int AS n FROM policy_versions');
    return rows[0].n;
  }

  async createDraft(
    input: { kind: Draft['kind']; baseNumber: number; content: Record<string, unknown>; reason: string; author: string; proposed?: boolean },
    events?: (draft: Draft) => OutboxEvent[],
  ): Promise<Draft> {
    return inTransaction(this.pool, async (c) => {
      const { rows } = await c.query(
        `INSERT INTO policy_drafts (id, kind, base_number, content, reason, author, editors, state, proposed_by, proposed_at)
         VALUES ($1, $2, $3, $4, $5, $6, ARRAY[$6], $7, $8, CASE WHEN $7 = 'proposed' THEN now() END) RETURNING *`,
        [randomUUID(), input.kind, input.baseNumber, JSON.stringify(input.content), input.reason, input.author, input.proposed ? 'proposed' : 'open', input.proposed ? input.author : null],
      );
      return this.withEvents(c, draftOf(rows[0]), events);
    });
  }

  async draft(id: string, client: PoolClient | Pool = this.pool, lock = false): Promise<Draft> {
    if (!UUID.test(id)) throw new DraftNotFoundError(id);
    const { rows } = await client.query(`SELECT * FROM policy_drafts WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    if (rows.length === 0) throw new DraftNotFoundError(id);
    return draftOf(rows[0]);
  }

  async drafts(states: DraftState[], limit: number): Promise<Draft[]> {
    const { rows } = await this.pool.query('SELECT * FROM policy_drafts WHERE state = ANY($1) ORDER BY updated_at DESC LIMIT $2', [states, limit]);
    return rows.map(draftOf);
  }

  /**
   * Changes a draft if it is still at `expectedRevision` and in state `from`: the compare-and-set that makes
   * concurrent edits safe (the loser gets 412). `fields` are column → value; the revision is bumped. `events`:
   * the step's audit events, committed with it (see PolicyAudit).
   */
  async updateDraft(
    id: string,
    expectedRevision: number,
    from: DraftState,
    fields: Record<string, unknown>,
    editor?: string,
    events?: (draft: Draft) => OutboxEvent[],
  ): Promise<Draft> {
    return inTransaction(this.pool, async (c) => {
      const draft = await this.draft(id, c, true);
      if (draft.revision !== expectedRevision) throw new PreconditionFailedError(draft.revision);
      if (draft.state !== from) throw new DraftStateError(id, draft.state, from);
      return this.withEvents(c, await this.writeDraft(c, id, fields, editor), events);
    });
  }

  /** Writes the audit events of the step whose result this is into the outbox, in the step's transaction. */
  private async withEvents<T>(c: PoolClient, result: T, events?: (result: T) => OutboxEvent[]): Promise<T> {
    for (const { key, event } of events?.(result) ?? []) {
      await c.query('INSERT INTO policy_audit_outbox (key, event) VALUES ($1, $2)', [key, Buffer.from(event)]);
    }
    return result;
  }

  async writeDraft(c: PoolClient, id: string, fields: Record<string, unknown>, editor?: string): Promise<Draft> {
    const columns = Object.keys(fields);
    const sets = columns.map((col, i) => `${col} = $${i + 2}`);
    if (editor) sets.push(`editors = CASE WHEN $${columns.length + 2} = ANY(editors) THEN editors ELSE editors || $${columns.length + 2} END`);
    const { rows } = await c.query(
      `UPDATE policy_drafts SET ${sets.join(', ')}${sets.length ? ', ' : ''}revision = revision + 1, updated_at = now() WHERE id = $1 RETURNING *`,
      [id, ...columns.map((col) => (col === 'content' ? JSON.stringify(fields[col]) : fields[col])), ...(editor ? [editor] : [])],
    );
    return draftOf(rows[0]);
  }

  /**
   * In one transaction holding the active row's lock: `check` sees the locked draft, then its content becomes
   * the next version (with the diff from the latest one) and, if `activate`, the active one.
   */
  async publish(
    draftId: string,
    approver: string,
    prepare: (draft: Draft, latest: number, c: PoolClient) => Promise<PolicyBundle>,
    activate: boolean,
    events?: (published: { draft: Draft; version: StoredVersion; activated: boolean }) => OutboxEvent[],
  ): Promise<{ draft: Draft; version: StoredVersion; activated: boolean }> {
    return inTransaction(this.pool, async (c) => {
      await c.query('SELECT number FROM policy_active FOR UPDATE');
      const draft = await this.draft(draftId, c, true);
      const latest = await this.latestNumber(c);
      const bundle = await prepare(draft, latest, c);
      const number = latest + 1;
      const content: PolicyBundle = { ...bundle, version: versionLabel(number) };
      const previous = await this.get(latest);
      const diff = diffBundles(previous.content, content);
      const { rows } = await c.query(
        `INSERT INTO policy_versions (number, version, content, author, approver, reason, origin, draft_id, previous, diff)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
        [number, content.version, JSON.stringify(content), draft.proposedBy ?? draft.author, approver, draft.reason, draft.kind, draft.id, latest, JSON.stringify(diff)],
      );
      if (activate) await this.setActive(c, number, approver);
      const updated = await this.writeDraft(c, draft.id, { state: 'approved', decided_by: approver, decided_at: new Date(), published_number: number });
      return this.withEvents(c, { draft: updated, version: this.stored(rows[0]), activated: activate }, events);
    });
  }

  /** Makes a published version the active one (under the active row's lock); `check` may refuse. */
  async activate(number: number, by: string, check: (current: number, target: StoredVersion) => void, events?: (target: StoredVersion) => OutboxEvent[]): Promise<StoredVersion> {
    return inTransaction(this.pool, async (c) => {
      const { rows } = await c.query<{ number: number }>('SELECT number FROM policy_active FOR UPDATE');
      const target = await this.get(number);
      check(rows[0]?.number ?? 0, target);
      await this.setActive(c, number, by);
      return this.withEvents(c, target, events);
    });
  }

  private async setActive(c: PoolClient, number: number, by: string): Promise<void> {
    await c.query(
      `INSERT INTO policy_active (singleton, number, activated_by) VALUES (true, $1, $2)
       ON CONFLICT (singleton) DO UPDATE SET number = EXCLUDED.number, activated_by = EXCLUDED.activated_by, activated_at = now()`,
      [number, by],
    );
    await c.query('INSERT INTO policy_activations (number, activated_by) VALUES ($1, $2)', [number, by]);
  }

  private stored(r: Record<string, unknown>): StoredVersion {
    return { ...summary(r), content: r.content as PolicyBundle, diff: r.diff as BundleChange[] };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
