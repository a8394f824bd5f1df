import { ASSERTION_HEADER } from './claims';
import { MCP_SERVER_HEADER } from './mcp-grant';

/*
 * The request headers the edge owns. Envoy removes every client-supplied copy before anything else sees the
 * request; policy's ext_authz answer then sets each from the verified credential and its decision, or lists
 * it for removal. Services behind Envoy read them under these names only.
 */

/** The verified caller as plain headers. Services take identity from the signed ASSERTION_HEADER instead. */
export const IDENTITY_HEADERS = {
  userId: 'x-user-id',
  tenantId: 'x-tenant-id',
  projectId: 'x-project-id',
  workspaceId: 'x-workspace-id',
  /** Comma-separated. */
  roles: 'x-airlock-roles',
  /** `user` or `service_account`. */
  principalKind: 'x-airlock-principal-kind',
} as const;

/** The backend and model policy routes the request to. */
export const ROUTE_HEADERS = {
  backend: 'x-airlock-route-backend',
  model: 'x-airlock-route-model',
} as const;

/** The policy bundle version that decided the request. */
export const POLICY_VERSION_HEADER = 'x-airlock-policy-version';
/** Comma-separated ids of the rules that decided it. */
export const RULE_IDS_HEADER = 'x-airlock-rule-ids';
/** `alias=backend/model,...`: the model names the client may use on this endpoint. */
export const MODEL_ALIASES_HEADER = 'x-airlock-model-aliases';
/** `fail-closed` on endpoints the bundle marks high-risk: the answer waits until the audit event is durable. */
export const AUDIT_MODE_HEADER = 'x-airlock-audit-mode';

/** Every header above and the assertion: the list the edge strips from client requests. */
export const EDGE_OWNED_HEADERS: readonly string[] = [
  ...Object.values(IDENTITY_HEADERS),
  ASSERTION_HEADER,
  ...Object.values(ROUTE_HEADERS),
  MODEL_ALIASES_HEADER,
  AUDIT_MODE_HEADER,
  POLICY_VERSION_HEADER,
  RULE_IDS_HEADER,
  MCP_SERVER_HEADER,
];

/**
 * The principal headers Envoy writes into its access log (`additional_request_headers_to_log`, after the
 * correlation id). At log time they hold what ext_authz set from the verified credential — the edge strips
 * client-supplied copies — so they are the authenticated principal, not the caller's claims.
 */
export const EDGE_LOGGED_PRINCIPAL_HEADERS = [
  IDENTITY_HEADERS.userId,
  IDENTITY_HEADERS.tenantId,
  IDENTITY_HEADERS.projectId,
  IDENTITY_HEADERS.workspaceId,
  POLICY_VERSION_HEADER,
] as const;
