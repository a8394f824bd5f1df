import type { IncomingMessage } from 'node:http';
import { TLSSocket } from 'node:tls';
import { workloadOf } from '@airlock/grpc';
import { CORRELATION_HEADER, type Logger } from '@airlock/telemetry';
import type { NextFunction, Request, Response } from 'express';
import type { RuntimeErrorCode } from './error-codes';
import { AppError, GrpcStatus } from './errors';
import { answerHttpError } from './filters';

/** A verified caller the service's HTTP callers do not list: 403 `caller_not_allowed`, as on the gRPC ports. */
export class CallerNotAllowedError extends AppError<RuntimeErrorCode> {
  constructor() {
    super('caller_not_allowed', 'this workload may not call this HTTP port', { httpStatus: 403, grpcStatus: GrpcStatus.PERMISSION_DENIED });
  }
}

/**
 * The workload a request's connection verified, read once per connection: the server takes TLS 1.3 only, which has
 * no renegotiation, so the certificate a connection started with holds for every request on it.
 */
const callers = new WeakMap<TLSSocket, string | undefined>();
export function httpCallerOf(req: IncomingMessage): string | undefined {
  const socket = req.socket;
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  if (callers.has(socket)) return callers.get(socket);
  const caller = workloadOf(socket.getPeerCertificate());
  callers.set(socket, caller);
  return caller;
}

/**
 * Admits only the listed workloads to an mTLS HTTP port (the handshake already refused anyone without a certificate
 * from the internal CA); the rest get 403 `caller_not_allowed` with the request's correlation id. Runs after the
 * correlation middleware.
 */
export function httpCallersMiddleware(allowed: readonly string[], logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const caller = httpCallerOf(req);
    if (caller !== undefined && allowed.includes(caller)) {
      next();
      return;
    }
    logger.warn({ caller, path: req.path }, 'http request refused: caller not among the HTTP callers');
    const correlationId = res.getHeader(CORRELATION_HEADER);
    answerHttpError(res, new CallerNotAllowedError(), typeof correlationId === 'string' ? correlationId : undefined, logger);
  };
}
