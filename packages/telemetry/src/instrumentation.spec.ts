import { trace } from '@opentelemetry/api';
import { traceHeaders, withoutAutoInstrumentation } from './instrumentation';
import { startTelemetry } from './sdk';

describe('instrumentation helpers', () => {
  const telemetry = startTelemetry({ serviceName: 'probe', metricsHost: '127.0.0.1', metricsPort: 0 });
  const tracer = trace.getTracer('test');

  afterAll(() => telemetry.shutdown());

  it('suppresses tracing the way the SDK and its instrumentations recognise, only inside the call', () => {
    expect(tracer.startSpan('outside').isRecording()).toBe(true);
    const inside = withoutAutoInstrumentation(() => tracer.startSpan('inside'));
    expect(inside.isRecording()).toBe(false);
    expect(tracer.startSpan('after').isRecording()).toBe(true);
  });

  it('makes the given span the remote parent', () => {
    const span = tracer.startSpan('model call');
    const { traceId, spanId } = span.spanContext();
    expect(traceHeaders(span).traceparent).toBe(`00-${traceId}-${spanId}-01`);
    span.end();
  });
});
