import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, grpcClientCredentials, loadMtlsMaterial, type ServiceConfig } from '@airlock/runtime';
import { ConfigError } from '@airlock/config';
import { metrics } from '@airlock/telemetry';
import { BackendUnavailableError } from '../gateway.errors';
import { REQUEST_TYPES, type RequestType, type gatewayConfig } from '../config';
import { BackendClient } from '../upstream/backend-client';
import { Bulkhead } from '../upstream/bulkhead';
import { CircuitBreaker, type BreakerState } from '../upstream/circuit-breaker';
import { RagGrpcClient } from '../upstream/rag-grpc-client';

export interface Backend {
  client: BackendClient;
  breaker: CircuitBreaker;
}

const STATE_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

/** The gateway's own certificate for a backend that requires one; such a backend cannot be reached with mTLS off. */
function backendTls(id: string, config: ServiceConfig<typeof gatewayConfig>): { cert: Buffer; key: Buffer; ca: Buffer } {
  const material = loadMtlsMaterial(config);
  if (!material || !config.GATEWAY_BACKENDS[id].baseUrl.startsWith('https:')) {
    throw new ConfigError([{ variable: 'GATEWAY_BACKENDS', message: `backend ${id}: "mtls" needs an https: baseUrl and the gateway's MTLS_* files` }]);
  }
  return { cert: material.certChain, key: material.privateKey, ca: material.ca };
}

/** The configured backends (GATEWAY_BACKENDS), each with its pools and circuit breaker, and the bulkheads. */
@Injectable()
export class BackendPool implements OnApplicationShutdown {
  private readonly backends = new Map<string, Backend>();
  private readonly bulkheads = new Map<RequestType, Bulkhead>();

  constructor(@Inject(APP_CONFIG) config: ServiceConfig<typeof gatewayConfig>) {
    for (const [id, b] of Object.entries(config.GATEWAY_BACKENDS)) {
      const client =
        b.protocol === 'rag' && b.baseUrl.startsWith('grpc:')
          ? new RagGrpcClient(id, b, config.GATEWAY_BACKEND_TIMEOUT_MS, grpcClientCredentials(config))
          : new BackendClient(id, b, config.GATEWAY_BACKEND_TIMEOUT_MS, b.mtls ? backendTls(id, config) : undefined);
      this.backends.set(id, { client, breaker: new CircuitBreaker(b.breaker) });
    }
    for (const type of REQUEST_TYPES) this.bulkheads.set(type, new Bulkhead(config.GATEWAY_BULKHEADS[type]));
    metrics
      .getMeter('airlock-gateway')
      .createObservableGauge('ai_gateway_backend_circuit_state', { description: 'Circuit breaker per backend: 0 closed, 1 half-open, 2 open' })
      .addCallback((result) => {
        for (const [id, b] of this.backends) result.observe(STATE_VALUE[b.breaker.state], { backend: id });
      });
  }

  list(): { id: string; protocol: string; baseUrl: string }[] {
    return [...this.backends].map(([id, b]) => ({ id, protocol: b.client.config.protocol, baseUrl: b.client.config.baseUrl }));
  }

  get(id: string): Backend {
    const backend = this.backends.get(id);
    if (!backend) throw new BackendUnavailableError(id);
    return backend;
  }

  bulkhead(type: RequestType): Bulkhead {
    return this.bulkheads.get(type)!;
  }

  /** Liveness probe for the operator view: an OpenAI backend lists its models, Tabby answers its health. */
  async probe(id: string): Promise<boolean> {
    const { client } = this.get(id);
    const path = client.config.protocol === 'tabby' ? 'v1/health' : client.config.protocol === 'rag' ? 'health' : 'v1/models';
    try {
      const res = await client.send('probe', { path, method: 'GET', signal: AbortSignal.timeout(1_000) });
      await res.text();
      return true;
    } catch {
      return false;
    }
  }

  onApplicationShutdown(): void {
    for (const b of this.backends.values()) b.client.close();
  }
}
