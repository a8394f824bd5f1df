import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import { metrics, type Logger } from '@airlock/telemetry';
import { WorkspaceAudit } from '../audit/workspace-audit';
import { ImageCatalogue, pullReference } from '../catalogue/catalogue';
import { renderClientConfigs } from '../client-config/render';
import type { Observation, WorkspaceDriver, WorkspaceSpec } from '../drivers/driver';
import { GatewayTokens } from '../gateway-token/gateway-tokens';
import type { workspaceConfig } from '../config';
import type { ObservedState } from '../workspaces/workspace-state';
import { WorkspaceStore, type WorkspaceRow } from '../workspaces/workspace-store';
import { WORKSPACE_DRIVER } from './driver.provider';

const meter = metrics.getMeter('airlock-workspace');
const passes = meter.createCounter('workspace_reconcile_total', { description: 'Workspaces reconciled, by outcome' });

/** While something is still moving (a Pod starting, a volume releasing), look again soon. */
const IN_PROGRESS_RETRY_MS = 1_000;
const MAX_BACKOFF_MS = 5 * 60_000;

const TO_OBSERVED: Record<Observation['state'], ObservedState> = {
  ABSENT: 'DELETED',
  PROVISIONING: 'PROVISIONING',
  RUNNING: 'RUNNING',
  STOPPING: 'STOPPING',
  STOPPED: 'STOPPED',
  DELETING: 'DELETING',
  FAILED: 'FAILED',
};

/** Errors and FAILED observations back off exponentially, so a broken workspace cannot cause a restart storm. */
export function backoffMs(attempts: number, intervalMs: number): number {
  return Math.min(MAX_BACKOFF_MS, intervalMs * 2 ** Math.min(attempts, 16));
}

/**
 * Converges driver reality on the registry's desired state. Each pass leases due workspaces (so replicas
 * never work on the same one, and a crashed reconciler's lease simply expires), asks the driver to move each
 * towards its desired state — driver operations are idempotent, so it does not matter how far an earlier,
 * interrupted attempt got — and records what the driver saw under the lease. It also removes anything the
 * driver holds for a workspace the registry no longer wants (orphans).
 */
@Injectable()
export class Reconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  /** Distinguishes this process's leases from every other reconciler's, including its own earlier life. */
  readonly owner = `reconciler-${randomUUID()}`;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(
    private readonly store: WorkspaceStore,
    private readonly catalogue: ImageCatalogue,
    private readonly audit: WorkspaceAudit,
    private readonly tokens: GatewayTokens,
    @Inject(WORKSPACE_DRIVER) private readonly driver: WorkspaceDriver | null,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof workspaceConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.driver) {
      this.logger.warn('WORKSPACE_DRIVER=none: registry only, nothing is provisioned');
      return;
    }
    this.timer = setInterval(() => this.nudge(), this.config.WORKSPACE_RECONCILE_INTERVAL_MS);
    this.timer.unref();
    this.nudge();
  }

  /**
   * Stops taking new work. An in-flight driver call is not awaited: like a crash, its lease is left to expire
   * and a late answer is fenced off by the lease check, so shutdown never hangs on a slow apiserver.
   */
  onApplicationShutdown(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** Runs a pass now (or right after the current one); called after every desired-state change. */
  nudge(): void {
    if (!this.driver || this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => (this.running = undefined));
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.pass();
      } catch (error) {
        this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'reconcile pass failed');
      }
    } while (this.again && !this.stopped);
  }

  /** One pass: everything due, then the orphan sweep. Exposed for tests and tools. */
  async pass(): Promise<void> {
    const driver = this.driver;
    if (!driver) return;
    const c = this.config;
    for (;;) {
      if (this.stopped) return;
      const due = await this.store.claimDue(this.owner, c.WORKSPACE_RECONCILE_LEASE_MS, c.WORKSPACE_RESYNC_MS, c.WORKSPACE_RECONCILE_BATCH);
      if (due.length === 0) break;
      await Promise.all(due.map((row) => this.reconcile(driver, row)));
      if (due.length < c.WORKSPACE_RECONCILE_BATCH) break;
    }
    if (!this.stopped) await this.sweepOrphans(driver);
  }

  private async reconcile(driver: WorkspaceDriver, row: WorkspaceRow): Promise<void> {
    const generation = row.restart_generation;
    let observation: Observation;
    try {
      if (row.desired_state === 'DELETING') {
        // Revoked first: the token stops working at once, however long the teardown takes.
        if (row.observed_state !== 'DELETED') await this.tokens.revoke(row.tenant_id, row.id);
        observation = await driver.ensureDeleted(row.id);
      } else {
        const spec = this.spec(row);
        if (row.desired_state === 'STOPPED') {
          observation = await driver.ensureStopped(spec);
        } else {
          await this.store.markProvisioning(row.id, this.owner);
          // Before the driver starts anything: a Pod installs its token Secret only when it starts.
          await this.tokens.provide(driver, spec, row.observed_state !== 'RUNNING');
          observation = await driver.ensureRunning(spec);
        }
      }
    } catch (error) {
      const detail = error instanceof Error ? error.message.slice(0, 500) : String(error);
      passes.add(1, { outcome: 'error' });
      this.logger.warn({ workspace_id: row.id, err: detail, attempts: row.attempts + 1 }, 'driver operation failed; backing off');
      // The observed state stays what it was (the driver could not say otherwise); only the detail changes.
      await this.record(row, {
        observedState: row.observed_state,
        observedGeneration: row.observed_generation,
        detail,
        retryInMs: backoffMs(row.attempts, this.config.WORKSPACE_RECONCILE_INTERVAL_MS),
        attempts: row.attempts + 1,
        claimedUpdatedAt: row.updated_at,
      });
      return;
    }
    const observedState = TO_OBSERVED[observation.state];
    const failed = observedState === 'FAILED';
    const settled = ['RUNNING', 'STOPPED', 'DELETED'].includes(observedState);
    passes.add(1, { outcome: failed ? 'failed' : settled ? 'converged' : 'in_progress' });
    await this.record(row, {
      observedState,
      observedGeneration: observedState === 'RUNNING' ? generation : row.observed_generation,
      detail: observation.detail,
      unisolated: observation.unisolated,
      retryInMs: failed ? backoffMs(row.attempts, this.config.WORKSPACE_RECONCILE_INTERVAL_MS) : settled ? 0 : IN_PROGRESS_RETRY_MS,
      attempts: failed ? row.attempts + 1 : 0,
      claimedUpdatedAt: row.updated_at,
    });
  }

  private async record(row: WorkspaceRow, record: Parameters<WorkspaceStore['recordObservation']>[2]): Promise<void> {
    const result = await this.store.recordObservation(row.id, this.owner, record);
    if (!result) {
      this.logger.warn({ workspace_id: row.id }, 'lease lost while reconciling; result discarded');
      return;
    }
    if (result.before.observed_state !== result.after.observed_state) {
      this.logger.info({ workspace_id: row.id, from: result.before.observed_state, to: result.after.observed_state }, 'workspace observed state changed');
      await this.audit.record({
        eventType: 'workspace.state',
        action: 'observe',
        outcome: result.after.observed_state.toLowerCase(),
        context: { actor: '', correlationId: `reconcile:${row.id}:${row.updated_at.getTime()}` },
        tenantId: row.tenant_id,
        projectId: row.project_id,
        workspaceId: row.id,
        userId: row.owner_user_id,
        target: this.driver?.name,
      });
    }
  }

  private async sweepOrphans(driver: WorkspaceDriver): Promise<void> {
    const held = await driver.listManaged();
    if (held.length === 0) return;
    const wanted = await this.store.wantedAmong(held);
    for (const id of held) {
      if (wanted.has(id)) continue;
      this.logger.warn({ workspace_id: id }, 'removing resources of a workspace the registry does not want');
      // E.g. a token a stalled reconciler stored after the workspace was deleted (deleted rows are kept).
      const row = await this.store.findById(id);
      if (row) await this.tokens.revoke(row.tenant_id, id);
      await driver.ensureDeleted(id);
    }
  }

  spec(row: WorkspaceRow): WorkspaceSpec {
    const image = this.catalogue.find(row.image);
    if (!image) throw new Error(`image ${row.image} is no longer catalogued; recreate the workspace`);
    return {
      id: row.id,
      tenantId: row.tenant_id,
      projectId: row.project_id,
      ownerUserId: row.owner_user_id,
      image: row.image,
      imageRef: pullReference(image, this.config.WORKSPACE_IMAGE_REGISTRY),
      cpuMillis: row.cpu_millis,
      memoryMib: row.memory_mib,
      diskGib: row.disk_gib,
      generation: row.restart_generation,
      clientFiles: renderClientConfigs({
        workspaceId: row.id,
        tenantId: row.tenant_id,
        projectId: row.project_id,
        gatewayUrl: this.config.WORKSPACE_GATEWAY_URL,
        tokenPath: this.driver?.tokenPath?.(row.id),
        caPath: this.driver?.gatewayCaPath?.(),
        mcpServers: this.config.WORKSPACE_MCP_SERVERS,
      }),
    };
  }
}
