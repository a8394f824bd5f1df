import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { airlock } from '@airlock/contracts';
import { unary } from '@airlock/grpc';
import type { RunningService } from '@airlock/runtime';
import { createTestDatabase, createTopics, ensureCodeServer, eventually, freePort, killLocalWorkspaces, startInfra, uniquePrefix, type CodeServerInstall } from '@airlock/testing';
import { topicName } from '@airlock/events';
import { createPool } from '@airlock/postgres';
import { WORKSPACE_KEY_VAR } from '../src/drivers/local/code-server-command';
import { workspaceKey } from '../src/drivers/local/home-layout';
import { allProcs, cmdline, environValue, processesByEnv } from '../src/drivers/local/procfs';
import { accountName } from '../src/drivers/local/os-user';
import { boot, collectAudits, connect, edgeHeaders, get, unaryAs, unprovenHeaders, upgrade, type Client } from './harness';

const { WorkspaceState: S } = airlock.workspace.v1;

// The local driver end to end with a REAL code-server (installed once under .airlock/tools; the first run
// builds it, about 2-10 minutes on 2 cores).
jest.setTimeout(180_000);

const isRoot = process.getuid?.() === 0;

/** Live processes carrying the workspace's marker. */
const processesOf = (root: string, id: string) => processesByEnv(WORKSPACE_KEY_VAR).get(workspaceKey(root, id)) ?? [];
/**
 * The code-server main process (its children share the marker). Isolated (root), the driver starts it through
 * unshare, which stays outside the pid namespace as the service's user: the main process is unshare's child.
 */
const mainOf = (root: string, id: string) => {
  const mine = processesOf(root, id).filter((p) => !/(^|\/)unshare$/.test(cmdline(p.pid)[0] ?? ''));
  const pids = new Set(mine.map((p) => p.pid));
  return mine.filter((p) => !pids.has(p.ppid));
};

/** Inodes of the sockets a process holds open (to find its listeners in /proc/net/tcp). */
function socketInodes(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        return m ? [m[1]!] : [];
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

interface LocalSetupOptions {
  /** Names the test's topic prefix, database and workspace root. */
  label: string;
  codeServer: CodeServerInstall;
  /** Service variables on top of the local driver's. */
  env?: Record<string, string>;
}

async function localEnv({ label, codeServer, env: extra = {} }: LocalSetupOptions) {
  const infra = await startInfra({ components: ['postgres', 'kafka'] });
  const prefix = uniquePrefix(label);
  await createTopics(infra, [topicName('audit', prefix)]);
  const db = await createTestDatabase(infra, prefix);
  const root = mkdtempSync(path.join(os.tmpdir(), `${label}-`));
  const proxyPort = await freePort();
  const env = {
    ...db.env,
    KAFKA_BROKERS: infra.kafka.brokers.join(','),
    KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
    TOPIC_PREFIX: prefix,
    WORKSPACE_DRIVER: 'local',
    WORKSPACE_LOCAL_DIR: root,
    WORKSPACE_CODE_SERVER_ENTRY: codeServer.entry,
    WORKSPACE_CODE_SERVER_NODE: codeServer.node,
    WORKSPACE_PROXY_PORT: String(proxyPort),
    WORKSPACE_MAX_PER_USER: '3',
    WORKSPACE_RECONCILE_INTERVAL_MS: '200',
    WORKSPACE_RECONCILE_LEASE_MS: '1500',
    WORKSPACE_RESYNC_MS: '1000',
    ...extra,
  };
  return { infra, prefix, db, root, proxyPort, env };
}

/** Boots the service with the local driver; `stop` also kills whatever a failed test left running. */
async function startLocal(options: Omit<LocalSetupOptions, 'codeServer'>) {
  const setup = await localEnv({ ...options, codeServer: await ensureCodeServer() });
  const audits = await collectAudits(setup.infra.kafka.brokers, setup.prefix);
  const service = await boot(setup.env);
  const live = {
    setup,
    audits,
    service,
    client: connect(service),
    /** Tests that restart the service put the current one here, so `stop` closes that. */
    async stop() {
      live.client.close();
      await live.service.close();
      await audits.stop();
      await killLocalWorkspaces(setup.root);
      rmSync(setup.root, { recursive: true, force: true });
      await setup.db.drop();
    },
  };
  return live;
}

describe('local driver: a real code-server per workspace', () => {
  let live: Awaited<ReturnType<typeof startLocal>>;
  let setup: Awaited<ReturnType<typeof localEnv>>;
  let service: RunningService;
  let client: Client;
  // Fixed tenants: each test has its own database, and OS accounts (one per tenant+user) are reused across runs.
  const tenant = 'wslocal-test';

  const create = ({ owner, project }: { owner: string; project: string }) =>
    unaryAs<airlock.workspace.v1.CreateWorkspaceRequest, airlock.workspace.v1.CreateWorkspaceResponse>(
      client.createWorkspace.bind(client),
      { tenantId: tenant, projectId: project, ownerUserId: owner, image: '', resources: undefined },
      { 'x-user-id': owner },
    ).then((r) => r.workspace!.workspaceId);
  const getWs = async (workspaceId: string) => (await unary(client.getWorkspace.bind(client), { workspaceId })).workspace!;
  const observed = (id: string, state: airlock.workspace.v1.WorkspaceState, extra: (w: airlock.workspace.v1.Workspace) => boolean = () => true) =>
    eventually(`${id} observed ${S[state]}`, async () => {
      const w = await getWs(id);
      return w.observedState === state && extra(w) ? w : undefined;
    }, 60_000);
  const act = (rpc: 'startWorkspace' | 'stopWorkspace' | 'restartWorkspace' | 'deleteWorkspace', workspaceId: string) =>
    unary((client[rpc] as typeof client.startWorkspace).bind(client), { workspaceId });
  const as = (userId: string, roles = 'developer') => edgeHeaders({ userId, tenantId: tenant, roles: roles.split(',') });

  beforeAll(async () => {
    live = await startLocal({ label: 'wslocal', env: { WORKSPACE_IDLE_TIMEOUT_MS: '0' } });
    ({ setup, service, client } = live);
  }, 30 * 60_000);

  afterAll(async () => {
    if (live) Object.assign(live, { service, client });
    await live?.stop();
  });

  it('provisions a code-server process: own account, loopback-only socket, read-only extensions, rlimits, no service secrets', async () => {
    const id = await create({ owner: 'alice', project: 'payments' });
    await observed(id, S.WORKSPACE_STATE_RUNNING);
    const [main] = mainOf(setup.root, id);
    expect(main).toBeDefined();
    const status = readFileSync(`/proc/${main!.pid}/status`, 'utf8');
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)![1]);
    if (isRoot) {
      // One OS account per (tenant, user), without root's supplementary groups.
      const account = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${accountName(tenant, 'alice')}:`));
      expect(account).toBeDefined();
      expect(uid).toBe(Number(account!.split(':')[2]));
      expect(uid).not.toBe(0);
      expect(/^Groups:\s*(.*)$/m.exec(status)![1]!.trim().split(/\s+/)).not.toContain('0');
    }
    const limits = readFileSync(`/proc/${main!.pid}/limits`, 'utf8');
    expect(limits).toMatch(/Max open files\s+8192\s+8192/);
    expect(limits).toMatch(/Max core file size\s+0\s+0/);
    if (isRoot) expect(limits).toMatch(/Max processes\s+1024\s+1024/);
    // The service's own configuration never reaches the workspace.
    expect(environValue(main!.pid, 'DATABASE_URL')).toBe('');
    expect(environValue(main!.pid, 'DATABASE_PASSWORD_FILE')).toBe('');
    expect(environValue(main!.pid, 'EXTENSIONS_GALLERY')).toContain('127.0.0.1:9');
    const args = readFileSync(`/proc/${main!.pid}/cmdline`, 'utf8').split('\0');
    expect(args).toEqual(expect.arrayContaining(['--auth', 'none', '--socket', '--disable-telemetry', '--disable-update-check', '--disable-file-downloads', '--disable-file-uploads', '--disable-proxy']));
    expect(args).not.toContain('--bind-addr');
    // No TCP listener of its own: nothing on this machine can reach it by guessing a port.
    const tcp = readFileSync('/proc/net/tcp', 'utf8') + readFileSync('/proc/net/tcp6', 'utf8');
    const inodes = new Set(processesOf(setup.root, id).flatMap((p) => socketInodes(p.pid)));
    const listening = tcp.split('\n').filter((l) => l.trim().split(/\s+/)[3] === '0A' && inodes.has(l.trim().split(/\s+/)[9]));
    expect(listening).toEqual([]);

    const dir = path.join(setup.root, id);
    // The image's shared extensions directory: the service's, read-only to every workspace account.
    const extensionsDir = args[args.indexOf('--extensions-dir') + 1]!;
    expect(path.dirname(extensionsDir)).toBe(path.join(setup.root, '.extensions'));
    const ext = statSync(extensionsDir);
    expect(ext.uid).toBe(process.getuid!());
    expect(ext.mode & 0o777).toBe(0o755);
    // The Airlock AI extension's user settings: this workspace, its token file, no token.
    const settings = JSON.parse(readFileSync(path.join(dir, 'home', '.local', 'share', 'code-server', 'User', 'settings.json'), 'utf8'));
    expect(settings).toMatchObject({ 'airlock.workspaceId': id, 'airlock.tenantId': tenant, 'airlock.projectId': 'payments', 'airlock.tokenFile': path.join(dir, 'secrets', 'ai_gateway_token') });
    const home = statSync(path.join(dir, 'home'));
    expect(home.uid).toBe(uid);
    expect(home.mode & 0o777).toBe(0o700);
    const opencode = statSync(path.join(dir, 'home', '.config', 'opencode', 'opencode.json'));
    expect([opencode.uid, opencode.mode & 0o777]).toEqual([uid, 0o600]);
    expect(existsSync(path.join(dir, 'home', 'payments'))).toBe(true);
    // A terminal's shell runs as the same account, in the same home (GetShellHost, the terminal service's call).
    const shell = await unary(client.getShellHost.bind(client), { workspaceId: id });
    expect(shell).toMatchObject({ running: true, uid, home: path.join(dir, 'home'), workspace: expect.objectContaining({ workspaceId: id }) });
    expect(shell.gid).toBe(Number(/^Gid:\s+(\d+)/m.exec(status)![1]));
    if (isRoot) {
      // Isolated: namespacePid is in code-server's pid namespace (not this machine's), and a process started through
      // it as the terminal service does (nsenter, then setpriv) sees the workspace's processes only.
      const boxNamespace = readlinkSync(`/proc/${main!.pid}/ns/pid`);
      expect(boxNamespace).not.toBe(readlinkSync('/proc/self/ns/pid'));
      expect(readlinkSync(`/proc/${shell.namespacePid}/ns/pid`)).toBe(boxNamespace);
      const inside = spawnSync('nsenter', [`--target=${shell.namespacePid}`, '--pid', '--mount', '--', 'setpriv', `--reuid=${uid}`, `--regid=${shell.gid}`, '--clear-groups', '--', 'ps', '-e', '-o', 'pid=,comm='], { encoding: 'utf8' });
      expect(inside.status).toBe(0);
      const seen = inside.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
      // pid 1 is the workspace's code-server; the rest are its own processes and ps itself: no database, broker or jest.
      const commOf = (pid: number) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      expect(seen.find(([pid]) => pid === '1')?.[1]).toBe(commOf(main!.pid));
      const workspaceComms = new Set([...processesOf(setup.root, id).map((p) => p.comm), 'ps']);
      expect(seen.map(([, comm]) => comm).filter((comm) => !workspaceComms.has(comm!))).toEqual([]);
      expect(seen.length).toBeLessThanOrEqual(processesOf(setup.root, id).length + 1);
    } else {
      expect(shell.namespacePid).toBe(0);
    }
  });

  it('serves the workspace at /w/<id>/ to its owner and an admin only, WebSockets included', async () => {
    const id = await create({ owner: 'bob', project: 'web' });
    await observed(id, S.WORKSPACE_STATE_RUNNING);
    const port = setup.proxyPort;
    const root = await get(port, `/w/${id}/`, as('bob'));
    // code-server redirects / to its workbench with the folder; relative, so it stays under /w/<id>/.
    expect(root.status).toBe(302);
    expect(root.headers.location?.startsWith('/')).toBe(false);
    const page = await get(port, `/w/${id}/${root.headers.location!.replace(/^\.\//, '')}`, as('bob'));
    expect(page.status).toBe(200);
    expect(page.body).toContain('workbench');
    expect((await get(port, `/w/${id}/healthz`, as('bob'))).body).toContain('"status"');
    expect((await get(port, `/w/${id}`, as('bob'))).status).toBe(308);

    expect((await get(port, `/w/${id}/`, as('mallory'))).status).toBe(403);
    expect((await get(port, `/w/${id}/`, as('carol', 'security-admin'))).status).toBe(302);
    expect((await get(port, `/w/${id}/`, edgeHeaders({ userId: 'bob', tenantId: 'other-tenant' }))).status).toBe(404);
    expect((await get(port, `/w/${id}/`)).status).toBe(401);
    // The owner's plain identity headers prove nothing without a valid assertion: 401, upgrades included.
    for (const [why, headers] of Object.entries(unprovenHeaders({ userId: 'bob', tenantId: tenant, roles: ['developer'] }))) {
      const refused = await get(port, `/w/${id}/`, headers);
      expect([why, refused.status, JSON.parse(refused.body).error.code]).toEqual([why, 401, 'unauthenticated']);
    }
    expect((await get(port, `/w/ws_${'0'.repeat(20)}/`, as('bob'))).status).toBe(404);

    const ws = `/w/${id}/?reconnectionToken=${randomBytes(8).toString('hex')}&reconnection=false&skipWebSocketFrames=false`;
    expect(await upgrade(port, ws, { ...as('bob'), origin: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}` })).toBe(101);
    expect(await upgrade(port, ws, { ...as('mallory'), origin: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}` })).toBe(403);
    const { forged } = unprovenHeaders({ userId: 'bob', tenantId: tenant, roles: ['developer'] });
    expect(await upgrade(port, ws, { ...forged, origin: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}` })).toBe(401);
  });

  it('stop keeps the home and kills every process, start brings it back, restart replaces the process', async () => {
    const id = await create({ owner: 'dave', project: 'ops' });
    await observed(id, S.WORKSPACE_STATE_RUNNING);
    const first = mainOf(setup.root, id)[0]!.pid;

    await act('stopWorkspace', id);
    await observed(id, S.WORKSPACE_STATE_STOPPED);
    expect(processesOf(setup.root, id)).toEqual([]);
    expect(existsSync(path.join(setup.root, id, 'home', 'ops'))).toBe(true);
    expect((await get(setup.proxyPort, `/w/${id}/`, as('dave'))).status).toBe(503);
    expect(await unary(client.getShellHost.bind(client), { workspaceId: id })).toMatchObject({ running: false, uid: 0, home: '' });

    await act('startWorkspace', id);
    await observed(id, S.WORKSPACE_STATE_RUNNING);
    const second = mainOf(setup.root, id)[0]!.pid;
    expect(second).not.toBe(first);

    await act('restartWorkspace', id);
    await observed(id, S.WORKSPACE_STATE_RUNNING, (w) => w.observedGeneration >= 1);
    const third = mainOf(setup.root, id);
    expect(third).toHaveLength(1);
    expect(third[0]!.pid).not.toBe(second);

    await act('deleteWorkspace', id);
    await observed(id, S.WORKSPACE_STATE_DELETED);
    expect(processesOf(setup.root, id)).toEqual([]);
    expect(existsSync(path.join(setup.root, id))).toBe(false);
  });

  it('survives a service restart mid-provisioning: the new life adopts the process, nothing is doubled or orphaned', async () => {
    const id = await create({ owner: 'erin', project: 'crash' });
    // Kill the service as soon as the process exists, before RUNNING is recorded.
    await eventually('code-server spawned', () => (mainOf(setup.root, id).length > 0 ? true : undefined), 30_000);
    const before = mainOf(setup.root, id).map((p) => p.pid);
    client.close();
    await service.close();
    expect(mainOf(setup.root, id).map((p) => p.pid)).toEqual(before);

    service = await boot(setup.env);
    client = connect(service);
    await observed(id, S.WORKSPACE_STATE_RUNNING);
    // The same process, adopted, and only one.
    expect(mainOf(setup.root, id).map((p) => p.pid)).toEqual(before);
  });

  it('removes processes the registry does not know (a crashed start of a workspace deleted meanwhile)', async () => {
    const id = await create({ owner: 'frank', project: 'gone' });
    await observed(id, S.WORKSPACE_STATE_RUNNING);
    client.close();
    await service.close();
    // While the service is down, the row disappears (as if its delete was never seen by this driver).
    const pool = createPool(setup.db.url, { max: 1, password: setup.db.password });
    await pool.query('DELETE FROM workspaces WHERE id = $1', [id]);
    await pool.end();
    // Detached: it outlived the service.
    expect(mainOf(setup.root, id)).toHaveLength(1);
    service = await boot(setup.env);
    client = connect(service);
    const swept = () => ({ processes: processesOf(setup.root, id), home: existsSync(path.join(setup.root, id)) });
    await expect(eventually('orphan swept', () => (swept().processes.length === 0 && !swept().home ? swept() : undefined), 60_000)).resolves.toEqual({ processes: [], home: false });
  });

  it('audits the observed lifecycle of local workspaces', async () => {
    const states = live.audits.events.filter((e) => e.eventType === 'workspace.state').map((e) => e.outcome);
    expect(states).toEqual(expect.arrayContaining(['running', 'stopped', 'deleted']));
  });
});

describe('idle stop with a real code-server', () => {
  let live: Awaited<ReturnType<typeof startLocal>>;
  let setup: Awaited<ReturnType<typeof localEnv>>;
  let client: Client;
  const tenant = 'wsidle-test';

  beforeAll(async () => {
    live = await startLocal({
      label: 'wsidle',
      env: {
        WORKSPACE_IDLE_TIMEOUT_MS: '2500',
        WORKSPACE_IDLE_CHECK_MS: '500',
        // Start-up CPU of code-server must not count as work for ever: a quarter core is "busy".
        WORKSPACE_IDLE_BUSY_CPU: '0.25',
      },
    });
    ({ setup, client } = live);
  }, 30 * 60_000);

  afterAll(async () => {
    await live?.stop();
  });

  it('keeps a workspace with a running terminal command, then stops it once idle (expired is not a failure), audited as system:idle', async () => {
    const { workspace } = await unaryAs<airlock.workspace.v1.CreateWorkspaceRequest, airlock.workspace.v1.CreateWorkspaceResponse>(
      client.createWorkspace.bind(client),
      { tenantId: tenant, projectId: 'idle', ownerUserId: 'grace', image: '', resources: undefined },
      { 'x-user-id': 'grace' },
    );
    const id = workspace!.workspaceId;
    await eventually('running', async () => ((await unary(client.getWorkspace.bind(client), { workspaceId: id })).workspace!.observedState === S.WORKSPACE_STATE_RUNNING ? true : undefined), 60_000);
    // A "build" in a terminal: a shell with a command under it that burns no CPU, in the workspace's process group.
    const build = spawn('bash', ['-c', 'sleep 600; true'], { env: { ...process.env, [WORKSPACE_KEY_VAR]: workspaceKey(setup.root, id) }, stdio: 'ignore' });
    await eventually('build visible', () => (allProcs().some((p) => p.ppid === build.pid && p.comm === 'sleep') ? true : undefined));
    // Three idle timeouts later it is still wanted running.
    await new Promise((r) => setTimeout(r, 8_000));
    const during = (await unary(client.getWorkspace.bind(client), { workspaceId: id })).workspace!;
    expect(during.desiredState).toBe(S.WORKSPACE_STATE_RUNNING);

    build.kill('SIGKILL');
    const stopped = await eventually(
      'idle stop',
      async () => {
        const w = (await unary(client.getWorkspace.bind(client), { workspaceId: id })).workspace!;
        return w.desiredState === S.WORKSPACE_STATE_STOPPED && w.observedState === S.WORKSPACE_STATE_STOPPED ? w : undefined;
      },
      60_000,
    );
    expect(stopped.observedState).toBe(S.WORKSPACE_STATE_STOPPED);
    expect(processesOf(setup.root, id)).toEqual([]);
    const stop = await eventually('idle audit', () => live.audits.events.find((e) => e.workspaceId === id && e.eventType === 'workspace.lifecycle' && e.action === 'stop'));
    expect(stop).toMatchObject({ userId: 'grace', actor: 'system:idle' });
    // Stopped stays stopped: no restart (no storm), it is the user's to start again.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(processesOf(setup.root, id)).toEqual([]);
  });
});
