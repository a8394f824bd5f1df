import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { airlock } from '@airlock/contracts';
import { GrpcStatus, unary } from '@airlock/grpc';
import type { RunningService } from '@airlock/runtime';
import { createTestDatabase, createTopics, eventually, startInfra, uniquePrefix, type TestDatabase } from '@airlock/testing';
import { topicName } from '@airlock/events';
import { canaryBucket } from '../src/catalogue/catalogue';
import { FakeKubeApiServer } from './fake-kube-apiserver';
import { boot, collectAudits, connect, failure, unaryAs, type Client } from './harness';

const { WorkspaceState: S, QuotaScope } = airlock.workspace.v1;
type Workspace = airlock.workspace.v1.Workspace;

jest.setTimeout(120_000);

const NS = 'airlock-workspaces';
const sha = (data: string) => createHash('sha256').update(data).digest('hex');
const BASE = 'workspace-base:2026.11.21-build1';
const CANARY = 'workspace-base:2026.12.01-build1';

/** A catalogue of two images (current + canary) and an extension store with one good and one tampered VSIX. */
function writeCatalogue(): { catalogueDir: string; vsixDir: string } {
  const catalogueDir = mkdtempSync(path.join(os.tmpdir(), 'ws-catalogue-'));
  const vsixDir = mkdtempSync(path.join(os.tmpdir(), 'ws-vsix-'));
  mkdirSync(path.join(catalogueDir, 'images'));
  const pinned = { codeServer: { version: '4.139.1', sha256: sha('code-server') }, opencode: { version: '1.18.33', sha256: sha('opencode') } };
  const extensions = [
    { id: 'continue.continue', version: '1.2.3', sha256: sha('continue-vsix'), file: 'continue.continue-1.2.3.vsix' },
    { id: 'tabbyml.vscode-tabby', version: '1.30.0', sha256: sha('tabby-vsix'), file: 'tabbyml.vscode-tabby-1.30.0.vsix' },
  ];
  writeFileSync(path.join(catalogueDir, 'index.yaml'), stringify({ current: BASE, canary: CANARY }));
  writeFileSync(path.join(catalogueDir, 'images', 'base.yaml'), stringify({ image: BASE, ...pinned, extensions }));
  writeFileSync(path.join(catalogueDir, 'images', 'canary.yaml'), stringify({ image: CANARY, ...pinned, extensions: [] }));
  writeFileSync(path.join(vsixDir, 'continue.continue-1.2.3.vsix'), 'continue-vsix');
  writeFileSync(path.join(vsixDir, 'tabbyml.vscode-tabby-1.30.0.vsix'), 'tabby-vsix, but not the catalogued build');
  return { catalogueDir, vsixDir };
}

describe('workspace lifecycle with the kubernetes driver (against a FAKE apiserver: no cluster here)', () => {
  const prefix = uniquePrefix('wslife');
  const fake = new FakeKubeApiServer();
  let env: Record<string, string>;
  let db: TestDatabase;
  let service: RunningService;
  let client: Client;
  let audits: Awaited<ReturnType<typeof collectAudits>>;

  const tenant = () => `t-${randomBytes(4).toString('hex')}`;
  const create = (req: Partial<airlock.workspace.v1.CreateWorkspaceRequest>, metadata?: Record<string, string>) =>
    unaryAs<airlock.workspace.v1.CreateWorkspaceRequest, airlock.workspace.v1.CreateWorkspaceResponse>(client.createWorkspace.bind(client), { tenantId: '', projectId: '', ownerUserId: '', image: '', resources: undefined, ...req }, metadata);
  const get = async (workspaceId: string) => (await unary(client.getWorkspace.bind(client), { workspaceId })).workspace!;
  const act = (rpc: 'startWorkspace' | 'stopWorkspace' | 'restartWorkspace' | 'deleteWorkspace', workspaceId: string) =>
    unary((client[rpc] as typeof client.startWorkspace).bind(client), { workspaceId });
  const observed = (id: string, state: airlock.workspace.v1.WorkspaceState, extra: (w: Workspace) => boolean = () => true) =>
    eventually(`${id} observed ${S[state]}`, async () => {
      const w = await get(id);
      return w.observedState === state && extra(w) ? w : undefined;
    });
  const objectsOf = (id: string) => [...fake.objects.values()].filter((o) => o.metadata.labels?.['airlock.io/workspace-id'] === id.replace('_', '-'));
  const podOf = (id: string) => fake.get('pods', NS, id.replace('_', '-'));

  async function restartService(): Promise<void> {
    client.close();
    await service.close();
    service = await boot(env);
    client = connect(service);
  }

  beforeAll(async () => {
    const infra = await startInfra({ components: ['postgres', 'kafka'] });
    await createTopics(infra, [topicName('audit', prefix)]);
    [db] = await Promise.all([createTestDatabase(infra, uniquePrefix('wslife')), fake.start()]);
    const { catalogueDir, vsixDir } = writeCatalogue();
    env = {
      ...db.env,
      KAFKA_BROKERS: infra.kafka.brokers.join(','),
      KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
      TOPIC_PREFIX: prefix,
      WORKSPACE_DRIVER: 'kubernetes',
      WORKSPACE_K8S_KUBECONFIG: fake.writeKubeconfig(mkdtempSync(path.join(os.tmpdir(), 'ws-kube-')), NS),
      WORKSPACE_K8S_NAMESPACE: NS,
      WORKSPACE_K8S_NETWORK: JSON.stringify({ egress: { git: [{ cidr: '10.20.0.0/24', ports: [{ port: 443 }] }] } }),
      WORKSPACE_K8S_SHELL_HOST: JSON.stringify({ image: 'registry.internal/airlock/terminal:0.1.0' }),
      WORKSPACE_IMAGE_REGISTRY: 'registry.internal/airlock',
      WORKSPACE_GATEWAY_URL: 'http://gw.airlock.svc:8080',
      WORKSPACE_CATALOGUE_DIR: catalogueDir,
      WORKSPACE_VSIX_DIR: vsixDir,
      WORKSPACE_CANARY_PERCENT: '50',
      WORKSPACE_MAX_PER_USER: '3',
      WORKSPACE_RECONCILE_INTERVAL_MS: '200',
      WORKSPACE_RECONCILE_LEASE_MS: '1500',
      WORKSPACE_RESYNC_MS: '500',
    };
    audits = await collectAudits(infra.kafka.brokers, prefix);
    service = await boot(env);
    client = connect(service);
  });

  afterAll(async () => {
    client?.close();
    await service?.close();
    await audits?.stop();
    await fake.close();
    await db?.drop();
  });

  it('create → running → stop → start → restart → delete, converging the cluster each time', async () => {
    const t = tenant();
    const { workspace } = await create({ tenantId: t, projectId: 'payments', ownerUserId: 'alice', image: BASE }, { 'x-user-id': 'alice', 'x-correlation-id': 'corr-create-1' });
    const id = workspace!.workspaceId;
    expect(workspace).toMatchObject({ desiredState: S.WORKSPACE_STATE_RUNNING, observedState: S.WORKSPACE_STATE_REQUESTED });

    const running = await observed(id, S.WORKSPACE_STATE_RUNNING);
    expect(running.observeTime).not.toBe('');
    expect(objectsOf(id).map((o) => o.kind).sort()).toEqual(['ConfigMap', 'NetworkPolicy', 'PersistentVolumeClaim', 'Pod', 'Service']);
    const pod = podOf(id);
    expect(pod.spec.containers[0].image).toBe(`registry.internal/airlock/${BASE}`);
    expect(pod.spec.containers[0].securityContext).toMatchObject({ runAsUser: 1000, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(pod.metadata.labels).toMatchObject({ 'airlock.io/tenant': t, 'airlock.io/project': 'payments', 'airlock.io/user': 'alice' });
    const firstUid = pod.metadata.uid;
    // The terminals' shell host: a sidecar as the workspace's uid in the shared process namespace, reported by
    // GetShellHost at the pod's address once the pod runs, and by nothing once it is stopped.
    expect(pod.spec.shareProcessNamespace).toBe(true);
    const sidecar = pod.spec.containers.find((c: { name: string }) => c.name === 'shell-host');
    expect(sidecar).toMatchObject({ image: 'registry.internal/airlock/terminal:0.1.0', securityContext: { runAsUser: 1000 }, ports: [{ containerPort: 7400 }] });
    const shellHost = await unary(client.getShellHost.bind(client), { workspaceId: id });
    expect(shellHost).toMatchObject({ running: true, uid: 1000, gid: 1000, home: '/home/coder', namespacePid: 0, shellHostAddress: `${podOf(id).status.podIP}:7400` });
    expect(podOf(id).status.podIP).toMatch(/^10\.244\./);
    expect(fake.get('networkpolicies', NS, id.replace('_', '-')).spec.ingress[1]).toMatchObject({ ports: [{ port: 7400, protocol: 'TCP' }] });

    await act('stopWorkspace', id);
    await observed(id, S.WORKSPACE_STATE_STOPPED);
    expect(podOf(id)).toBeUndefined();
    expect(await unary(client.getShellHost.bind(client), { workspaceId: id })).toMatchObject({ running: false, shellHostAddress: '' });
    // The home volume outlives a stop.
    expect(fake.get('persistentvolumeclaims', NS, `${id.replace('_', '-')}-home`)).toBeDefined();
    // Stopping again is a no-op, not an error.
    expect((await act('stopWorkspace', id)).workspace!.desiredState).toBe(S.WORKSPACE_STATE_STOPPED);

    await act('startWorkspace', id);
    await observed(id, S.WORKSPACE_STATE_RUNNING);
    const secondUid = podOf(id).metadata.uid;
    expect(secondUid).not.toBe(firstUid);

    const restarted = (await act('restartWorkspace', id)).workspace!;
    expect(restarted.restartGeneration).toBe(1);
    await observed(id, S.WORKSPACE_STATE_RUNNING, (w) => w.observedGeneration === 1);
    expect(podOf(id).metadata.uid).not.toBe(secondUid);
    expect(podOf(id).metadata.annotations['airlock.io/generation']).toBe('1');

    await act('deleteWorkspace', id);
    await observed(id, S.WORKSPACE_STATE_DELETED);
    expect(objectsOf(id)).toEqual([]);
    await expect(failure(act('startWorkspace', id))).resolves.toMatchObject({ code: GrpcStatus.FAILED_PRECONDITION, errorCode: 'workspace_invalid_transition' });

    const events = await eventually('lifecycle audit events', () => {
      const mine = audits.events.filter((e) => e.workspaceId === id);
      const actions = mine.filter((e) => e.eventType === 'workspace.lifecycle').map((e) => e.action);
      return actions.length === 5 && mine.some((e) => e.eventType === 'workspace.state' && e.outcome === 'deleted') ? mine : undefined;
    });
    expect(events.filter((e) => e.eventType === 'workspace.lifecycle').map((e) => e.action)).toEqual(['create', 'stop', 'start', 'restart', 'delete']);
    expect(events.find((e) => e.action === 'create')).toMatchObject({
      service: 'workspace',
      tenantId: t,
      projectId: 'payments',
      userId: 'alice',
      actor: 'alice',
      correlationId: 'corr-create-1',
      outcome: 'success',
      routeTarget: BASE,
    });
    const states = events.filter((e) => e.eventType === 'workspace.state').map((e) => e.outcome);
    expect(states).toEqual(expect.arrayContaining(['provisioning', 'running', 'stopped', 'deleted']));
  });

  it('repairs drift: a pod deleted behind its back is recreated', async () => {
    const { workspace } = await create({ tenantId: tenant(), projectId: 'p', ownerUserId: 'bob' });
    const id = workspace!.workspaceId;
    await observed(id, S.WORKSPACE_STATE_RUNNING);
    const uid = podOf(id).metadata.uid;
    fake.objects.delete(`pods/${NS}/${id.replace('_', '-')}`);
    expect(podOf(id)).toBeUndefined();
    await expect(eventually('pod recreated', () => podOf(id)?.metadata.uid)).resolves.not.toBe(uid);
    await expect(observed(id, S.WORKSPACE_STATE_RUNNING)).resolves.toMatchObject({ desiredState: S.WORKSPACE_STATE_RUNNING });
  });

  it('removes resources of workspaces the registry does not know (orphans)', async () => {
    const stray = 'ws-zzzzzzzzzzzzzzzzzzzz';
    const labels = { 'app.kubernetes.io/managed-by': 'airlock-workspace', 'airlock.io/workspace-id': stray };
    fake.put('pods', NS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: stray, labels }, spec: { containers: [{ name: 'x', image: 'x' }] } });
    fake.put('persistentvolumeclaims', NS, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: `${stray}-home`, labels }, spec: {} });
    expect(objectsOf(stray).map((o) => o.kind).sort()).toEqual(['PersistentVolumeClaim', 'Pod']);
    await expect(eventually('orphans removed', () => (objectsOf(stray).length === 0 ? objectsOf(stray) : undefined))).resolves.toEqual([]);
  });

  it('refuses a creation over a user or project quota, naming it, and audits the refusal', async () => {
    const t = tenant();
    const setQuota = unary(client.setQuota.bind(client), {
      tenantId: t,
      scope: QuotaScope.QUOTA_SCOPE_USER,
      subjectId: 'carol',
      limits: { maxWorkspaces: 0, cpuMillis: 3000, memoryMib: 0, diskGib: 0 },
    });
    expect((await setQuota).effective).toEqual({ maxWorkspaces: 3, cpuMillis: 3000, memoryMib: 8192, diskGib: 50 });
    await create({ tenantId: t, projectId: 'a', ownerUserId: 'carol' });
    const err = await failure(create({ tenantId: t, projectId: 'b', ownerUserId: 'carol' }, { 'x-correlation-id': 'corr-quota-1' }));
    expect(err).toMatchObject({ code: GrpcStatus.RESOURCE_EXHAUSTED, errorCode: 'workspace_quota_exceeded' });
    expect(err.message).toBe('quota user.cpu_millis exceeded: user carol would hold 4000 millicores (limit 3000)');
    // A smaller workspace still fits.
    await create({ tenantId: t, projectId: 'b', ownerUserId: 'carol', resources: { cpuMillis: 1000, memoryMib: 1024, diskGib: 5 } });
    const usage = await unary(client.getQuota.bind(client), { tenantId: t, scope: QuotaScope.QUOTA_SCOPE_USER, subjectId: 'carol' });
    expect(usage.used).toEqual({ maxWorkspaces: 2, cpuMillis: 3000, memoryMib: 5120, diskGib: 25 });

    await unary(client.setQuota.bind(client), { tenantId: t, scope: QuotaScope.QUOTA_SCOPE_PROJECT, subjectId: 'a', limits: { maxWorkspaces: 1, cpuMillis: 0, memoryMib: 0, diskGib: 0 } });
    const projectErr = await failure(create({ tenantId: t, projectId: 'a', ownerUserId: 'dave' }));
    expect(projectErr.message).toMatch(/^quota project\.max_workspaces exceeded: project a would hold 2 live workspace\(s\)/);

    const refusal = await eventually('quota refusal audited', () => audits.events.find((e) => e.correlationId === 'corr-quota-1'));
    expect(refusal).toMatchObject({ eventType: 'workspace.quota_refused', action: 'create', outcome: 'denied', tenantId: t, userId: 'carol', routeTarget: 'user.cpu_millis', statusCode: 429 });
  });

  it('gives new workspaces the current image, or the canary to the configured share of users, per user', async () => {
    const t = tenant();
    const users = Array.from({ length: 40 }, (_, i) => `user${i}`);
    const canaryUser = users.find((u) => canaryBucket(t, u) < 50)!;
    const baseUser = users.find((u) => canaryBucket(t, u) >= 50)!;
    expect((await create({ tenantId: t, projectId: 'p', ownerUserId: canaryUser })).workspace!.image).toBe(CANARY);
    expect((await create({ tenantId: t, projectId: 'p', ownerUserId: baseUser })).workspace!.image).toBe(BASE);
    // Same user, another workspace: same image.
    expect((await create({ tenantId: t, projectId: 'q', ownerUserId: canaryUser })).workspace!.image).toBe(CANARY);

    const { images, canaryPercent } = await unary(client.listImages.bind(client), {});
    expect(canaryPercent).toBe(50);
    expect(images.map((i) => [i.image, i.current, i.canary])).toEqual([
      [BASE, true, false],
      [CANARY, false, true],
    ]);
    expect(images[0].extensions.map((e) => e.extensionId)).toEqual(['continue.continue', 'tabbyml.vscode-tabby']);
  });

  it('installs only catalogued, hash-verified extensions; every attempt is audited', async () => {
    const { workspace } = await create({ tenantId: tenant(), projectId: 'p', ownerUserId: 'erin', image: BASE });
    const id = workspace!.workspaceId;
    const install = (extensionId: string, version = '', correlation = '') =>
      unaryAs<airlock.workspace.v1.InstallExtensionRequest, airlock.workspace.v1.InstallExtensionResponse>(client.installExtension.bind(client), { workspaceId: id, extensionId, version }, correlation ? { 'x-correlation-id': correlation } : undefined);

    expect((await install('continue.continue', '', 'corr-ext-ok')).extension).toEqual({
      extensionId: 'continue.continue',
      version: '1.2.3',
      sha256: sha('continue-vsix'),
      file: 'continue.continue-1.2.3.vsix',
    });
    expect(await failure(install('evil.miner', '0.0.1', 'corr-ext-evil'))).toMatchObject({ code: GrpcStatus.PERMISSION_DENIED, errorCode: 'workspace_extension_not_allowed' });
    expect(await failure(install('continue.continue', '9.9.9'))).toMatchObject({ code: GrpcStatus.PERMISSION_DENIED, errorCode: 'workspace_extension_not_allowed' });
    const tampered = await failure(install('tabbyml.vscode-tabby', '', 'corr-ext-tampered'));
    expect(tampered).toMatchObject({ code: GrpcStatus.PERMISSION_DENIED, errorCode: 'workspace_extension_hash_mismatch' });
    expect(tampered.message).toContain(sha('tabby-vsix'));

    const [ok, evil, bad] = await eventually('extension audits', () => {
      const found = ['corr-ext-ok', 'corr-ext-evil', 'corr-ext-tampered'].map((c) => audits.events.find((e) => e.correlationId === c));
      return found.every(Boolean) ? found : undefined;
    });
    expect(ok).toMatchObject({ eventType: 'workspace.extension', action: 'install', outcome: 'success', workspaceId: id, routeTarget: 'continue.continue@1.2.3' });
    expect(evil).toMatchObject({ eventType: 'workspace.extension', outcome: 'denied', routeTarget: 'evil.miner@0.0.1', statusCode: 403 });
    expect(bad).toMatchObject({ outcome: 'denied', routeTarget: 'tabbyml.vscode-tabby@*' });
  });

  it('serves the generated client configs, pointing only at the gateway', async () => {
    const { workspace } = await create({ tenantId: tenant(), projectId: 'p', ownerUserId: 'frank' });
    const config = await unary(client.getClientConfig.bind(client), { workspaceId: workspace!.workspaceId });
    expect(config.tokenPath).toBe('/run/secrets/ai_gateway_token');
    expect(config.gatewayUrl).toBe('http://gw.airlock.svc:8080');
    const opencode = config.files.find((f) => f.path === '/home/coder/.config/opencode/opencode.json')!;
    expect(opencode.mode).toBe(0o600);
    expect(JSON.parse(opencode.content).provider.airlock.options).toMatchObject({ baseURL: 'http://gw.airlock.svc:8080/v1', apiKey: '{file:/run/secrets/ai_gateway_token}' });
    expect(config.files.map((f) => f.path).sort()).toEqual([
      '/home/coder/.config/code-server/config.yaml',
      '/home/coder/.config/opencode/opencode.json',
      '/home/coder/.continue/config.yaml',
      '/home/coder/.local/share/code-server/User/settings.json',
      '/home/coder/.tabby-client/agent/config.toml',
    ]);
  });

  it('finishes provisioning after the service dies mid-way, with exactly one pod', async () => {
    const held = fake.hold('POST', 'pods', (body) => body?.metadata?.labels?.['airlock.io/user'] === 'grace');
    const { workspace } = await create({ tenantId: tenant(), projectId: 'p', ownerUserId: 'grace' });
    const id = workspace!.workspaceId;
    await held.arrived;
    // Mid-provisioning: policy, volume, config and service exist, the pod request is in flight.
    expect((await get(id)).observedState).toBe(S.WORKSPACE_STATE_PROVISIONING);
    expect(objectsOf(id).map((o) => o.kind).sort()).toEqual(['ConfigMap', 'NetworkPolicy', 'PersistentVolumeClaim', 'Service']);

    await restartService();
    await observed(id, S.WORKSPACE_STATE_RUNNING);
    // The dead process's request lands late; the apiserver refuses the duplicate.
    const answered = fake.lateAnswers;
    held.release();
    await eventually('late request answered', () => (fake.lateAnswers > answered ? true : undefined));
    expect(fake.list('pods', NS).filter((p) => p.metadata.name === id.replace('_', '-'))).toHaveLength(1);
    await expect(observed(id, S.WORKSPACE_STATE_RUNNING)).resolves.toMatchObject({ desiredState: S.WORKSPACE_STATE_RUNNING, observedGeneration: 0 });
  });

  it('cleans up a workspace deleted after a crash mid-provisioning, including what the dead process created late', async () => {
    const held = fake.hold('POST', 'pods', (body) => body?.metadata?.labels?.['airlock.io/user'] === 'heidi');
    const { workspace } = await create({ tenantId: tenant(), projectId: 'p', ownerUserId: 'heidi' });
    const id = workspace!.workspaceId;
    await held.arrived;
    await restartService();
    await act('deleteWorkspace', id);
    await observed(id, S.WORKSPACE_STATE_DELETED);
    expect(objectsOf(id)).toEqual([]);

    // The crashed process's pod creation completes only now: an orphan, which the sweep removes.
    const answered = fake.lateAnswers;
    held.release();
    await eventually('late request answered', () => (fake.lateAnswers > answered ? true : undefined));
    await eventually('orphaned pod removed', () => (objectsOf(id).length === 0 ? true : undefined));
    expect((await get(id)).observedState).toBe(S.WORKSPACE_STATE_DELETED);
  });
});
