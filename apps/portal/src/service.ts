import type { ServiceDefinition } from '@airlock/runtime';
import { ALLOWED_CALLERS, portalConfig } from './config';

export const portalService: ServiceDefinition<typeof portalConfig> = {
  name: 'portal',
  config: portalConfig,
  http: true,
  // The health API's caller comes from the edge's identity assertion.
  edgeIdentity: true,
  // No gRPC API of its own: the port serves grpc.health.v1 (probes, the mesh's readiness) and reflection.
  grpc: { protoFiles: [], packages: [], services: ['airlock.portal.v1.Portal'], allowedCallers: ALLOWED_CALLERS },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  module: () => require('./app.module').AppModule,
};
