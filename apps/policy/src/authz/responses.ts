import { airlock, envoy } from '@airlock/contracts';
import { GrpcStatus } from '@airlock/grpc';
import {
  ASSERTION_HEADER,
  AUDIT_MODE_HEADER,
  IDENTITY_HEADERS,
  MCP_SERVER_HEADER,
  MODEL_ALIASES_HEADER,
  encodeMcpGrant,
  type McpGrant,
  POLICY_VERSION_HEADER,
  ROUTE_HEADERS,
  RULE_IDS_HEADER,
  type CredentialKind,
  type Identity,
} from '@airlock/identity-assertion';
import { errorEnvelope, errorPage } from '@airlock/runtime';
import { CORRELATION_HEADER } from '@airlock/telemetry';
import type { IdentityRefusalCode, PolicyErrorCode } from '../error-codes';

const { StatusCode } = envoy.type.v3;
const { PrincipalKind } = airlock.identity.v1;
const { HeaderValueOption_HeaderAppendAction: AppendAction } = envoy.config.core.v3;
type CheckResponse = envoy.service.auth.v3.CheckResponse;
type HeaderValueOption = envoy.config.core.v3.HeaderValueOption;

/** Identity's browser session cookie: a credential, so it is taken out of the Cookie header upstreams see. */
export const SESSION_COOKIE = 'airlock_session';

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The Cookie header without the session cookie ('' when nothing else is left). */
function withoutSessionCookie(header: string): string {
  return header
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p && p.slice(0, p.indexOf('=')).trim() !== SESSION_COOKIE)
    .join('; ');
}

// Values come from a signed token, but a header value with control characters would make Envoy refuse the
// whole response; such a value is treated as absent.
const SAFE_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

const safe = (value: string) => (SAFE_VALUE.test(value) ? value : '');
const kindOf = (principal: airlock.identity.v1.Principal) =>
  principal.kind === PrincipalKind.PRINCIPAL_KIND_SERVICE_ACCOUNT ? 'service_account' : 'user';

/** The credential a request authenticated with, as the assertion names it (identity's `/me` reports it). */
export interface AssertedCredential {
  kind: CredentialKind;
  /** Unix seconds; 0 when identity did not say. */
  expiresAtUnix: number;
}

/**
 * What the identity assertion says: exactly what the plain identity headers say, so a value dropped there is
 * dropped here; plus, when given, how the caller authenticated and until when.
 */
export function assertedIdentity(principal: airlock.identity.v1.Principal, credential?: AssertedCredential): Identity {
  const roles = principal.roles.join(',');
  return {
    subject: safe(principal.subject),
    userId: safe(principal.userId),
    tenantId: safe(principal.tenantId),
    projectId: safe(principal.projectId),
    workspaceId: safe(principal.workspaceId),
    roles: SAFE_VALUE.test(roles) ? [...principal.roles] : [],
    kind: kindOf(principal),
    ...(credential ? { auth: credential.kind } : {}),
    ...(credential && credential.expiresAtUnix > 0 ? { authExpiresAt: credential.expiresAtUnix } : {}),
  };
}

export function header(key: string, value: string): HeaderValueOption {
  return {
    header: { key, value, rawValue: Buffer.alloc(0) },
    append: undefined,
    appendAction: AppendAction.OVERWRITE_IF_EXISTS_OR_ADD,
    keepEmptyValue: false,
  };
}

export interface Allowed {
  principal: airlock.identity.v1.Principal;
  decision: airlock.policy.v1.Decision;
  correlationId: string;
  /** The request's Cookie header, if any. */
  cookie?: string;
  /** The signed identity assertion (`x-airlock-identity`); absent when the principal cannot be asserted. */
  assertion?: string;
  /** Added to the client's response (the RateLimit header fields, limits/limits-guard.ts). */
  responseHeaders?: [string, string][];
  /** `/mcp/<server>`: the server the caller may reach and its tool rules, for the gateway (apps/policy/src/mcp). */
  mcpGrant?: McpGrant;
}

/**
 * OK: the upstream sees the verified identity (plain headers, and signed in `x-airlock-identity`), the policy's
 * route and version, and no bearer token. Every
 * edge-owned header is either set here or listed for removal, so no client-supplied copy survives.
 */
export function allowResponse({ principal, decision, correlationId, cookie, assertion, responseHeaders = [], mcpGrant }: Allowed): CheckResponse {
  const owned: [string, string][] = [
    [IDENTITY_HEADERS.userId, principal.userId],
    [IDENTITY_HEADERS.tenantId, principal.tenantId],
    [IDENTITY_HEADERS.projectId, principal.projectId],
    [IDENTITY_HEADERS.workspaceId, principal.workspaceId],
    [IDENTITY_HEADERS.roles, principal.roles.join(',')],
    [IDENTITY_HEADERS.principalKind, kindOf(principal)],
    [ROUTE_HEADERS.backend, decision.route?.backend ?? ''],
    [ROUTE_HEADERS.model, decision.route?.model ?? ''],
  ];
  const headers = [header(CORRELATION_HEADER, correlationId)];
  // The credential, in either spelling, never reaches an upstream.
  const headersToRemove = ['authorization', 'x-api-key'];
  for (const [key, value] of owned) {
    if (SAFE_VALUE.test(value)) headers.push(header(key, value));
    else headersToRemove.push(key);
  }
  if (assertion) headers.push(header(ASSERTION_HEADER, assertion));
  else headersToRemove.push(ASSERTION_HEADER);
  headers.push(header(POLICY_VERSION_HEADER, decision.policyVersion), header(RULE_IDS_HEADER, decision.ruleIds.join(',')));
  // Policy's per-endpoint answers for the gateway: set, or removed so that a client's copy never reaches it.
  const aliases = (decision.modelAliases ?? []).map((m) => `${m.alias}=${m.backend}/${m.model}`).join(',');
  if (aliases) headers.push(header(MODEL_ALIASES_HEADER, aliases));
  else headersToRemove.push(MODEL_ALIASES_HEADER);
  if (decision.highRisk) headers.push(header(AUDIT_MODE_HEADER, 'fail-closed'));
  else headersToRemove.push(AUDIT_MODE_HEADER);
  if (mcpGrant) headers.push(header(MCP_SERVER_HEADER, encodeMcpGrant(mcpGrant)));
  else headersToRemove.push(MCP_SERVER_HEADER);
  if (cookie && readCookie(cookie, SESSION_COOKIE) !== undefined) {
    const rest = withoutSessionCookie(cookie);
    if (rest) headers.push(header('cookie', rest));
    else headersToRemove.push('cookie');
  }
  return {
    status: { code: GrpcStatus.OK, message: '', details: [] },
    deniedResponse: undefined,
    okResponse: {
      headers,
      headersToRemove,
      responseHeadersToAdd: [header(CORRELATION_HEADER, correlationId), ...responseHeaders.map(([k, v]) => header(k, v))],
    },
  };
}

export interface Denial {
  httpStatus: 401 | 403 | 429 | 503;
  code: PolicyErrorCode | IdentityRefusalCode;
  message: string;
  correlationId: string;
  /** Overrides the status's default (an exhausted token budget is a 429 not worth retrying soon). */
  retryable?: boolean;
  /** More headers for the client (Retry-After, RateLimit-Policy, RateLimit); a 503 without its own Retry-After gets `1`. */
  headers?: [string, string][];
  /** A person's browser navigating: answered with the refusal page in its language instead of the JSON envelope. */
  page?: { acceptLanguage: string | undefined };
}

const DENIALS = {
  401: { status: StatusCode.Unauthorized, grpc: GrpcStatus.UNAUTHENTICATED, retryable: false },
  403: { status: StatusCode.Forbidden, grpc: GrpcStatus.PERMISSION_DENIED, retryable: false },
  429: { status: StatusCode.TooManyRequests, grpc: GrpcStatus.RESOURCE_EXHAUSTED, retryable: true },
  503: { status: StatusCode.ServiceUnavailable, grpc: GrpcStatus.UNAVAILABLE, retryable: true },
} as const;

/** Envoy answers the client with this directly; the body is the platform's error envelope. */
export function deniedResponse({ httpStatus, code, message, correlationId, retryable, headers: extra = [], page }: Denial): CheckResponse {
  const kind = DENIALS[httpStatus];
  const html = page ? errorPage({ status: httpStatus, code, correlationId, acceptLanguage: page.acceptLanguage }) : undefined;
  const headers = [...(html ? html.headers.map(([k, v]) => header(k, v)) : [header('content-type', 'application/json')]), header(CORRELATION_HEADER, correlationId)];
  if (httpStatus === 401) headers.push(header('www-authenticate', 'Bearer'));
  if (httpStatus === 503 && !extra.some(([k]) => k === 'retry-after')) headers.push(header('retry-after', '1'));
  for (const [k, v] of extra) headers.push(header(k, v));
  return {
    status: { code: kind.grpc, message: code, details: [] },
    okResponse: undefined,
    deniedResponse: {
      status: { code: kind.status },
      headers,
      body: html?.body ?? JSON.stringify(errorEnvelope({ code, message, retryable: retryable ?? kind.retryable }, correlationId)),
    },
  };
}

/** A browser navigating without a valid session: 302 to sign in, and back to `location`'s return_to. */
export function signInRedirect(location: string, correlationId: string): CheckResponse {
  return {
    status: { code: GrpcStatus.UNAUTHENTICATED, message: 'sign_in_required', details: [] },
    okResponse: undefined,
    deniedResponse: {
      status: { code: StatusCode.Found },
      headers: [header('location', location), header('cache-control', 'no-store'), header(CORRELATION_HEADER, correlationId)],
      body: '',
    },
  };
}
