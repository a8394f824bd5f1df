import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AssertionSigner } from '@airlock/identity-assertion';
import {
  createTestDatabase,
  ensureTmux,
  killTerminalShells,
  eventually,
  freePort,
  grpcServing,
  startBuiltService,
  startInfra,
  uniquePrefix,
  type BuiltService,
  type InfraEndpoints,
  type TestDatabase,
} from '@airlock/testing';
import { terminalClient, terminalTestEnv } from './support/terminal-client';

jest.setTimeout(180_000);

/** Stands in for policy's ext_authz key: the caller of every route is whoever it signs. */
const edgeSigner = AssertionSigner.generate();
const ORIGIN = 'https://airlock.test';
const TENANT = 'acme';

/**
 * The built service as it runs (a child process, so it can be killed -9) on real tmux, PostgreSQL and Redis, in
 * the development mode without a workspace service: shells run as the test's user.
 */
describe('terminal service', () => {
  let infra: InfraEndpoints;
  let db: TestDatabase;
  let dir: string;
  let env: Record<string, string>;
  let service: BuiltService;

  const { api, ticketFor, attach } = terminalClient({ address: () => service.httpAddress, signer: edgeSigner, tenantId: TENANT, origin: ORIGIN });

  async function start(): Promise<BuiltService> {
    return startBuiltService({ app: 'terminal', env, ready: grpcServing('airlock.terminal.v1.TerminalService') });
  }

  beforeAll(async () => {
    const [endpoints] = await Promise.all([startInfra({ components: ['postgres', 'redis', 'kafka'] }), ensureTmux()]);
    infra = endpoints;
    const prefix = uniquePrefix('terminal');
    db = await createTestDatabase(infra, prefix);
    dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-terminal-'));
    env = { ...(await terminalTestEnv({ infra, db, prefix, dir, signer: edgeSigner, origin: ORIGIN })), TERMINAL_MAX_SESSIONS_PER_USER: '3' };
    service = await start();
  });

  afterAll(async () => {
    await service?.stop();
    if (process.env.TERMINAL_TEST_LOG_FILE) writeFileSync(process.env.TERMINAL_TEST_LOG_FILE, service?.output() ?? '');
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
    await killTerminalShells(env.TERMINAL_ROOT_DIR);
  });

  it('keeps a counter running through a kill -9 of the service, and a fresh ticket re-attaches with the scrollback', async () => {
    const created = await api('alice', 'POST', '', { workspace_id: 'w-alice', name: 'counter', cols: 100, rows: 30 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'counter', state: 'detached', access: 'owner', locked: false });
    const id = created.body.id as string;

    const first = await attach('alice', (await ticketFor('alice', id)).url);
    expect(first.opened).toEqual({ ok: true });
    first.type('i=0; while true; do i=$((i+1)); echo "count-$i"; sleep 0.1; done\r');
    await eventually('the counter', () => (first.text().includes('count-20') ? true : undefined));
    expect((await api('alice', 'GET', `/${id}`)).body.state).toBe('attached');

    await service.crash();
    service = await start();

    expect((await api('alice', 'GET', `/${id}`)).body.state).toBe('detached');
    const again = await attach('alice', (await ticketFor('alice', id)).url);
    expect(again.opened).toEqual({ ok: true });
    // The restore replays the earlier lines, then the live counter goes on past where the crash left it.
    await eventually('the restore', () => (again.text().includes('count-1\x1b[0m\r\n') ? true : undefined));
    const countNow = () => Math.max(...[...again.text().matchAll(/count-(\d+)/g)].map((m) => Number(m[1])));
    const seenAtRestore = countNow();
    await eventually('the counter still counting', () => (countNow() >= seenAtRestore + 10 ? true : undefined));
    await again.close();
  });

  it('re-attach restores the screen of a full-screen program (alternate screen, colours, cursor)', async () => {
    const { body: session } = await api('alice', 'POST', '', { workspace_id: 'w-alice', cols: 80, rows: 24 });
    const first = await attach('alice', `${(await ticketFor('alice', session.id)).url}&cols=80&rows=24`);
    first.type("printf 'under\\n'; printf '\\033[?1049h\\033[2;5H\\033[32mEDITOR\\033[0m'; sleep 60\r");
    await eventually('the program', () => (first.text().includes('EDITOR') ? true : undefined));
    await first.close();

    const again = await attach('alice', (await ticketFor('alice', session.id)).url);
    await eventually('the restore', () => (again.text().includes('EDITOR') ? true : undefined));
    const restored = again.text();
    // The normal screen first (with what lay beneath), then the alternate screen with the program's colours.
    expect(restored.indexOf('under')).toBeLessThan(restored.indexOf('\x1b[?1049h'));
    expect(restored).toContain('\x1b[32mEDITOR');
    // The cursor where the program left it: row 2, after the 6 characters written from column 5.
    expect(restored).toMatch(/\x1b\[2;11H$/);
    await again.close();
    await api('alice', 'DELETE', `/${session.id}`);
  });

  it('spends a ticket on its first use and refuses a bad Origin', async () => {
    const { body: session } = await api('alice', 'POST', '', { workspace_id: 'w-alice' });
    const { url } = await ticketFor('alice', session.id);
    const evil = await attach('alice', (await ticketFor('alice', session.id)).url, 'https://evil.example');
    expect(evil.opened).toMatchObject({ ok: false, status: 403 });
    expect(JSON.parse((evil.opened as { body: string }).body).error.code).toBe('terminal_origin_forbidden');

    const ok = await attach('alice', url);
    expect(ok.opened).toEqual({ ok: true });
    await ok.close();
    const reused = await attach('alice', url);
    expect(reused.opened).toMatchObject({ ok: false, status: 401 });
    expect(JSON.parse((reused.opened as { body: string }).body).error.code).toBe('terminal_ticket_invalid');
    // Another user cannot use alice's ticket either.
    const stolen = await attach('bob', (await ticketFor('alice', session.id)).url);
    expect(stolen.opened).toMatchObject({ ok: false, status: 401 });
    await api('alice', 'DELETE', `/${session.id}`);
  });

  it('refuses bob until alice shares read-only; then he watches and his keys are refused', async () => {
    const { body: session } = await api('alice', 'POST', '', { workspace_id: 'w-alice', name: 'shared' });
    expect((await api('bob', 'GET', `/${session.id}`)).status).toBe(403);
    expect((await api('bob', 'POST', `/${session.id}/tickets`)).body.error.code).toBe('terminal_forbidden');
    expect((await api('alice', 'PUT', `/${session.id}/shares`, { user_id: 'bob', mode: 'read-write' })).body.error.code).toBe('terminal_share_mode_forbidden');
    expect((await api('alice', 'PUT', `/${session.id}/shares`, { user_id: 'bob', mode: 'read-only' })).body.shares).toEqual([{ user_id: 'bob', mode: 'read-only' }]);
    expect((await api('bob', 'GET', '')).body.sessions).toEqual([expect.objectContaining({ id: session.id, access: 'read-only', shares: [] })]);
    expect((await api('bob', 'DELETE', `/${session.id}`)).status).toBe(403);

    const owner = await attach('alice', (await ticketFor('alice', session.id)).url);
    const viewerTicket = await ticketFor('bob', session.id);
    expect(viewerTicket.mode).toBe('read-only');
    const viewer = await attach('bob', viewerTicket.url);
    expect(viewer.opened).toEqual({ ok: true });
    owner.type('echo from-alice\r');
    await eventually('alice seen by bob', () => (viewer.text().includes('from-alice') ? true : undefined));
    viewer.type('echo from-bob\r');
    await eventually('the refusal', () => (viewer.messages.some((m) => m.type === 'error' && m.code === 'terminal_read_only') ? true : undefined));
    owner.type('echo marker\r');
    await eventually('the marker', () => (owner.text().includes('marker\r\n') ? true : undefined));
    expect(owner.text()).not.toContain('from-bob');

    await api('alice', 'DELETE', `/${session.id}/shares/bob`);
    expect((await api('bob', 'GET', `/${session.id}`)).status).toBe(403);
    await owner.close();
    await viewer.close();
    await api('alice', 'DELETE', `/${session.id}`);
  });

  it('limits sessions per user, renames, and ends a session for good', async () => {
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await api('dora', 'POST', '', { workspace_id: 'w-dora' })).body.id as string);
    const refused = await api('dora', 'POST', '', { workspace_id: 'w-dora' });
    expect(refused).toMatchObject({ status: 429, body: { error: { code: 'terminal_session_limit' } } });
    expect((await api('dora', 'PATCH', `/${made[0]}`, { name: 'deploy' })).body.name).toBe('deploy');
    expect((await api('dora', 'DELETE', `/${made[0]}`)).status).toBe(204);
    expect((await api('dora', 'POST', `/${made[0]}/tickets`)).body.error.code).toBe('terminal_session_terminated');
    expect((await api('dora', 'GET', '')).body.sessions.map((s: { id: string }) => s.id).sort()).toEqual(made.slice(1).sort());
  });

  // Last: it restarts the service with short clocks, which also reaps what earlier tests left detached.
  it('locks an idle session until the owner asks for a new ticket, and ends a detached one after its TTL', async () => {
    await service.stop();
    const metricsPort = await freePort();
    service = await startBuiltService({
      app: 'terminal',
      env: { ...env, TERMINAL_IDLE_LOCK_SECONDS: '2', TERMINAL_REAPER_INTERVAL_SECONDS: '1', TERMINAL_DETACHED_TTL_SECONDS: '3', METRICS_PORT: String(metricsPort) },
      ready: grpcServing('airlock.terminal.v1.TerminalService'),
    });
    const { body: session } = await api('erin', 'POST', '', { workspace_id: 'w-erin' });
    const terminal = await attach('erin', (await ticketFor('erin', session.id)).url);
    // The reaper's pass also reads the shells' processes for the PTY metrics: erin's tmux server and shell at least.
    const gauge = (text: string, name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(text)?.[1] ?? NaN);
    const scraped = await eventually('the PTY metrics', async () => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return gauge(text, 'airlock_terminal_pty_processes') >= 2 ? text : undefined;
    });
    expect(gauge(scraped, 'airlock_terminal_pty_memory_bytes')).toBeGreaterThan(1_000_000);
    expect(gauge(scraped, 'airlock_terminal_pty_cpu_seconds')).toBeGreaterThanOrEqual(0);
    await eventually('the idle lock', () => (terminal.messages.some((m) => m.type === 'locked') ? true : undefined));
    expect((await api('erin', 'GET', `/${session.id}`)).body.locked).toBe(true);
    terminal.type('echo while-locked\r');
    await eventually('the refusal', () => (terminal.messages.some((m) => m.type === 'error' && m.code === 'terminal_locked') ? true : undefined));

    // A new ticket is the re-authentication: the open connection may type again.
    await ticketFor('erin', session.id);
    expect(terminal.messages).toContainEqual({ type: 'unlocked' });
    terminal.type('echo after-unlock\r');
    await eventually('input accepted again', () => (terminal.text().includes('after-unlock\r\n') ? true : undefined));
    expect(terminal.text()).not.toContain('while-locked');

    await terminal.close();
    await eventually('the TTL', async () => ((await api('erin', 'GET', `/${session.id}`)).body.state === 'terminated' ? true : undefined), 20_000);
    expect((await api('erin', 'POST', `/${session.id}/tickets`)).body.error.code).toBe('terminal_session_terminated');
  });
});
