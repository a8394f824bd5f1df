import { AppError, DependencyUnavailableError, GrpcStatus, InvalidArgumentError } from '@airlock/runtime';
import type { IdentityErrorCode } from '../error-codes';

/** Direct issuance is a dev/CI convenience; production tokens come from the login flow. */
export class TokenIssueDisabledError extends AppError<IdentityErrorCode> {
  constructor() {
    super('token_issue_disabled', 'token issuance is disabled in this deployment (IDENTITY_ALLOW_ISSUE)', {
      httpStatus: 403,
      grpcStatus: GrpcStatus.PERMISSION_DENIED,
    });
  }
}

export class InvalidPrincipalError extends InvalidArgumentError<IdentityErrorCode> {
  constructor(readonly fields: string[]) {
    super('invalid_principal', `principal is missing or has invalid fields: ${fields.join(', ')}`);
  }
}

export class TokenTtlTooLongError extends InvalidArgumentError<IdentityErrorCode> {
  constructor(max: number) {
    super('token_ttl_too_long', `ttl_seconds must be at most ${max}`);
  }
}

export class TokenStoreUnavailableError extends DependencyUnavailableError<IdentityErrorCode> {
  constructor(cause?: unknown) {
    super('token_store_unavailable', 'the token store (Redis) is unavailable', cause);
  }
}

/**
 * Redis refused identity's user (wrong or rotated REDIS_PASSWORD_FILE, a missing user, an ACL without a key or
 * command identity needs): the deployment's credentials need fixing, so 503 but not worth a quick retry.
 */
export class TokenStoreAuthFailedError extends AppError<IdentityErrorCode> {
  constructor(cause: unknown) {
    super('token_store_auth_failed', "the token store (Redis) refused the service's credentials", { httpStatus: 503, grpcStatus: GrpcStatus.UNAVAILABLE, retryable: false, cause });
  }
}

/** RevokeToken was handed something this service did not sign. */
export class TokenMalformedError extends InvalidArgumentError<IdentityErrorCode> {
  constructor() {
    super('token_malformed', 'not a token signed by this service');
  }
}
