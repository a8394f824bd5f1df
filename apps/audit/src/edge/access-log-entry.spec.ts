import { edgeOutcome, toEdgeAuditEvent } from './access-log-entry';

describe('toEdgeAuditEvent', () => {
  const entry = {
    commonProperties: {
      downstreamRemoteAddress: { socketAddress: { address: '10.1.2.3' } },
      startTime: { seconds: 1_767_225_600, nanos: 250_000_000 },
      duration: { seconds: 0, nanos: 12_400_000 },
      upstreamCluster: 'gateway_http',
      streamId: 'stream-1',
    },
    request: {
      requestMethod: 3,
      path: '/v1/chat?token=abc',
      originalPath: '',
      requestId: 'req-1',
      requestHeaders: { 'x-correlation-id': 'corr-1', 'x-user-id': 'u1', 'x-tenant-id': 't1', 'x-project-id': 'p1', 'x-workspace-id': 'w1', 'x-airlock-policy-version': 'v7' },
    },
    response: { responseCode: { value: 200 } },
  };

  it('maps the principal, request and response of an entry, without the query string', () => {
    const event = toEdgeAuditEvent(entry, 'edge.access');
    expect(event).toMatchObject({
      eventType: 'edge.access',
      timestamp: '2026-01-01T00:00:00.250Z',
      correlationId: 'corr-1',
      userId: 'u1',
      actor: 'u1',
      tenantId: 't1',
      projectId: 'p1',
      workspaceId: 'w1',
      policyVersion: 'v7',
      clientIp: '10.1.2.3',
      endpoint: '/v1/chat',
      statusCode: 200,
      latencyMs: 12,
      routeTarget: 'gateway_http',
      action: 'POST',
      outcome: 'success',
      service: 'envoy',
    });
    expect(event.eventId).toMatch(/^[0-9A-Z]{26}$/);
  });

  it("derives the event id from Envoy's request id: a re-delivered entry is the same event", () => {
    const first = toEdgeAuditEvent(entry, 'edge.access');
    const again = toEdgeAuditEvent(structuredClone(entry), 'edge.access', () => new Date(Date.now() + 10_000));
    expect(again.eventId).toBe(first.eventId);
    const other = toEdgeAuditEvent({ ...entry, request: { ...entry.request, requestId: 'req-2' } }, 'edge.access');
    expect(other.eventId).not.toBe(first.eventId);
    // Without a request id the stream id stands in; without either every entry gets a fresh id.
    const byStream = { ...entry, request: { ...entry.request, requestId: '' } };
    expect(toEdgeAuditEvent(byStream, 'edge.access').eventId).toBe(toEdgeAuditEvent(byStream, 'edge.access').eventId);
    const anonymous = { request: { path: '/x' } };
    expect(toEdgeAuditEvent(anonymous, 'edge.access').eventId).not.toBe(toEdgeAuditEvent(anonymous, 'edge.access').eventId);
  });

  it('falls back to the request id for correlation and copes with missing parts', () => {
    const event = toEdgeAuditEvent({ request: { requestId: 'req-9', path: '/x' }, commonProperties: null, response: null }, 'edge.access', () => new Date(0));
    expect(event).toMatchObject({ correlationId: 'req-9', statusCode: 0, outcome: 'error', timestamp: '1970-01-01T00:00:00.000Z', userId: '', action: '' });
  });

  it('caps client-controlled values', () => {
    const event = toEdgeAuditEvent({ request: { requestHeaders: { 'x-correlation-id': 'c'.repeat(10_000) }, path: `/${'p'.repeat(10_000)}` } }, 'edge.access');
    expect(event.correlationId).toHaveLength(256);
    expect(event.endpoint).toHaveLength(2048);
  });

  it('classifies outcomes by status', () => {
    expect([0, 200, 302, 401, 403, 429, 404, 503].map(edgeOutcome)).toEqual(['error', 'success', 'success', 'denied', 'denied', 'denied', 'error', 'error']);
  });
});
