import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_FLAGS, ensureChromium, ensureCodeServer, eventually, uniquePrefix } from '@airlock/testing';
import { startMesh, stopMesh, type MeshInfo } from '../../src/mesh';
import { accessLogEntry, auditSinkEvent, edgeCaller, issueToken, seedUser, submitPasswordAndTotp, type Reply } from './support';

// The portal's front door, through the real Envoy: who am I, a person's own workspaces (created from the
// browser, reaching running on the local driver's real code-server, stopped, deleted), a person's own AI usage,
// and the edge's browser behaviour — sign-in and back for a navigation without a session, a page (not JSON)
// for a refused navigation, CSRF refused and audited, and the open-redirect regressions of return_to.
const NAVIGATION = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'sec-fetch-mode': 'navigate' };
const W = '/api/workspace/v1';

interface Workspace {
  id: string;
  project_id: string;
  owner_user_id: string;
  state: string;
  desired_state: string;
  size: string | null;
  url: string;
}

describe('the portal APIs and the edge for browsers (Envoy, headless Chromium, real code-server)', () => {
  const name = uniquePrefix('e2e-portal');
  let mesh: MeshInfo;
  let edge: string;
  let browser: Browser;
  let call: ReturnType<typeof edgeCaller>;
  let alice: { context: BrowserContext; page: Page; cookie: string };
  let workspace: Workspace;
  let n = 0;
  const correlation = () => `${name}-${++n}`;

  /** A fresh browser context (its own cookie jar) signed in as `user`, landed back at `returnTo` on the edge. */
  async function signedIn(user: string, returnTo: string, locale = 'en-US'): Promise<{ context: BrowserContext; page: Page; cookie: string }> {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, locale });
    const page = await context.newPage();
    await page.goto(`${edge}/auth/login?return_to=${encodeURIComponent(returnTo)}`);
    await submitPasswordAndTotp(page, seedUser(user));
    await page.waitForURL((url) => url.origin === edge && `${url.pathname}${url.search}` === returnTo);
    const session = (await context.cookies(edge)).find((c) => c.name === 'airlock_session')!;
    return { context, page, cookie: `airlock_session=${session.value}` };
  }

  /** A JSON call with alice's session cookie (no Origin, as a script's: not a cross-site browser request). */
  const asAlice = (urlPath: string, opts: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> =>
    call(urlPath, { ...opts, headers: { cookie: alice.cookie, ...opts.headers } });

  /** Polls the workspace as the portal does (If-None-Match: 304 while unchanged) until `done` holds. */
  async function watch(id: string, done: (w: Workspace) => boolean, timeoutMs = 120_000): Promise<Workspace> {
    let etag = '';
    let last: Workspace | undefined;
    return eventually(
      `workspace ${id} to reach the state wanted`,
      async () => {
        const reply = await asAlice(`${W}/workspaces/${id}`, { headers: etag ? { 'if-none-match': etag } : {} });
        if (reply.status === 200) [last, etag] = [reply.body as Workspace, String(reply.headers.etag)];
        else if (reply.status !== 304) throw new Error(`GET workspace: ${reply.status} ${JSON.stringify(reply.body)}`);
        return last && done(last) ? last : undefined;
      },
      timeoutMs,
    );
  }

  beforeAll(async () => {
    const executablePath = await ensureChromium();
    // A one-time build on a fresh machine; cached afterwards.
    await ensureCodeServer();
    mesh = await startMesh({ name, ports: 'free', workspaceDriver: 'local', log: (l) => process.stderr.write(`[e2e] ${l}\n`) });
    edge = `https://localhost:${mesh.envoy.httpsPort}`;
    call = edgeCaller(mesh);
    browser = await chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_FLAGS] });
  }, 30 * 60_000);

  afterAll(async () => {
    await browser?.close();
    if (mesh) await stopMesh(name);
  }, 60_000);

  it('sends a navigation without a session through sign-in and back to where it was going; API calls get 401', async () => {
    const nav = await call('/usage?days=7', { headers: NAVIGATION });
    expect([nav.status, nav.headers.location, nav.headers['cache-control']]).toEqual([302, '/auth/login?return_to=%2Fusage%3Fdays%3D7', 'no-store']);
    const api = await call('/api/identity/v1/me', { headers: { accept: 'application/json' } });
    expect([api.status, api.body.error.code]).toEqual([401, 'unauthenticated']);

    // carol, in a browser: the address bar's /usage?days=7 leads to the IdP's form, and after it back there.
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const page = await context.newPage();
      await page.goto(`${edge}/usage?days=7`);
      await page.waitForSelector('#username');
      expect(page.url().startsWith(`${mesh.idp.issuer}/`)).toBe(true);
      await submitPasswordAndTotp(page, seedUser('carol'));
      await page.waitForURL((url) => url.origin === edge && url.pathname === '/usage' && url.search === '?days=7');
    } finally {
      await context.close();
    }
  });

  it.each([['/..//evil.example/x', 'dave'], ['/.//evil.example', 'erin']])(
    'lands a sign-in with return_to=%s on the edge, never on another host',
    async (returnTo, user) => {
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      try {
        const page = await context.newPage();
        const visited: string[] = [];
        page.on('framenavigated', (frame) => visited.push(frame.url()));
        await page.goto(`${edge}/auth/login?return_to=${encodeURIComponent(returnTo)}`);
        await submitPasswordAndTotp(page, seedUser(user));
        await page.waitForURL((url) => url.origin === edge && url.pathname === '/');
        expect(visited.filter((u) => new URL(u).hostname.includes('evil.example'))).toEqual([]);
      } finally {
        await context.close();
      }
    },
  );

  it("tells alice who she is: her session, her profile from the IdP, her tenant's time zone", async () => {
    alice = await signedIn('alice', '/api/identity/v1/me');
    const me = await asAlice('/api/identity/v1/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      user_id: 'alice',
      display_name: 'Alice Developer',
      email: 'alice@acme.example',
      tenant_id: 'acme',
      roles: ['developer'],
      projects: ['payments'],
      auth: 'session',
      expires_at: expect.stringMatching(/Z$/),
      time_zone: 'Asia/Seoul',
    });
    expect(Date.parse(me.body.expires_at)).toBeGreaterThan(Date.now());
  });

  it('offers alice her project and the sizes her quota admits', async () => {
    const options = await asAlice(`${W}/options`);
    expect(options.status).toBe(200);
    expect(options.body.projects).toEqual(['payments']);
    expect(options.body.images).toEqual([{ image: expect.stringMatching(/^workspace-base:/), channel: 'current' }]);
    expect(options.body.sizes.map((s: { id: string; allowed: boolean }) => [s.id, s.allowed])).toEqual([
      ['small', true],
      ['medium', true],
      ['large', true],
    ]);
  });

  it('offers hana, who is in two projects, both; she creates in the one she picks — and a token scoped to none may create in none', async () => {
    const hana = await signedIn('hana', '/api/identity/v1/me');
    try {
      const asHana = { cookie: hana.cookie };
      const options = await call(`${W}/options`, { headers: asHana });
      expect([options.status, options.body.projects]).toEqual([200, ['lending', 'payments']]);
      const created = await call(`${W}/workspaces`, { headers: asHana, body: { project_id: 'lending', size: 'small' } });
      expect([created.status, created.body.project_id, created.body.owner_user_id]).toEqual([201, 'lending', 'hana']);
      expect((await call(`${W}/workspaces/${created.body.id}`, { headers: asHana, method: 'DELETE' })).body.desired_state).toBe('deleted');
      const elsewhere = await call(`${W}/workspaces`, { headers: asHana, body: { project_id: 'ledger', size: 'small' } });
      expect([elsewhere.status, elsewhere.body.error.code]).toEqual([403, 'project_not_allowed']);
    } finally {
      await hana.context.close();
    }
    // Tokens outlive sign-ins (and what the IdP said at them): one scoped to no project offers none.
    const unscoped = await issueToken(mesh, { userId: 'hana', tenantId: 'acme', roles: ['developer'] });
    const options = await call(`${W}/options`, { token: unscoped });
    expect([options.status, options.body.projects]).toEqual([200, []]);
  });

  it('lets alice create a workspace for payments from her browser, and it reaches running', async () => {
    // A real browser write from the edge's own origin: the session cookie, Origin and Sec-Fetch-Site as Chromium sends them.
    const created = await alice.page.evaluate(async (path) => {
      const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ project_id: 'payments', size: 'small' }) });
      return { status: res.status, body: await res.json() };
    }, `${W}/workspaces`);
    expect(created.status).toBe(201);
    workspace = created.body as Workspace;
    expect(workspace).toMatchObject({ project_id: 'payments', owner_user_id: 'alice', size: 'small', desired_state: 'running', url: `/w/${workspace.id}/` });

    const running = await watch(workspace.id, (w) => w.state === 'running');
    expect(running.desired_state).toBe('running');
    const etag = String((await asAlice(`${W}/workspaces/${workspace.id}`)).headers.etag);
    expect((await asAlice(`${W}/workspaces/${workspace.id}`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await asAlice(`${W}/workspaces`)).body.workspaces.map((w: Workspace) => w.id)).toEqual([workspace.id]);
    const audited = await auditSinkEvent(mesh, 'the create audit event', (e) => e.event_type === 'workspace.lifecycle' && e.workspace_id === workspace.id && e.action === 'create');
    expect(audited).toMatchObject({ actor: 'alice', endpoint: 'POST /api/workspace/v1/workspaces', outcome: 'success' });
  });

  it("shows bob only his own workspaces, and refuses him alice's with 403 not_workspace_owner", async () => {
    const bob = await issueToken(mesh, { userId: 'bob', tenantId: 'acme', projectId: 'lending', roles: ['developer'] });
    const own = await call(`${W}/workspaces`, { token: bob, body: { project_id: 'lending', size: 'small' } });
    expect([own.status, own.body.owner_user_id]).toEqual([201, 'bob']);
    expect((await call(`${W}/workspaces`, { token: bob })).body.workspaces.map((w: Workspace) => w.id)).toEqual([own.body.id]);
    for (const [path, method] of [[`${W}/workspaces/${workspace.id}`, 'GET'], [`${W}/workspaces/${workspace.id}/stop`, 'POST'], [`${W}/workspaces/${workspace.id}`, 'DELETE']]) {
      const refused = await call(path, { token: bob, method });
      expect([method, refused.status, refused.body.error.code]).toEqual([method, 403, 'not_workspace_owner']);
    }
    const wrongProject = await call(`${W}/workspaces`, { token: bob, body: { project_id: 'payments', size: 'small' } });
    expect([wrongProject.status, wrongProject.body.error.code]).toEqual([403, 'project_not_allowed']);
    expect((await call(`${W}/workspaces/${own.body.id}`, { token: bob, method: 'DELETE' })).body.desired_state).toBe('deleted');
    // Alice's is untouched.
    expect((await asAlice(`${W}/workspaces/${workspace.id}`)).body.desired_state).toBe('running');
  });

  it("gives bob's browser a page in Korean, not JSON, on alice's /w/<id>/; and alice a page on a route policy denies her", async () => {
    const bob = await signedIn('bob', '/api/identity/v1/me', 'ko-KR');
    try {
      const res = (await bob.page.goto(`${edge}/w/${workspace.id}/`))!;
      expect(res.status()).toBe(403);
      expect(res.headers()['content-type']).toBe('text/html; charset=utf-8');
      expect(await bob.page.textContent('h1')).toBe('접근이 거부되었습니다');
      expect(await bob.page.textContent('body')).toContain('다른 사용자의 워크스페이스입니다');
    } finally {
      await bob.context.close();
    }
    // Refused at the edge itself (developers may not read policy): the same kind of page, from ext_authz.
    const denied = (await alice.page.goto(`${edge}/api/policy/v1/bundles`))!;
    expect([denied.status(), denied.headers()['content-type'], await alice.page.textContent('h1')]).toEqual([403, 'text/html; charset=utf-8', 'Access denied']);
    expect(await alice.page.textContent('body')).toContain('forbidden');
  });

  it('refuses a cross-site POST with her cookie at the edge (403 csrf_rejected), audited; the same from the edge\'s origin passes', async () => {
    const correlationId = correlation();
    const forged = await asAlice(`${W}/workspaces`, {
      body: { project_id: 'payments', size: 'small' },
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'x-correlation-id': correlationId },
    });
    expect([forged.status, forged.body.error.code, forged.body.error.correlation_id]).toEqual([403, 'csrf_rejected', correlationId]);
    const log = await accessLogEntry(mesh, correlationId);
    expect(String(log.response_flags)).toContain('UAEX');
    const audited = await auditSinkEvent(mesh, 'the csrf_rejected audit event', (e) => e.event_type === 'edge.csrf_rejected' && e.correlation_id === correlationId);
    expect(audited).toMatchObject({ service: 'policy', outcome: 'denied', user_id: 'alice', tenant_id: 'acme', endpoint: '/api/workspace/v1/workspaces', status_code: 403 });

    // From the edge's own origin (the Host a browser at that origin sends) it reaches the service, which refuses it
    // on its merits: one workspace per project.
    const own = { origin: edge, host: new URL(edge).host, 'sec-fetch-site': 'same-origin' };
    const same = await asAlice(`${W}/workspaces`, { body: { project_id: 'payments', size: 'small' }, headers: own });
    expect([same.status, same.body.error.code]).toEqual([409, 'workspace_exists']);
  });

  it("shows alice her own AI usage and her project's daily budget", async () => {
    const usage = await asAlice('/api/usage/v1/me?days=30');
    expect(usage.status).toBe(200);
    expect(Array.isArray(usage.body.days)).toBe(true);
    expect(usage.body.budget).toEqual({ limit_tokens: 20_000_000, used_tokens: expect.any(Number), remaining_tokens: expect.any(Number), period: 'day', id: 'tb.project.day', scope: 'project' });
    expect(usage.body.budget.used_tokens + usage.body.budget.remaining_tokens).toBe(20_000_000);
  });

  it('lets alice stop her workspace and delete it: both converge, and it leaves her list', async () => {
    const stop = await asAlice(`${W}/workspaces/${workspace.id}/stop`, { method: 'POST' });
    expect([stop.status, stop.body.desired_state]).toEqual([200, 'stopped']);
    await watch(workspace.id, (w) => w.state === 'stopped');
    const removed = await asAlice(`${W}/workspaces/${workspace.id}`, { method: 'DELETE' });
    expect([removed.status, removed.body.desired_state]).toEqual([200, 'deleted']);
    await watch(workspace.id, (w) => w.state === 'deleted');
    expect((await asAlice(`${W}/workspaces`)).body.workspaces).toEqual([]);
    await alice.context.close();
  });
});
