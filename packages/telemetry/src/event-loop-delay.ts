// How late the event loop ran its timers since the last scrape. A service whose loop is held answers everything that
// arrives meanwhile late — every key of every attached terminal, every ext_authz check — and its per-request
// durations do not show it (the request is not yet read). Gauges named as OpenTelemetry's Node.js runtime
// conventions name them: on /metrics `nodejs_eventloop_delay_max` and `nodejs_eventloop_delay_p99`, in seconds.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { BatchObservableResult, Meter } from '@opentelemetry/api';

const NS_PER_SECOND = 1e9;

/**
 * Samples the event loop's delay every `resolutionMs` and reports, at each collection, the largest delay and the
 * 99th percentile since the collection before (nothing when no sample was taken in between). Returns the stop.
 */
export function recordEventLoopDelay(meter: Meter, resolutionMs = 10): () => void {
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  const max = meter.createObservableGauge('nodejs.eventloop.delay.max', { unit: 's', description: 'Largest event loop delay since the last collection' });
  const p99 = meter.createObservableGauge('nodejs.eventloop.delay.p99', { unit: 's', description: '99th percentile of the event loop delay since the last collection' });
  const observe = (result: BatchObservableResult): void => {
    if (histogram.count === 0) return;
    result.observe(max, histogram.max / NS_PER_SECOND);
    result.observe(p99, histogram.percentile(99) / NS_PER_SECOND);
    histogram.reset();
  };
  meter.addBatchObservableCallback(observe, [max, p99]);
  return () => {
    meter.removeBatchObservableCallback(observe, [max, p99]);
    histogram.disable();
  };
}
