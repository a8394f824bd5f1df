import { AppError, DependencyUnavailableError, GrpcStatus, InvalidArgumentError } from '@airlock/runtime';

// The owner API's refusals (/api/workspace/v1/): the codes its OpenAPI document names. Domain errors keep their
// own codes (workspace_not_found, workspace_exists, workspace_invalid_transition, workspace_store_unavailable).

/** The request body or a parameter is malformed; the message says which field. */
export class InvalidOwnerRequestError extends InvalidArgumentError {
  constructor(message: string) {
    super('invalid_request', message);
  }
}

/** A workspace for a project the caller does not belong to. */
export class ProjectNotAllowedError extends AppError {
  constructor(projectId: string, projects: readonly string[]) {
    const yours = projects.length > 0 ? `yours: ${projects.join(', ')}` : 'you are not scoped to any project';
    super('project_not_allowed', `project ${projectId} is not one of your projects (${yours})`, { httpStatus: 403, grpcStatus: GrpcStatus.PERMISSION_DENIED });
  }
}

/** Someone else's workspace in the caller's tenant, and the caller is no tenant administrator. */
export class NotWorkspaceOwnerError extends AppError {
  constructor(workspaceId: string) {
    super('not_workspace_owner', `workspace ${workspaceId} belongs to another user; only its owner or a tenant administrator may use it`, {
      httpStatus: 403,
      grpcStatus: GrpcStatus.PERMISSION_DENIED,
    });
  }
}

/**
 * A new workspace would exceed a quota. The message is the quota's own (`quota user.cpu_millis exceeded: user
 * alice would hold 6000 millicores (limit 4000)`); 409 rather than 429, because waiting does not help — the
 * caller has to free resources (stop or delete a workspace) or pick a smaller size.
 */
export class QuotaExceededError extends AppError {
  constructor(
    readonly quota: string,
    quotaMessage: string,
  ) {
    super('quota_exceeded', quotaMessage, { httpStatus: 409, grpcStatus: GrpcStatus.RESOURCE_EXHAUSTED });
  }
}

/** Identity, which knows the projects of a person in several, did not answer; asking again may work. */
export class IdentityUnavailableError extends DependencyUnavailableError {
  constructor(cause: unknown) {
    super('identity_unavailable', 'the identity service did not answer; try again shortly', cause);
  }
}
