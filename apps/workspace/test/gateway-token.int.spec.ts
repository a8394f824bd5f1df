import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { airlock } from '@airlock/contracts';
import { topicName } from '@airlock/events';
import { unary } from '@airlock/grpc';
import type { RunningService } from '@airlock/runtime';
import { createTestDatabase, createTopics, ensureCodeServer, eventually, freePort, killLocalWorkspaces, startInfra, uniquePrefix } from '@airlock/testing';
import { accountName } from '../src/drivers/local/os-user';
import { FakeKubeApiServer } from './fake-kube-apiserver';
import { boot, connect, unaryAs, type Client } from './harness';
import { startIdentity, type RunningIdentity } from './identity-process';

const { WorkspaceState: S } = airlock.workspace.v1;

// The workspace-scoped gateway token end to end: the real identity service (child process, real PostgreSQL
// and Redis) issues it, the local driver puts it beside a REAL code-server, and deleting the workspace
// revokes it.
jest.setTimeout(120_000);

const isRoot = process.getuid?.() === 0;
const tenant = 'wstoken-test';

let identity: RunningIdentity;
let infra: Awaited<ReturnType<typeof startInfra>>;
const drops: (() => Promise<void>)[] = [];

/** A workspace service's env of its own (database, topic prefix), wired to the shared identity. */
async function serviceEnv(label: string): Promise<Record<string, string>> {
  const prefix = uniquePrefix(label);
  await createTopics(infra, [topicName('audit', prefix)]);
  const db = await createTestDatabase(infra, prefix);
  drops.push(() => db.drop());
  return {
    ...db.env,
    KAFKA_BROKERS: infra.kafka.brokers.join(','),
    KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
    TOPIC_PREFIX: prefix,
    IDENTITY_ADDR: identity.address,
    WORKSPACE_MAX_PER_USER: '3',
    WORKSPACE_RECONCILE_INTERVAL_MS: '200',
    WORKSPACE_RECONCILE_LEASE_MS: '1500',
    WORKSPACE_RESYNC_MS: '500',
  };
}

beforeAll(async () => {
  infra = await startInfra({ components: ['postgres', 'kafka', 'redis'] });
  const identityDb = await createTestDatabase(infra, uniquePrefix('wstoken_identity'));
  drops.push(() => identityDb.drop());
  identity = await startIdentity({ redis: infra.redis, database: identityDb.env });
}, 120_000);

afterAll(async () => {
  await identity?.stop();
  for (const drop of drops) await drop();
});

const verify = (token: string) => unary(identity.client.verifyToken.bind(identity.client), { token, clientIp: '' });

/** Create / get / wait-for-state against one workspace service. */
function workspaces(clientOf: () => Client) {
  const getWs = async (workspaceId: string) => (await unary(clientOf().getWorkspace.bind(clientOf()), { workspaceId })).workspace!;
  return {
    create: (ownerUserId: string, projectId: string) =>
      unaryAs<airlock.workspace.v1.CreateWorkspaceRequest, airlock.workspace.v1.CreateWorkspaceResponse>(
        clientOf().createWorkspace.bind(clientOf()),
        { tenantId: tenant, projectId, ownerUserId, image: '', resources: undefined },
        { 'x-user-id': ownerUserId },
      ).then((r) => r.workspace!.workspaceId),
    observed: (id: string, state: airlock.workspace.v1.WorkspaceState, extra: (w: airlock.workspace.v1.Workspace) => boolean = () => true) =>
      eventually(`${id} observed ${S[state]}`, async () => {
        const w = await getWs(id);
        return w.observedState === state && extra(w) ? w : undefined;
      }, 60_000),
  };
}

describe('workspace gateway token with the local driver (real identity, real code-server)', () => {
  let service: RunningService;
  let client: Client;
  let env: Record<string, string>;
  let root: string;
  const { create, observed } = workspaces(() => client);
  const tokenFile = (id: string) => path.join(root, id, 'secrets', 'ai_gateway_token');
  /** The token as the workspace's own account reads it (through the directories' permissions). */
  const readAs = (uid: number, gid: number, file: string) => spawnSync('cat', [file], { uid, gid, encoding: 'utf8' });

  beforeAll(async () => {
    const install = await ensureCodeServer();
    root = mkdtempSync(path.join(os.tmpdir(), 'wstoken-'));
    env = {
      ...(await serviceEnv('wstoken')),
      WORKSPACE_DRIVER: 'local',
      WORKSPACE_LOCAL_DIR: root,
      WORKSPACE_CODE_SERVER_ENTRY: install.entry,
      WORKSPACE_CODE_SERVER_NODE: install.node,
      WORKSPACE_PROXY_PORT: String(await freePort()),
      WORKSPACE_IDLE_TIMEOUT_MS: '0',
    };
    service = await boot(env);
    client = connect(service);
  }, 30 * 60_000);

  afterAll(async () => {
    client?.close();
    await service?.close();
    if (root) {
      await killLocalWorkspaces(root);
      rmSync(root, { recursive: true, force: true });
    }
  });

  let id: string;
  let token: string;

  it('writes the token before start: 0400, owned by the workspace account, and it verifies with the workspace scope', async () => {
    id = await create('tina', 'ledger');
    await observed(id, S.WORKSPACE_STATE_RUNNING);
    const file = tokenFile(id);
    const st = statSync(file);
    const account = isRoot ? readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${accountName(tenant, 'tina')}:`)) : undefined;
    const [uid, gid] = account ? [Number(account.split(':')[2]), Number(account.split(':')[3])] : [process.getuid!(), process.getgid!()];
    if (isRoot) expect(uid).not.toBe(0);
    expect([st.uid, st.gid, st.mode & 0o777]).toEqual([uid, gid, 0o400]);
    // The directory is the service's: the workspace reaches its token but cannot plant anything beside it.
    const dir = statSync(path.dirname(file));
    expect([dir.uid, dir.mode & 0o777]).toEqual([process.getuid!(), 0o711]);

    token = readFileSync(file, 'utf8');
    expect(token).toMatch(/^alk_[A-Za-z0-9_-]{43}$/);
    expect(readAs(uid, gid, file).stdout).toBe(token);

    const verdict = await verify(token);
    expect(verdict.valid).toBe(true);
    expect(verdict.principal).toMatchObject({ userId: 'tina', subject: 'tina', tenantId: tenant, projectId: 'ledger', workspaceId: id, roles: ['developer'] });

    // The generated configs name this file (never the token), and Continue's .env carries it, 0600.
    const opencode = readFileSync(path.join(root, id, 'home', '.config', 'opencode', 'opencode.json'), 'utf8');
    expect(JSON.parse(opencode).provider.airlock.options.apiKey).toBe(`{file:${file}}`);
    expect(opencode).not.toContain(token);
    const config = await unary(client.getClientConfig.bind(client), { workspaceId: id });
    expect(config.tokenPath).toBe(file);
    const dotenv = path.join(root, id, 'home', '.continue', '.env');
    expect(readFileSync(dotenv, 'utf8')).toBe(`AIRLOCK_GATEWAY_TOKEN=${token}\n`);
    expect([statSync(dotenv).uid, statSync(dotenv).mode & 0o777]).toEqual([uid, 0o600]);
  });

  it('keeps the same token across reconcile passes and a service restart (it is reused, not reissued)', async () => {
    await service.close();
    client.close();
    const rebooted = Date.now();
    service = await boot(env);
    client = connect(service);
    await observed(id, S.WORKSPACE_STATE_RUNNING, (w) => Date.parse(w.observeTime) > rebooted);
    expect(readFileSync(tokenFile(id), 'utf8')).toBe(token);
    expect((await verify(token)).valid).toBe(true);
  });

  it('a restart gets a fresh token; the old one and an orphan (issued by a caller that crashed before storing it) are revoked', async () => {
    const orphan = await unary(identity.client.issueWorkspaceToken.bind(identity.client), { tenantId: tenant, projectId: 'ledger', workspaceId: id, ownerUserId: 'tina', ttlSeconds: 0 });
    await unary(client.restartWorkspace.bind(client), { workspaceId: id });
    await observed(id, S.WORKSPACE_STATE_RUNNING, (w) => w.observedGeneration === 1);
    const fresh = readFileSync(tokenFile(id), 'utf8');
    expect(fresh).not.toBe(token);
    expect((await verify(fresh)).valid).toBe(true);
    expect(await verify(token)).toMatchObject({ valid: false, errorCode: 'token_revoked' });
    expect(await verify(orphan.token)).toMatchObject({ valid: false, errorCode: 'token_revoked' });
    token = fresh;
  });

  it('deleting the workspace revokes its token and removes the file', async () => {
    await unary(client.deleteWorkspace.bind(client), { workspaceId: id });
    await observed(id, S.WORKSPACE_STATE_DELETED);
    expect(existsSync(tokenFile(id))).toBe(false);
    expect(await verify(token)).toMatchObject({ valid: false, errorCode: 'token_revoked' });
    // Issued, verified, revoked and audited: the secret never reached identity's log.
    expect(identity.output()).toContain('auth.token.revoked');
    expect(identity.output()).not.toMatch(/alk_[A-Za-z0-9_-]{43}/);
  });
});

describe('workspace gateway token with the kubernetes driver (real identity, FAKE apiserver: no cluster here)', () => {
  const NS = 'airlock-ws-token';
  const fake = new FakeKubeApiServer();
  let service: RunningService;
  let client: Client;
  const { create, observed } = workspaces(() => client);

  beforeAll(async () => {
    await fake.start();
    service = await boot({
      ...(await serviceEnv('wstokenk8s')),
      WORKSPACE_DRIVER: 'kubernetes',
      WORKSPACE_K8S_KUBECONFIG: fake.writeKubeconfig(mkdtempSync(path.join(os.tmpdir(), 'ws-kube-')), NS),
      WORKSPACE_K8S_NAMESPACE: NS,
    });
    client = connect(service);
  });

  afterAll(async () => {
    client?.close();
    await service?.close();
    await fake.close();
  });

  it('creates the token Secret before the Pod that mounts it, and deleting the workspace revokes and removes it', async () => {
    const id = await create('kim', 'risk');
    await observed(id, S.WORKSPACE_STATE_RUNNING);
    const name = `${id.replace('_', '-')}-gateway-token`;
    const secret = fake.get('secrets', NS, name);
    const token = Buffer.from(secret.data.token, 'base64').toString('utf8');
    expect((await verify(token)).principal).toMatchObject({ userId: 'kim', tenantId: tenant, projectId: 'risk', workspaceId: id, roles: ['developer'] });
    expect(secret.metadata.annotations).toMatchObject({ 'airlock.io/generation': '0', 'airlock.io/token-id': expect.any(String) });
    const posts = fake.requests.filter((r) => r.startsWith('POST '));
    expect(posts.indexOf(`POST /api/v1/namespaces/${NS}/secrets`)).toBeLessThan(posts.indexOf(`POST /api/v1/namespaces/${NS}/pods`));
    const pod = fake.get('pods', NS, id.replace('_', '-'));
    expect(pod.spec.volumes.find((v: { name: string }) => v.name === 'gateway-token').secret.secretName).toBe(name);

    await unary(client.deleteWorkspace.bind(client), { workspaceId: id });
    await observed(id, S.WORKSPACE_STATE_DELETED);
    expect(fake.get('secrets', NS, name)).toBeUndefined();
    expect(await verify(token)).toMatchObject({ valid: false, errorCode: 'token_revoked' });
  });
});
