import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import { APP_LOGGER, AppError, type ErrorEnvelope } from '@airlock/runtime';
import { currentCorrelationId, type Logger } from '@airlock/telemetry';
import type { Response } from 'express';

/** Anthropic's error `type` for an HTTP status, as its SDKs and Claude Code branch on it. */
export function anthropicErrorType(httpStatus: number): string {
  if (httpStatus === 401) return 'authentication_error';
  if (httpStatus === 403) return 'permission_error';
  if (httpStatus === 404) return 'not_found_error';
  if (httpStatus === 413) return 'request_too_large';
  if (httpStatus === 429) return 'rate_limit_error';
  if (httpStatus === 503 || httpStatus === 529) return 'overloaded_error';
  if (httpStatus >= 500) return 'api_error';
  return 'invalid_request_error';
}

export interface AnthropicErrorBody {
  type: 'error';
  error: ErrorEnvelope['error'] & { type: string };
}

/**
 * The error body of the Anthropic surface: Anthropic's shape (`{type:"error", error:{type, message}}`) whose
 * `error` also carries every field of the platform's envelope (code, correlation_id, retryable) — a client of
 * either kind reads what it expects, and the correlation id is never lost.
 */
export function anthropicError(error: { code: string; message: string; retryable: boolean; httpStatus: number }, correlationId: string | undefined): AnthropicErrorBody {
  return {
    type: 'error',
    error: { type: anthropicErrorType(error.httpStatus), code: error.code, message: error.message, correlation_id: correlationId || null, retryable: error.retryable },
  };
}

/**
 * Errors of the Anthropic routes in the Anthropic shape (the runtime's filter answers every other route). A
 * refusal at the edge (ext_authz's 401/403/429) never reaches the gateway and keeps the platform envelope; the
 * SDKs still map those by status.
 */
@Catch()
export class AnthropicErrorFilter implements ExceptionFilter {
  constructor(@Inject(APP_LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const mapped =
      exception instanceof AppError
        ? exception
        : exception instanceof HttpException
          ? { code: exception.getStatus() >= 500 ? 'internal' : 'bad_request', message: exception.message, retryable: false, httpStatus: exception.getStatus() }
          : { code: 'internal', message: 'internal error', retryable: false, httpStatus: 500 };
    if (mapped.httpStatus >= 500 && !(exception instanceof AppError)) this.logger.error({ err: exception }, 'unhandled error');
    else this.logger.info({ code: mapped.code, status: mapped.httpStatus }, 'request failed');
    // A stream already started carries its own error event.
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(mapped.httpStatus).json(anthropicError(mapped, currentCorrelationId()));
  }
}
