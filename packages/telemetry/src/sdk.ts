import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { envDetector, hostDetector, osDetector, processDetector, resourceFromAttributes, serviceInstanceIdDetector, type ResourceDetector } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AlwaysOffSampler } from '@opentelemetry/sdk-trace';
import { metrics } from '@opentelemetry/api';
import { recordEventLoopDelay } from './event-loop-delay';

export interface TelemetryOptions {
  serviceName: string;
  /** The running build's version: `service.version`, on /metrics as `target_info{service_version}`. */
  serviceVersion?: string;
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
 * The SDK's process detector without the command line: every attribute of the resource is a label of `target_info`
 * on /metrics, which anyone who may scrape a service reads, and a process's arguments are no business of theirs.
 */
const processWithoutArguments: ResourceDetector = {
  detect(config) {
    const attributes = { ...processDetector.detect(config).attributes };
    delete attributes['process.command_args'];
    delete attributes['process.command'];
    return { attributes };
  },
};

/**
 * Starts the OpenTelemetry SDK. Call it before the application's modules are loaded, so the http and grpc
 * instrumentations wrap those modules before anything holds a reference to them.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    ...(options.serviceVersion ? { resource: resourceFromAttributes({ 'service.version': options.serviceVersion }) } : {}),
    metricReaders: [new PrometheusExporter({ host: options.metricsHost, port: options.metricsPort })],
    // The SDK's default detectors, the process's without its command line.
    resourceDetectors: [serviceInstanceIdDetector, processWithoutArguments, hostDetector, osDetector, envDetector],
    traceExporter: options.otlpEndpoint ? new OTLPTraceExporter({ url: options.otlpEndpoint }) : undefined,
    // Without an exporter spans would go nowhere, so none is recorded: a span not sampled still has its trace
    // and span ids (they reach logs and propagate as traceparent between services), without the span object,
    // its attributes and its events per request and per gRPC call. With an exporter the SDK's default
    // sampler applies, or OTEL_TRACES_SAMPLER (e.g. parentbased_traceidratio) when set.
    sampler: options.otlpEndpoint ? undefined : new AlwaysOffSampler(),
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => req.url === '/metrics' }),
      new GrpcInstrumentation(),
    ],
  });
  sdk.start();
  const stopEventLoopDelay = recordEventLoopDelay(metrics.getMeter('airlock-runtime'));
  return {
    shutdown: () => {
      stopEventLoopDelay();
      return sdk.shutdown();
    },
  };
}
