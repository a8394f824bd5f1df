export { createClient, isGrpcError, unary, type ClientOptions } from './client';
export { HealthReporter, PROTO_LOADER_OPTIONS, addStandardServices, loadProtos, startHealthListener } from './server';
export { status as GrpcStatus, Metadata } from '@grpc/grpc-js';
export { checkHealth } from './health-client';
export {
  CALLER_NOT_ALLOWED,
  ERROR_CODE_TRAILER,
  IDENTITY_URI_PREFIX,
  callAllowed,
  callGraphInterceptor,
  mtlsChannelCredentials,
  mtlsHttpsClientOptions,
  mtlsHttpsServerOptions,
  mtlsServerCredentials,
  readMtlsMaterial,
  workloadOf,
  type CallGraph,
  type CallGraphRefusal,
  type MtlsMaterial,
} from './mtls';
export { credentials as GrpcCredentials, type ChannelCredentials } from '@grpc/grpc-js';
