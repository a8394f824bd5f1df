import { envoy, type airlock } from '@airlock/contracts';
import { GrpcStatus } from '@airlock/grpc';

const { StatusCode } = envoy.type.v3;
const { HeaderValueOption_HeaderAppendAction: AppendAction } = envoy.config.core.v3;
type CheckResponse = envoy.service.auth.v3.CheckResponse;
type HeaderValueOption = envoy.config.core.v3.HeaderValueOption;

/** Request headers only the edge may set: each is overwritten from the verified principal or removed. */
export const IDENTITY_HEADERS = ['x-user-id', 'x-tenant-id', 'x-project-id', 'x-workspace-id'] as const;
export const ROUTE_HEADERS = ['x-airlock-route-backend', 'x-airlock-route-model'] as const;

// Values come from a signed token, but a header value with control characters would make Envoy refuse the
// whole response; such a value is treated as absent.
const SAFE_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

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
}

/**
 * OK: the upstream sees the verified identity, the policy's route and version, and no bearer token. Every
 * edge-owned header is either set here or listed for removal, so no client-supplied copy survives.
 */
export function allowResponse({ principal, decision, correlationId }: Allowed): CheckResponse {
  const owned: [string, string][] = [
    ['x-user-id', principal.userId],
    ['x-tenant-id', principal.tenantId],
    ['x-project-id', principal.projectId],
    ['x-workspace-id', principal.workspaceId],
    ['x-airlock-route-backend', decision.route?.backend ?? ''],
    ['x-airlock-route-model', decision.route?.model ?? ''],
  ];
  const headers = [header('x-correlation-id', correlationId)];
  const headersToRemove = ['authorization'];
  for (const [key, value] of owned) {
    if (SAFE_VALUE.test(value)) headers.push(header(key, value));
    else headersToRemove.push(key);
  }
  headers.push(header('x-airlock-policy-version', decision.policyVersion), header('x-airlock-rule-ids', decision.ruleIds.join(',')));
  return {
    status: { code: GrpcStatus.OK, message: '', details: [] },
    deniedResponse: undefined,
    okResponse: { headers, headersToRemove, responseHeadersToAdd: [header('x-correlation-id', correlationId)] },
  };
}

export interface Denial {
  httpStatus: 401 | 403 | 503;
  code: string;
  message: string;
  correlationId: string;
}

const DENIALS = {
  401: { status: StatusCode.Unauthorized, grpc: GrpcStatus.UNAUTHENTICATED, retryable: false },
  403: { status: StatusCode.Forbidden, grpc: GrpcStatus.PERMISSION_DENIED, retryable: false },
  503: { status: StatusCode.ServiceUnavailable, grpc: GrpcStatus.UNAVAILABLE, retryable: true },
} as const;

/** Envoy answers the client with this directly; the body is the platform's error envelope. */
export function deniedResponse({ httpStatus, code, message, correlationId }: Denial): CheckResponse {
  const kind = DENIALS[httpStatus];
  const headers = [header('content-type', 'application/json'), header('x-correlation-id', correlationId)];
  if (httpStatus === 401) headers.push(header('www-authenticate', 'Bearer'));
  if (httpStatus === 503) headers.push(header('retry-after', '1'));
  return {
    status: { code: kind.grpc, message: code, details: [] },
    okResponse: undefined,
    deniedResponse: {
      status: { code: kind.status },
      headers,
      body: JSON.stringify({ error: { code, message, correlation_id: correlationId, retryable: kind.retryable } }),
    },
  };
}
