import { PROTO_FILES } from '@airlock/contracts';
import type { ServiceDefinition } from '@airlock/runtime';
import { ALLOWED_CALLERS, workspaceConfig } from './config';

export const workspaceService: ServiceDefinition<typeof workspaceConfig> = {
  name: 'workspace',
  config: workspaceConfig,
  // The owner API (/api/workspace/v1/, owner-api/) on HTTP_PORT; the browser route has its own port.
  http: true,
  // Both take their caller from policy's signed x-airlock-identity assertion: IDENTITY_ASSERTION_PUBLIC_KEY_FILE
  // or IDENTITY_ASSERTION_JWKS_URL.
  edgeIdentity: true,
  grpc: {
    protoFiles: [PROTO_FILES.workspace],
    packages: ['airlock.workspace.v1'],
    services: ['airlock.workspace.v1.WorkspaceService'],
    allowedCallers: ALLOWED_CALLERS,
  },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  module: () => require('./app.module').AppModule,
};
