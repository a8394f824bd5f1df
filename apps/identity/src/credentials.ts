import { createHash, randomBytes } from 'node:crypto';

/**
 * sha256 (hex) of a raw credential (session id, API token, JWT): the only form in which credentials are
 * stored or announced. Policy's verdict cache keys on the same digest, so a revocation announced with it
 * evicts exactly that credential.
 */
export function credentialDigest(raw: string): string {
  return createHash('sha256').update(raw).digest('hex');
}

/** 256 random bits, base64url (43 characters). */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

export const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
