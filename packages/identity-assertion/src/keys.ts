import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { ASSERTION_ALG } from './claims';

/** The public half of a P-256 key as a JWK (RFC 7517), as served in a JWKS. */
export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid?: string;
  alg?: string;
  use?: string;
}

export interface Jwks {
  keys: PublicJwk[];
}

/** Throws unless `key` is an EC P-256 key: the only curve ES256 is defined on. */
export function assertP256(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`${what} is not an EC P-256 key`);
  }
}

export function publicJwkOf(publicKey: KeyObject): PublicJwk {
  const { x, y } = publicKey.export({ format: 'jwk' });
  return { kty: 'EC', crv: 'P-256', x: x!, y: y! };
}

/** RFC 7638 thumbprint: the `kid`, stable for a key wherever it is computed. */
export function thumbprint(jwk: PublicJwk): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

export function jwkEntry(publicKey: KeyObject): PublicJwk {
  const jwk = publicJwkOf(publicKey);
  return { ...jwk, kid: thumbprint(jwk), alg: ASSERTION_ALG, use: 'sig' };
}

/**
 * The usable keys of a JWKS by kid: only EC P-256 signature keys for ES256. Other entries (RSA, encryption
 * keys, other algorithms) are skipped, not errors, so a shared JWKS may hold them; private members are ignored.
 */
export function keysFromJwks(jwks: unknown): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  const entries = (jwks as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(entries)) throw new Error('not a JWKS (no "keys" array)');
  for (const entry of entries as Partial<PublicJwk>[]) {
    if (!entry || entry.kty !== 'EC' || entry.crv !== 'P-256' || typeof entry.x !== 'string' || typeof entry.y !== 'string') continue;
    if ((entry.alg !== undefined && entry.alg !== ASSERTION_ALG) || (entry.use !== undefined && entry.use !== 'sig')) continue;
    const jwk: PublicJwk = { kty: 'EC', crv: 'P-256', x: entry.x, y: entry.y };
    let key: KeyObject;
    try {
      key = createPublicKey({ key: { ...jwk }, format: 'jwk' });
    } catch {
      continue; // not a point on the curve
    }
    keys.set(typeof entry.kid === 'string' && entry.kid ? entry.kid : thumbprint(jwk), key);
  }
  return keys;
}
