import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { createClient, unary } from '@airlock/grpc';
import { APP_CONFIG, grpcClientCredentials, type ServiceConfig } from '@airlock/runtime';
import type { policyConfig } from '../config';

/** Identity's verdict on a credential (VerifyTokenResponse and VerifySessionResponse have this shape). */
export type Verdict = airlock.identity.v1.VerifyTokenResponse;

/** What Check needs from identity; tests substitute it. */
export abstract class TokenVerifier {
  /** A bearer credential: an Airlock JWT or an opaque API token. Rejects only when identity could not be asked. */
  abstract verify(token: string, clientIp?: string): Promise<Verdict>;
  /** The airlock_session cookie's value. Rejects only when identity could not be asked. */
  abstract verifySession(sessionId: string, clientIp?: string): Promise<Verdict>;
}

@Injectable()
export class IdentityTokenVerifier extends TokenVerifier implements OnApplicationShutdown {
  private readonly client: airlock.identity.v1.IdentityServiceClient;

  constructor(@Inject(APP_CONFIG) config: ServiceConfig<typeof policyConfig>) {
    super();
    this.client = createClient(airlock.identity.v1.IdentityServiceClient, config.IDENTITY_ADDR, {
      deadlineMs: config.POLICY_IDENTITY_DEADLINE_MS,
      credentials: grpcClientCredentials(config),
      idempotent: ['airlock.identity.v1.IdentityService/VerifyToken', 'airlock.identity.v1.IdentityService/VerifySession'],
    });
  }

  verify(token: string, clientIp = ''): Promise<Verdict> {
    return unary(this.client.verifyToken.bind(this.client), { token, clientIp });
  }

  verifySession(sessionId: string, clientIp = ''): Promise<Verdict> {
    return unary(this.client.verifySession.bind(this.client), { sessionId, clientIp });
  }

  // After the gRPC server drained: in-flight Checks still need the channel.
  onApplicationShutdown(): void {
    this.client.close();
  }
}
