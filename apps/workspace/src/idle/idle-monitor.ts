import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import { metrics, type Logger } from '@airlock/telemetry';
import type { WorkspaceDriver } from '../drivers/driver';
import { WORKSPACE_DRIVER } from '../reconcile/driver.provider';
import type { workspaceConfig } from '../config';
import { ChangeWorkspaceState } from '../workspaces/change-state.usecase';
import { WorkspaceStore } from '../workspaces/workspace-store';
import { decideIdle, type IdlePolicyConfig, type IdleState } from './idle-policy';

const idleStops = metrics.getMeter('airlock-workspace').createCounter('workspace_idle_stops_total', { description: 'Workspaces stopped as idle, by reason' });

/**
 * Samples every running workspace this service's driver serves (every WORKSPACE_IDLE_CHECK_MS) and stops
 * the idle ones by setting their desired state to STOPPED, audited like a user's stop with actor
 * `system:idle`. Desired STOPPED is sticky: the reconciler never restarts it, so there is no restart storm;
 * the user starts it again. State is in memory: after a service restart every workspace gets a full grace.
 */
@Injectable()
export class IdleMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly states = new Map<string, IdleState>();
  private timer?: NodeJS.Timeout;
  private busy = false;
  private readonly policy: IdlePolicyConfig;

  constructor(
    private readonly store: WorkspaceStore,
    private readonly change: ChangeWorkspaceState,
    @Inject(WORKSPACE_DRIVER) private readonly driver: WorkspaceDriver | null,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof workspaceConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {
    this.policy = {
      idleTimeoutMs: config.WORKSPACE_IDLE_TIMEOUT_MS,
      connectedIdleTimeoutMs: config.WORKSPACE_IDLE_CONNECTED_TIMEOUT_MS,
      busyCpuCores: config.WORKSPACE_IDLE_BUSY_CPU,
    };
  }

  onApplicationBootstrap(): void {
    if (!this.driver?.sampleActivity || this.config.WORKSPACE_IDLE_TIMEOUT_MS === 0) return;
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      this.check()
        .catch((error: unknown) => this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'idle check failed'))
        .finally(() => (this.busy = false));
    }, this.config.WORKSPACE_IDLE_CHECK_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One round over all running workspaces. Exposed for tests. */
  async check(): Promise<void> {
    const sample = this.driver?.sampleActivity?.bind(this.driver);
    if (!sample) return;
    const ids = await this.store.runningIds();
    const seen = new Set(ids);
    for (const id of this.states.keys()) if (!seen.has(id)) this.states.delete(id);
    for (const id of ids) {
      const activity = await sample(id);
      if (!activity) {
        this.states.delete(id);
        continue;
      }
      const verdict = decideIdle(this.states.get(id), activity, this.policy);
      this.states.set(id, verdict.state);
      if (verdict.action !== 'stop') continue;
      this.states.delete(id);
      this.logger.info({ workspace_id: id, reason: verdict.reason, idle_ms: verdict.idleMs }, 'stopping idle workspace');
      idleStops.add(1, { reason: verdict.reason });
      await this.change.execute('stop', id, { actor: 'system:idle', correlationId: `idle:${id}:${activity.at}` });
    }
  }
}
