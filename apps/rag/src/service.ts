import { PROTO_FILES } from '@airlock/contracts';
import type { ServiceDefinition } from '@airlock/runtime';
import { ALLOWED_CALLERS, ragConfig } from './config';

export const ragService: ServiceDefinition<typeof ragConfig> = {
  name: 'rag',
  config: ragConfig,
  // The Git server's push webhook (/api/rag/v1/hooks/push).
  http: true,
  grpc: { protoFiles: [PROTO_FILES.rag], packages: ['airlock.rag.v1'], services: ['airlock.rag.v1.RagService'], allowedCallers: ALLOWED_CALLERS },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  module: () => require('./app.module').AppModule,
};
