import 'reflect-metadata';
import type { DynamicModule, INestApplication, INestMicroservice, Type } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import { type GrpcOptions, Transport } from '@nestjs/microservices';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type BaseConfig, ConfigError, baseShape, loadConfig, type z } from '@airlock/config';
import { PROTO_DIR } from '@airlock/contracts';
import {
  CALLER_NOT_ALLOWED,
  HealthReporter,
  PROTO_LOADER_OPTIONS,
  addStandardServices,
  callGraphInterceptor,
  mtlsHttpsServerOptions,
  startHealthListener,
  type CallGraph,
} from '@airlock/grpc';
import { identityAssertionConfig, type IdentityAssertionConfig } from '@airlock/identity-assertion';
import { createLogger, startTelemetry, type Logger, type Telemetry } from '@airlock/telemetry';
import type { Server } from 'node:http';
import path from 'node:path';
import { httpShape, type HttpConfig } from './config';
import { APP_LOGGER, CorrelationInterceptor, correlationMiddleware } from './correlation.interceptor';

export { APP_LOGGER };
import { EdgeCaller } from './edge-caller';
import { AllExceptionsFilter } from './filters';
import { jsonBodyMiddleware } from './http-body';
import { httpCallersMiddleware } from './http-callers';
import { loadMtlsMaterial, mtlsShape, serverCredentialsFor, type MtlsConfig } from './mtls-config';
import { NestLogger } from './nest-logger';
import { ServiceStopping } from './service-stopping';
import { serviceVersion } from './service-version';

export const APP_CONFIG = Symbol('APP_CONFIG');

export interface ServiceDefinition<S extends z.ZodRawShape> {
  /** Short name: logs, metrics and traces carry it as the service name. */
  name: string;
  /** Service-specific environment variables, validated together with the common ones at boot. */
  config: S;
  grpc: {
    /** Proto files (relative to the contracts' proto root) served by this service. */
    protoFiles: string[];
    packages: string[];
    /** Fully-qualified service names reported by grpc.health.v1. */
    services: string[];
    /**
     * Which verified caller (the workload its certificate names) may call which of these services or methods; the
     * deployment's NetworkPolicies express the same graph. Health is open to every verified caller, reflection to
     * `operator`. Not enforced when MTLS_OFF_FOR_DEVELOPMENT=true (no caller is known).
     */
    allowedCallers: CallGraph;
  };
  /** The service has an HTTP face (needs HTTP_PORT). */
  http?: boolean;
  /**
   * Which verified workloads may call the HTTP face when mTLS is on (HTTPS, TLS 1.3, a client certificate from the
   * internal CA required): default only `envoy`, the edge. Others get 403 `caller_not_allowed`.
   */
  httpCallers?: readonly string[];
  /**
   * Routes take the caller from the edge (`EdgeCaller`, injectable): requires IDENTITY_ASSERTION_PUBLIC_KEY_FILE
   * or IDENTITY_ASSERTION_JWKS_URL. Opt-in, so services without such routes need neither.
   */
  edgeIdentity?: boolean;
  /**
   * The application module. Loaded lazily, after the telemetry SDK is running, so instrumented libraries are
   * wrapped before the application imports them.
   */
  module: () => Type | DynamicModule;
}

export type ServiceConfig<S extends z.ZodRawShape> = BaseConfig & MtlsConfig & Partial<HttpConfig> & z.infer<z.ZodObject<S>>;

/** Common and service variables validated together, so one boot reports every bad variable at once. */
function loadServiceConfig<S extends z.ZodRawShape>(def: ServiceDefinition<S>, environment: NodeJS.ProcessEnv): ServiceConfig<S> {
  const problems: ConfigError['problems'] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const base = attempt(() => loadConfig({ ...baseShape, ...mtlsShape, ...(def.http ? httpShape : {}) }, environment));
  const own = attempt(() => loadConfig({ ...(def.edgeIdentity ? identityAssertionConfig : {}), ...def.config }, environment));
  if (problems.length > 0 || !base || !own) throw new ConfigError(problems);
  return { ...base, ...own } as ServiceConfig<S>;
}

/** The edge: the only caller of most services' HTTP faces. */
const DEFAULT_HTTP_CALLERS = ['envoy'];

/** Reflection lists every method: for the operator's tools, not for other services. */
const OPERATOR_TOOLS: CallGraph = { operator: ['grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection'] };

function withOperatorTools(graph: CallGraph): CallGraph {
  return { ...graph, operator: [...(graph.operator ?? []), ...OPERATOR_TOOLS.operator] };
}

export interface RunningService {
  grpcAddress: string;
  httpAddress?: string;
  logger: Logger;
  /** The validated SHUTDOWN_GRACE_MS: how long `runService` lets `close()` drain before it exits anyway. */
  shutdownGraceMs: number;
  /**
   * Graceful stop: NOT_SERVING, stop accepting, drain in-flight calls, then close clients. Providers close
   * their connections in `onApplicationShutdown`, which Nest calls after the servers have drained
   * (`onModuleDestroy` runs before, while requests may still need the connections).
   */
  close(): Promise<void>;
}

let telemetry: Telemetry | undefined;

/** A start that fails half-way (port taken, broker down) must not leave a listening server behind. */
async function startOrClose(app: INestApplication | INestMicroservice, start: () => Promise<unknown>): Promise<void> {
  try {
    await start();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
}

/** Validates config, starts telemetry, the NestJS app, its gRPC server (with health + reflection) and HTTP. */
export async function bootService<S extends z.ZodRawShape>(
  def: ServiceDefinition<S>,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<RunningService> {
  const config = loadServiceConfig(def, environment);
  const mtls = loadMtlsMaterial(config);
  const logger = createLogger(def.name, config.LOG_LEVEL);
  if (!mtls) logger.warn('MTLS_OFF_FOR_DEVELOPMENT=true: gRPC and HTTP are plaintext and admit any caller; never run a deployment like this');
  // One SDK per process: tests boot several services in one process and share it.
  telemetry ??= startTelemetry({
    serviceName: `airlock-${def.name}`,
    serviceVersion: serviceVersion(environment, require.main?.filename),
    metricsHost: config.BIND_HOST,
    metricsPort: config.METRICS_PORT,
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  });

  // Before any server starts: an unusable key source is a ConfigError, not a service answering 401 to everyone.
  const edgeCaller = def.edgeIdentity ? await EdgeCaller.fromConfig(config as IdentityAssertionConfig, logger, mtls) : undefined;
  const edgeProviders = edgeCaller ? [{ provide: EdgeCaller, useValue: edgeCaller }] : [];

  const health = new HealthReporter(def.grpc.services);
  const stopping = new ServiceStopping();
  const runtime: DynamicModule = {
    module: class AirlockRuntimeModule {},
    global: true,
    providers: [
      { provide: APP_CONFIG, useValue: config },
      { provide: APP_LOGGER, useValue: logger },
      { provide: HealthReporter, useValue: health },
      { provide: ServiceStopping, useValue: stopping },
      { provide: APP_INTERCEPTOR, useClass: CorrelationInterceptor },
      { provide: APP_FILTER, useValue: new AllExceptionsFilter(logger) },
      ...edgeProviders,
    ],
    exports: [APP_CONFIG, APP_LOGGER, HealthReporter, ServiceStopping, ...edgeProviders.map((p) => p.provide)],
  };
  const root: DynamicModule = { module: class AirlockServiceRoot {}, imports: [runtime, def.module()] };

  const grpcAddress = `${config.BIND_HOST}:${config.GRPC_PORT}`;
  const grpcOptions: GrpcOptions = {
    transport: Transport.GRPC,
    options: {
      url: grpcAddress,
      package: def.grpc.packages,
      protoPath: def.grpc.protoFiles.map((f) => path.join(PROTO_DIR, f)),
      loader: PROTO_LOADER_OPTIONS,
      gracefulShutdown: true,
      credentials: serverCredentialsFor(mtls),
      channelOptions: mtls
        ? {
            interceptors: [
              callGraphInterceptor(withOperatorTools(def.grpc.allowedCallers), (refusal) =>
                logger.warn({ caller: refusal.caller, rpc: refusal.path, code: CALLER_NOT_ALLOWED }, 'grpc call refused: caller not in the call graph'),
              ),
            ],
          }
        : {},
      onLoadPackageDefinition: (pkg, server) => addStandardServices(server, pkg, health),
    },
  };
  const nestLogger = new NestLogger(logger);

  let app: INestApplication | INestMicroservice;
  let httpAddress: string | undefined;
  // abortOnError: false — a failing provider rejects bootService instead of Nest calling process.exit, so
  // runService reports it and in-process tests see the error.
  if (def.http) {
    // Nest's body parser is off: it ran before the correlation middleware (refusals without a correlation id)
    // and answered an oversized chunked body with 500. The runtime's own parser runs after it (http-body.ts).
    const httpsOptions = mtls ? mtlsHttpsServerOptions(mtls) : undefined;
    const web = await NestFactory.create<NestExpressApplication>(root, { logger: nestLogger, bufferLogs: false, bodyParser: false, abortOnError: false, httpsOptions });
    web.use(correlationMiddleware(logger));
    if (mtls) web.use(httpCallersMiddleware(def.httpCallers ?? DEFAULT_HTTP_CALLERS, logger));
    web.use(jsonBodyMiddleware({ maxBytes: config.HTTP_BODY_LIMIT_BYTES!, maxDepth: config.HTTP_JSON_MAX_DEPTH! }, logger));
    (web.getHttpServer() as Server).keepAliveTimeout = config.HTTP_KEEP_ALIVE_TIMEOUT_MS!;
    web.connectMicroservice(grpcOptions, { inheritAppConfig: true });
    app = web;
    await startOrClose(app, async () => {
      await web.startAllMicroservices();
      await web.listen(config.HTTP_PORT!, config.BIND_HOST);
    });
    httpAddress = `${config.BIND_HOST}:${config.HTTP_PORT}`;
  } else {
    const micro = await NestFactory.createMicroservice<GrpcOptions>(root, { ...grpcOptions, logger: nestLogger, abortOnError: false });
    app = micro;
    await startOrClose(app, () => micro.listen());
  }
  let healthListener: Awaited<ReturnType<typeof startHealthListener>> | undefined;
  if (config.GRPC_HEALTH_PORT) {
    healthListener = await startHealthListener(health, config.BIND_HOST, config.GRPC_HEALTH_PORT).catch(async (error: unknown) => {
      await app.close().catch(() => undefined);
      throw error;
    });
  }
  health.setServing(true);
  logger.info({ grpc: grpcAddress, http: httpAddress, metrics: `${config.BIND_HOST}:${config.METRICS_PORT}` }, 'service ready');

  let closing: Promise<void> | undefined;
  return {
    grpcAddress,
    httpAddress,
    logger,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    close: () =>
      (closing ??= (async () => {
        health.setServing(false);
        stopping.stop();
        await app.close();
        healthListener?.forceShutdown();
        logger.info('service stopped');
      })()),
  };
}

/**
 * The `main.ts` of every service: boot, then stop gracefully on SIGTERM/SIGINT within SHUTDOWN_GRACE_MS
 * (exit 1 if draining takes longer). A configuration error exits 78 (EX_CONFIG) after naming each variable.
 */
export function runService<S extends z.ZodRawShape>(def: ServiceDefinition<S>): void {
  bootService(def).then(
    (service) => {
      const stop = (signal: string) => {
        service.logger.info({ signal }, 'shutting down');
        setTimeout(() => {
          service.logger.error('drain took longer than SHUTDOWN_GRACE_MS; exiting');
          process.exit(1);
        }, service.shutdownGraceMs).unref();
        service
          .close()
          .then(() => telemetry?.shutdown())
          .then(
            () => process.exit(0),
            () => process.exit(1),
          );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    },
    (error: unknown) => {
      if (error instanceof ConfigError) {
        for (const p of error.problems) process.stderr.write(`config error: ${p.variable}: ${p.message}\n`);
        process.exit(78);
      }
      process.stderr.write(`${def.name}: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
