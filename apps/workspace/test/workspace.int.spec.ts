import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { airlock } from '@airlock/contracts';
import { GrpcStatus, checkHealth, unary } from '@airlock/grpc';
import { createPool, migrate } from '@airlock/postgres';
import { bootService, type RunningService } from '@airlock/runtime';
import { createTestDatabase, freePort, startInfra, uniquePrefix, type TestDatabase } from '@airlock/testing';
import { MIGRATIONS_DIR, MIGRATIONS_TABLE } from '../src/database';
import { workspaceService } from '../src/service';
import { boot as bootWith, connect, edgeHeaders, failure, get as routeGet, unprovenHeaders, upgrade, type Client } from './harness';

const { WorkspaceState } = airlock.workspace.v1;

jest.setTimeout(120_000);

let brokers: string[] = [];
const prefix = uniquePrefix('wsreg');

/** Registry-only mode (WORKSPACE_DRIVER=none): nothing is provisioned, observed state stays REQUESTED. */
function boot(database: TestDatabase['env'], extra: Record<string, string> = {}): Promise<RunningService> {
  return bootWith({ ...database, KAFKA_BROKERS: brokers.join(','), TOPIC_PREFIX: prefix, ...extra });
}

/** A tenant of its own per test, so tests never see each other's workspaces. */
const tenant = () => `t-${randomBytes(4).toString('hex')}`;

describe('workspace service over gRPC, on a real Postgres', () => {
  let db: TestDatabase;
  let service: RunningService;
  let client: Client;
  let proxyPort: number;

  const create = (req: Partial<airlock.workspace.v1.CreateWorkspaceRequest>) =>
    unary(client.createWorkspace.bind(client), { tenantId: '', projectId: '', ownerUserId: '', image: '', resources: undefined, ...req });
  const get = (workspaceId: string) => unary(client.getWorkspace.bind(client), { workspaceId });
  const list = (tenantId: string, ownerUserId = '') => unary(client.listWorkspaces.bind(client), { tenantId, ownerUserId });
  const remove = (workspaceId: string) => unary(client.deleteWorkspace.bind(client), { workspaceId });

  beforeAll(async () => {
    const infra = await startInfra({ components: ['postgres', 'kafka'] });
    brokers = infra.kafka.brokers;
    db = await createTestDatabase(infra, uniquePrefix('ws'));
    proxyPort = await freePort();
    service = await boot(db.env, { WORKSPACE_PROXY_PORT: String(proxyPort) });
    client = connect(service);
  });

  afterAll(async () => {
    client?.close();
    await service?.close();
    await db?.drop();
  });

  it('reports SERVING for the server and for WorkspaceService', async () => {
    expect(await checkHealth(service.grpcAddress)).toBe('SERVING');
    expect(await checkHealth(service.grpcAddress, 'airlock.workspace.v1.WorkspaceService')).toBe('SERVING');
  });

  it('creates, gets, lists and deletes a workspace', async () => {
    const t = tenant();
    const before = Date.now();
    const { workspace } = await create({ tenantId: t, projectId: 'proj-a', ownerUserId: 'alice' });
    expect(workspace).toEqual({
      workspaceId: expect.stringMatching(/^ws_[a-z2-7]{20}$/),
      tenantId: t,
      projectId: 'proj-a',
      ownerUserId: 'alice',
      image: 'workspace-base:2026.11.21-build1',
      desiredState: WorkspaceState.WORKSPACE_STATE_RUNNING,
      // Registry-only mode: no driver moves a workspace beyond REQUESTED.
      observedState: WorkspaceState.WORKSPACE_STATE_REQUESTED,
      createTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
      resources: { cpuMillis: 2000, memoryMib: 4096, diskGib: 20 },
      restartGeneration: 0,
      observedGeneration: 0,
      observedDetail: '',
      observeTime: '',
      updateTime: expect.stringMatching(/Z$/),
      unisolated: false,
    });
    expect(Date.parse(workspace!.createTime)).toBeGreaterThanOrEqual(before - 5_000);

    expect((await get(workspace!.workspaceId)).workspace).toEqual(workspace);
    expect((await list(t)).workspaces).toEqual([workspace]);
    expect((await list(t, 'alice')).workspaces).toEqual([workspace]);
    expect((await list(t, 'bob')).workspaces).toEqual([]);

    const deleted = (await remove(workspace!.workspaceId)).workspace;
    expect(deleted).toEqual({ ...workspace, desiredState: WorkspaceState.WORKSPACE_STATE_DELETING, updateTime: expect.any(String) });
    // Deleting twice is not an error and changes nothing.
    expect((await remove(workspace!.workspaceId)).workspace).toEqual(deleted);
    // Still readable by id while its teardown is pending; gone from listings of live workspaces.
    expect((await get(workspace!.workspaceId)).workspace).toEqual(deleted);
    expect((await list(t)).workspaces).toEqual([]);
  });

  it('keeps an explicitly requested catalogued image, and refuses any other', async () => {
    const { workspace } = await create({ tenantId: tenant(), projectId: 'p', ownerUserId: 'u', image: 'workspace-base:2026.11.21-build1' });
    expect(workspace!.image).toBe('workspace-base:2026.11.21-build1');
    const err = await failure(create({ tenantId: tenant(), projectId: 'p', ownerUserId: 'u', image: 'registry.example.com/ws/python:3.13' }));
    expect(err).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, errorCode: 'workspace_image_not_catalogued' });
    expect(err.message).toBe('image: registry.example.com/ws/python:3.13 is not in the image catalogue');
  });

  it('refuses a second live workspace for the same user and project with ALREADY_EXISTS', async () => {
    const t = tenant();
    await create({ tenantId: t, projectId: 'proj', ownerUserId: 'alice' });
    const err = await failure(create({ tenantId: t, projectId: 'proj', ownerUserId: 'alice' }));
    expect(err).toMatchObject({ code: GrpcStatus.ALREADY_EXISTS, errorCode: 'workspace_exists' });
    // Another user, or the same user in another tenant, is unaffected.
    await create({ tenantId: t, projectId: 'proj', ownerUserId: 'bob' });
    await create({ tenantId: tenant(), projectId: 'proj', ownerUserId: 'alice' });
  });

  it('frees the slot once the workspace is deleted', async () => {
    const t = tenant();
    const first = (await create({ tenantId: t, projectId: 'proj', ownerUserId: 'alice' })).workspace!;
    await remove(first.workspaceId);
    const second = (await create({ tenantId: t, projectId: 'proj', ownerUserId: 'alice' })).workspace!;
    expect(second.workspaceId).not.toBe(first.workspaceId);
    expect((await list(t, 'alice')).workspaces.map((w) => w.workspaceId)).toEqual([second.workspaceId]);
  });

  it('enforces WORKSPACE_MAX_PER_USER across projects with RESOURCE_EXHAUSTED', async () => {
    const t = tenant();
    await create({ tenantId: t, projectId: 'proj-a', ownerUserId: 'alice' });
    const err = await failure(create({ tenantId: t, projectId: 'proj-b', ownerUserId: 'alice' }));
    expect(err).toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED, errorCode: 'workspace_quota_exceeded' });
    expect(err.message).toMatch(/^quota user\.max_workspaces exceeded: /);
  });

  it('admits exactly one of many concurrent creates under a quota of one', async () => {
    const t = tenant();
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => create({ tenantId: t, projectId: `proj-${i}`, ownerUserId: 'alice' })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED });
    }
    expect((await list(t)).workspaces).toHaveLength(1);
  });

  it.each([
    [{ tenantId: 'Acme', projectId: 'p', ownerUserId: 'u' }, 'tenant_id'],
    [{ tenantId: 'acme', projectId: '', ownerUserId: 'u' }, 'project_id'],
    [{ tenantId: 'acme', projectId: 'p', ownerUserId: 'u/../x' }, 'owner_user_id'],
    [{ tenantId: 'acme', projectId: 'p', ownerUserId: 'u', image: 'bad image' }, 'image'],
  ])('refuses %j with INVALID_ARGUMENT naming %s', async (req, field) => {
    const err = await failure(create(req));
    expect(err).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, errorCode: 'workspace_invalid_argument' });
    expect(err.message).toMatch(new RegExp(`^${field}: `));
  });

  it('refuses malformed workspace ids and listing without a tenant', async () => {
    expect(await failure(get('nope'))).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, errorCode: 'workspace_invalid_argument' });
    expect(await failure(remove("ws_'; drop table x"))).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
    expect(await failure(list(''))).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, errorCode: 'workspace_invalid_argument' });
  });

  it('answers NOT_FOUND for an unknown workspace', async () => {
    const unknown = 'ws_aaaaaaaaaaaaaaaaaaaa';
    expect(await failure(get(unknown))).toMatchObject({ code: GrpcStatus.NOT_FOUND, errorCode: 'workspace_not_found' });
    expect(await failure(remove(unknown))).toMatchObject({ code: GrpcStatus.NOT_FOUND, errorCode: 'workspace_not_found' });
  });

  it('opens the browser route only to a caller with a valid edge assertion, WebSocket upgrades included', async () => {
    const alice = { userId: 'alice', tenantId: tenant(), roles: ['developer'] };
    const { workspace } = await create({ tenantId: alice.tenantId, projectId: 'proj', ownerUserId: 'alice' });
    const url = `/w/${workspace!.workspaceId}/`;
    // Admitted; with no driver nothing runs the workspace, hence 503 rather than the workbench. The connection is
    // kept idle longer than Envoy keeps one (HTTP_KEEP_ALIVE_TIMEOUT_MS).
    const admitted = await routeGet(proxyPort, url, edgeHeaders(alice));
    expect([admitted.status, admitted.headers['keep-alive']]).toEqual([503, 'timeout=75']);
    expect(await upgrade(proxyPort, url, edgeHeaders(alice))).toBe(503);
    expect((await routeGet(proxyPort, url, edgeHeaders({ ...alice, userId: 'mallory' }))).status).toBe(403);
    // The owner's plain identity headers with no, a forged or an expired assertion: 401 before anything else.
    for (const [why, headers] of Object.entries(unprovenHeaders(alice))) {
      const refused = await routeGet(proxyPort, url, headers);
      expect([why, refused.status, JSON.parse(refused.body).error.code]).toEqual([why, 401, 'unauthenticated']);
      expect([why, await upgrade(proxyPort, url, headers)]).toEqual([why, 401]);
    }
    // The platform envelope: the edge's correlation id, or null when the request carried none.
    const { missing } = unprovenHeaders(alice);
    expect(JSON.parse((await routeGet(proxyPort, url, missing)).body)).toEqual({
      error: { code: 'unauthenticated', message: expect.any(String), correlation_id: null, retryable: false },
    });
    const traced = await routeGet(proxyPort, url, { ...missing, 'x-correlation-id': 'corr-ws-route-1' });
    expect(JSON.parse(traced.body).error.correlation_id).toBe('corr-ws-route-1');
  });

  it("answers a person's browser with a refusal page in its language, a script with the envelope", async () => {
    const alice = { userId: 'alice', tenantId: tenant(), roles: ['developer'] };
    const { workspace } = await create({ tenantId: alice.tenantId, projectId: 'proj', ownerUserId: 'alice' });
    const url = `/w/${workspace!.workspaceId}/`;
    const navigation = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', 'sec-fetch-mode': 'navigate', 'x-correlation-id': 'corr-ws-page-1' };
    const ko = await routeGet(proxyPort, url, { ...edgeHeaders({ ...alice, userId: 'bob' }), ...navigation, 'accept-language': 'ko-KR,ko;q=0.9' });
    expect([ko.status, ko.headers['content-type'], ko.headers['content-language'], ko.headers['cache-control']]).toEqual([403, 'text/html; charset=utf-8', 'ko', 'no-store']);
    expect(ko.body).toContain('다른 사용자의 워크스페이스입니다');
    expect(ko.body).toContain('<code>workspace_forbidden</code>');
    expect(ko.body).toContain('<code>corr-ws-page-1</code>');
    const en = await routeGet(proxyPort, url, { ...edgeHeaders(alice), ...navigation, 'accept-language': 'en' });
    expect([en.status, en.body.includes('Start the workspace in the portal')]).toEqual([503, true]);
    const script = await routeGet(proxyPort, url, { ...edgeHeaders({ ...alice, userId: 'bob' }), accept: 'application/json' });
    expect([script.status, JSON.parse(script.body).error.code]).toEqual([403, 'workspace_forbidden']);
  });

  it('loses nothing across a restart, and the second boot applies no migration again', async () => {
    const t = tenant();
    const kept = (await create({ tenantId: t, projectId: 'proj', ownerUserId: 'alice' })).workspace!;
    const gone = (await create({ tenantId: t, projectId: 'proj', ownerUserId: 'bob' })).workspace!;
    await remove(gone.workspaceId);

    client.close();
    const oldAddress = service.grpcAddress;
    await service.close();
    expect(await checkHealth(oldAddress, '', 300)).toBe('UNREACHABLE');

    service = await boot(db.env);
    client = connect(service);
    expect(await checkHealth(service.grpcAddress, 'airlock.workspace.v1.WorkspaceService')).toBe('SERVING');
    expect((await get(kept.workspaceId)).workspace).toEqual(kept);
    expect((await get(gone.workspaceId)).workspace!.desiredState).toBe(WorkspaceState.WORKSPACE_STATE_DELETING);
    expect((await list(t)).workspaces).toEqual([kept]);
    // Model A and the quota still hold against what was stored before the restart.
    expect(await failure(create({ tenantId: t, projectId: 'proj', ownerUserId: 'alice' }))).toMatchObject({ code: GrpcStatus.ALREADY_EXISTS });

    const pool = createPool(db.url, { max: 1, password: db.password });
    try {
      expect(await migrate(pool, MIGRATIONS_DIR, MIGRATIONS_TABLE)).toEqual([]);
      const recorded = await pool.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY name`);
      // Every migration file exactly once.
      expect(recorded.rows.map((r) => r.name)).toEqual(readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).sort());
      expect(recorded.rows.map((r) => r.name)).toContain('003_unisolated.sql');
    } finally {
      await pool.end();
    }
  });
});

describe('workspace service boot', () => {
  it('refuses to start without DATABASE_URL', async () => {
    await expect(bootService(workspaceService, { MTLS_OFF_FOR_DEVELOPMENT: 'true', GRPC_PORT: String(await freePort()), METRICS_PORT: String(await freePort()) })).rejects.toThrow(
      /DATABASE_URL.*KAFKA_BROKERS.*EVENT_SPOOL_DIR/,
    );
  });

  it('fails to start, promptly, when the database is unreachable', async () => {
    const port = await freePort();
    const started = Date.now();
    await expect(bootWith({ DATABASE_URL: `postgres://airlock@127.0.0.1:${port}/nowhere`, KAFKA_BROKERS: '127.0.0.1:1' })).rejects.toThrow(/ECONNREFUSED/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
