import { chromium, type Browser, type BrowserContext, type Cookie, type Page } from 'playwright-core';
import { CHROMIUM_FLAGS, ensureChromium, freshUserDataDir, uniquePrefix } from '@airlock/testing';
import { startMesh, stopMesh, type MeshInfo } from '../../src/mesh';
import { auditSinkEvent, edgeCaller, publishBundleChange, seedUser, submitPasswordAndTotp } from './support';

// Issue 3's "done": a headless Chromium logs in through Envoy (HTTPS) against the dev IdP with password + TOTP,
// gets a session cookie, calls an API with it, logs out, and the cookie is dead afterwards.
const alice = seedUser('alice');
const mallory = seedUser('mallory');

describe('browser login through Envoy against the dev IdP (headless Chromium)', () => {
  const name = uniquePrefix('e2e-login');
  let mesh: MeshInfo;
  let edge: string;
  let context: BrowserContext;
  let page: Page;
  let profile: Awaited<ReturnType<typeof freshUserDataDir>>;
  let session: Cookie;
  let executablePath: string;

  beforeAll(async () => {
    executablePath = await ensureChromium();
    mesh = await startMesh({ name, ports: 'free', log: (l) => process.stderr.write(`[e2e] ${l}\n`) });
    edge = `https://localhost:${mesh.envoy.httpsPort}`;
    profile = await freshUserDataDir('login-e2e');
    // The dev CA is not in Chromium's trust store; TLS itself is covered by the other e2e specs (pinned CA).
    context = await chromium.launchPersistentContext(profile.dir, { executablePath, headless: true, args: [...CHROMIUM_FLAGS], ignoreHTTPSErrors: true });
    page = context.pages()[0] ?? (await context.newPage());
  }, 300_000);

  afterAll(async () => {
    await context?.close();
    await profile?.remove();
    await stopMesh(name);
  }, 60_000);

  it('runs the dev IdP (no external IdP configured) and names the login URL', async () => {
    expect(mesh.idp).toMatchObject({ external: false, loginUrl: `${edge}/auth/login` });
    const discovery = (await (await fetch(`${mesh.idp.issuer}/.well-known/openid-configuration`)).json()) as { issuer: string };
    expect(discovery.issuer).toBe(mesh.idp.issuer);
  });

  it('logs alice in with password and TOTP and lands back with a Secure, HttpOnly, SameSite=Lax session cookie', async () => {
    await page.goto(`${edge}/auth/login?return_to=${encodeURIComponent('/auth/session')}`);
    await page.waitForSelector('#username');
    expect(page.url().startsWith(`${mesh.idp.issuer}/interaction/`)).toBe(true);
    expect(await page.textContent('#not-for-production')).toContain('NOT FOR PRODUCTION');
    await submitPasswordAndTotp(page, alice);
    await page.waitForURL((url) => url.origin === edge && url.pathname === '/auth/session');

    const cookies = await context.cookies(edge);
    session = cookies.find((c) => c.name === 'airlock_session')!;
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
  });

  it('calls the session probe and a gateway route with the cookie alone', async () => {
    const probe = await context.request.get(`${edge}/auth/session`);
    expect(probe.status()).toBe(200);
    const body = (await probe.json()) as { authenticated: boolean; principal: { user_id: string; roles: string[] } };
    expect(body).toMatchObject({ authenticated: true, principal: { user_id: 'alice' } });
    expect(body.principal.roles).toContain('developer');

    // Through ext_authz: policy authenticates the cookie, the gateway sees only the trusted identity.
    const chat = await context.request.post(`${edge}/v1/chat`, { data: { messages: [{ role: 'user', content: 'hello from the browser' }] } });
    expect(chat.status()).toBe(200);
    expect(((await chat.json()) as { message: { content: string } }).message.content).toContain('hello from the browser');
  });

  it('logs out at Airlock and the IdP; the old cookie no longer works anywhere', async () => {
    // Logout is a POST, as the UI's sign-out button submits it.
    await page.evaluate(`(() => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = '/auth/logout';
      document.body.appendChild(form);
      form.submit();
    })()`);
    // The IdP asks to confirm its own sign-out, then sends the browser back to Airlock's login, i.e. its form.
    await page.waitForSelector('#logout');
    await page.click('#logout');
    await page.waitForSelector('#username');
    expect((await context.cookies(edge)).find((c) => c.name === 'airlock_session')).toBeUndefined();

    const call = edgeCaller(mesh);
    const cookie = `airlock_session=${session.value}`;
    expect((await call('/auth/session', { headers: { cookie } })).status).toBe(401);
    const chat = await call('/v1/chat', { headers: { cookie }, body: { messages: [{ role: 'user', content: 'still there?' }] } });
    expect(chat.status).toBe(401);
  });

  it('refuses mallory (password only, no MFA evidence) with a page and no session', async () => {
    // The logout above left the browser on the IdP's login form of a fresh Airlock login.
    await page.fill('#username', mallory.username);
    await page.fill('#password', mallory.password);
    const callback = page.waitForResponse((res) => new URL(res.url()).pathname === '/auth/callback');
    await page.click('#submit');
    const res = await callback;
    expect(res.status()).toBe(403);
    expect(res.headers()['content-type']).toContain('text/html');
    expect((await context.cookies(edge)).find((c) => c.name === 'airlock_session')).toBeUndefined();
  });

  // Last in this file: it changes the active policy for the rest of this mesh's life.
  describe('with a policy allowing one session per user (sessions: maxPerUser 1, evict_oldest)', () => {
    let browser: Browser;
    const contexts: BrowserContext[] = [];

    beforeAll(async () => {
      browser = await chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_FLAGS] });
    });
    afterAll(async () => {
      for (const c of contexts) await c.close();
      await browser?.close();
    });

    /** alice logs in in a fresh browser context (its own cookie jar); resolves to the context and its cookie header. */
    async function aliceLogsIn(): Promise<{ ctx: BrowserContext; cookie: string }> {
      const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
      contexts.push(ctx);
      const tab = await ctx.newPage();
      await tab.goto(`${edge}/auth/login?return_to=${encodeURIComponent('/auth/session')}`);
      await tab.waitForSelector('#username');
      await submitPasswordAndTotp(tab, alice);
      await tab.waitForURL((url) => url.origin === edge && url.pathname === '/auth/session');
      const value = (await ctx.cookies(edge)).find((c) => c.name === 'airlock_session')!.value;
      return { ctx, cookie: `airlock_session=${value}` };
    }

    it("a second login ends alice's first session: refused at the edge (401), the second works", async () => {
      const version = await publishBundleChange(mesh, 'one browser session per user', (content) => {
        content.sessions = { ...content.sessions, tenants: { ...content.sessions?.tenants, acme: { maxPerUser: 1, onExceed: 'evict_oldest' } } };
      });
      const call = edgeCaller(mesh);
      const chat = (cookie: string) => call('/v1/chat', { headers: { cookie }, body: { messages: [{ role: 'user', content: 'which session?' }] } });

      const first = await aliceLogsIn();
      // Through ext_authz, so policy has the first session's principal cached when it is evicted.
      expect((await chat(first.cookie)).status).toBe(200);

      const second = await aliceLogsIn();
      expect((await call('/auth/session', { headers: { cookie: first.cookie } })).status).toBe(401);
      expect((await chat(first.cookie)).status).toBe(401);
      expect((await call('/auth/session', { headers: { cookie: second.cookie } })).status).toBe(200);
      expect((await chat(second.cookie)).status).toBe(200);

      const evicted = await auditSinkEvent(mesh, 'auth.session.evicted', (e) => e.event_type === 'auth.session.evicted' && e.user_id === 'alice');
      expect(evicted).toMatchObject({ service: 'identity', tenant_id: 'acme', policy_version: version, action: 'evict_oldest:sessions.tenants.acme' });
    });
  });
});
