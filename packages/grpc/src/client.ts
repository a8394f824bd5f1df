import * as grpc from '@grpc/grpc-js';
import { context, propagation } from '@opentelemetry/api';
import { CORRELATION_HEADER, currentCorrelationId } from '@airlock/telemetry';

export interface ClientOptions {
  /** Deadline applied to every call that does not set its own. */
  deadlineMs?: number;
  /**
   * Methods safe to repeat (`package.Service/Method`, or `package.Service` for all of its methods): these
   * are retried on UNAVAILABLE, with backoff, by grpc-js's retry support.
   */
  idempotent?: string[];
  credentials?: grpc.ChannelCredentials;
  /**
   * Calls wait (within their deadline) for the channel to connect instead of failing at once while it is
   * still connecting or backing off — for a dependency that may start after this process.
   */
  waitForReady?: boolean;
}

type ClientConstructor<C> = new (address: string, credentials: grpc.ChannelCredentials, options?: Partial<grpc.ClientOptions>) => C;

function serviceConfig(idempotent: string[]): string {
  const names = idempotent.map((entry) => {
    const [service, method] = entry.split('/');
    return method ? { service, method } : { service };
  });
  return JSON.stringify({
    methodConfig: [
      {
        name: names,
        retryPolicy: {
          maxAttempts: 3,
          initialBackoff: '0.05s',
          maxBackoff: '0.5s',
          backoffMultiplier: 2,
          retryableStatusCodes: ['UNAVAILABLE'],
        },
      },
    ],
  });
}

/**
 * A ts-proto generated grpc-js client with Airlock's call defaults: a deadline on every call, retries of
 * idempotent methods on UNAVAILABLE, and `x-correlation-id` + W3C trace context carried as metadata.
 */
export function createClient<C extends grpc.Client>(Ctor: ClientConstructor<C>, address: string, options: ClientOptions = {}): C {
  const deadlineMs = options.deadlineMs ?? 5_000;
  const interceptor: grpc.Interceptor = (callOptions, nextCall) =>
    new grpc.InterceptingCall(nextCall({ ...callOptions, deadline: callOptions.deadline ?? Date.now() + deadlineMs }), {
      start(metadata, listener, next) {
        const correlationId = currentCorrelationId();
        if (correlationId && metadata.get(CORRELATION_HEADER).length === 0) metadata.set(CORRELATION_HEADER, correlationId);
        if (options.waitForReady) metadata.setOptions({ ...metadata.getOptions(), waitForReady: true });
        propagation.inject(context.active(), metadata, {
          set: (carrier, key, value) => carrier.set(key, value),
        });
        next(metadata, listener);
      },
    });
  const channelOptions: Partial<grpc.ClientOptions> = { interceptors: [interceptor] };
  if (options.idempotent?.length) channelOptions['grpc.service_config'] = serviceConfig(options.idempotent);
  return new Ctor(address, options.credentials ?? grpc.credentials.createInsecure(), channelOptions);
}

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: (error: grpc.ServiceError | null, response: Res) => void,
) => grpc.ClientUnaryCall;

/** Promise form of a generated unary method: `await unary(client.scan.bind(client), request)`. */
export function unary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, options: Partial<grpc.CallOptions> = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request, new grpc.Metadata(), options, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

export function isGrpcError(error: unknown): error is grpc.ServiceError {
  return typeof error === 'object' && error !== null && 'code' in error && 'metadata' in error;
}
