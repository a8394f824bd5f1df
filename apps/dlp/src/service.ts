import { PROTO_FILES } from '@airlock/contracts';
import type { ServiceDefinition } from '@airlock/runtime';
import { env } from '@airlock/config';

export const dlpConfig = {
  /** Largest text one Scan accepts, in characters; larger input is refused, never truncated. */
  DLP_MAX_TEXT_CHARS: env.int(1_000_000, 1),
};

export const dlpService: ServiceDefinition<typeof dlpConfig> = {
  name: 'dlp',
  config: dlpConfig,
  grpc: { protoFiles: [PROTO_FILES.dlp], packages: ['airlock.dlp.v1'], services: ['airlock.dlp.v1.DlpService'] },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  module: () => require('./app.module').AppModule,
};
