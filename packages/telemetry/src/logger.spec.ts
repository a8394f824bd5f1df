import { trace } from '@opentelemetry/api';
import { runWithCorrelation } from './correlation';
import { memoryLogger } from './logger';
import { startTelemetry } from './sdk';

describe('JSON logs', () => {
  const { logger, lines } = memoryLogger('probe', 'info');
  const telemetry = startTelemetry({ serviceName: 'probe', metricsHost: '127.0.0.1', metricsPort: 0 });

  afterAll(() => telemetry.shutdown());

  it('carry the trace id, span id and correlation id of the request they were written in', () => {
    const tracer = trace.getTracer('test');
    let traceId = '';
    tracer.startActiveSpan('request', (span) => {
      traceId = span.spanContext().traceId;
      runWithCorrelation('corr-logs-0001', () => logger.info({ user_id: 'u1' }, 'handled'));
      span.end();
    });
    expect(lines.at(-1)).toMatchObject({ level: 'info', service: 'probe', msg: 'handled', trace_id: traceId, correlation_id: 'corr-logs-0001', user_id: 'u1' });
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('redact credentials wherever they appear', () => {
    logger.info({ authorization: 'Bearer abc.def', nested: { token: 't0k3n', password: 'pw' } }, 'with secrets');
    const line = JSON.stringify(lines.at(-1));
    expect(line).not.toMatch(/abc\.def|t0k3n|"pw"/);
    expect(line).toContain('[redacted]');
  });
});
