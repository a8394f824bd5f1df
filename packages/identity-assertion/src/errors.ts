/**
 * Why an identity assertion was refused. Every code means "no identity": callers answer 401 whatever the
 * code, and log it (never the assertion itself).
 */
export type AssertionErrorCode =
  /** No assertion on the request: it did not come through the edge. */
  | 'missing'
  /** Not a compact JWS, oversized, or a part that is not base64url JSON. */
  | 'malformed'
  /** `alg` is anything but ES256 (`none`, HS256 with the public key as secret, RS256, ...). */
  | 'alg_not_allowed'
  /** `typ` is not `airlock-identity+jwt`: some other JWT (e.g. an access token) offered as an assertion. */
  | 'wrong_type'
  /** Signed with a key this verifier does not know (`kid` not in the key set). */
  | 'unknown_key'
  /** The signature does not match: tampered, or signed with another key. */
  | 'bad_signature'
  | 'expired'
  /** Issued in the future (beyond the clock tolerance). */
  | 'not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience'
  /** Authentic but not a valid identity: a claim missing or of the wrong type, or a lifetime over the maximum. */
  | 'invalid_claims'
  /** The verifier has no keys (the JWKS endpoint could not be read): fail closed. */
  | 'keys_unavailable';

export class AssertionError extends Error {
  constructor(
    readonly code: AssertionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AssertionError';
  }
}
