import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { airlock } from '@airlock/contracts';
import { EventConsumer, createKafka, topicName } from '@airlock/events';
import { createClient, unary } from '@airlock/grpc';
import { bootService, type RunningService } from '@airlock/runtime';
import { createLogger } from '@airlock/telemetry';
import { Browser, createTopics, eventually, formAction, freePort, hiddenField, newTotpSecret, seedUsers, startDevIdp, startInfra, totp, uniquePrefix, withRedisUser, type BuiltService, type IdpUser, type Page, type RunningDevIdp } from '@airlock/testing';
import { identityService } from '../src/service';
import { edgeAssertions } from './support/edge';
import { TEST_POLICY_VERSION, startPolicy } from './support/policy';

// Identity's relying party against the real dev IdP (oidc-provider, started from its build as a child process),
// with real Redis and a real Kafka audit topic. The user's side is a fetch-based browser filling in the IdP's
// HTML forms, TOTP codes computed from the seed file. ID tokens a real IdP never issues (expired, forged, alg
// none, HS/RS confusion, wrong nonce) are unit tests of the verifier: src/login/login.spec.ts.
jest.setTimeout(30_000);

/** Airlock's public origin (Envoy); the browser's requests to it are served by identity's HTTP port. */
const PUBLIC = 'https://localhost:8443';
const REDIRECT_URI = `${PUBLIC}/auth/callback`;
const POST_LOGOUT_REDIRECT_URI = `${PUBLIC}/auth/login`;
const CLIENT_IP = '203.0.113.5';

/** IdP accounts the seed lacks: groups that name no Airlock role, and groups of two tenants. */
const extraUsers: IdpUser[] = [
  { username: 'frank', password: 'test-frank-pass', totpSecret: newTotpSecret(), name: 'Frank Wiki', email: 'frank@acme.example', groups: ['wiki-users'] },
  { username: 'grace', password: 'test-grace-pass', totpSecret: newTotpSecret(), name: 'Grace Two', email: 'grace@acme.example', groups: ['airlock:acme:developer', 'airlock:globex:auditor'] },
  // Tenants without MFA (IDENTITY_TENANTS below): henry and ivy log in as often as a test needs, no TOTP step.
  { username: 'henry', password: 'test-henry-pass', name: 'Henry Often', email: 'henry@quota.example', groups: ['airlock:quota:developer'] },
  { username: 'ivy', password: 'test-ivy-pass', name: 'Ivy Again', email: 'ivy@evict.example', groups: ['airlock:evict:developer'] },
];
const users = new Map([...seedUsers(), ...extraUsers].map((u) => [u.username, u]));

describe('OIDC login, sessions and logout against the dev IdP (real OpenID provider, Redis, Kafka)', () => {
  let idp: RunningDevIdp;
  let service: RunningService;
  let policy: BuiltService | undefined;
  let dir: string;
  let prefix: string;
  let redis: Redis;
  let client: airlock.identity.v1.IdentityServiceClient;
  let reader: EventConsumer;
  let edge: ReturnType<typeof edgeAssertions>;
  const audits: airlock.events.v1.AuditEvent[] = [];

  beforeAll(async () => {
    const infra = await startInfra({ components: ['redis', 'kafka'] });
    dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-identity-oidc-'));
    prefix = uniquePrefix('identity_oidc');
    const auditTopic = topicName('audit', prefix);
    await createTopics(infra, [auditTopic]);
    idp = await startDevIdp({ dir, redirectUri: REDIRECT_URI, postLogoutRedirectUri: POST_LOGOUT_REDIRECT_URI, extraUsers });

    const logger = createLogger('identity-oidc-test', 'warn');
    reader = new EventConsumer(createKafka({ brokers: infra.kafka.brokers, clientId: 'identity-oidc-test', logger }), { groupId: `${prefix}-reader`, topics: [auditTopic], logger });
    await reader.start(async ({ value }) => {
      audits.push(airlock.events.v1.AuditEvent.decode(value));
    });

    redis = new Redis(infra.redis.url, { username: infra.redis.username, password: infra.redis.password });
    // Session limits come from the real policy service: one session per user in tenants quota (deny) and evict
    // (evict_oldest), none elsewhere. Each needs the other's address; identity's port is chosen first.
    const identityPort = await freePort();
    policy = await startPolicy(dir, `127.0.0.1:${identityPort}`, {
      tenants: { quota: { maxPerUser: 1, onExceed: 'deny' }, evict: { maxPerUser: 1, onExceed: 'evict_oldest' } },
    });
    edge = edgeAssertions(dir);
    service = await bootService(identityService, {
      MTLS_OFF_FOR_DEVELOPMENT: 'true',
      ...edge.env,
      GRPC_PORT: String(identityPort),
      HTTP_PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      ...(await withRedisUser(infra.redis, 'identity', { REDIS_PREFIX: `${prefix}:` })),
      IDENTITY_SIGNING_KEY_FILE: path.join(dir, 'signing.pem'),
      IDENTITY_GENERATE_KEY: 'true',
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
      OIDC_REDIRECT_URI: REDIRECT_URI,
      OIDC_POST_LOGOUT_REDIRECT_URI: POST_LOGOUT_REDIRECT_URI,
      KAFKA_BROKERS: infra.kafka.brokers.join(','),
      KAFKA_PLAINTEXT_FOR_DEVELOPMENT: 'true',
      TOPIC_PREFIX: prefix,
      EVENT_SPOOL_DIR: path.join(dir, 'spool'),
      IDENTITY_TENANTS: JSON.stringify({ quota: { requireMfa: false }, evict: { requireMfa: false } }),
      POLICY_ADDR: policy.grpcAddress,
      IDENTITY_POLICY_DEADLINE_MS: '500',
      // An unreachable policy refuses logins at once (the fallback to its last answer is a unit test).
      IDENTITY_SESSION_LIMITS_MAX_STALE_SECONDS: '0',
    });
    client = createClient(airlock.identity.v1.IdentityServiceClient, service.grpcAddress);
  }, 120_000);

  afterAll(async () => {
    await reader?.stop();
    client?.close();
    await service?.close();
    await policy?.stop();
    await idp?.stop();
    redis?.disconnect();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const newBrowser = () => new Browser({ [PUBLIC]: { target: `http://${service.httpAddress}`, forwardedFor: CLIENT_IP } });
  const sessionOf = (browser: Browser) => browser.get(`${PUBLIC}/auth/session`);
  const verifySession = (sessionId: string) => unary(client.verifySession.bind(client), { sessionId, clientIp: '' });
  const auditFor = (answer: Page, eventType: string) =>
    eventually(`${eventType} for ${answer.url} on the audit topic`, () =>
      audits.find((e) => e.eventType === eventType && e.correlationId === answer.headers.get('x-correlation-id')),
      20_000,
    );

  /**
   * `GET /auth/login` in `browser`, then the IdP's pages as the user fills them in (password, then the current
   * TOTP code for enrolled users). Resolves before the browser follows the IdP's redirect back to Airlock.
   */
  async function signInAtIdp(browser: Browser, name: string, returnTo = '/ide/'): Promise<{ start: Page; callbackUrl: string }> {
    const { username, password, totpSecret } = users.get(name)!;
    const start = await browser.get(`${PUBLIC}/auth/login?return_to=${encodeURIComponent(returnTo)}`);
    expect(start.status).toBe(302);
    let page = await browser.followWithin(idp.issuer, start);
    expect(page.body).toContain('name="password"');
    page = await browser.submit(formAction(page), { username, password });
    if (totpSecret) {
      page = await browser.followWithin(idp.issuer, page);
      expect(page.body).toContain('Two-step verification');
      page = await browser.submit(formAction(page), { code: totp(totpSecret) });
    }
    const back = await browser.followWithin(idp.issuer, page);
    if (!back.location?.startsWith(`${REDIRECT_URI}?`)) throw new Error(`the IdP did not send ${name} back (${back.status}):\n${back.body.slice(0, 500)}\n${idp.output().slice(-2_000)}`);
    return { start, callbackUrl: back.location };
  }

  /** Signs `name` in completely: IdP, then the callback in the same browser. */
  async function logIn(name: string) {
    const browser = newBrowser();
    const { callbackUrl } = await signInAtIdp(browser, name);
    const callback = await browser.get(callbackUrl);
    return { browser, callbackUrl, callback };
  }

  describe('alice (developer in project payments, password + TOTP)', () => {
    // The three steps share alice's browser: the logout ends the session the login made.
    const alice = {} as { browser: Browser; sessionId: string; callback: Page; logout: Page };

    it('logs in: PKCE authorization request, Secure HttpOnly session cookie, session principal from her groups', async () => {
      alice.browser = newBrowser();
      const { start, callbackUrl } = await signInAtIdp(alice.browser, 'alice', `${PUBLIC}/ide/?x=1`);
      const authorize = new URL(start.location!);
      expect(`${authorize.origin}${authorize.pathname}`).toBe(`${idp.issuer}/auth`);
      expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
        response_type: 'code',
        client_id: idp.clientId,
        redirect_uri: REDIRECT_URI,
        scope: 'openid profile email groups',
        code_challenge_method: 'S256',
      });
      const back = new URL(callbackUrl);
      expect(back.searchParams.get('state')).toBe(authorize.searchParams.get('state'));
      expect(back.searchParams.get('iss')).toBe(idp.issuer);
      expect(alice.browser.cookie(PUBLIC, 'airlock_login')).toMatchObject({ path: '/auth/', secure: true, httpOnly: true, sameSite: 'Lax' });

      alice.callback = await alice.browser.get(callbackUrl);
      expect(alice.callback.status).toBe(302);
      expect(alice.callback.location).toBe(`${PUBLIC}/ide/?x=1`);
      const setCookie = alice.callback.headers.getSetCookie().find((c) => c.startsWith('airlock_session='));
      expect(setCookie).toMatch(/^airlock_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=43200; HttpOnly; Secure; SameSite=Lax$/);
      expect(alice.browser.cookie(PUBLIC, 'airlock_login')).toBeUndefined();
      alice.sessionId = alice.browser.cookie(PUBLIC, 'airlock_session')!.value;
      // Only a digest of the id is a key; the id itself is nowhere in Redis.
      expect(await redis.keys(`${prefix}:*${alice.sessionId}*`)).toEqual([]);

      const session = await sessionOf(alice.browser);
      expect(session.status).toBe(200);
      expect(JSON.parse(session.body)).toMatchObject({ authenticated: true, principal: { user_id: 'alice', tenant_id: 'acme', project_id: 'payments', roles: ['developer'] } });
      const verdict = await verifySession(alice.sessionId);
      expect(verdict).toMatchObject({ valid: true, principal: { userId: 'alice', tenantId: 'acme', projectId: 'payments', roles: ['developer'], kind: 1 } });
      expect(verdict.expiresAtUnix - Date.now() / 1000).toBeGreaterThan(1700);

      // Her sign-in is remembered for the portal: name, email and projects from the IdP, behind the edge.
      const me = await fetch(`http://${service.httpAddress}/api/identity/v1/me`, {
        headers: edge.headers({ userId: 'alice', tenantId: 'acme', projectId: 'payments', roles: ['developer'], auth: 'session', authExpiresAt: verdict.expiresAtUnix }),
      });
      expect(await me.json()).toEqual({
        user_id: 'alice',
        display_name: 'Alice Developer',
        email: 'alice@acme.example',
        tenant_id: 'acme',
        roles: ['developer'],
        projects: ['payments'],
        auth: 'session',
        expires_at: new Date(verdict.expiresAtUnix * 1000).toISOString(),
        time_zone: 'Asia/Seoul',
      });
    });

    it('logs out: the session is revoked and the browser goes to the IdP, which ends its own session too', async () => {
      alice.logout = await alice.browser.post(`${PUBLIC}/auth/logout`);
      expect(alice.logout.status).toBe(303);
      const end = new URL(alice.logout.location!);
      expect(`${end.origin}${end.pathname}`).toBe(`${idp.issuer}/session/end`);
      expect(end.searchParams.get('post_logout_redirect_uri')).toBe(POST_LOGOUT_REDIRECT_URI);
      // The hint is the ID token the IdP issued for this login.
      const hint = end.searchParams.get('id_token_hint')!;
      expect(decodeProtectedHeader(hint).alg).toBe('ES256');
      expect(decodeJwt(hint)).toMatchObject({ iss: idp.issuer, aud: idp.clientId, sub: 'alice', amr: ['pwd', 'otp'] });
      expect(alice.browser.cookie(PUBLIC, 'airlock_session')).toBeUndefined();
      expect(await verifySession(alice.sessionId)).toMatchObject({ valid: false, errorCode: 'session_unknown' });
      expect((await alice.browser.get(`${PUBLIC}/auth/session`, { cookie: `airlock_session=${alice.sessionId}` })).status).toBe(401);

      const confirm = await alice.browser.followWithin(idp.issuer, alice.logout);
      expect(confirm.status).toBe(200);
      const signedOut = await alice.browser.submit(formAction(confirm, 'op.logoutForm'), { xsrf: hiddenField(confirm, 'xsrf'), logout: 'yes' });
      expect(signedOut.status).toBe(303);
      expect(signedOut.location).toBe(POST_LOGOUT_REDIRECT_URI);
      // The post-logout page starts a new login, and the IdP asks for the password again: no single sign-on left.
      const again = await alice.browser.followWithin(idp.issuer, await alice.browser.get(signedOut.location!));
      expect(again.status).toBe(200);
      expect(again.body).toContain('name="password"');
    });

    it('publishes her login and logout as AuditEvents on the Kafka audit topic', async () => {
      expect(await auditFor(alice.callback, 'auth.login')).toMatchObject({
        outcome: 'success',
        action: 'amr:pwd+otp',
        userId: 'alice',
        actor: 'alice',
        tenantId: 'acme',
        projectId: 'payments',
        clientIp: CLIENT_IP,
        endpoint: '/auth/callback',
        statusCode: 302,
        service: 'identity',
      });
      expect(await auditFor(alice.logout, 'auth.logout')).toMatchObject({
        outcome: 'success',
        userId: 'alice',
        tenantId: 'acme',
        clientIp: CLIENT_IP,
        endpoint: '/auth/logout',
        statusCode: 303,
        service: 'identity',
      });
    });
  });

  it('gives carol (security-admin group, no project) the security-admin role', async () => {
    const { browser, callback } = await logIn('carol');
    expect(callback.status).toBe(302);
    expect(callback.location).toBe(`${PUBLIC}/ide/`);
    expect(JSON.parse((await sessionOf(browser)).body)).toMatchObject({ principal: { user_id: 'carol', tenant_id: 'acme', project_id: '', roles: ['security-admin'] } });
  });

  it('scopes hana (two projects) to neither, and tells the workspace service both through GetUserProjects', async () => {
    const { browser, callback } = await logIn('hana');
    expect(callback.status).toBe(302);
    expect(JSON.parse((await sessionOf(browser)).body)).toMatchObject({ principal: { user_id: 'hana', tenant_id: 'acme', project_id: '', roles: ['developer'] } });
    await expect(unary(client.getUserProjects.bind(client), { tenantId: 'acme', userId: 'hana' })).resolves.toEqual({ projects: ['lending', 'payments'], known: true });
    // Nobody identity has seen sign in: known false, and no projects.
    await expect(unary(client.getUserProjects.bind(client), { tenantId: 'acme', userId: 'nobody' })).resolves.toEqual({ projects: [], known: false });
  });

  it('refuses a replayed callback: the state is single use, even with the login cookie put back', async () => {
    const browser = newBrowser();
    const { callbackUrl } = await signInAtIdp(browser, 'dave');
    const binding = browser.cookie(PUBLIC, 'airlock_login')!.value;
    expect((await browser.get(callbackUrl)).status).toBe(302);
    browser.setCookie(PUBLIC, 'airlock_login', binding, '/auth/');
    const replay = await browser.get(callbackUrl);
    expect(replay.status).toBe(400);
    expect(replay.body).toContain('login_state_unknown');
    expect(replay.headers.getSetCookie().filter((c) => c.startsWith('airlock_session='))).toEqual([]);
  });

  it('refuses a callback completed in another browser (the airlock_login cookie binds the login)', async () => {
    const victim = newBrowser();
    const { callbackUrl } = await signInAtIdp(victim, 'bob');
    const other = newBrowser();
    await other.get(`${PUBLIC}/auth/login`);
    const foreign = await other.get(callbackUrl);
    expect(foreign.status).toBe(400);
    expect(foreign.body).toContain('login_state_mismatch');
    expect(other.cookie(PUBLIC, 'airlock_session')).toBeUndefined();
    // The state was spent by that attempt: the browser that started the login cannot finish it either.
    const late = await victim.get(callbackUrl);
    expect(late.status).toBe(400);
    expect(late.body).toContain('login_state_unknown');
    expect(await auditFor(foreign, 'auth.login')).toMatchObject({ outcome: 'failure', action: 'login_state_mismatch', clientIp: CLIENT_IP, statusCode: 400 });
  });

  it('refuses mallory (password only, no TOTP enrolled) with a 403 mfa_required page and audits it', async () => {
    const { browser, callback } = await logIn('mallory');
    expect(callback.status).toBe(403);
    expect(callback.contentType).toMatch(/text\/html/);
    expect(callback.body).toContain('multi-factor');
    expect(callback.body).toContain('mfa_required');
    expect(browser.cookie(PUBLIC, 'airlock_session')).toBeUndefined();
    expect(await auditFor(callback, 'auth.login.mfa_required')).toMatchObject({
      outcome: 'denied',
      action: 'mfa_required',
      userId: 'mallory',
      tenantId: 'acme',
      clientIp: CLIENT_IP,
      statusCode: 403,
    });
  });

  it('refuses users whose groups name no Airlock role, or two tenants', async () => {
    const none = (await logIn('frank')).callback;
    expect(none.status).toBe(403);
    expect(none.body).toContain('no_airlock_groups');
    const two = (await logIn('grace')).callback;
    expect(two.status).toBe(403);
    expect(two.body).toContain('tenant_ambiguous');
  });

  it('refuses a code issued for another login (PKCE) and a code the IdP never issued', async () => {
    const { callbackUrl } = await signInAtIdp(newBrowser(), 'erin');
    const attacker = newBrowser();
    const own = new URL((await attacker.get(`${PUBLIC}/auth/login`)).location!).searchParams.get('state')!;
    const stolen = new URL(callbackUrl).searchParams.get('code')!;
    const injected = await attacker.get(`${REDIRECT_URI}?${new URLSearchParams({ code: stolen, state: own, iss: idp.issuer })}`);
    expect(injected.status).toBe(401);
    expect(injected.body).toContain('code_exchange_failed');

    const state = new URL((await attacker.get(`${PUBLIC}/auth/login`)).location!).searchParams.get('state')!;
    const unknown = await attacker.get(`${REDIRECT_URI}?${new URLSearchParams({ code: 'never-issued', state, iss: idp.issuer })}`);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toContain('code_exchange_failed');
    expect(attacker.cookie(PUBLIC, 'airlock_session')).toBeUndefined();
  });

  describe("the tenant's concurrent-session limits from policy (henry in tenant quota, ivy in tenant evict)", () => {
    it('deny: refuses the login beyond maxPerUser with a 403 session_limit_reached page, audited with the policy version', async () => {
      const first = await logIn('henry');
      expect(first.callback.status).toBe(302);
      const second = await logIn('henry');
      expect(second.callback.status).toBe(403);
      expect(second.callback.body).toContain('session_limit_reached');
      expect(second.browser.cookie(PUBLIC, 'airlock_session')).toBeUndefined();
      expect(await auditFor(second.callback, 'auth.login')).toMatchObject({ outcome: 'failure', action: 'session_limit_reached', userId: 'henry', tenantId: 'quota', policyVersion: TEST_POLICY_VERSION, statusCode: 403 });
      // Logging out frees the slot.
      await first.browser.post(`${PUBLIC}/auth/logout`);
      expect((await logIn('henry')).callback.status).toBe(302);
    });

    it('evict_oldest: the new login ends the oldest session (audited as auth.session.evicted)', async () => {
      const first = await logIn('ivy');
      const firstId = first.browser.cookie(PUBLIC, 'airlock_session')!.value;
      const second = await logIn('ivy');
      expect(second.callback.status).toBe(302);
      expect(await verifySession(firstId)).toMatchObject({ valid: false, errorCode: 'session_unknown' });
      expect((await sessionOf(second.browser)).status).toBe(200);
      expect(await auditFor(second.callback, 'auth.session.evicted')).toMatchObject({
        outcome: 'success',
        action: 'evict_oldest:sessions.tenants.evict',
        userId: 'ivy',
        tenantId: 'evict',
        policyVersion: TEST_POLICY_VERSION,
        endpoint: '/auth/callback',
      });
    });

    it('policy unreachable (and no recent answer): refuses the login with a 503 policy_unavailable page', async () => {
      await policy?.stop();
      policy = undefined;
      const { browser, callback } = await logIn('henry');
      expect(callback.status).toBe(503);
      expect(callback.body).toContain('policy_unavailable');
      expect(browser.cookie(PUBLIC, 'airlock_session')).toBeUndefined();
      expect(await auditFor(callback, 'auth.login')).toMatchObject({ outcome: 'failure', action: 'policy_unavailable', userId: 'henry', tenantId: 'quota', statusCode: 503 });
    });
  });
});
