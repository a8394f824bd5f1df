import { AppError, DependencyUnavailableError, GrpcStatus, InvalidArgumentError } from '@airlock/runtime';

/** Direct issuance is a dev/CI convenience; production tokens come from the login flow. */
export class TokenIssueDisabledError extends AppError {
  constructor() {
    super('token_issue_disabled', 'token issuance is disabled in this deployment (IDENTITY_ALLOW_ISSUE)', {
      httpStatus: 403,
      grpcStatus: GrpcStatus.PERMISSION_DENIED,
    });
  }
}

export class InvalidPrincipalError extends InvalidArgumentError {
  constructor(readonly fields: string[]) {
    super('invalid_principal', `principal is missing or has invalid fields: ${fields.join(', ')}`);
  }
}

export class TokenTtlTooLongError extends InvalidArgumentError {
  constructor(max: number) {
    super('token_ttl_too_long', `ttl_seconds must be at most ${max}`);
  }
}

export class TokenStoreUnavailableError extends DependencyUnavailableError {
  constructor(cause?: unknown) {
    super('token_store_unavailable', 'the token store (Redis) is unavailable', cause);
  }
}
