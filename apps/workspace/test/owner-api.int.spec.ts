import { randomBytes } from 'node:crypto';
import { airlock } from '@airlock/contracts';
import { unary } from '@airlock/grpc';
import type { RunningService } from '@airlock/runtime';
import { createTestDatabase, createTopics, eventually, startInfra, uniquePrefix, type TestDatabase } from '@airlock/testing';
import { topicName } from '@airlock/events';
import { boot, collectAudits, connect, edgeHeaders, unprovenHeaders, type Client } from './harness';

jest.setTimeout(120_000);

const { QuotaScope } = airlock.workspace.v1;
const prefix = uniquePrefix('wsowner');
/** A tenant of its own per test, so tests never see each other's workspaces or quotas. */
const tenant = () => `t-${randomBytes(4).toString('hex')}`;

interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

/**
 * The owner API (/api/workspace/v1/) on a real PostgreSQL and Kafka, registry-only (no driver): callers are
 * who the edge's signed assertion says (harness.ts stands in for policy's ext_authz).
 */
describe('workspace owner API over HTTP', () => {
  let db: TestDatabase;
  let service: RunningService;
  let client: Client;
  let audits: Awaited<ReturnType<typeof collectAudits>>;

  const call = async (urlPath: string, headers: Record<string, string>, init: { method?: string; body?: unknown; etag?: string; api?: string } = {}): Promise<Reply> => {
    const res = await fetch(`http://${service.httpAddress}${init.api ?? '/api/workspace/v1'}${urlPath}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { ...headers, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...(init.etag ? { 'if-none-match': init.etag } : {}) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };

  beforeAll(async () => {
    const infra = await startInfra({ components: ['postgres', 'kafka'] });
    await createTopics(infra, [topicName('audit', prefix)]);
    db = await createTestDatabase(infra, uniquePrefix('wsowner'));
    audits = await collectAudits(infra.kafka.brokers, prefix);
    // Small user quotas, so a `large` workspace is refused by cpu and a second live one by max_workspaces.
    service = await boot({
      ...db.env,
      KAFKA_BROKERS: infra.kafka.brokers.join(','),
      KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
      TOPIC_PREFIX: prefix,
      WORKSPACE_MAX_PER_USER: '2',
      WORKSPACE_USER_CPU_MILLIS: '3000',
    });
    client = connect(service);
  });

  afterAll(async () => {
    await audits?.stop();
    client?.close();
    await service?.close();
    await db?.drop();
  });

  it('creates a workspace in the caller\'s project, lists it newest first, and polls it with ETags', async () => {
    const t = tenant();
    const alice = edgeHeaders({ userId: 'alice', tenantId: t, projectId: 'payments', roles: ['developer'] });
    const created = await call('/workspaces', alice, { body: { project_id: 'payments', size: 'small' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^ws_[a-z2-7]{20}$/),
      project_id: 'payments',
      owner_user_id: 'alice',
      image: 'workspace-base:2026.11.21-build1',
      state: 'requested',
      desired_state: 'running',
      detail: null,
      resources: { cpu_millis: 1000, memory_mib: 2048, disk_gib: 10 },
      size: 'small',
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
      url: `/w/${created.body.id}/`,
      unisolated: false,
    });

    // A gRPC-made second one (another project, no named size) shows first: newest first.
    const other = (await unary(client.createWorkspace.bind(client), { tenantId: t, projectId: 'lending', ownerUserId: 'alice', image: '', resources: { cpuMillis: 500, memoryMib: 512, diskGib: 5 } })).workspace!;
    const listed = await call('/workspaces', alice);
    expect(listed.status).toBe(200);
    expect(listed.body.workspaces.map((w: { id: string; size: string | null }) => [w.id, w.size])).toEqual([
      [other.workspaceId, null],
      [created.body.id, 'small'],
    ]);

    const got = await call(`/workspaces/${created.body.id}`, alice);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);
    expect(got.headers.get('cache-control')).toBe('private, no-cache');
    const etag = got.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const unchanged = await call(`/workspaces/${created.body.id}`, alice, { etag });
    expect([unchanged.status, unchanged.body, unchanged.headers.get('etag')]).toEqual([304, undefined, etag]);

    const stopped = await call(`/workspaces/${created.body.id}/stop`, alice, { method: 'POST' });
    expect([stopped.status, stopped.body.desired_state]).toEqual([200, 'stopped']);
    const changed = await call(`/workspaces/${created.body.id}`, alice, { etag });
    expect([changed.status, changed.body.desired_state]).toEqual([200, 'stopped']);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('starts, restarts and deletes; a deleted workspace stays readable and leaves the list', async () => {
    const t = tenant();
    const alice = edgeHeaders({ userId: 'alice', tenantId: t, projectId: 'payments', roles: ['developer'] });
    const { id } = (await call('/workspaces', alice, { body: { project_id: 'payments', size: 'medium', channel: 'current' } })).body;
    expect((await call(`/workspaces/${id}/stop`, alice, { method: 'POST' })).body.desired_state).toBe('stopped');
    expect((await call(`/workspaces/${id}/start`, alice, { method: 'POST' })).body.desired_state).toBe('running');
    const restarted = await call(`/workspaces/${id}/restart`, alice, { method: 'POST' });
    expect([restarted.status, restarted.body.desired_state]).toEqual([200, 'running']);
    expect((await unary(client.getWorkspace.bind(client), { workspaceId: id })).workspace!.restartGeneration).toBe(1);

    const deleted = await call(`/workspaces/${id}`, alice, { method: 'DELETE' });
    expect([deleted.status, deleted.body.desired_state]).toEqual([200, 'deleted']);
    expect((await call(`/workspaces/${id}`, alice)).body.desired_state).toBe('deleted');
    expect((await call('/workspaces', alice)).body.workspaces).toEqual([]);
    const revived = await call(`/workspaces/${id}/start`, alice, { method: 'POST' });
    expect([revived.status, revived.body.error.code]).toEqual([409, 'workspace_invalid_transition']);
  });

  it('audits every change with the caller as actor and the HTTP route as endpoint', async () => {
    const t = tenant();
    const alice = edgeHeaders({ userId: 'alice', tenantId: t, projectId: 'payments', roles: ['developer'] });
    const { id } = (await call('/workspaces', alice, { body: { project_id: 'payments', size: 'small' } })).body;
    await call(`/workspaces/${id}/stop`, alice, { method: 'POST' });
    const events = await eventually('the create and stop audit events', () => {
      const mine = audits.events.filter((e) => e.workspaceId === id && e.eventType === 'workspace.lifecycle');
      return mine.length >= 2 ? mine : undefined;
    });
    expect(events.map((e) => [e.action, e.outcome, e.actor, e.userId, e.endpoint])).toEqual([
      ['create', 'success', 'alice', 'alice', 'POST /api/workspace/v1/workspaces'],
      ['stop', 'success', 'alice', 'alice', 'POST /api/workspace/v1/workspaces/{id}/stop'],
    ]);
  });

  it('keeps others out: 403 not_workspace_owner (audited), 404 across tenants; a tenant admin may act', async () => {
    const t = tenant();
    const alice = edgeHeaders({ userId: 'alice', tenantId: t, projectId: 'payments', roles: ['developer'] });
    const bob = edgeHeaders({ userId: 'bob', tenantId: t, projectId: 'payments', roles: ['developer'] });
    const carol = edgeHeaders({ userId: 'carol', tenantId: t, roles: ['security-admin'] });
    const stranger = edgeHeaders({ userId: 'alice', tenantId: tenant(), projectId: 'payments', roles: ['security-admin'] });
    const { id } = (await call('/workspaces', alice, { body: { project_id: 'payments', size: 'small' } })).body;

    expect((await call('/workspaces', bob)).body.workspaces).toEqual([]);
    for (const [urlPath, method] of [[`/workspaces/${id}`, 'GET'], [`/workspaces/${id}/stop`, 'POST'], [`/workspaces/${id}`, 'DELETE']]) {
      const refused = await call(urlPath, bob, { method });
      expect([refused.status, refused.body.error.code]).toEqual([403, 'not_workspace_owner']);
      const elsewhere = await call(urlPath, stranger, { method });
      expect([elsewhere.status, elsewhere.body.error.code]).toEqual([404, 'workspace_not_found']);
    }
    const denied = await eventually('the refusal audit event', () => audits.events.find((e) => e.workspaceId === id && e.outcome === 'denied' && e.action === 'stop'));
    expect(denied).toMatchObject({ eventType: 'workspace.lifecycle', actor: 'bob', userId: 'alice', statusCode: 403, routeTarget: 'not_workspace_owner' });

    const byAdmin = await call(`/workspaces/${id}/stop`, carol, { method: 'POST' });
    expect([byAdmin.status, byAdmin.body.owner_user_id, byAdmin.body.desired_state]).toEqual([200, 'alice', 'stopped']);
    for (const unknown of ['ws_00000000000000000000', 'not-an-id']) {
      const reply = await call(`/workspaces/${unknown}`, alice);
      expect([reply.status, reply.body.error.code]).toEqual([404, 'workspace_not_found']);
    }
  });

  it('shows operators the tenant\'s fleet and lets them stop, restart and delete any workspace (audited); nobody else', async () => {
    const t = tenant();
    const fleet = (urlPath: string, headers: Record<string, string>, method = 'GET') => call(urlPath, headers, { method, api: '/api/workspace/admin/v1' });
    const alice = edgeHeaders({ userId: 'alice', tenantId: t, projectId: 'payments', roles: ['developer'] });
    const bob = edgeHeaders({ userId: 'bob', tenantId: t, projectId: 'lending', roles: ['developer'] });
    const sam = edgeHeaders({ userId: 'sam', tenantId: t, roles: ['sre'] });
    const elsewhere = edgeHeaders({ userId: 'sam', tenantId: tenant(), roles: ['sre'] });
    const first = (await call('/workspaces', alice, { body: { project_id: 'payments', size: 'small' } })).body;
    const second = (await call('/workspaces', bob, { body: { project_id: 'lending', size: 'medium' } })).body;

    const listed = await fleet('/workspaces', sam);
    expect([listed.status, listed.headers.get('cache-control')]).toEqual([200, 'no-store']);
    expect(listed.body.workspaces.map((w: any) => [w.id, w.owner_user_id, w.state, w.image, w.size])).toEqual([
      [first.id, 'alice', 'requested', 'workspace-base:2026.11.21-build1', 'small'],
      [second.id, 'bob', 'requested', 'workspace-base:2026.11.21-build1', 'medium'],
    ]);
    expect((await fleet('/workspaces', elsewhere)).body.workspaces).toEqual([]);

    const stopped = await fleet(`/workspaces/${first.id}/stop`, sam, 'POST');
    expect([stopped.status, stopped.body.owner_user_id, stopped.body.desired_state]).toEqual([200, 'alice', 'stopped']);
    const restarted = await fleet(`/workspaces/${first.id}/restart`, sam, 'POST');
    expect([restarted.status, restarted.body.desired_state]).toEqual([200, 'running']);
    const deleted = await fleet(`/workspaces/${second.id}`, sam, 'DELETE');
    expect([deleted.status, deleted.body.desired_state]).toEqual([200, 'deleted']);
    expect((await fleet('/workspaces', sam)).body.workspaces.map((w: any) => w.id)).toEqual([first.id]);
    const events = await eventually('the fleet audit events', () => {
      const found = audits.events.filter((e) => e.tenantId === t && e.actor === 'sam');
      return found.length === 3 ? found : undefined;
    });
    expect(events.map((e) => [e.action, e.outcome, e.userId, e.endpoint])).toEqual([
      ['stop', 'success', 'alice', 'POST /api/workspace/admin/v1/workspaces/{id}/stop'],
      ['restart', 'success', 'alice', 'POST /api/workspace/admin/v1/workspaces/{id}/restart'],
      ['delete', 'success', 'bob', 'DELETE /api/workspace/admin/v1/workspaces/{id}'],
    ]);

    for (const [urlPath, method] of [['/workspaces', 'GET'], [`/workspaces/${first.id}/stop`, 'POST'], [`/workspaces/${first.id}`, 'DELETE']] as const) {
      const refused = await fleet(urlPath, alice, method);
      expect([refused.status, refused.body.error.code]).toEqual([403, 'fleet_role_required']);
    }
    const foreign = await fleet(`/workspaces/${first.id}/stop`, elsewhere, 'POST');
    expect([foreign.status, foreign.body.error.code]).toEqual([404, 'workspace_not_found']);
    expect((await fleet('/workspaces', unprovenHeaders({ userId: 'sam', tenantId: t, roles: ['sre'] }).forged)).status).toBe(401);
  });

  it('refuses another project, a bad body and a size over quota (in the quota\'s own words)', async () => {
    const t = tenant();
    const alice = edgeHeaders({ userId: 'alice', tenantId: t, projectId: 'payments', roles: ['developer'] });
    const project = await call('/workspaces', alice, { body: { project_id: 'lending', size: 'small' } });
    expect([project.status, project.body.error.code]).toEqual([403, 'project_not_allowed']);
    expect(project.body.error.message).toBe('project lending is not one of your projects (yours: payments)');
    for (const body of [{ project_id: 'payments' }, { project_id: 'payments', size: 'huge' }, { project_id: 'payments', size: 'small', extra: 1 }, { project_id: 'payments', size: 'small', channel: 'canary' }]) {
      const bad = await call('/workspaces', alice, { body });
      expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_request']);
    }
    const large = await call('/workspaces', alice, { body: { project_id: 'payments', size: 'large' } });
    expect([large.status, large.body.error]).toEqual([
      409,
      { code: 'quota_exceeded', message: `quota user.cpu_millis exceeded: user alice would hold 4000 millicores (limit 3000)`, correlation_id: expect.any(String), retryable: false },
    ]);
    const refusal = await eventually('the quota refusal audit event', () => audits.events.find((e) => e.tenantId === t && e.eventType === 'workspace.quota_refused'));
    expect(refusal).toMatchObject({ actor: 'alice', routeTarget: 'user.cpu_millis', endpoint: 'POST /api/workspace/v1/workspaces' });
  });

  it('offers the caller\'s project, the images and each size with its quota verdict', async () => {
    const t = tenant();
    const alice = edgeHeaders({ userId: 'alice', tenantId: t, projectId: 'payments', roles: ['developer'] });
    const before = await call('/options', alice);
    expect(before.status).toBe(200);
    expect(before.body).toEqual({
      projects: ['payments'],
      images: [{ image: 'workspace-base:2026.11.21-build1', channel: 'current' }],
      sizes: [
        { id: 'small', cpu_millis: 1000, memory_mib: 2048, disk_gib: 10, allowed: true, reason: null },
        { id: 'medium', cpu_millis: 2000, memory_mib: 4096, disk_gib: 20, allowed: true, reason: null },
        { id: 'large', cpu_millis: 4000, memory_mib: 8192, disk_gib: 50, allowed: false, reason: 'quota user.cpu_millis exceeded: user alice would hold 4000 millicores (limit 3000)' },
      ],
    });
    // With a medium workspace held, only small still fits; a project override is named as the project's.
    await call('/workspaces', alice, { body: { project_id: 'payments', size: 'medium' } });
    await unary(client.setQuota.bind(client), { tenantId: t, scope: QuotaScope.QUOTA_SCOPE_PROJECT, subjectId: 'payments', limits: { maxWorkspaces: 0, cpuMillis: 2500, memoryMib: 0, diskGib: 0 } });
    const after = (await call('/options', alice)).body.sizes;
    expect(after.map((s: { id: string; allowed: boolean; reason: string | null }) => [s.id, s.allowed, s.reason])).toEqual([
      ['small', false, 'quota project.cpu_millis exceeded: project payments would hold 3000 millicores (limit 2500)'],
      ['medium', false, 'quota user.cpu_millis exceeded: user alice would hold 4000 millicores (limit 3000)'],
      ['large', false, 'quota user.cpu_millis exceeded: user alice would hold 6000 millicores (limit 3000)'],
    ]);
    // A caller scoped to no project is offered none.
    expect((await call('/options', edgeHeaders({ userId: 'carol', tenantId: t, roles: ['security-admin'] }))).body.projects).toEqual([]);
  });

  it('answers 401 to the owner\'s plain headers without a valid assertion, on every route', async () => {
    const t = tenant();
    const alice = edgeHeaders({ userId: 'alice', tenantId: t, projectId: 'payments', roles: ['developer'] });
    const { id } = (await call('/workspaces', alice, { body: { project_id: 'payments', size: 'small' } })).body;
    for (const headers of Object.values(unprovenHeaders({ userId: 'alice', tenantId: t, projectId: 'payments', roles: ['developer'] }))) {
      for (const [urlPath, method] of [['/workspaces', 'GET'], ['/options', 'GET'], [`/workspaces/${id}`, 'GET'], [`/workspaces/${id}/stop`, 'POST'], [`/workspaces/${id}`, 'DELETE']]) {
        const reply = await call(urlPath, headers, { method });
        expect([urlPath, method, reply.status, reply.body.error.code]).toEqual([urlPath, method, 401, 'unauthenticated']);
      }
      const create = await call('/workspaces', headers, { body: { project_id: 'payments', size: 'small' } });
      expect([create.status, create.body.error.code]).toEqual([401, 'unauthenticated']);
    }
    expect((await unary(client.getWorkspace.bind(client), { workspaceId: id })).workspace!.desiredState).toBe(airlock.workspace.v1.WorkspaceState.WORKSPACE_STATE_RUNNING);
  });
});
