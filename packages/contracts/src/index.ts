import path from 'node:path';

export * from './gen';

/**
 * Root of the .proto sources shipped with this package (copied to dist/proto at build time). Servers load
 * them with @grpc/proto-loader for NestJS and for gRPC reflection; clients use the generated ts-proto code.
 */
export const PROTO_DIR = path.resolve(__dirname, 'proto');

/** Proto files (relative to PROTO_DIR) that make up each service's gRPC surface. */
export const PROTO_FILES = {
  identity: 'airlock/identity/v1/identity.proto',
  workspace: 'airlock/workspace/v1/workspace.proto',
  policy: 'airlock/policy/v1/policy.proto',
  dlp: 'airlock/dlp/v1/dlp.proto',
  gateway: 'airlock/gateway/v1/gateway.proto',
  audit: 'airlock/audit/v1/audit.proto',
  usage: 'airlock/usage/v1/usage.proto',
  terminal: 'airlock/terminal/v1/terminal.proto',
  rag: 'airlock/rag/v1/rag.proto',
  extAuthz: 'envoy/service/auth/v3/external_auth.proto',
} as const;
