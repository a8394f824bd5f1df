import { status as GrpcStatus } from '@grpc/grpc-js';

export { GrpcStatus };

export interface AppErrorOptions {
  httpStatus: number;
  grpcStatus: GrpcStatus;
  retryable?: boolean;
  cause?: unknown;
}

/**
 * Base of every error a service raises on purpose. Each module subclasses it with its own codes (`C`: the
 * service's union of error codes, so a code its README does not list cannot be raised); the filters in this
 * package map it once to HTTP (`{error:{code,message,correlation_id,retryable}}`) and to gRPC status (code in
 * the `x-error-code` trailer), so no handler formats errors itself.
 */
export class AppError<C extends string = string> extends Error {
  readonly httpStatus: number;
  readonly grpcStatus: GrpcStatus;
  readonly retryable: boolean;

  constructor(
    readonly code: C,
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
export class InvalidArgumentError<C extends string = string> extends AppError<C> {
  constructor(code: C, message: string) {
    super(code, message, { httpStatus: 400, grpcStatus: GrpcStatus.INVALID_ARGUMENT });
  }
}

/** A dependency (another service, a broker, a backend) is unreachable: 503 / UNAVAILABLE, retryable. */
export class DependencyUnavailableError<C extends string = string> extends AppError<C> {
  constructor(code: C, message: string, cause?: unknown) {
    super(code, message, { httpStatus: 503, grpcStatus: GrpcStatus.UNAVAILABLE, retryable: true, cause });
  }
}
