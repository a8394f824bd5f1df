import { PROTO_FILES } from '@airlock/contracts';
import type { ServiceDefinition } from '@airlock/runtime';
import { ALLOWED_CALLERS, dlpConfig } from './config';

export const dlpService: ServiceDefinition<typeof dlpConfig> = {
  name: 'dlp',
  config: dlpConfig,
  grpc: { protoFiles: [PROTO_FILES.dlp], packages: ['airlock.dlp.v1'], services: ['airlock.dlp.v1.DlpService'], allowedCallers: ALLOWED_CALLERS },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  module: () => require('./app.module').AppModule,
};
