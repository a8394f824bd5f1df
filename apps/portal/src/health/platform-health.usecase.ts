import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type EdgeIdentity, type ServiceConfig } from '@airlock/runtime';
import type { portalConfig } from '../config';
import { HealthRoleRequiredError } from './health.errors';
import { sumOf } from './metrics-text';
import { type ProbeResult, type ServiceHealth, ServiceProbe } from './service-probe';

/** GET /api/health/v1/status (apps/portal/openapi.yaml). */
export interface PlatformHealth {
  checked_at: string;
  /** ok: every service serving; degraded: any is not. */
  status: 'ok' | 'degraded';
  services: ServiceHealth[];
  policy: {
    /** The number of the store version policy decides with (0: its bundle file, before the store had one); null: unknown. */
    active_version: number | null;
  };
  audit: {
    /** Audit events on the topic the audit consumer group has not committed; null: unknown. */
    consumer_lag: number | null;
    /** Events held in the producers' local spools (those that export it); null: none does. */
    spool_messages: number | null;
  };
  links: { prometheus: string | null; alerts: string | null };
}

/**
 * The platform's health for its operators: every service of HEALTH_TARGETS probed at once (gRPC health and
 * /metrics, each within HEALTH_PROBE_TIMEOUT_MS), and from their metrics the active policy version, the audit
 * consumer group's lag and the spooled events.
 */
@Injectable()
export class GetPlatformHealth {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof portalConfig>,
    private readonly probe: ServiceProbe,
  ) {}

  async execute(caller: EdgeIdentity): Promise<PlatformHealth> {
    const roles = this.config.HEALTH_ROLES;
    if (!caller.roles.some((role) => roles.includes(role))) throw new HealthRoleRequiredError(roles);
    const results = await Promise.all(Object.entries(this.config.HEALTH_TARGETS).map(([name, target]) => this.probe.probe(name, target)));
    const prometheus = this.config.HEALTH_PROMETHEUS_URL?.replace(/\/+$/, '') ?? null;
    return {
      checked_at: new Date().toISOString(),
      // No targets is no evidence of health: not `ok`.
      status: results.length > 0 && results.every((r) => r.health.status === 'serving') ? 'ok' : 'degraded',
      services: results.map((r) => r.health),
      policy: { active_version: figure(results, 'policy', 'airlock_policy_bundle_active_number') },
      audit: {
        consumer_lag: figure(results, 'audit', 'airlock_audit_consumer_lag_messages'),
        spool_messages: total(results.map((r) => (r.metrics === null ? null : sumOf(r.metrics, 'airlock_event_spool_messages')))),
      },
      links: { prometheus, alerts: prometheus && `${prometheus}/alerts` },
    };
  }
}

function figure(results: ProbeResult[], service: string, metric: string): number | null {
  const metrics = results.find((r) => r.health.name === service)?.metrics;
  return metrics ? sumOf(metrics, metric) : null;
}

function total(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
}
