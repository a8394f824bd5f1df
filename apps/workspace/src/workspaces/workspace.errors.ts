import { AppError, GrpcStatus, InvalidArgumentError } from '@airlock/runtime';

/** Every code the workspace service raises; the README's error table lists exactly these (workspace.errors.spec.ts). */
export const WORKSPACE_ERROR_CODES = [
  'workspace_invalid_argument',
  'workspace_image_not_catalogued',
  'workspace_not_found',
  'workspace_exists',
  'workspace_quota_exceeded',
  'workspace_invalid_transition',
  'workspace_extension_not_allowed',
  'workspace_extension_hash_mismatch',
  'workspace_extension_unavailable',
  'workspace_store_unavailable',
  'workspace_store_auth_failed',
] as const;
export type WorkspaceErrorCode = (typeof WORKSPACE_ERROR_CODES)[number];

/** A request field fails validation; the message names the field so callers can fix it without guessing. */
export class WorkspaceInvalidArgumentError extends InvalidArgumentError<WorkspaceErrorCode> {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super('workspace_invalid_argument', `${field}: ${reason}`);
  }
}

export class WorkspaceNotFoundError extends AppError<WorkspaceErrorCode> {
  constructor(workspaceId: string) {
    super('workspace_not_found', `workspace ${workspaceId} not found`, { httpStatus: 404, grpcStatus: GrpcStatus.NOT_FOUND });
  }
}

/** Model A allows one live workspace per user per project. */
export class WorkspaceExistsError extends AppError<WorkspaceErrorCode> {
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

/** A creation would exceed a quota; `quota` names it (e.g. `user.cpu_millis`) so the caller knows which. */
export class WorkspaceQuotaExceededError extends AppError<WorkspaceErrorCode> {
  constructor(
    readonly quota: string,
    readonly limit: number,
    detail: string,
  ) {
    super('workspace_quota_exceeded', `quota ${quota} exceeded: ${detail} (limit ${limit})`, {
      httpStatus: 429,
      grpcStatus: GrpcStatus.RESOURCE_EXHAUSTED,
    });
  }
}

/** Only catalogued images run; anything else is refused before it reaches a driver. */
export class ImageNotCataloguedError extends AppError<WorkspaceErrorCode> {
  constructor(readonly image: string) {
    super('workspace_image_not_catalogued', `image: ${image} is not in the image catalogue`, {
      httpStatus: 400,
      grpcStatus: GrpcStatus.INVALID_ARGUMENT,
    });
  }
}

/** The extension (or that version of it) is not on the workspace image's allowlist. */
export class ExtensionNotAllowedError extends AppError<WorkspaceErrorCode> {
  constructor(
    readonly extensionId: string,
    readonly version: string,
    image: string,
    reason: string,
  ) {
    super('workspace_extension_not_allowed', `extension ${extensionId}${version ? `@${version}` : ''} is not allowed on ${image}: ${reason}`, {
      httpStatus: 403,
      grpcStatus: GrpcStatus.PERMISSION_DENIED,
    });
  }
}

/** The VSIX file is not the one catalogued: tampered with, or the wrong build. */
export class ExtensionHashMismatchError extends AppError<WorkspaceErrorCode> {
  constructor(
    readonly extensionId: string,
    readonly version: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super('workspace_extension_hash_mismatch', `extension ${extensionId}@${version}: VSIX SHA-256 ${actual} does not match the catalogued ${expected}`, {
      httpStatus: 403,
      grpcStatus: GrpcStatus.PERMISSION_DENIED,
    });
  }
}

/** The catalogued VSIX cannot be read from the extension store, so it cannot be verified. */
export class ExtensionUnavailableError extends AppError<WorkspaceErrorCode> {
  constructor(
    readonly extensionId: string,
    reason: string,
  ) {
    super('workspace_extension_unavailable', `extension ${extensionId}: ${reason}`, {
      httpStatus: 503,
      grpcStatus: GrpcStatus.FAILED_PRECONDITION,
    });
  }
}

/** The workspace's current desired state does not allow the requested one. */
export class WorkspaceInvalidTransitionError extends AppError<WorkspaceErrorCode> {
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
export class WorkspaceStoreUnavailableError extends AppError<WorkspaceErrorCode> {
  constructor(cause: unknown) {
    super('workspace_store_unavailable', 'workspace store unavailable', {
      httpStatus: 503,
      grpcStatus: GrpcStatus.UNAVAILABLE,
      retryable: true,
      cause,
    });
  }
}

/** PostgreSQL refused the service's role (wrong or rotated password, no pg_hba.conf entry): credentials to fix, not a quick retry. */
export class WorkspaceStoreAuthFailedError extends AppError<WorkspaceErrorCode> {
  constructor(cause: unknown) {
    super('workspace_store_auth_failed', 'the workspace store refused the service credentials', {
      httpStatus: 503,
      grpcStatus: GrpcStatus.UNAVAILABLE,
      retryable: false,
      cause,
    });
  }
}
