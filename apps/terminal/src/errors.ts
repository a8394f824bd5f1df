import { isAuthenticationFailure } from '@airlock/postgres';
import { AppError, DependencyUnavailableError, GrpcStatus, InvalidArgumentError } from '@airlock/runtime';

/** Every code the terminal service raises; the README's error table lists exactly these (errors.spec.ts). */
export const TERMINAL_ERROR_CODES = [
  'terminal_invalid_request',
  'terminal_session_not_found',
  'terminal_forbidden',
  'terminal_share_mode_forbidden',
  'terminal_session_limit',
  'terminal_session_terminated',
  'terminal_workspace_not_running',
  'terminal_ticket_invalid',
  'terminal_origin_forbidden',
  'terminal_read_only',
  'terminal_locked',
  'terminal_workspace_unavailable',
  'terminal_pty_unavailable',
  'terminal_store_unavailable',
  'terminal_store_auth_failed',
  'terminal_policy_unavailable',
  'terminal_recording_unavailable',
  'terminal_recording_not_found',
] as const;
export type TerminalErrorCode = (typeof TERMINAL_ERROR_CODES)[number];

export class InvalidRequestError extends InvalidArgumentError<TerminalErrorCode> {
  constructor(message: string) {
    super('terminal_invalid_request', message);
  }
}

export class SessionNotFoundError extends AppError<TerminalErrorCode> {
  constructor() {
    super('terminal_session_not_found', 'no such terminal session', { httpStatus: 404, grpcStatus: GrpcStatus.NOT_FOUND });
  }
}

/** Neither the owner nor invited; or an owner-only action by someone else. Same answer for both: no hint who owns it. */
export class TerminalForbiddenError extends AppError<TerminalErrorCode> {
  constructor(message = 'this terminal session is not yours and was not shared with you') {
    super('terminal_forbidden', message, { httpStatus: 403, grpcStatus: GrpcStatus.PERMISSION_DENIED });
  }
}

export class ShareModeForbiddenError extends AppError<TerminalErrorCode> {
  constructor() {
    super('terminal_share_mode_forbidden', 'read-write sharing is not allowed for this session; share read-only', { httpStatus: 403, grpcStatus: GrpcStatus.PERMISSION_DENIED });
  }
}

export class SessionLimitError extends AppError<TerminalErrorCode> {
  constructor(max: number) {
    super('terminal_session_limit', `at most ${max} live terminal sessions per user; close one first`, { httpStatus: 429, grpcStatus: GrpcStatus.RESOURCE_EXHAUSTED });
  }
}

export class SessionTerminatedError extends AppError<TerminalErrorCode> {
  constructor() {
    super('terminal_session_terminated', 'the terminal session has ended', { httpStatus: 409, grpcStatus: GrpcStatus.FAILED_PRECONDITION });
  }
}

export class WorkspaceNotRunningError extends AppError<TerminalErrorCode> {
  constructor() {
    super('terminal_workspace_not_running', 'the workspace is not running; start it first', { httpStatus: 409, grpcStatus: GrpcStatus.FAILED_PRECONDITION });
  }
}

/** Missing, expired, already used, or issued for another session or caller: one answer for all. */
export class TicketInvalidError extends AppError<TerminalErrorCode> {
  constructor() {
    super('terminal_ticket_invalid', 'the terminal ticket is missing, expired or already used; ask for a new one', { httpStatus: 401, grpcStatus: GrpcStatus.UNAUTHENTICATED });
  }
}

export class OriginForbiddenError extends AppError<TerminalErrorCode> {
  constructor() {
    super('terminal_origin_forbidden', 'WebSocket upgrade from an origin that is not allowed', { httpStatus: 403, grpcStatus: GrpcStatus.PERMISSION_DENIED });
  }
}

export class WorkspaceUnavailableError extends DependencyUnavailableError<TerminalErrorCode> {
  constructor(cause: unknown) {
    super('terminal_workspace_unavailable', 'the workspace service cannot be asked now', cause);
  }
}

/** tmux could not start or reach the session's holder. */
export class PtyUnavailableError extends DependencyUnavailableError<TerminalErrorCode> {
  constructor(cause: unknown) {
    super('terminal_pty_unavailable', 'the terminal holder (tmux) failed', cause);
  }
}

export class TerminalStoreUnavailableError extends DependencyUnavailableError<TerminalErrorCode> {
  constructor(cause: unknown) {
    super('terminal_store_unavailable', 'terminal store unavailable', cause);
  }
}

export class TerminalStoreAuthFailedError extends AppError<TerminalErrorCode> {
  constructor(cause: unknown) {
    super('terminal_store_auth_failed', 'the terminal store refused the service credentials', { httpStatus: 503, grpcStatus: GrpcStatus.UNAVAILABLE, retryable: false, cause });
  }
}

export class PolicyUnavailableError extends DependencyUnavailableError<TerminalErrorCode> {
  constructor(cause: unknown) {
    super('terminal_policy_unavailable', 'the policy service cannot be asked whether this session is recorded', cause);
  }
}

/** Policy asks for a recording that cannot be made (not configured, key or disk failing): the session does not start. */
export class RecordingUnavailableError extends DependencyUnavailableError<TerminalErrorCode> {
  constructor(cause: unknown) {
    super('terminal_recording_unavailable', 'this session must be recorded and the recording cannot be made or read now', cause);
  }
}

export class RecordingNotFoundError extends AppError<TerminalErrorCode> {
  constructor() {
    super('terminal_recording_not_found', 'no such recording (never made, or deleted after its retention)', { httpStatus: 404, grpcStatus: GrpcStatus.NOT_FOUND });
  }
}

/** The store's failure as the typed error callers get: a refused login, or the store unreachable. */
export function terminalStoreError(cause: unknown): TerminalStoreAuthFailedError | TerminalStoreUnavailableError {
  return isAuthenticationFailure(cause) ? new TerminalStoreAuthFailedError(cause) : new TerminalStoreUnavailableError(cause);
}

/** Why a keystroke was refused on an open connection (sent as a text frame, not an HTTP error). */
export type InputRefusal = Extract<TerminalErrorCode, 'terminal_read_only' | 'terminal_locked'>;
