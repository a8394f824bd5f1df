import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { CORRELATION_HEADER, acceptCorrelationId, runWithCorrelation } from '@airlock/telemetry';
import type { Request, Response } from 'express';
import { Observable } from 'rxjs';

/**
 * HTTP: every request runs in a correlation scope (the caller's well-formed `x-correlation-id`, or a new
 * one), echoed on the response. As middleware it wraps guards, handlers and exception filters alike.
 */
export function correlationMiddleware(req: Request, res: Response, next: () => void): void {
  const correlationId = acceptCorrelationId(req.headers[CORRELATION_HEADER]);
  res.setHeader(CORRELATION_HEADER, correlationId);
  runWithCorrelation(correlationId, next);
}

/** gRPC: the same scope, from the `x-correlation-id` metadata. */
@Injectable()
export class CorrelationInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const metadata = context.switchToRpc().getContext<Metadata>();
    const correlationId = acceptCorrelationId(metadata?.get?.(CORRELATION_HEADER)?.[0]);
    // The handler runs on subscription, so subscribing inside the scope puts the handler in it too.
    return new Observable((subscriber) => runWithCorrelation(correlationId, () => next.handle().subscribe(subscriber)));
  }
}
