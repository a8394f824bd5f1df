import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { ERROR_CODE_TRAILER } from '@airlock/grpc';
import { currentCorrelationId, type Logger } from '@airlock/telemetry';
import type { Response } from 'express';
import { throwError } from 'rxjs';
import { errorEnvelope } from './error-envelope';
import { AppError } from './errors';

interface Mapped {
  code: string;
  message: string;
  httpStatus: number;
  grpcStatus: GrpcStatus;
  retryable: boolean;
}

const HTTP_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

function map(exception: unknown): Mapped {
  if (exception instanceof AppError) {
    return { ...exception, message: exception.message, code: exception.code };
  }
  if (exception instanceof HttpException) {
    const httpStatus = exception.getStatus();
    return {
      code: HTTP_CODES[httpStatus] ?? (httpStatus >= 500 ? 'internal' : 'bad_request'),
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

/** The one place errors become HTTP responses or gRPC statuses. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost) {
    const mapped = map(exception);
    const correlationId = currentCorrelationId();
    if (mapped.httpStatus >= 500 && !(exception instanceof AppError)) {
      this.logger.error({ err: exception }, 'unhandled error');
    } else {
      this.logger.info({ code: mapped.code, status: mapped.httpStatus }, 'request failed');
    }
    if (host.getType() === 'rpc') {
      const metadata = new Metadata();
      metadata.set(ERROR_CODE_TRAILER, mapped.code);
      if (correlationId) metadata.set('x-correlation-id', correlationId);
      return throwError(() => ({ code: mapped.grpcStatus, message: mapped.message, metadata }));
    }
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) {
      // A streaming response already started: the stream's own error event carries the failure.
      response.end();
      return;
    }
    response.status(mapped.httpStatus).json(errorEnvelope(mapped, correlationId));
  }
}
