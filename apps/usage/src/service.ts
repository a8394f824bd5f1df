import { PROTO_FILES } from '@airlock/contracts';
import type { ServiceDefinition } from '@airlock/runtime';
import { ALLOWED_CALLERS, usageConfig } from './config';

export const usageService: ServiceDefinition<typeof usageConfig> = {
  name: 'usage',
  config: usageConfig,
  http: true,
  // The reports API (/api/usage/v1/reports) and /api/usage/v1/me take their caller from the edge's identity assertion.
  edgeIdentity: true,
  grpc: { protoFiles: [PROTO_FILES.usage], packages: ['airlock.usage.v1'], services: ['airlock.usage.v1.UsageService'], allowedCallers: ALLOWED_CALLERS },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  module: () => require('./app.module').AppModule,
};
