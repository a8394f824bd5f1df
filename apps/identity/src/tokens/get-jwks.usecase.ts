import { Injectable } from '@nestjs/common';
import { SigningKeys, type Jwks } from '../keys/signing-key';

/** The public half of the signing key, for anyone who verifies tokens offline. */
@Injectable()
export class GetJwks {
  constructor(private readonly keys: SigningKeys) {}

  execute(): Jwks {
    return this.keys.current.jwks;
  }
}
