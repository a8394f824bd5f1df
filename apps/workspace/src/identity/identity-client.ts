import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { createClient } from '@airlock/grpc';
import { APP_CONFIG, APP_LOGGER, grpcClientCredentials, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { workspaceConfig } from '../config';

/**
 * The one channel to identity (IDENTITY_ADDR): workspace gateway tokens (GatewayTokens) and the projects a
 * person may create workspaces in (CallerProjects). Absent when IDENTITY_ADDR is not set.
 */
@Injectable()
export class IdentityClient implements OnApplicationShutdown {
  readonly client?: airlock.identity.v1.IdentityServiceClient;

  constructor(@Inject(APP_CONFIG) config: ServiceConfig<typeof workspaceConfig>, @Inject(APP_LOGGER) logger: Logger) {
    if (config.IDENTITY_ADDR) {
      this.client = createClient(airlock.identity.v1.IdentityServiceClient, config.IDENTITY_ADDR, {
        deadlineMs: 5_000,
        credentials: grpcClientCredentials(config),
        // Revoking twice changes nothing and reading projects changes nothing; issuing twice is safe too (the
        // second revokes the first) but is left to the reconciler's next pass.
        idempotent: ['airlock.identity.v1.IdentityService/RevokeWorkspaceTokens', 'airlock.identity.v1.IdentityService/GetUserProjects'],
      });
    } else {
      logger.warn('IDENTITY_ADDR not set: workspaces start without a gateway token (their AI calls are refused), and a person in several projects cannot choose one');
    }
  }

  onApplicationShutdown(): void {
    this.client?.close();
  }
}
