import { Injectable } from '@nestjs/common';
import { TerminalAudit } from '../audit/terminal-audit';
import { RecordingNotFoundError, TerminalForbiddenError } from '../errors';
import { RecordingStore, type Recording } from './recording-store';
import { SessionRecorder } from './session-recorder';

/** Who may list and play recordings: the roles that read the audit trail. Nobody else, the session's owner included. */
export const RECORDING_READER_ROLES: readonly string[] = ['auditor', 'security-admin'];

export interface RecordingReader {
  tenantId: string;
  userId: string;
  roles: readonly string[];
  correlationId?: string;
}

/** Listed at most per request (newest first). */
export const RECORDINGS_PAGE = 200;

/** The JSON face (openapi.yaml `Recording`). */
export const recordingView = (r: Recording) => ({
  session_id: r.sessionId,
  workspace_id: r.workspaceId,
  owner_user_id: r.ownerUserId,
  session_name: r.sessionName,
  input_recorded: r.inputRecorded,
  policy_version: r.policyVersion,
  rule_id: r.ruleId,
  started_at: r.startedAt.toISOString(),
  ended_at: r.endedAt?.toISOString() ?? null,
  delete_after: r.deleteAfter.toISOString(),
  size_bytes: r.sizeBytes,
});

/** Recordings for auditors of the same tenant; every playback is an audit event of its own. */
@Injectable()
export class ReadRecordings {
  constructor(
    private readonly store: RecordingStore,
    private readonly recorder: SessionRecorder,
    private readonly audit: TerminalAudit,
  ) {}

  private require(reader: RecordingReader): void {
    if (!reader.roles.some((r) => RECORDING_READER_ROLES.includes(r))) throw new TerminalForbiddenError('terminal recordings are for auditors and security admins');
  }

  async list(reader: RecordingReader) {
    this.require(reader);
    return (await this.store.list(reader.tenantId, RECORDINGS_PAGE)).map(recordingView);
  }

  /** The asciicast v2 text; the view is audited (durably, broker or spool) before anything is handed out. */
  async cast(reader: RecordingReader, sessionId: string): Promise<Buffer> {
    this.require(reader);
    const recording = await this.store.get(sessionId);
    if (!recording || recording.tenantId !== reader.tenantId) throw new RecordingNotFoundError();
    const text = await this.recorder.read(recording);
    await this.audit.record({
      action: 'view_recording',
      session: { id: recording.sessionId, tenantId: recording.tenantId, workspaceId: recording.workspaceId, ownerUserId: recording.ownerUserId },
      actor: reader.userId,
      correlationId: reader.correlationId,
    });
    return text;
  }
}
