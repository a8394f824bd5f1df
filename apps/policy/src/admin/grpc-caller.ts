import { Injectable } from '@nestjs/common';
import type { Metadata } from '@airlock/grpc';
import { AppError, DependencyUnavailableError, GrpcStatus } from '@airlock/runtime';
import type { IdentityRefusalCode, PolicyErrorCode } from '../error-codes';
import { Authenticator, bearerCredential } from '../authz/authenticator';
import { assertedIdentity } from '../authz/responses';
import { authorize, type Caller } from '../http/caller';

/** No credential, or one identity refused: `code` is identity's own (as ext_authz answers it) or `unauthenticated`. */
export class CredentialRefusedError extends AppError<PolicyErrorCode | IdentityRefusalCode> {
  constructor(code: PolicyErrorCode | IdentityRefusalCode, message: string) {
    super(code, message, { httpStatus: 401, grpcStatus: GrpcStatus.UNAUTHENTICATED });
  }
}

/** Identity could not be asked: fail closed, as ext_authz does (503 there). */
export class IdentityUnavailableError extends DependencyUnavailableError<PolicyErrorCode> {
  constructor() {
    super('identity_unavailable', 'authentication is temporarily unavailable');
  }
}

/** `ipv4:127.0.0.1:5000`, `ipv6:[::1]:5000` → the address identity is told the credential came from. */
function peerAddress(peer: string): string {
  const address = peer.replace(/^ipv[46]:/, '');
  return address.replace(/^\[(.*)\]:\d+$/, '$1').replace(/^([^:]*):\d+$/, '$1');
}

/**
 * The caller of a PolicyAdminService RPC: the `authorization: Bearer <token>` metadata verified as ext_authz
 * verifies it at the edge (the same Authenticator and principal cache), then held to the same roles as the
 * REST routes (http/caller.ts). Nothing else in the metadata says who calls.
 */
@Injectable()
export class GrpcCaller {
  constructor(private readonly authenticator: Authenticator) {}

  async callerFrom(metadata: Metadata, peer: string, roles: readonly string[]): Promise<Caller> {
    const values = metadata.get('authorization');
    const credential = values.length === 1 && typeof values[0] === 'string' ? bearerCredential(values[0]) : undefined;
    if (!credential) throw new CredentialRefusedError('unauthenticated', 'a bearer token is required (metadata `authorization: Bearer <token>`)');
    const authentication = await this.authenticator.authenticate(credential, peerAddress(peer));
    if ('unavailable' in authentication) throw new IdentityUnavailableError();
    if ('refused' in authentication) throw new CredentialRefusedError(authentication.refused.code, authentication.refused.message);
    return authorize(assertedIdentity(authentication.principal), roles);
  }
}
