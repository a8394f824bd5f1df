import { status as GrpcStatus } from '@grpc/grpc-js';

export { GrpcStatus };

export interface AppErrorOptions {
  httpStatus: number;
  grpcStatus: GrpcStatus;
  retryable?: boolean;
  cause?: unknown;
}

/**
 * Base of every error a service raises on purpose. Each module subclasses it with its own codes; the filters
 * in this package map it once to HTTP (`{error:{code,message,correlation_id,retryable}}`) and to gRPC status
 * (code in the `x-error-code` trailer), so no handler formats errors itself.
 */
export class AppError extends Error {
  readonly httpStatus: number;
  readonly grpcStatus: GrpcStatus;
  readonly retryable: boolean;

  constructor(
    readonly code: string,
    message: string,
    options: AppErrorOptions,
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.httpStatus = options.httpStatus;
    this.grpcStatus = options.grpcStatus;
    this.retryable = options.retryable ?? false;
  }
}

/** Input that fails validation: 400 / INVALID_ARGUMENT. */
export class InvalidArgumentError extends AppError {
  constructor(code: string, message: string) {
    super(code, message, { httpStatus: 400, grpcStatus: GrpcStatus.INVALID_ARGUMENT });
  }
}

/** A dependency (another service, a broker, a backend) is unreachable: 503 / UNAVAILABLE, retryable. */
export class DependencyUnavailableError extends AppError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { httpStatus: 503, grpcStatus: GrpcStatus.UNAVAILABLE, retryable: true, cause });
  }
}
