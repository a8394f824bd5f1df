/**
 * Every code the policy service answers with: its AppError subclasses take nothing else, nor do ext_authz
 * denials. The README's error table lists exactly these (error-codes.spec.ts).
 */
export const POLICY_ERROR_CODES = [
  // Authentication (ext_authz, PolicyAdminService) and authorization
  'unauthenticated',
  'identity_unavailable',
  'forbidden',
  // Browser safety at the edge (ext_authz)
  'csrf_rejected',
  // MCP servers (ext_authz): a server the bundle does not declare, or not for this caller
  'mcp_server_not_allowed',
  // Rate limits and token budgets (ext_authz)
  'rate_limited',
  'rate_limiter_unavailable',
  'token_budget_exceeded',
  'token_budget_unavailable',
  // Requests
  'invalid_request',
  'invalid_tenant',
  'invalid_dlp_rules',
  'policy_version_unknown',
  // Versioned bundles
  'invalid_bundle',
  'draft_not_found',
  'draft_state_conflict',
  'draft_stale',
  'precondition_required',
  'precondition_failed',
  'self_approval_forbidden',
  'activation_refused',
  'bundle_store_not_configured',
  'bundle_store_unavailable',
  'bundle_store_auth_failed',
] as const;
export type PolicyErrorCode = (typeof POLICY_ERROR_CODES)[number];

/**
 * Identity's reason for refusing a credential (`token_expired`, `session_unknown`…: identity's README lists
 * them), passed on unchanged in place of `unauthenticated`.
 */
export type IdentityRefusalCode = `token_${string}` | `session_${string}`;

/** Identity's `error_code` when it is one of its refusal reasons; anything else is `unauthenticated`. */
export function refusalCode(identityCode: string): IdentityRefusalCode | 'unauthenticated' {
  return /^(token|session)_[a-z_]+$/.test(identityCode) ? (identityCode as IdentityRefusalCode) : 'unauthenticated';
}
