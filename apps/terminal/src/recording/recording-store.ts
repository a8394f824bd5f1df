import { Injectable } from '@nestjs/common';
import type { TerminalSession } from '../sessions/session';
import { SessionStore } from '../sessions/session-store';

export interface Recording {
  sessionId: string;
  tenantId: string;
  workspaceId: string;
  ownerUserId: string;
  sessionName: string;
  inputRecorded: boolean;
  policyVersion: string;
  ruleId: string;
  keyId: string;
  startedAt: Date;
  endedAt: Date | null;
  deleteAfter: Date;
  sizeBytes: number;
}

interface RecordingRow {
  session_id: string;
  tenant_id: string;
  workspace_id: string;
  owner_user_id: string;
  session_name: string;
  input_recorded: boolean;
  policy_version: string;
  rule_id: string;
  key_id: string;
  started_at: Date;
  ended_at: Date | null;
  delete_after: Date;
  size_bytes: string;
}

const toRecording = (r: RecordingRow): Recording => ({
  sessionId: r.session_id,
  tenantId: r.tenant_id,
  workspaceId: r.workspace_id,
  ownerUserId: r.owner_user_id,
  sessionName: r.session_name,
  inputRecorded: r.input_recorded,
  policyVersion: r.policy_version,
  ruleId: r.rule_id,
  keyId: r.key_id,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  deleteAfter: r.delete_after,
  sizeBytes: Number(r.size_bytes),
});

/** How a recording came to be: the policy answer that asked for it and the key it is sealed under. */
export interface NewRecording {
  inputRecorded: boolean;
  policyVersion: string;
  ruleId: string;
  keyId: string;
  retentionDays: number;
}

/** Recording metadata (table terminal_recordings, next to the sessions). */
@Injectable()
export class RecordingStore {
  constructor(private readonly sessions: SessionStore) {}

  async insert(session: TerminalSession, r: NewRecording): Promise<Recording> {
    return this.sessions.run(async (pool) => {
      const { rows } = await pool.query<RecordingRow>(
        `INSERT INTO terminal_recordings (session_id, tenant_id, workspace_id, owner_user_id, session_name, input_recorded, policy_version, rule_id, key_id, delete_after)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now() + make_interval(days => $10)) RETURNING *`,
        [session.id, session.tenantId, session.workspaceId, session.ownerUserId, session.name, r.inputRecorded, r.policyVersion, r.ruleId, r.keyId, r.retentionDays],
      );
      return toRecording(rows[0]);
    });
  }

  async get(sessionId: string): Promise<Recording | undefined> {
    return this.sessions.run(async (pool) => {
      const { rows } = await pool.query<RecordingRow>('SELECT * FROM terminal_recordings WHERE session_id = $1 AND deleted_at IS NULL', [sessionId]);
      return rows[0] ? toRecording(rows[0]) : undefined;
    });
  }

  /** A tenant's kept recordings, newest first. */
  async list(tenantId: string, limit: number): Promise<Recording[]> {
    return this.sessions.run(async (pool) => {
      const { rows } = await pool.query<RecordingRow>('SELECT * FROM terminal_recordings WHERE tenant_id = $1 AND deleted_at IS NULL ORDER BY started_at DESC, session_id LIMIT $2', [tenantId, limit]);
      return rows.map(toRecording);
    });
  }

  /** Recordings still being written whose session is live: the ones to go on with after a restart. */
  async unfinished(): Promise<Recording[]> {
    return this.sessions.run(async (pool) => {
      const { rows } = await pool.query<RecordingRow>(
        `SELECT r.* FROM terminal_recordings r JOIN terminal_sessions s ON s.id = r.session_id
         WHERE r.ended_at IS NULL AND r.deleted_at IS NULL AND s.state <> 'terminated'`,
      );
      return rows.map(toRecording);
    });
  }

  async setSize(sessionId: string, sizeBytes: number): Promise<void> {
    await this.sessions.run((pool) => pool.query('UPDATE terminal_recordings SET size_bytes = $2 WHERE session_id = $1', [sessionId, sizeBytes]));
  }

  async markEnded(sessionId: string, sizeBytes: number): Promise<void> {
    await this.sessions.run((pool) => pool.query('UPDATE terminal_recordings SET ended_at = coalesce(ended_at, now()), size_bytes = $2 WHERE session_id = $1', [sessionId, sizeBytes]));
  }

  /** Recordings past their retention (`now` for tests), oldest first. */
  async due(now: Date, limit: number): Promise<Recording[]> {
    return this.sessions.run(async (pool) => {
      const { rows } = await pool.query<RecordingRow>('SELECT * FROM terminal_recordings WHERE deleted_at IS NULL AND delete_after <= $1 ORDER BY delete_after LIMIT $2', [now, limit]);
      return rows.map(toRecording);
    });
  }

  async markDeleted(sessionId: string): Promise<void> {
    await this.sessions.run((pool) => pool.query('UPDATE terminal_recordings SET deleted_at = now() WHERE session_id = $1', [sessionId]));
  }
}
