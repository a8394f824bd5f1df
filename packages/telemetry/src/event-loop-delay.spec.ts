import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { recordEventLoopDelay } from './event-loop-delay';

/** A reader collected on demand, as a Prometheus scrape collects. */
class ScrapeReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The gauges' values at one collection, by name. */
async function scrape(reader: ScrapeReader): Promise<Record<string, number>> {
  const { resourceMetrics } = await reader.collect();
  const values: Record<string, number> = {};
  for (const scope of resourceMetrics.scopeMetrics) for (const metric of scope.metrics) for (const point of metric.dataPoints) values[metric.descriptor.name] = point.value as number;
  return values;
}

describe('recordEventLoopDelay', () => {
  const reader = new ScrapeReader();
  const provider = new MeterProvider({ readers: [reader] });
  const stop = recordEventLoopDelay(provider.getMeter('test'), 5);
  afterAll(async () => {
    stop();
    await provider.shutdown();
  });

  it('reports a held loop at the next collection, and only a quiet one at the collection after', async () => {
    await sleep(50);
    const held = Date.now();
    while (Date.now() - held < 120) {
      // hold the event loop, as a long synchronous pass would
    }
    await sleep(50);
    const first = await scrape(reader);
    expect(first['nodejs.eventloop.delay.max']).toBeGreaterThanOrEqual(0.1);
    expect(first['nodejs.eventloop.delay.p99']).toBeGreaterThan(0);

    await sleep(100);
    const second = await scrape(reader);
    expect(second['nodejs.eventloop.delay.max']).toBeLessThan(0.1);
  });
});
