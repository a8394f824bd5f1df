import { PROTO_FILES } from '@airlock/contracts';
import type { ServiceDefinition } from '@airlock/runtime';
import { env, z } from '@airlock/config';

export const workspaceConfig = {
  DATABASE_URL: env.url(),
  /** Image a workspace gets when the request names none. */
  WORKSPACE_DEFAULT_IMAGE: z.string().min(1).default('workspace-base:2026.11.21-build1'),
  /** Live workspaces one user may hold in a tenant, counted across all projects. */
  WORKSPACE_MAX_PER_USER: env.int(1, 1),
};

export const workspaceService: ServiceDefinition<typeof workspaceConfig> = {
  name: 'workspace',
  config: workspaceConfig,
  grpc: {
    protoFiles: [PROTO_FILES.workspace],
    packages: ['airlock.workspace.v1'],
    services: ['airlock.workspace.v1.WorkspaceService'],
  },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  module: () => require('./app.module').AppModule,
};
