import { PROTO_FILES } from '@airlock/contracts';
import type { ServiceDefinition } from '@airlock/runtime';
import { ALLOWED_CALLERS, identityConfig } from './config';

export const identityService: ServiceDefinition<typeof identityConfig> = {
  name: 'identity',
  config: identityConfig,
  http: true,
  // The token API (/api/identity/v1/tokens) and /api/identity/v1/me take their caller from the edge's identity assertion.
  edgeIdentity: true,
  grpc: {
    protoFiles: [PROTO_FILES.identity],
    packages: ['airlock.identity.v1'],
    services: ['airlock.identity.v1.IdentityService'],
    allowedCallers: ALLOWED_CALLERS,
  },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  module: () => require('./app.module').AppModule,
};
