import { trace } from '@opentelemetry/api';
import { AlwaysOnSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { traceHeaders, withoutAutoInstrumentation } from './instrumentation';
import { startTelemetry } from './sdk';

describe('instrumentation helpers', () => {
  const telemetry = startTelemetry({ serviceName: 'probe', metricsHost: '127.0.0.1', metricsPort: 0 });
  // A tracer that records every span, as with an exporter, to see what suppression turns off.
  const recording = new TracerProvider({ sampler: new AlwaysOnSampler() }).getTracer('test');

  afterAll(() => telemetry.shutdown());

  it('suppresses tracing the way the SDK and its instrumentations recognise, only inside the call', () => {
    expect(recording.startSpan('outside').isRecording()).toBe(true);
    const inside = withoutAutoInstrumentation(() => recording.startSpan('inside'));
    expect(inside.isRecording()).toBe(false);
    expect(recording.startSpan('after').isRecording()).toBe(true);
  });

  it('makes the given span the remote parent', () => {
    const span = recording.startSpan('model call');
    const { traceId, spanId } = span.spanContext();
    expect(traceHeaders(span).traceparent).toBe(`00-${traceId}-${spanId}-01`);
    span.end();
  });

  it('records no span without an exporter, yet each span has ids to log and propagate', () => {
    const span = trace.getTracer('test').startSpan('request');
    const { traceId, spanId } = span.spanContext();
    expect(span.isRecording()).toBe(false);
    expect(traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
    expect(traceHeaders(span).traceparent).toBe(`00-${traceId}-${spanId}-00`);
  });
});
