import { uniquePrefix, eventually } from '@airlock/testing';
import { type MeshInfo } from '../../src/mesh';
import { sharedMesh } from './shared-mesh';
import { accessLogEntry, edgeCaller, issueToken } from './support';

// An auditor finds a request by its correlation id in the audit index through the edge (Envoy, ext_authz with
// policy's api.audit.read.allow rule, the audit service's own role check); a developer is refused.
describe('audit trail search through Envoy', () => {
  const name = uniquePrefix('e2eaud');
  const tenantId = `${name}-tenant`;
  let mesh: MeshInfo;
  let call: ReturnType<typeof edgeCaller>;
  let alice: string;
  let erin: string;

  beforeAll(async () => {
    mesh = await sharedMesh();
    call = edgeCaller(mesh);
    alice = await issueToken(mesh, { userId: 'alice', tenantId, projectId: 'payments', workspaceId: 'ws-alice' });
    erin = await issueToken(mesh, { userId: 'erin', tenantId, roles: ['auditor'] });
  }, 240_000);

  const correlationId = `e2e-${Date.now()}-audit-search`;
  const window = () => {
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    return `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  };

  it("lets the auditor find alice's /v1/chat request by its correlation id, across the services that audited it", async () => {
    const chat = await call('/v1/chat', { token: alice, headers: { 'x-correlation-id': correlationId }, body: { messages: [{ role: 'user', content: 'hello' }] } });
    expect(chat.status).toBe(200);
    const found = await eventually('the request in the audit index', async () => {
      const reply = await call(`/api/audit/v1/events?${window()}&correlation_id=${correlationId}`, { token: erin });
      expect(reply.status).toBe(200);
      const events = reply.body.events as Record<string, unknown>[];
      return events.some((e) => e.event_type === 'ai.request') ? events : undefined;
    }, 60_000);
    const request = found.find((e) => e.event_type === 'ai.request')!;
    expect(request).toMatchObject({ correlation_id: correlationId, tenant_id: tenantId, user_id: 'alice', endpoint: '/v1/chat' });
    expect(found.every((e) => e.tenant_id === tenantId && e.correlation_id === correlationId)).toBe(true);

    const detail = await call(`/api/audit/v1/events/${encodeURIComponent(String(request.event_id))}`, { token: erin });
    expect(detail.status).toBe(200);
    expect(detail.body.chain).toMatchObject({ verified: true });
  });

  it('refuses a developer at the edge (403) and another tenant sees nothing of it', async () => {
    const refusal = `${correlationId}-developer`;
    const refused = await call(`/api/audit/v1/events?${window()}&correlation_id=${correlationId}`, { token: alice, headers: { 'x-correlation-id': refusal } });
    // Refused by ext_authz (policy's `forbidden`), before the audit service (whose own refusal is `audit_forbidden`).
    expect([refused.status, refused.body.error?.code]).toEqual([403, 'forbidden']);
    const log = await accessLogEntry(mesh, refusal);
    expect(String(log.response_flags)).toContain('UAEX');
    const otherAuditor = await issueToken(mesh, { userId: 'erin', tenantId: `${name}-other`, roles: ['auditor'] });
    const other = await call(`/api/audit/v1/events?${window()}&correlation_id=${correlationId}`, { token: otherAuditor });
    expect([other.status, other.body.events]).toEqual([200, []]);
  });

  it("records the auditor's search in the trail", async () => {
    const reads = await eventually('the search audited', async () => {
      const reply = await call(`/api/audit/v1/events?${window()}&event_type=audit.search&user_id=erin`, { token: erin });
      return reply.body.events?.length ? (reply.body.events as Record<string, unknown>[]) : undefined;
    }, 30_000);
    expect(reads[0]).toMatchObject({ service: 'audit', tenant_id: tenantId, endpoint: '/api/audit/v1/events' });
    expect(String(reads[0]!.action)).toContain('filters=correlation_id');
    expect(String(reads[0]!.action)).not.toContain(correlationId);
  });
});
