import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import { TerminalAudit } from '../audit/terminal-audit';
import type { terminalConfig } from '../config';
import { InvalidRequestError, PtyUnavailableError, RecordingUnavailableError, SessionLimitError, TerminalForbiddenError, WorkspaceNotRunningError } from '../errors';
import { HotState } from '../hot/hot-state';
import { TerminalPolicy } from '../policy/terminal-policy';
import { Pty } from '../pty/pty.provider';
import { SessionRecorder } from '../recording/session-recorder';
import { CLOSE, Connections } from '../stream/connections';
import { accountByKey, WorkspaceHosts } from '../workspaces/workspace-hosts';
import { sessionView, type Caller, type SessionView, type TerminalSession } from './session';
import { SessionAccess } from './session-access';
import { SessionStore } from './session-store';

export const newSessionId = (): string => `t_${randomBytes(16).toString('base64url')}`;

export interface CreateSessionInput {
  workspaceId: string;
  name?: string;
  cols: number;
  rows: number;
}

/** Validates the create body (openapi.yaml `createSession`). */
export function parseCreateSession(body: unknown): CreateSessionInput {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b.workspace_id !== 'string' || b.workspace_id === '' || b.workspace_id.length > 128) throw new InvalidRequestError('workspace_id is required');
  const int = (name: string, min: number, max: number, fallback: number): number => {
    const v = b[name] ?? fallback;
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) throw new InvalidRequestError(`${name} must be a whole number from ${min} to ${max}`);
    return v as number;
  };
  return { workspaceId: b.workspace_id, name: b.name === undefined ? undefined : parseName(b.name), cols: int('cols', 10, 500, 80), rows: int('rows', 5, 200, 24) };
}

export function parseName(name: unknown): string {
  // No control characters: the name is shown on a tab and in audit trails.
  if (typeof name !== 'string' || name.trim() === '' || name.length > 64 || /\p{Cc}/u.test(name)) throw new InvalidRequestError('name must be 1 to 64 printable characters');
  return name.trim();
}

/**
 * The shell's whole environment: nothing of this service's own (paths of secrets, addresses) reaches it. SHELL
 * matters to tmux: without it tmux runs commands through the account's login shell, which for a workspace account
 * is nologin.
 */
export function shellEnvironment(home: string, sessionId: string, shell: string): Record<string, string> {
  return { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', TERM: 'screen-256color', SHELL: shell, AIRLOCK_TERMINAL_SESSION: sessionId };
}

@Injectable()
export class CreateSession {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof terminalConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly workspaces: WorkspaceHosts,
    private readonly store: SessionStore,
    private readonly hot: HotState,
    private readonly pty: Pty,
    private readonly audit: TerminalAudit,
    private readonly policy: TerminalPolicy,
    private readonly recorder: SessionRecorder,
  ) {}

  async execute(caller: Caller, input: CreateSessionInput): Promise<SessionView> {
    const host = await this.workspaces.resolve(input.workspaceId, caller);
    if (!host || host.tenantId !== caller.tenantId || host.ownerUserId !== caller.userId) throw new TerminalForbiddenError('terminals open only in your own workspaces');
    if (!host.running) throw new WorkspaceNotRunningError();
    const rules = await this.policy.rulesFor(caller.tenantId);
    // Refused before a shell exists: a session policy wants recorded never runs unrecorded.
    if (rules.recording !== 'off' && !this.recorder.configured) throw new RecordingUnavailableError('recording is required by policy and not configured here');
    const id = newSessionId();
    const row = { id, tenantId: caller.tenantId, workspaceId: input.workspaceId, ownerUserId: caller.userId, name: input.name ?? `terminal ${id.slice(2, 6)}`, accountKey: host.account.key, recording: rules.recording, limits: rules.limits };
    if (!(await this.store.insertWithinLimit(row, rules.maxSessionsPerUser))) throw new SessionLimitError(rules.maxSessionsPerUser);
    try {
      await this.pty.create(host.account, { name: id, shell: this.config.TERMINAL_SHELL, cols: input.cols, rows: input.rows, env: shellEnvironment(host.account.home, id, this.config.TERMINAL_SHELL) });
    } catch (error) {
      this.logger.error({ err: String(error), session_id: id }, 'tmux could not start the shell');
      await this.store.markTerminated(id, 'start_failed');
      throw new PtyUnavailableError(error);
    }
    const session = (await this.store.get(id))!;
    if (rules.recording !== 'off') {
      try {
        await this.recorder.start(session, rules, input);
      } catch (error) {
        this.logger.error({ err: String(error), session_id: id }, 'the recording policy requires could not be started');
        await this.pty.kill(host.account, id);
        await this.store.markTerminated(id, 'recording_failed');
        throw error;
      }
    }
    await this.hot.touchInput(id, Date.now());
    await this.audit.record({ action: 'create', session, actor: caller.userId });
    return sessionView(session, 'owner', false);
  }
}

@Injectable()
export class ReadSessions {
  constructor(
    private readonly store: SessionStore,
    private readonly access: SessionAccess,
    private readonly hot: HotState,
  ) {}

  async list(caller: Caller): Promise<SessionView[]> {
    const sessions = await this.store.listVisible(caller.tenantId, caller.userId);
    return Promise.all(sessions.map(async (s) => sessionView(s, s.ownerUserId === caller.userId ? 'owner' : s.shares.find((h) => h.userId === caller.userId)!.mode, (await this.hot.live(s.id)).locked)));
  }

  async get(caller: Caller, id: string): Promise<SessionView> {
    const { session, access } = await this.access.require(id, caller);
    return sessionView(session, access, (await this.hot.live(id)).locked);
  }
}

@Injectable()
export class RenameSession {
  constructor(
    private readonly store: SessionStore,
    private readonly access: SessionAccess,
    private readonly hot: HotState,
    private readonly audit: TerminalAudit,
  ) {}

  async execute(caller: Caller, id: string, name: string): Promise<SessionView> {
    const { session } = await this.access.require(id, caller, true);
    await this.store.rename(id, name);
    await this.audit.record({ action: 'rename', session, actor: caller.userId });
    return sessionView({ ...session, name }, 'owner', (await this.hot.live(id)).locked);
  }
}

/** Ends a session: its shell is killed, every connection closed, the row kept (terminated) for the record. */
@Injectable()
export class TerminateSession {
  constructor(
    private readonly store: SessionStore,
    private readonly access: SessionAccess,
    private readonly hot: HotState,
    private readonly pty: Pty,
    private readonly connections: Connections,
    private readonly audit: TerminalAudit,
  ) {}

  async byOwner(caller: Caller, id: string): Promise<void> {
    const { session } = await this.access.require(id, caller, true);
    await this.execute(session, caller.userId, 'owner_closed');
  }

  /** `actor` empty: the service itself (TTL, the shell exited, the workspace went away). */
  async execute(session: TerminalSession, actor: string, reason: string): Promise<boolean> {
    await this.pty.kill(accountByKey(session.accountKey), session.id);
    const ended = await this.store.markTerminated(session.id, reason);
    this.connections.closeAll(session.id, CLOSE.terminated, reason);
    await this.hot.forget(session.id);
    if (ended) await this.audit.record({ action: 'terminate', session, actor, target: reason });
    return ended;
  }
}
