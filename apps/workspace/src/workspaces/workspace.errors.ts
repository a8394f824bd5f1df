import { AppError, GrpcStatus, InvalidArgumentError } from '@airlock/runtime';

/** A request field fails validation; the message names the field so callers can fix it without guessing. */
export class WorkspaceInvalidArgumentError extends InvalidArgumentError {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super('workspace_invalid_argument', `${field}: ${reason}`);
  }
}

export class WorkspaceNotFoundError extends AppError {
  constructor(workspaceId: string) {
    super('workspace_not_found', `workspace ${workspaceId} not found`, { httpStatus: 404, grpcStatus: GrpcStatus.NOT_FOUND });
  }
}

/** Model A allows one live workspace per user per project. */
export class WorkspaceExistsError extends AppError {
  constructor(
    readonly tenantId: string,
    readonly ownerUserId: string,
    readonly projectId: string,
  ) {
    super('workspace_exists', `user ${ownerUserId} already has a live workspace for project ${projectId} in tenant ${tenantId}`, {
      httpStatus: 409,
      grpcStatus: GrpcStatus.ALREADY_EXISTS,
    });
  }
}

export class WorkspaceQuotaExceededError extends AppError {
  constructor(
    readonly quota: string,
    readonly limit: number,
  ) {
    super('workspace_quota_exceeded', `quota ${quota} exceeded: at most ${limit} live workspace(s) per user across projects`, {
      httpStatus: 429,
      grpcStatus: GrpcStatus.RESOURCE_EXHAUSTED,
    });
  }
}

/** The workspace's current desired state does not allow the requested one. */
export class WorkspaceInvalidTransitionError extends AppError {
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super('workspace_invalid_transition', `desired state cannot change from ${from} to ${to}`, {
      httpStatus: 409,
      grpcStatus: GrpcStatus.FAILED_PRECONDITION,
    });
  }
}

/** The registry's database cannot be reached; callers may retry. */
export class WorkspaceStoreUnavailableError extends AppError {
  constructor(cause: unknown) {
    super('workspace_store_unavailable', 'workspace store unavailable', {
      httpStatus: 503,
      grpcStatus: GrpcStatus.UNAVAILABLE,
      retryable: true,
      cause,
    });
  }
}
