import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace';

export interface TelemetryOptions {
  serviceName: string;
  /** Prometheus scrape endpoint `/metrics` on this host and port. */
  metricsHost: string;
  metricsPort: number;
  /** OTLP/gRPC collector; traces are exported only when set. */
  otlpEndpoint?: string;
}

export interface Telemetry {
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK. Call it before the application's modules are loaded, so the http and grpc
 * instrumentations wrap those modules before anything holds a reference to them.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    metricReaders: [new PrometheusExporter({ host: options.metricsHost, port: options.metricsPort })],
    traceExporter: options.otlpEndpoint ? new OTLPTraceExporter({ url: options.otlpEndpoint }) : undefined,
    // Without an exporter spans are still recorded (so trace ids reach logs and propagate as traceparent
    // between services) but go nowhere.
    spanProcessors: options.otlpEndpoint ? undefined : [new NoopSpanProcessor()],
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => req.url === '/metrics' }),
      new GrpcInstrumentation(),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
