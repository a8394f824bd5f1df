export { createClient, isGrpcError, unary, type ClientOptions } from './client';
export { HealthReporter, PROTO_LOADER_OPTIONS, addStandardServices, loadProtos } from './server';
export { status as GrpcStatus, Metadata } from '@grpc/grpc-js';
export { checkHealth } from './health-client';
