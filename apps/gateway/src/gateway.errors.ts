import { AppError, DependencyUnavailableError, GrpcStatus, InvalidArgumentError } from '@airlock/runtime';

/** The request carries no identity set by the edge: it did not come through Envoy + ext_authz. */
export class MissingIdentityError extends AppError {
  constructor() {
    super('unauthenticated', 'no verified identity on the request', { httpStatus: 401, grpcStatus: GrpcStatus.UNAUTHENTICATED });
  }
}

/** Policy chose no route for this request type (the client never picks the model). */
export class NoRouteError extends AppError {
  constructor(endpoint: string) {
    super('no_route', `policy selected no backend for ${endpoint}`, { httpStatus: 403, grpcStatus: GrpcStatus.PERMISSION_DENIED });
  }
}

export class InvalidChatRequestError extends InvalidArgumentError {
  constructor(message: string) {
    super('invalid_request', message);
  }
}

/** DLP found something that must not reach a model at all. */
export class DlpBlockedError extends AppError {
  constructor(readonly ruleIds: string[]) {
    super('dlp_blocked', `request blocked by data-loss-prevention rules: ${ruleIds.join(', ')}`, {
      httpStatus: 422,
      grpcStatus: GrpcStatus.FAILED_PRECONDITION,
    });
  }
}

/** The DLP service cannot be reached: the prompt is never forwarded unscanned. */
export class DlpUnavailableError extends DependencyUnavailableError {
  constructor(cause: unknown) {
    super('dlp_unavailable', 'data-loss-prevention scan unavailable; request not forwarded', cause);
  }
}

export class BackendUnavailableError extends DependencyUnavailableError {
  constructor(backend: string, cause?: unknown) {
    super('backend_unavailable', `model backend ${backend} is unavailable`, cause);
  }
}

export class BackendTimeoutError extends AppError {
  constructor(backend: string) {
    super('backend_timeout', `model backend ${backend} did not answer in time`, {
      httpStatus: 504,
      grpcStatus: GrpcStatus.DEADLINE_EXCEEDED,
      retryable: true,
    });
  }
}
