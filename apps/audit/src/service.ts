import { PROTO_FILES } from '@airlock/contracts';
import type { ServiceDefinition } from '@airlock/runtime';
import { ALLOWED_CALLERS, auditConfig } from './config';

/** Envoy's gRPC access-log service (a subset of Envoy's own proto, see proto/envoy). */
const ACCESS_LOG_PROTO = 'envoy/service/accesslog/v3/als.proto';

/**
 * The service as the environment configures it. With DATABASE_URL it keeps the audit index and serves the search
 * API on it (an HTTP face behind Envoy: HTTP_PORT and the edge identity's key are then required too); without
 * it, it is the sink pipeline alone, with gRPC only.
 */
export function auditServiceFor(environment: NodeJS.ProcessEnv = process.env): ServiceDefinition<typeof auditConfig> {
  const indexed = Boolean(environment.DATABASE_URL);
  return {
    name: 'audit',
    config: auditConfig,
    http: indexed,
    edgeIdentity: indexed,
    grpc: {
      protoFiles: [PROTO_FILES.audit, ACCESS_LOG_PROTO],
      packages: ['airlock.audit.v1', 'envoy.service.accesslog.v3'],
      services: ['airlock.audit.v1.AuditService', 'envoy.service.accesslog.v3.AccessLogService'],
      allowedCallers: ALLOWED_CALLERS,
    },
    module: () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const modules = require('./app.module') as typeof import('./app.module');
      return indexed ? modules.SearchableAppModule : modules.AppModule;
    },
  };
}

/** The sink pipeline without the search API (no HTTP face). */
export const auditService = auditServiceFor({});
