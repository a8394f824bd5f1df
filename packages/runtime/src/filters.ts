import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { ERROR_CODE_TRAILER } from '@airlock/grpc';
import { currentCorrelationId, type Logger } from '@airlock/telemetry';
import type { Response } from 'express';
import { throwError } from 'rxjs';
import { errorEnvelope } from './error-envelope';
import { HTTP_STATUS_CODES } from './error-codes';
import { AppError } from './errors';

interface Mapped {
  code: string;
  message: string;
  httpStatus: number;
  grpcStatus: GrpcStatus;
  retryable: boolean;
}

function map(exception: unknown): Mapped {
  if (exception instanceof AppError) {
    return { ...exception, message: exception.message, code: exception.code };
  }
  if (exception instanceof HttpException) {
    const httpStatus = exception.getStatus();
    return {
      code: HTTP_STATUS_CODES[httpStatus] ?? (httpStatus >= 500 ? 'internal' : 'bad_request'),
      message: exception.message,
      httpStatus,
      grpcStatus: httpStatus >= 500 ? GrpcStatus.INTERNAL : GrpcStatus.INVALID_ARGUMENT,
      retryable: false,
    };
  }
  return { code: 'internal', message: 'internal error', httpStatus: 500, grpcStatus: GrpcStatus.INTERNAL, retryable: false };
}

/** The gRPC status the filter answers `exception` with. */
export function grpcStatusOf(exception: unknown): GrpcStatus {
  return map(exception).grpcStatus;
}

function logFailure(logger: Logger, exception: unknown, mapped: Mapped): void {
  if (mapped.httpStatus >= 500 && !(exception instanceof AppError)) {
    logger.error({ err: exception }, 'unhandled error');
  } else {
    logger.info({ code: mapped.code, status: mapped.httpStatus }, 'request failed');
  }
}

/**
 * Answers an HTTP request with the envelope for `exception`: the filter below for handlers, and the runtime's
 * own middleware (request bodies refused before any route runs) — so both map errors the same way.
 */
export function answerHttpError(response: Response, exception: unknown, correlationId: string | undefined, logger: Logger): void {
  const mapped = map(exception);
  logFailure(logger, exception, mapped);
  if (response.headersSent) {
    // A streaming response already started: the stream's own error event carries the failure.
    response.end();
    return;
  }
  response.status(mapped.httpStatus).json(errorEnvelope(mapped, correlationId));
}

/** The one place errors become HTTP responses or gRPC statuses. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost) {
    const correlationId = currentCorrelationId();
    if (host.getType() !== 'rpc') {
      answerHttpError(host.switchToHttp().getResponse<Response>(), exception, correlationId, this.logger);
      return;
    }
    const mapped = map(exception);
    logFailure(this.logger, exception, mapped);
    const metadata = new Metadata();
    metadata.set(ERROR_CODE_TRAILER, mapped.code);
    if (correlationId) metadata.set('x-correlation-id', correlationId);
    return throwError(() => ({ code: mapped.grpcStatus, message: mapped.message, metadata }));
  }
}
