import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { CORRELATION_HEADER, acceptCorrelationId, runWithCorrelation } from '@airlock/telemetry';
import type { Request, Response } from 'express';
import { Observable } from 'rxjs';

/**
 * Puts every request (HTTP or gRPC) in a correlation scope: the caller's well-formed `x-correlation-id`,
 * or a new one. HTTP responses echo it.
 */
@Injectable()
export class CorrelationInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    let correlationId: string;
    if (context.getType() === 'rpc') {
      const metadata = context.switchToRpc().getContext<Metadata>();
      correlationId = acceptCorrelationId(metadata?.get?.(CORRELATION_HEADER)?.[0]);
    } else {
      const http = context.switchToHttp();
      correlationId = acceptCorrelationId(http.getRequest<Request>().headers[CORRELATION_HEADER]);
      http.getResponse<Response>().setHeader(CORRELATION_HEADER, correlationId);
    }
    // The handler runs on subscription, so subscribing inside the scope puts the handler in it too.
    return new Observable((subscriber) => runWithCorrelation(correlationId, () => next.handle().subscribe(subscriber)));
  }
}
