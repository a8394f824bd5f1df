import { context, createContextKey, propagation, trace, type Span } from '@opentelemetry/api';

// The key @opentelemetry/core's suppressTracing sets and every instrumentation checks. It is a global symbol
// (Symbol.for) so that all copies of core agree on it; made here from the API instead of depending on core.
const SUPPRESS_TRACING_KEY = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/**
 * Runs `fn` with the automatic instrumentations off: no HTTP or gRPC client span, no metric, no traceparent
 * injected. For a call the caller traces itself (a model call under its GenAI span, whose `traceHeaders` it
 * sends), where the automatic client span would only duplicate that span at a cost on every request.
 */
export function withoutAutoInstrumentation<T>(fn: () => T): T {
  return context.with(context.active().setValue(SUPPRESS_TRACING_KEY, true), fn);
}

/** W3C trace context headers (`traceparent`, `tracestate`) that make `span` the parent of the callee's spans. */
export function traceHeaders(span: Span): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), headers);
  return headers;
}
