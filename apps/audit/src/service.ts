import { PROTO_FILES } from '@airlock/contracts';
import type { ServiceDefinition } from '@airlock/runtime';
import { ALLOWED_CALLERS, auditConfig } from './config';

/** Envoy's gRPC access-log service (a subset of Envoy's own proto, see proto/envoy). */
const ACCESS_LOG_PROTO = 'envoy/service/accesslog/v3/als.proto';

export const auditService: ServiceDefinition<typeof auditConfig> = {
  name: 'audit',
  config: auditConfig,
  grpc: {
    protoFiles: [PROTO_FILES.audit, ACCESS_LOG_PROTO],
    packages: ['airlock.audit.v1', 'envoy.service.accesslog.v3'],
    services: ['airlock.audit.v1.AuditService', 'envoy.service.accesslog.v3.AccessLogService'],
    allowedCallers: ALLOWED_CALLERS,
  },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  module: () => require('./app.module').AppModule,
};
