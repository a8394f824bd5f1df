export {
  CORRELATION_HEADER,
  acceptCorrelationId,
  currentCorrelationId,
  isWellFormedCorrelationId,
  newCorrelationId,
  runWithCorrelation,
} from './correlation';
export { createLogger, memoryLogger, type LogLine, type Logger } from './logger';
export { startTelemetry, type Telemetry, type TelemetryOptions } from './sdk';
export { traceHeaders, withoutAutoInstrumentation } from './instrumentation';
export { metrics, trace, SpanKind, SpanStatusCode, type Span, type AttributeValue } from '@opentelemetry/api';
