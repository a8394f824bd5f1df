// Recording of the sessions policy wants recorded. The service follows each such session with a read-only tmux
// control client of its own (independent of anyone being attached, so a long script running detached is recorded
// too), turns its output (and, if policy says so, the keystrokes accepted from connections) into asciicast v2
// events, and seals them into the recording's file once a second. The key never reaches the workspace account:
// tmux's own pipe-pane would run the writer as that account.
import { mkdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigError } from '@airlock/config';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import { TerminalAudit } from '../audit/terminal-audit';
import type { terminalConfig } from '../config';
import { RecordingNotFoundError, RecordingUnavailableError } from '../errors';
import type { ControlClient } from '../pty/control-client';
import { restoreSequence } from '../pty/control-protocol';
import { Pty } from '../pty/pty.provider';
import type { TerminalSession } from '../sessions/session';
import { SessionStore } from '../sessions/session-store';
import type { TerminalRules } from '../policy/terminal-policy';
import { accountByKey } from '../workspaces/workspace-hosts';
import { castEvent, castHeader, CastStream } from './asciicast';
import { RecordingKeys } from './recording-keys';
import { RecordingStore, type Recording } from './recording-store';
import { openSealed, SealedWriter } from './sealed-file';

/** Sealed at least this often (what a crash of the service can lose), and whenever this much is waiting. */
const FLUSH_EVERY_MS = 1_000;
const FLUSH_AT_BYTES = 256 * 1024;
/** Recordings deleted per retention pass at most. */
const PURGE_BATCH = 100;

interface Following {
  startedMs: number;
  writer: SealedWriter;
  client: ControlClient;
  output: CastStream;
  /** Only when policy records keystrokes. */
  input?: CastStream;
  pending: string[];
  pendingBytes: number;
  sizeBytes: number;
}

@Injectable()
export class SessionRecorder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly dir?: string;
  private readonly following = new Map<string, Following>();
  private flushTimer?: NodeJS.Timeout;
  private purgeTimer?: NodeJS.Timeout;
  private shuttingDown = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof terminalConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly recordings: RecordingStore,
    private readonly sessions: SessionStore,
    private readonly pty: Pty,
    private readonly audit: TerminalAudit,
    // Null without TERMINAL_RECORDING_KEY_FILE (app.module.ts): then no session that must be recorded starts.
    @Optional() @Inject(RecordingKeys) private readonly keys: RecordingKeys | null,
  ) {
    if (Boolean(config.TERMINAL_RECORDING_DIR) !== Boolean(keys)) {
      throw new ConfigError([{ variable: 'TERMINAL_RECORDING_DIR', message: 'set together with TERMINAL_RECORDING_KEY_FILE, or neither' }]);
    }
    this.dir = config.TERMINAL_RECORDING_DIR;
    if (this.dir) mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  /** Whether recordings can be made here (a directory and a key). */
  get configured(): boolean {
    return Boolean(this.dir && this.keys);
  }

  private fileOf(sessionId: string): string {
    return path.join(this.dir!, `${sessionId}.cast`);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.configured) return;
    this.flushTimer = setInterval(() => this.flushAll(), FLUSH_EVERY_MS);
    this.flushTimer.unref();
    this.purgeTimer = setInterval(() => void this.purgeExpired().catch((error: unknown) => this.logger.warn({ err: String(error) }, 'recording retention pass failed')), this.config.TERMINAL_REAPER_INTERVAL_SECONDS * 1000);
    this.purgeTimer.unref();
    // After a restart: go on recording the live sessions, in the same files.
    for (const recording of await this.recordings.unfinished()) {
      const session = await this.sessions.get(recording.sessionId);
      if (session) await this.resume(session, recording);
    }
  }

  /** Goes on with a recording in its file (after a restart, or when the recorder's tmux client was lost). */
  private async resume(session: TerminalSession, recording: Recording): Promise<void> {
    try {
      const writer = await SealedWriter.reopen(this.fileOf(session.id), session.id, this.keys!);
      await this.follow(session, recording, writer);
    } catch (error) {
      // Not silently unrecorded: an operator sees this, and the session goes on under the old file's gap.
      this.logger.error({ session_id: session.id, err: String(error) }, 'recording could not be resumed');
    }
  }

  /**
   * The recorder's tmux client is gone. The recording ends only with the session's shell: a client can also die
   * with this service's process group (a stop signal reaches every child), and then the next start resumes.
   */
  private async clientLost(session: TerminalSession, recording: Recording): Promise<void> {
    const alive = (await this.pty.list(accountByKey(session.accountKey)).catch(() => [] as string[])).includes(session.id);
    await this.stop(session.id, !alive);
    if (alive && !this.shuttingDown) await this.resume(session, recording);
  }

  async onApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    clearInterval(this.flushTimer);
    clearInterval(this.purgeTimer);
    // Not ended: the shells go on, and the next start resumes these recordings.
    await Promise.all([...this.following.keys()].map((id) => this.stop(id, false)));
  }

  /**
   * Starts recording a new session as `rules` ask. Throws RecordingUnavailableError when it cannot: the caller
   * then ends the session rather than run it unrecorded.
   */
  async start(session: TerminalSession, rules: TerminalRules, size: { cols: number; rows: number }): Promise<void> {
    if (!this.configured) throw new RecordingUnavailableError('TERMINAL_RECORDING_DIR and TERMINAL_RECORDING_KEY_FILE are not set');
    let writer: SealedWriter | undefined;
    try {
      writer = await SealedWriter.create(this.fileOf(session.id), session.id, this.keys!);
      const recording = await this.recordings.insert(session, { inputRecorded: rules.recording === 'output_and_input', policyVersion: rules.policyVersion, ruleId: rules.ruleId, keyId: writer.keyId, retentionDays: rules.retentionDays });
      writer.append(Buffer.from(castHeader({ width: size.cols, height: size.rows, timestamp: Math.floor(recording.startedAt.getTime() / 1000), title: session.name })));
      await this.follow(session, recording, writer);
    } catch (error) {
      if (this.following.has(session.id)) await this.stop(session.id, true).catch(() => undefined);
      else writer?.close();
      throw new RecordingUnavailableError(error);
    }
  }

  /** Attaches the recorder's client; the screen as it is now is the first output event (after a restart: the gap's end). */
  private async follow(session: TerminalSession, recording: Recording, writer: SealedWriter): Promise<void> {
    const startedMs = recording.startedAt.getTime();
    const client = this.pty.attach(accountByKey(session.accountKey), session.id, true);
    const f: Following = { startedMs, writer, client, output: new CastStream('o', startedMs), input: recording.inputRecorded ? new CastStream('i', startedMs) : undefined, pending: [], pendingBytes: 0, sizeBytes: 0 };
    this.following.set(session.id, f);
    client.on('output', (data) => this.push(session.id, f.output.line(data)));
    client.on('exit', () => void this.clientLost(session, recording).catch((error: unknown) => this.logger.warn({ session_id: session.id, err: String(error) }, 'recording could not be closed')));
    await client.whenAttached();
    this.push(session.id, f.output.line(restoreSequence(await client.capture(session.id, this.pty.scrollbackLines))));
    client.resume();
  }

  /** Keystrokes a connection accepted for the session; recorded only where policy asks for input. */
  input(sessionId: string, data: Buffer): void {
    const f = this.following.get(sessionId);
    if (f?.input) this.push(sessionId, f.input.line(data));
  }

  /** The size the session's window took (its owner's terminal): a player must redraw at it, or full-screen programs garble. */
  resize(sessionId: string, cols: number, rows: number): void {
    const f = this.following.get(sessionId);
    if (f) this.push(sessionId, castEvent((Date.now() - f.startedMs) / 1000, 'r', `${cols}x${rows}`));
  }

  private push(sessionId: string, line: string): void {
    const f = this.following.get(sessionId);
    if (!f || line === '') return;
    f.pending.push(line);
    f.pendingBytes += line.length;
    if (f.pendingBytes >= FLUSH_AT_BYTES) this.flush(f);
  }

  private flush(f: Following): void {
    if (f.pending.length === 0) return;
    const text = f.pending.join('');
    f.pending = [];
    f.pendingBytes = 0;
    f.sizeBytes += f.writer.append(Buffer.from(text, 'utf8'));
  }

  private flushAll(): void {
    for (const [id, f] of this.following) {
      try {
        this.flush(f);
      } catch (error) {
        this.logger.error({ session_id: id, err: String(error) }, 'recording could not be written');
      }
    }
  }

  /** Seals what is waiting and closes the file; `ended`: the session is over and so is its recording. */
  private async stop(sessionId: string, ended: boolean): Promise<void> {
    const f = this.following.get(sessionId);
    if (!f) return;
    this.following.delete(sessionId);
    try {
      this.flush(f);
    } finally {
      f.writer.close();
      await f.client.detach();
    }
    if (ended) await this.recordings.markEnded(sessionId, f.sizeBytes);
    else await this.recordings.setSize(sessionId, f.sizeBytes);
  }

  /** The asciicast text of a kept recording (what is sealed so far, for one still being written). */
  async read(recording: Recording): Promise<Buffer> {
    if (!this.configured) throw new RecordingUnavailableError('TERMINAL_RECORDING_DIR and TERMINAL_RECORDING_KEY_FILE are not set');
    const f = this.following.get(recording.sessionId);
    if (f) this.flush(f);
    try {
      return await openSealed(this.fileOf(recording.sessionId), recording.sessionId, this.keys!);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new RecordingNotFoundError();
      throw new RecordingUnavailableError(error);
    }
  }

  /**
   * Deletes recordings past their retention (counted from their start): the file goes, the row stays as the
   * record that it existed. One still being written is kept until its session ends.
   */
  async purgeExpired(now = new Date()): Promise<number> {
    let deleted = 0;
    for (const r of await this.recordings.due(now, PURGE_BATCH)) {
      if (this.following.has(r.sessionId)) continue;
      try {
        unlinkSync(this.fileOf(r.sessionId));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      await this.recordings.markDeleted(r.sessionId);
      await this.audit.record({ action: 'delete_recording', session: { id: r.sessionId, tenantId: r.tenantId, workspaceId: r.workspaceId, ownerUserId: r.ownerUserId }, actor: '', target: 'retention_expired' });
      deleted++;
    }
    return deleted;
  }
}
