export { APP_CONFIG, APP_LOGGER, bootService, runService, type RunningService, type ServiceConfig, type ServiceDefinition } from './boot';
export { errorEnvelope, type ErrorEnvelope } from './error-envelope';
export { AppError, DependencyUnavailableError, GrpcStatus, InvalidArgumentError, type AppErrorOptions } from './errors';
export { HealthReporter } from '@airlock/grpc';
export { EdgeCaller, UnauthenticatedError, type EdgeIdentity } from './edge-caller';
export { errorPage, isBrowserNavigation, pageLanguage, type ErrorPage, type PageLanguage } from './error-page';
export { ServiceStopping } from './service-stopping';
export { grpcClientCredentials, loadMtlsMaterial, mtlsShape, type MtlsConfig } from './mtls-config';
export type { CallGraph } from '@airlock/grpc';
