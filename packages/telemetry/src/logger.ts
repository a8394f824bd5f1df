import { trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger } from 'pino';
import { currentCorrelationId } from './correlation';

export type { Logger };

/**
 * Structured JSON logs on stdout. Every line carries the service name and, inside a request, the trace id,
 * span id and correlation id, so a log line can be joined to its trace and its audit event.
 */
export function createLogger(service: string, level = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    formatters: { level: (label) => ({ level: label }) },
    // Secrets and tokens must never be written; these paths are redacted wherever they appear.
    redact: {
      paths: ['authorization', '*.authorization', 'token', '*.token', 'password', '*.password', 'headers.cookie'],
      censor: '[redacted]',
    },
    mixin() {
      const fields: Record<string, string> = {};
      const span = trace.getActiveSpan()?.spanContext();
      if (span && span.traceId !== '00000000000000000000000000000000') {
        fields.trace_id = span.traceId;
        fields.span_id = span.spanId;
      }
      const correlationId = currentCorrelationId();
      if (correlationId) fields.correlation_id = correlationId;
      return fields;
    },
  },
    destination,
  );
}

/** One written log line, parsed: `level`, `msg`, `service` and the fields it was logged with. */
export type LogLine = Record<string, unknown> & { level: string; msg?: string };

/**
 * The same logger writing into memory: for checking what a component logged, and that no secret was. `lines`
 * grows as it logs.
 */
export function memoryLogger(service = 'test', level = 'debug'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { logger: createLogger(service, level, { write: (line: string) => lines.push(JSON.parse(line) as LogLine) }), lines };
}
