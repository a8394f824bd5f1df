import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import { metrics, type Logger } from '@airlock/telemetry';
import { hourOf } from '../metering/period';
import type { usageConfig } from '../config';
import { UsageStore } from '../store/usage-store';
import { assessHour, type AnomalyThresholds } from './baseline';

const meter = metrics.getMeter('airlock-usage');
const anomalies = meter.createCounter('airlock_usage_anomalies', {
  description: 'Project-hours whose tokens were far above the project baseline (counted once per project and hour)',
});
const ratioGauge = meter.createObservableGauge('airlock_usage_anomaly_ratio', {
  description: "Current hour's tokens / the project's baseline (median active hour), for projects active this hour",
});

type Labels = { tenant_id: string; project_id: string };
// The OTel API's ObservableResult, without depending on @opentelemetry/api directly.
type ObservableResult = Parameters<Parameters<typeof ratioGauge.addCallback>[0]>[0];

/**
 * Every ANOMALY_CHECK_INTERVAL_SECONDS, compares each project active in the current UTC hour with its own
 * baseline. A project-hour found anomalous is recorded in usage_anomalies (once, whichever replica sees it
 * first), counted and logged — ids and numbers only.
 */
@Injectable()
export class AnomalyDetector implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private ratios = new Map<string, { labels: Labels; ratio: number }>();
  private readonly thresholds: AnomalyThresholds;
  private readonly observe = (result: ObservableResult) => {
    for (const { labels, ratio } of this.ratios.values()) result.observe(ratio, labels);
  };

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof usageConfig>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    private readonly store: UsageStore,
  ) {
    this.thresholds = { ratio: config.ANOMALY_RATIO, minTokens: config.ANOMALY_MIN_TOKENS, minHistoryHours: config.ANOMALY_MIN_HISTORY_HOURS };
  }

  onApplicationBootstrap(): void {
    const seconds = this.config.ANOMALY_CHECK_INTERVAL_SECONDS;
    if (seconds === 0) return;
    ratioGauge.addCallback(this.observe);
    this.timer = setInterval(() => {
      // One pass at a time: a slow database must not pile passes up.
      this.running ??= this.check().finally(() => (this.running = undefined));
    }, seconds * 1000);
    this.timer.unref();
  }

  /** Assesses the hour containing `now`; a failed pass is logged and the next one retries. */
  async check(now: Date = new Date()): Promise<void> {
    const hour = hourOf(now);
    const since = new Date(hour.getTime() - this.config.ANOMALY_BASELINE_HOURS * 3_600_000);
    try {
      const projects = await this.store.activeProjectHours(hour, since);
      const ratios = new Map<string, { labels: Labels; ratio: number }>();
      for (const p of projects) {
        const a = assessHour(p.tokens, p.previous, this.thresholds);
        if (!a.assessed) continue;
        const labels = { tenant_id: p.tenantId, project_id: p.projectId };
        ratios.set(`${p.tenantId}\u0000${p.projectId}`, { labels, ratio: a.ratio });
        if (!a.anomalous) continue;
        const fresh = await this.store.recordAnomaly({ ...p, hour, currentTokens: p.tokens, baselineTokens: a.baseline, ratio: a.ratio });
        if (!fresh) continue;
        anomalies.add(1, labels);
        this.logger.warn(
          {
            event: 'usage.anomaly',
            ...labels,
            hour: hour.toISOString(),
            current_tokens: p.tokens,
            baseline_tokens: a.baseline,
            ratio: Math.round(a.ratio * 100) / 100,
            threshold_ratio: this.thresholds.ratio,
            threshold_min_tokens: this.thresholds.minTokens,
          },
          'usage anomaly: project far above its own baseline',
        );
      }
      this.ratios = ratios;
    } catch (err) {
      this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'usage anomaly check failed');
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    ratioGauge.removeCallback(this.observe);
    await this.running;
  }
}
