import { Injectable } from '@nestjs/common';
import { compactVerify } from 'jose';
import { credentialDigest } from '../credentials';
import { SigningKeys, TOKEN_ALG } from '../keys/signing-key';
import { IdentityRedis } from '../redis/identity-redis';
import { TokenMalformedError } from './errors';
import { TokenStore } from './token-store';

/**
 * Revokes a token this service signed, expired or not, by forgetting its id: VerifyToken then answers
 * `token_revoked`, and announces the revocation so verdict caches drop it. Resolves to whether the token was
 * still live. The operator's RevokeToken RPC.
 */
@Injectable()
export class RevokeToken {
  constructor(
    private readonly keys: SigningKeys,
    private readonly store: TokenStore,
    private readonly redis: IdentityRedis,
  ) {}

  async execute(token: string): Promise<boolean> {
    let jti: unknown;
    try {
      // Signature only, no claim checks: a forged token must not name ids to delete, an expired one may.
      const { payload } = await compactVerify(token, this.keys.current.publicKey, { algorithms: [TOKEN_ALG] });
      jti = (JSON.parse(new TextDecoder().decode(payload)) as { jti?: unknown }).jti;
    } catch {
      jti = undefined;
    }
    if (typeof jti !== 'string' || !jti) throw new TokenMalformedError();
    const wasLive = await this.store.forget(jti);
    await this.redis.announceRevocation(credentialDigest(token));
    return wasLive;
  }
}
