import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import { metrics, type Logger } from '@airlock/telemetry';
import type { auditConfig } from '../config';
import type { ChainedAuditRecord } from '../events/audit-record';
import { AuditIndexStore } from './audit-index-store';
import { dayKey, daysBetween, keptDays } from './index-days';

const HOUR_MS = 3600 * 1000;
const MAX_RETRY_MS = 30_000;
// Batches waiting behind a failure are merged into inserts of at most this many rows.
const MAX_ROWS_PER_INSERT = 5_000;
// How long shutdown waits for the backlog to reach the index.
const SHUTDOWN_FLUSH_MS = 5_000;

export type SkipReason = 'bad_timestamp' | 'past_retention' | 'too_far_ahead' | 'backlog_full';

/**
 * Feeds the audit index with the records every SIEM sink has acknowledged. The sinks are the system of record:
 * `add` only queues and never waits or throws, so the index can neither slow nor fail a delivery. A failed
 * write is logged, counted and retried with backoff; the backlog is bounded (AUDIT_INDEX_BACKLOG_MAX) and the
 * oldest records are left out past it. The queue is in memory: records not yet written when the process dies
 * are missing from the index (the sinks have them; see the README on rebuilding).
 */
@Injectable()
export class AuditIndexWriter implements OnModuleInit, OnApplicationShutdown {
  private readonly queue: ChainedAuditRecord[][] = [];
  private queued = 0;
  private prepared = false;
  private failures = 0;
  private running?: Promise<void>;
  private retryTimer?: NodeJS.Timeout;
  private maintenanceTimer?: NodeJS.Timeout;
  private stopped = false;

  private readonly meter = metrics.getMeter('airlock-audit');
  private readonly writtenCounter = this.meter.createCounter('airlock_audit_index_events_written_total', { description: 'Audit records written to the index (redeliveries skipped by the primary key not counted)' });
  private readonly failureCounter = this.meter.createCounter('airlock_audit_index_write_failures_total', { description: 'Failed writes to the audit index (each retried later)' });
  private readonly skippedCounter = this.meter.createCounter('airlock_audit_index_events_skipped_total', { description: 'Audit records left out of the index, by reason' });
  private readonly backlogGauge = this.meter.createUpDownCounter('airlock_audit_index_backlog', { description: 'Audit records acknowledged by the sinks and not yet in the index' });

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof auditConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly store: AuditIndexStore,
  ) {}

  onModuleInit(): void {
    if (!this.store.enabled) return;
    // Migrations and partitions are the first step of a write, so PostgreSQL being down at boot delays the index,
    // not the boot.
    this.kick();
    this.maintenanceTimer = setInterval(() => {
      this.prepared = false;
      this.kick();
    }, HOUR_MS);
    this.maintenanceTimer.unref();
  }

  /** Records every sink acknowledged, in order. */
  add(records: readonly ChainedAuditRecord[]): void {
    if (!this.store.enabled || this.stopped || records.length === 0) return;
    this.queue.push([...records]);
    this.queued += records.length;
    this.backlogGauge.add(records.length);
    while (this.queued > this.config.AUDIT_INDEX_BACKLOG_MAX && this.queue.length > 1) {
      const dropped = this.queue.shift()!;
      this.queued -= dropped.length;
      this.backlogGauge.add(-dropped.length);
      this.skip('backlog_full', dropped.length);
      this.logger.error({ events: dropped.length, first_event_id: dropped[0]!.event_id }, 'audit index backlog full: oldest records left out of the index');
    }
    this.kick();
  }

  /** Resolves when everything queued so far is in the index (or the writer is waiting to retry). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  get backlog(): number {
    return this.queued;
  }

  private kick(): void {
    if (this.running || this.retryTimer) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.queue.length > 0 && !this.retryTimer && !this.stopped) this.kick();
    });
  }

  private async drain(): Promise<void> {
    try {
      if (!this.prepared) await this.prepare();
      while (this.queue.length > 0) {
        const take: ChainedAuditRecord[][] = [];
        let rows = 0;
        while (this.queue.length > take.length && (take.length === 0 || rows + this.queue[take.length]!.length <= MAX_ROWS_PER_INSERT)) {
          rows += this.queue[take.length]!.length;
          take.push(this.queue[take.length]!);
        }
        await this.write(take.flat());
        this.queue.splice(0, take.length);
        this.queued -= rows;
        this.backlogGauge.add(-rows);
      }
      this.failures = 0;
    } catch (error) {
      this.failures++;
      this.failureCounter.add(1);
      const waitMs = Math.min(MAX_RETRY_MS, this.config.AUDIT_INDEX_RETRY_MS * 2 ** Math.min(this.failures - 1, 16));
      this.logger.warn({ err: error instanceof Error ? error.message : String(error), backlog: this.queued, retry_in_ms: waitMs }, 'audit index write failed; the sinks have the records, retrying');
      if (this.stopped) return;
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.kick();
      }, waitMs);
      this.retryTimer.unref();
    }
  }

  /** Migrations, today's and the coming days' partitions, and retention. */
  private async prepare(): Promise<void> {
    const applied = await this.store.migrate();
    if (applied.length > 0) this.logger.info({ applied }, 'audit index migrations applied');
    const now = new Date();
    const kept = keptDays(now, this.config.AUDIT_INDEX_RETENTION_DAYS, this.config.AUDIT_INDEX_DAYS_AHEAD);
    await this.store.ensureDays(daysBetween(dayKey(new Date(now.getTime() - 24 * HOUR_MS)), kept.last));
    const dropped = await this.store.dropDaysBefore(kept.first);
    if (dropped.length > 0) this.logger.info({ days: dropped }, 'audit index partitions past retention dropped');
    this.prepared = true;
  }

  private async write(records: ChainedAuditRecord[]): Promise<void> {
    const kept = keptDays(new Date(), this.config.AUDIT_INDEX_RETENTION_DAYS, this.config.AUDIT_INDEX_DAYS_AHEAD);
    const rows: ChainedAuditRecord[] = [];
    const days = new Set<string>();
    const skipped = new Map<SkipReason, number>();
    for (const record of records) {
      const at = new Date(record.timestamp);
      const day = Number.isFinite(at.getTime()) ? dayKey(at) : undefined;
      const reason: SkipReason | undefined = !day ? 'bad_timestamp' : day < kept.first ? 'past_retention' : day > kept.last ? 'too_far_ahead' : undefined;
      if (reason) skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
      else {
        rows.push(record);
        days.add(day!);
      }
    }
    await this.store.ensureDays(days);
    const written = await this.store.insert(rows);
    this.writtenCounter.add(written);
    for (const [reason, count] of skipped) this.skip(reason, count);
  }

  private skip(reason: SkipReason, count: number): void {
    this.skippedCounter.add(count, { reason });
  }

  // After the consumer stopped (onModuleDestroy) and the HTTP server closed: the last batches get a chance to
  // reach the index, then the pool is closed here, so it cannot close under a write still in flight.
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.maintenanceTimer);
    if (!this.store.enabled) return;
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.kick();
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_FLUSH_MS)))]);
    clearTimeout(timer);
    this.stopped = true;
    if (this.queued > 0) this.logger.warn({ backlog: this.queued }, 'stopping with audit records not in the index');
    await this.store.close();
  }
}
