import { type CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor } from '@nestjs/common';
import { status as GrpcStatus, type Metadata } from '@grpc/grpc-js';
import { CORRELATION_HEADER, acceptCorrelationId, metrics, runWithCorrelation, type Logger } from '@airlock/telemetry';
import type { NextFunction, Request, Response } from 'express';
import { Observable, tap } from 'rxjs';
import { grpcStatusOf } from './filters';

export const APP_LOGGER = Symbol('APP_LOGGER');

/**
 * HTTP: every request runs in a correlation scope (the caller's well-formed `x-correlation-id`, or a new
 * one), echoed on the response, and ends with one log line: at debug when it succeeded, else at info. A line
 * per answered request was the gateway's largest avoidable cost per AI call after its socket writes (a
 * synchronous JSON write each; tools/bench/gateway --cpu-prof), and every AI call is audited anyway; a
 * refused or failed request stays visible at info. As middleware it wraps guards, handlers and exception
 * filters alike.
 */
export function correlationMiddleware(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const correlationId = acceptCorrelationId(req.headers[CORRELATION_HEADER]);
    res.setHeader(CORRELATION_HEADER, correlationId);
    const started = performance.now();
    runWithCorrelation(correlationId, () => {
      res.once('finish', () => {
        const level = res.statusCode < 400 ? 'debug' : 'info';
        // Checked first: no fields object per request when the line would be dropped.
        if (!logger.isLevelEnabled(level)) return;
        logger[level]({ method: req.method, path: req.path, status: res.statusCode, duration_ms: Math.round(performance.now() - started) }, 'http request');
      });
      next();
    });
  };
}

/**
 * gRPC: the same scope, from the `x-correlation-id` metadata, one log line per call (debug when answered), and
 * `airlock_grpc_server_duration_seconds{method,code}` (method: the gRPC path) (the only per-call gRPC metric: the OTel gRPC
 * instrumentation records spans, no metrics). `code` is the gRPC status name the filter will answer with.
 */
@Injectable()
export class CorrelationInterceptor implements NestInterceptor {
  // Created with the provider (after the SDK started): a meter taken at import would be a no-op.
  private readonly duration = metrics.getMeter('airlock-runtime').createHistogram('airlock_grpc_server_duration_seconds', {
    description: 'gRPC calls handled by the service, by method and status code',
    unit: 's',
  });

  constructor(@Inject(APP_LOGGER) private readonly logger: Logger) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const metadata = context.switchToRpc().getContext<Metadata>();
    const correlationId = acceptCorrelationId(metadata?.get?.(CORRELATION_HEADER)?.[0]);
    const method = `${context.getClass().name}.${context.getHandler().name}`;
    // The call's full gRPC path (`/airlock.dlp.v1.DlpService/Scan`) names streaming handlers too.
    const rpc = (context.getArgByIndex(2) as { getPath?: () => string } | undefined)?.getPath?.() ?? method;
    const started = performance.now();
    const done = (outcome: string, grpcStatus: GrpcStatus) => {
      const ms = performance.now() - started;
      this.duration.record(ms / 1000, { method: rpc, code: GrpcStatus[grpcStatus] ?? 'UNKNOWN' });
      // Answered calls at debug: the metric above counts them, and a line per call (ext_authz Check at 1000/s)
      // was a large part of the edge's P99 (tools/bench/edge/ext-authz.js at info vs warn). Failures stay at info.
      const fields = { method, outcome, duration_ms: Math.round(ms) };
      if (grpcStatus === GrpcStatus.OK) this.logger.debug(fields, 'grpc call');
      else this.logger.info(fields, 'grpc call');
    };
    // The handler runs on subscription, so subscribing inside the scope puts the handler in it too.
    return new Observable((subscriber) =>
      runWithCorrelation(correlationId, () =>
        next
          .handle()
          .pipe(tap({ complete: () => done('ok', GrpcStatus.OK), error: (e: { code?: string }) => done(e?.code ?? 'error', grpcStatusOf(e)) }))
          .subscribe(subscriber),
      ),
    );
  }
}
