// A terminal session as the service reasons about it, and who may do what with it.

export type SessionState = 'attached' | 'detached' | 'terminated';
export type ShareMode = 'read-only' | 'read-write';
export type Access = 'owner' | ShareMode;
/** What of the session is recorded, as the policy bundle said when it was created. */
export type RecordingMode = 'off' | 'output' | 'output_and_input';

/** A session's lifetime and sharing rules, fixed when it is created (the policy bundle, else the service's defaults). */
export interface SessionLimits {
  /** Seconds a detached session lives before it is ended. */
  detachedTtlSeconds: number;
  /** Seconds without input before the session locks until re-authentication; 0: never. */
  idleLockSeconds: number;
  /** Whether the owner may invite someone to type. */
  allowReadWriteSharing: boolean;
}

/** The service's own defaults, for tenants the policy bundle says nothing about. */
export const configuredLimits = (config: { TERMINAL_DETACHED_TTL_SECONDS: number; TERMINAL_IDLE_LOCK_SECONDS: number; TERMINAL_ALLOW_READ_WRITE_SHARING: boolean }): SessionLimits => ({
  detachedTtlSeconds: config.TERMINAL_DETACHED_TTL_SECONDS,
  idleLockSeconds: config.TERMINAL_IDLE_LOCK_SECONDS,
  allowReadWriteSharing: config.TERMINAL_ALLOW_READ_WRITE_SHARING,
});

export interface Share {
  userId: string;
  mode: ShareMode;
}

export interface TerminalSession {
  id: string;
  tenantId: string;
  workspaceId: string;
  ownerUserId: string;
  name: string;
  accountKey: string;
  state: SessionState;
  recording: RecordingMode;
  limits: SessionLimits;
  createdAt: Date;
  lastAttachedAt: Date | null;
  detachedAt: Date | null;
  shares: Share[];
}

export interface Caller {
  tenantId: string;
  userId: string;
}

/** The caller's access to the session, or undefined: another tenant, or neither the owner nor invited. */
export function accessOf(session: TerminalSession, caller: Caller): Access | undefined {
  if (session.tenantId !== caller.tenantId) return undefined;
  if (session.ownerUserId === caller.userId) return 'owner';
  return session.shares.find((s) => s.userId === caller.userId)?.mode;
}

export const canType = (access: Access): boolean => access !== 'read-only';

/** The JSON face (openapi.yaml `Session`); only the owner sees whom it is shared with. */
export function sessionView(session: TerminalSession, access: Access, locked: boolean) {
  return {
    id: session.id,
    workspace_id: session.workspaceId,
    owner_user_id: session.ownerUserId,
    name: session.name,
    state: session.state,
    recording: session.recording,
    locked,
    created_at: session.createdAt.toISOString(),
    last_attached_at: session.lastAttachedAt?.toISOString() ?? null,
    shares: access === 'owner' ? session.shares.map((s) => ({ user_id: s.userId, mode: s.mode })) : [],
    access,
  };
}
export type SessionView = ReturnType<typeof sessionView>;
