import { PROTO_FILES } from '@airlock/contracts';
import type { ServiceDefinition } from '@airlock/runtime';
import { ALLOWED_CALLERS, ragConfig } from './config';

export const ragService: ServiceDefinition<typeof ragConfig> = {
  name: 'rag',
  config: ragConfig,
  // The indexer account's repository API behind Envoy (/api/rag/v1/repositories) and the Git server's push
  // webhook (/api/rag/v1/hooks/push, called inside the cluster).
  http: true,
  // The repository API takes its caller from the edge's identity assertion.
  edgeIdentity: true,
  grpc: { protoFiles: [PROTO_FILES.rag], packages: ['airlock.rag.v1'], services: ['airlock.rag.v1.RagService'], allowedCallers: ALLOWED_CALLERS },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  module: () => require('./app.module').AppModule,
};
