import { AppError, GrpcStatus, InvalidArgumentError } from '@airlock/runtime';

export class UnauthenticatedError extends AppError {
  constructor(code = 'unauthenticated', message = 'no verified identity on this request') {
    super(code, message, { httpStatus: 401, grpcStatus: GrpcStatus.UNAUTHENTICATED });
  }
}

export class ForbiddenError extends AppError {
  constructor(code: string, message: string) {
    super(code, message, { httpStatus: 403, grpcStatus: GrpcStatus.PERMISSION_DENIED });
  }
}

export class InvalidTokenRequestError extends InvalidArgumentError {
  constructor(message: string) {
    super('invalid_token_request', message);
  }
}

export class ApiTokenNotFoundError extends AppError {
  constructor() {
    super('token_not_found', 'no such token of yours', { httpStatus: 404, grpcStatus: GrpcStatus.NOT_FOUND });
  }
}

export class ApiTokensNotConfiguredError extends AppError {
  constructor() {
    super('api_tokens_not_configured', 'API tokens are not configured for this deployment (DATABASE_URL)', {
      httpStatus: 503,
      grpcStatus: GrpcStatus.UNAVAILABLE,
    });
  }
}
