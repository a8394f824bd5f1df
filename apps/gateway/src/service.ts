import { PROTO_FILES } from '@airlock/contracts';
import type { ServiceDefinition } from '@airlock/runtime';
import { ALLOWED_CALLERS, gatewayConfig } from './config';

export const gatewayService: ServiceDefinition<typeof gatewayConfig> = {
  name: 'gateway',
  config: gatewayConfig,
  http: true,
  edgeIdentity: true,
  grpc: { protoFiles: [PROTO_FILES.gateway], packages: ['airlock.gateway.v1'], services: ['airlock.gateway.v1.GatewayService'], allowedCallers: ALLOWED_CALLERS },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  module: () => require('./app.module').AppModule,
};
