/**
 * Every code the identity service raises (the AppError subclasses in api-tokens/, login/ and tokens/ take
 * nothing else); the README's error table lists exactly these (error-codes.spec.ts).
 */
export const IDENTITY_ERROR_CODES = [
  // Tokens (gRPC IssueToken, RevokeToken, VerifyToken's store)
  'token_issue_disabled',
  'invalid_principal',
  'token_ttl_too_long',
  'token_malformed',
  'token_store_unavailable',
  'token_store_auth_failed',
  // Browser sessions (GET /auth/session)
  'session_missing',
  'session_malformed',
  'session_unknown',
  // Login (OIDC relying party)
  'oidc_not_configured',
  'idp_unavailable',
  'idp_error',
  'login_state_missing',
  'login_state_unknown',
  'login_state_mismatch',
  'login_code_missing',
  'code_exchange_failed',
  'id_token_malformed',
  'id_token_expired',
  'id_token_not_yet_valid',
  'id_token_wrong_audience',
  'id_token_wrong_issuer',
  'id_token_invalid_signature',
  'id_token_nonce_mismatch',
  'id_token_replayed',
  'no_airlock_groups',
  'tenant_ambiguous',
  'mfa_required',
  'session_limit_reached',
  'policy_unavailable',
  // API tokens (/api/identity/v1/tokens)
  'unauthenticated',
  'users_only',
  'scope_exceeds_caller',
  'security_admin_only',
  'invalid_token_request',
  'token_not_found',
  'api_tokens_not_configured',
  'token_db_unavailable',
  'token_db_auth_failed',
] as const;
export type IdentityErrorCode = (typeof IDENTITY_ERROR_CODES)[number];
