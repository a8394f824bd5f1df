import { AppError, DependencyUnavailableError, GrpcStatus, InvalidArgumentError } from '@airlock/runtime';
import type { PolicyErrorCode } from '../error-codes';

export class VersionNotFoundError extends AppError<PolicyErrorCode> {
  constructor(ref: string) {
    super('policy_version_unknown', `no policy version ${JSON.stringify(ref)}`, { httpStatus: 404, grpcStatus: GrpcStatus.NOT_FOUND });
  }
}

export class DraftNotFoundError extends AppError<PolicyErrorCode> {
  constructor(id: string) {
    super('draft_not_found', `no draft ${JSON.stringify(id)}`, { httpStatus: 404, grpcStatus: GrpcStatus.NOT_FOUND });
  }
}

/** If-Match named another revision than the draft's: someone changed it since the caller read it. */
export class PreconditionFailedError extends AppError<PolicyErrorCode> {
  constructor(readonly current: number) {
    super('precondition_failed', `the draft changed since you read it (now at ETag "${current}"); read it again and reapply your change`, {
      httpStatus: 412,
      grpcStatus: GrpcStatus.FAILED_PRECONDITION,
    });
  }
}

export class PreconditionRequiredError extends AppError<PolicyErrorCode> {
  constructor() {
    super('precondition_required', 'If-Match with the draft\'s ETag is required (read the draft first)', {
      httpStatus: 428,
      grpcStatus: GrpcStatus.FAILED_PRECONDITION,
    });
  }
}

export class DraftStateError extends AppError<PolicyErrorCode> {
  constructor(id: string, state: string, expected: string) {
    super('draft_state_conflict', `draft ${id} is ${state}; this needs it ${expected}`, { httpStatus: 409, grpcStatus: GrpcStatus.FAILED_PRECONDITION });
  }
}

/** Another version was published after the draft's base: approving it would silently undo that version. */
export class DraftStaleError extends AppError<PolicyErrorCode> {
  constructor(base: number, latest: number) {
    super('draft_stale', `the draft is based on version ${base} but version ${latest} has been published since; start a new draft from it`, {
      httpStatus: 409,
      grpcStatus: GrpcStatus.FAILED_PRECONDITION,
    });
  }
}

/** Four eyes: nobody approves a change they wrote or proposed. */
export class SelfApprovalError extends AppError<PolicyErrorCode> {
  constructor() {
    super('self_approval_forbidden', 'a change must be approved by a different security-admin than the one who wrote or proposed it', {
      httpStatus: 403,
      grpcStatus: GrpcStatus.PERMISSION_DENIED,
    });
  }
}

export class ActivationRefusedError extends AppError<PolicyErrorCode> {
  constructor(message: string) {
    super('activation_refused', message, { httpStatus: 409, grpcStatus: GrpcStatus.FAILED_PRECONDITION });
  }
}

/** Validation before propose: every problem, each as "<json path>: <message>". */
export class InvalidBundleProblemsError extends InvalidArgumentError<PolicyErrorCode> {
  constructor(readonly problems: string[]) {
    super('invalid_bundle', `${problems.length} problem(s): ${problems.join('; ')}`);
  }
}

export class StoreNotConfiguredError extends AppError<PolicyErrorCode> {
  constructor() {
    super('bundle_store_not_configured', 'versioned bundles need DATABASE_URL; this policy service serves its bundle file only', {
      httpStatus: 503,
      grpcStatus: GrpcStatus.UNAVAILABLE,
    });
  }
}

export class StoreUnavailableError extends DependencyUnavailableError<PolicyErrorCode> {
  constructor(cause: unknown) {
    super('bundle_store_unavailable', 'the bundle store is unreachable; decisions continue with the last good version', cause);
  }
}

/**
 * PostgreSQL refused policy's role (wrong or rotated password, no pg_hba.conf entry): decisions go on with the
 * last good version, but the credentials need fixing, so not a quick retry.
 */
export class StoreAuthFailedError extends AppError<PolicyErrorCode> {
  constructor(cause: unknown) {
    super('bundle_store_auth_failed', 'the bundle store refused the service credentials; decisions continue with the last good version', {
      httpStatus: 503,
      grpcStatus: GrpcStatus.UNAVAILABLE,
      retryable: false,
      cause,
    });
  }
}

// Connection-level failures: the store is down or gone, not the request wrong (class 08, shutdown, missing database).
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', '57P01', '57P02', '57P03', '3D000']);

export function isStoreUnreachable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (code && (UNREACHABLE_CODES.has(code) || code.startsWith('08'))) return true;
  return /Connection terminated|timeout exceeded when trying to connect/i.test(message ?? '');
}
