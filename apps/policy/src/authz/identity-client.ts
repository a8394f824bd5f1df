import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { createClient, unary } from '@airlock/grpc';
import { APP_CONFIG, type ServiceConfig } from '@airlock/runtime';
import type { policyConfig } from '../service';

type VerifyTokenResponse = airlock.identity.v1.VerifyTokenResponse;

/** What Check needs from identity; tests substitute it. */
export abstract class TokenVerifier {
  /** Resolves to identity's verdict; rejects only when identity could not be asked (or failed). */
  abstract verify(token: string): Promise<VerifyTokenResponse>;
}

@Injectable()
export class IdentityTokenVerifier extends TokenVerifier implements OnApplicationShutdown {
  private readonly client: airlock.identity.v1.IdentityServiceClient;

  constructor(@Inject(APP_CONFIG) config: ServiceConfig<typeof policyConfig>) {
    super();
    this.client = createClient(airlock.identity.v1.IdentityServiceClient, config.IDENTITY_ADDR, {
      deadlineMs: config.POLICY_IDENTITY_DEADLINE_MS,
      idempotent: ['airlock.identity.v1.IdentityService/VerifyToken'],
    });
  }

  verify(token: string): Promise<VerifyTokenResponse> {
    return unary(this.client.verifyToken.bind(this.client), { token });
  }

  // After the gRPC server drained: in-flight Checks still need the channel.
  onApplicationShutdown(): void {
    this.client.close();
  }
}
