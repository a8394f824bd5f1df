import { PROTO_FILES } from '@airlock/contracts';
import type { ServiceDefinition } from '@airlock/runtime';
import { ALLOWED_CALLERS, terminalConfig } from './config';

export const terminalService: ServiceDefinition<typeof terminalConfig> = {
  name: 'terminal',
  config: terminalConfig,
  http: true,
  // /api/terminal/v1 and the WebSocket upgrade take their caller from the edge's identity assertion.
  edgeIdentity: true,
  grpc: { protoFiles: [PROTO_FILES.terminal], packages: ['airlock.terminal.v1'], services: ['airlock.terminal.v1.TerminalService'], allowedCallers: ALLOWED_CALLERS },
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  module: () => require('./app.module').AppModule,
};
