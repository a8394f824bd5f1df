import { airlock } from '@airlock/contracts';
import { derivedEventId, newEventId } from '@airlock/events';
import { EDGE_LOGGED_PRINCIPAL_HEADERS, IDENTITY_HEADERS, POLICY_VERSION_HEADER } from '@airlock/identity-assertion';
import { CORRELATION_HEADER } from '@airlock/telemetry';

type AuditEvent = airlock.events.v1.AuditEvent;

/*
 * Envoy's access-log messages as the gRPC server hands them over (proto-loader: camelCase, defaults filled,
 * enums and 64-bit integers as numbers, message fields null when absent). Only the fields mapped below.
 */
interface Seconds {
  seconds?: number | string | null;
  nanos?: number | null;
}
interface Address {
  socketAddress?: { address?: string | null } | null;
}
export interface HttpAccessLogEntryInput {
  commonProperties?: {
    downstreamRemoteAddress?: Address | null;
    startTime?: Seconds | null;
    duration?: Seconds | null;
    timeToLastDownstreamTxByte?: Seconds | null;
    upstreamCluster?: string | null;
    streamId?: string | null;
  } | null;
  request?: {
    requestMethod?: number | null;
    path?: string | null;
    originalPath?: string | null;
    requestId?: string | null;
    requestHeaders?: Record<string, string> | null;
  } | null;
  response?: { responseCode?: { value?: number | null } | null } | null;
}

/** envoy.config.core.v3.RequestMethod by number. */
const METHODS = ['', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];

/** Request headers Envoy must be told to log (`additional_request_headers_to_log`). */
export const EDGE_LOGGED_HEADERS = [CORRELATION_HEADER, ...EDGE_LOGGED_PRINCIPAL_HEADERS] as const;

const ms = (d: Seconds | null | undefined): number | undefined =>
  d && (d.seconds != null || d.nanos != null) ? Number(d.seconds ?? 0) * 1000 + Number(d.nanos ?? 0) / 1e6 : undefined;

/** At most `max` characters: a client controls these values and must not blow up an event. */
const cap = (value: string | null | undefined, max = 256): string => (value ?? '').slice(0, max);

/** Outcome from the status Envoy answered with; 0 means no response was sent (reset, timeout). */
export function edgeOutcome(status: number): string {
  if (status === 0) return 'error';
  if (status < 400) return 'success';
  if (status === 401 || status === 403 || status === 429) return 'denied';
  return 'error';
}

/**
 * One HTTP access-log entry as an audit event. The endpoint is the path without its query string: query
 * strings can carry tokens, and raw request content is not audited by default. The event id is derived from
 * Envoy's request id (`x-request-id`, which the edge generates for every request) and start time, so an entry
 * delivered twice is one event to the sinks' de-duplication; an entry without one gets a fresh id.
 */
export function toEdgeAuditEvent(entry: HttpAccessLogEntryInput, eventType: string, now: () => Date = () => new Date()): AuditEvent {
  const common = entry.commonProperties ?? {};
  const request = entry.request ?? {};
  const headers = request.requestHeaders ?? {};
  const header = (name: (typeof EDGE_LOGGED_HEADERS)[number]): string => cap(headers[name]);
  const started = ms(common.startTime);
  const status = entry.response?.responseCode?.value ?? 0;
  const path = cap(request.originalPath || request.path, 2048).split('?')[0]!;
  const userId = header(IDENTITY_HEADERS.userId);
  const requestId = cap(request.requestId) || cap(common.streamId);
  return airlock.events.v1.AuditEvent.fromPartial({
    eventId: requestId ? derivedEventId(eventType, requestId, started ?? 0) : newEventId(),
    eventType,
    timestamp: (started !== undefined ? new Date(started) : now()).toISOString(),
    correlationId: header(CORRELATION_HEADER) || cap(request.requestId) || cap(common.streamId),
    tenantId: header(IDENTITY_HEADERS.tenantId),
    projectId: header(IDENTITY_HEADERS.projectId),
    workspaceId: header(IDENTITY_HEADERS.workspaceId),
    userId,
    clientIp: cap(common.downstreamRemoteAddress?.socketAddress?.address, 64),
    endpoint: path,
    statusCode: status,
    latencyMs: Math.round(ms(common.duration) ?? ms(common.timeToLastDownstreamTxByte) ?? 0),
    routeTarget: cap(common.upstreamCluster),
    policyVersion: header(POLICY_VERSION_HEADER),
    actor: userId,
    action: METHODS[request.requestMethod ?? 0] ?? '',
    outcome: edgeOutcome(status),
    service: 'envoy',
  });
}
