import { AppError, DependencyUnavailableError, GrpcStatus, InvalidArgumentError } from '@airlock/runtime';
import type { IdentityErrorCode } from '../error-codes';

export class UnauthenticatedError extends AppError<IdentityErrorCode> {
  constructor(code: IdentityErrorCode = 'unauthenticated', message = 'no verified identity on this request') {
    super(code, message, { httpStatus: 401, grpcStatus: GrpcStatus.UNAUTHENTICATED });
  }
}

export class ForbiddenError extends AppError<IdentityErrorCode> {
  constructor(code: IdentityErrorCode, message: string) {
    super(code, message, { httpStatus: 403, grpcStatus: GrpcStatus.PERMISSION_DENIED });
  }
}

export class InvalidTokenRequestError extends InvalidArgumentError<IdentityErrorCode> {
  constructor(message: string) {
    super('invalid_token_request', message);
  }
}

export class ApiTokenNotFoundError extends AppError<IdentityErrorCode> {
  constructor() {
    super('token_not_found', 'no such token of yours', { httpStatus: 404, grpcStatus: GrpcStatus.NOT_FOUND });
  }
}

export class ApiTokensNotConfiguredError extends AppError<IdentityErrorCode> {
  constructor() {
    super('api_tokens_not_configured', 'API tokens are not configured for this deployment (DATABASE_URL)', {
      httpStatus: 503,
      grpcStatus: GrpcStatus.UNAVAILABLE,
    });
  }
}

/**
 * PostgreSQL refused the service's role (wrong or rotated password, no pg_hba.conf entry): the deployment's
 * credentials need fixing, so UNAVAILABLE / 503 but not worth a quick retry.
 */
export class TokenDatabaseAuthFailedError extends AppError<IdentityErrorCode> {
  constructor(cause: unknown) {
    super('token_db_auth_failed', 'the token database refused the service credentials', { httpStatus: 503, grpcStatus: GrpcStatus.UNAVAILABLE, retryable: false, cause });
  }
}

/** A lost or unreachable token database: one typed, retryable error (UNAVAILABLE / 503). */
export class TokenDatabaseUnavailableError extends DependencyUnavailableError<IdentityErrorCode> {
  constructor(cause: unknown) {
    super('token_db_unavailable', 'the token database is unavailable', cause);
  }
}
