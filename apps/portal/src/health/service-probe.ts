import { Inject, Injectable } from '@nestjs/common';
import { checkHealth } from '@airlock/grpc';
import { APP_CONFIG, grpcClientCredentials, type ServiceConfig } from '@airlock/runtime';
import type { portalConfig } from '../config';
import { samplesOf } from './metrics-text';

/** Where one service answers: its gRPC port (grpc.health.v1) and its Prometheus endpoint. */
export interface HealthTarget {
  grpc: string;
  metrics: string;
}

export type ServiceStatus = 'serving' | 'not_serving' | 'down';

export interface ServiceHealth {
  name: string;
  /** serving: its gRPC health says SERVING; not_serving: it answers, but not SERVING; down: no answer in time. */
  status: ServiceStatus;
  /** `service.version` from its /metrics (`target_info`); null when that did not answer. */
  version: string | null;
  /** Until both probes had answered or timed out. */
  latency_ms: number;
  /** Why it is not plainly up, in a sentence for the SRE; null when it is. */
  detail: string | null;
}

/** One probe's answer: the service's health, and its metrics text for the figures read from it. */
export interface ProbeResult {
  health: ServiceHealth;
  metrics: string | null;
}

/**
 * Probes one service: its gRPC health (with this service's client certificate under mTLS) and its /metrics, at
 * once, each bounded by HEALTH_PROBE_TIMEOUT_MS, so a dead or hung service shows as down instead of holding the
 * page.
 */
@Injectable()
export class ServiceProbe {
  private readonly credentials;

  constructor(@Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof portalConfig>) {
    this.credentials = grpcClientCredentials(config);
  }

  async probe(name: string, target: HealthTarget): Promise<ProbeResult> {
    const timeoutMs = this.config.HEALTH_PROBE_TIMEOUT_MS;
    const started = performance.now();
    const [grpc, metrics] = await Promise.all([checkHealth(target.grpc, '', timeoutMs, this.credentials), this.metrics(target.metrics, timeoutMs)]);
    const status: ServiceStatus = grpc === 'SERVING' ? 'serving' : grpc === 'UNREACHABLE' ? 'down' : 'not_serving';
    const version = metrics ? (samplesOf(metrics, 'target_info')[0]?.labels.service_version ?? null) : null;
    const detail =
      status === 'down'
        ? `no gRPC health answer within ${timeoutMs} ms`
        : status === 'not_serving'
          ? `gRPC health answers ${grpc}`
          : metrics === null
            ? `its metrics endpoint did not answer within ${timeoutMs} ms`
            : null;
    return { health: { name, status, version, latency_ms: Math.round(performance.now() - started), detail }, metrics };
  }

  private async metrics(url: string, timeoutMs: number): Promise<string | null> {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      return res.ok ? await res.text() : null;
    } catch {
      return null;
    }
  }
}
