import { type CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { CORRELATION_HEADER, acceptCorrelationId, runWithCorrelation, type Logger } from '@airlock/telemetry';
import type { NextFunction, Request, Response } from 'express';
import { Observable, tap } from 'rxjs';

export const APP_LOGGER = Symbol('APP_LOGGER');

/**
 * HTTP: every request runs in a correlation scope (the caller's well-formed `x-correlation-id`, or a new
 * one), echoed on the response, and ends with one log line. As middleware it wraps guards, handlers and
 * exception filters alike.
 */
export function correlationMiddleware(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const correlationId = acceptCorrelationId(req.headers[CORRELATION_HEADER]);
    res.setHeader(CORRELATION_HEADER, correlationId);
    const started = performance.now();
    runWithCorrelation(correlationId, () => {
      res.once('finish', () =>
        logger.info(
          { method: req.method, path: req.path, status: res.statusCode, duration_ms: Math.round(performance.now() - started) },
          'http request',
        ),
      );
      next();
    });
  };
}

/** gRPC: the same scope, from the `x-correlation-id` metadata, and one log line per call. */
@Injectable()
export class CorrelationInterceptor implements NestInterceptor {
  constructor(@Inject(APP_LOGGER) private readonly logger: Logger) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const metadata = context.switchToRpc().getContext<Metadata>();
    const correlationId = acceptCorrelationId(metadata?.get?.(CORRELATION_HEADER)?.[0]);
    const method = `${context.getClass().name}.${context.getHandler().name}`;
    const started = performance.now();
    const done = (outcome: string) => this.logger.info({ method, outcome, duration_ms: Math.round(performance.now() - started) }, 'grpc call');
    // The handler runs on subscription, so subscribing inside the scope puts the handler in it too.
    return new Observable((subscriber) =>
      runWithCorrelation(correlationId, () =>
        next
          .handle()
          .pipe(tap({ complete: () => done('ok'), error: (e: { code?: string }) => done(e?.code ?? 'error') }))
          .subscribe(subscriber),
      ),
    );
  }
}
