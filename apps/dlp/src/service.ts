import { PROTO_FILES } from '@airlock/contracts';
import type { ServiceDefinition } from '@airlock/runtime';
import { dlpConfig } from './config';

export const dlpService: ServiceDefinition<typeof dlpConfig> = {
  name: 'dlp',
  config: dlpConfig,
  grpc: { protoFiles: [PROTO_FILES.dlp], packages: ['airlock.dlp.v1'], services: ['airlock.dlp.v1.DlpService'] },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  module: () => require('./app.module').AppModule,
};
