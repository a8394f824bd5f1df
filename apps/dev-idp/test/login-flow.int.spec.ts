import { createServer } from 'node:net';
import { generate } from 'otplib';
import { loadDevIdpConfig, DEFAULT_USERS_FILE } from '../src/config';
import { BANNER_TEXT, escapeHtml } from '../src/pages';
import { startDevIdp, type RunningDevIdp } from '../src/server';
import { loadUsers } from '../src/users';
import { Browser, pkcePair, verifyIdToken, type Discovery, type Hop } from './oidc-client';

// The dev IdP in-process on a free port, driven like a relying party + browser would drive it: authorization
// code + PKCE, password then TOTP (codes computed from the committed seed file), ID token checked against the JWKS.
const CLIENT_ID = 'airlock-dev';
const CLIENT_SECRET = 'test-secret-0123456789';
const REDIRECT_URI = 'https://localhost:8443/auth/callback';
const users = loadUsers(DEFAULT_USERS_FILE);
const seed = (name: string) => users.find((u) => u.username === name)!;
const totp = (name: string) => generate({ secret: seed(name).totpSecret! });

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const bannerShown = (hop: Hop) => expect(hop.body).toContain(escapeHtml(BANNER_TEXT));

describe('dev IdP: authorization code + PKCE with password and TOTP', () => {
  let idp: RunningDevIdp;
  let discovery: Discovery;
  const lines: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    const config = loadDevIdpConfig({
      DEV_IDP_PORT: String(port),
      DEV_IDP_CLIENT_SECRET: CLIENT_SECRET,
      DEV_IDP_REDIRECT_URIS: `${REDIRECT_URI},https://localhost:9443/auth/callback`,
      DEV_IDP_POST_LOGOUT_REDIRECT_URIS: 'https://localhost:8443/',
    });
    idp = await startDevIdp(config, (level, msg, fields) => lines.push(JSON.stringify({ level, msg, ...fields })));
    discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Discovery;
  });

  afterAll(async () => {
    await idp?.close();
  });

  /** Starts an authorization request and returns the browser sitting on the first interaction page. */
  async function authorize(extra: Record<string, string> = {}, omit: string[] = []) {
    const browser = new Browser();
    const { verifier, challenge } = pkcePair();
    const params: Record<string, string> = {
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'openid profile email groups',
      state: `state-${Math.random()}`,
      nonce: `nonce-${Math.random()}`,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    };
    for (const key of omit) delete params[key];
    const start = await browser.get(`${discovery.authorization_endpoint}?${new URLSearchParams(params)}`);
    return { browser, verifier, params, start };
  }

  /** Follows redirects on the IdP until the response leaves it (the relying party's callback) or is a page. */
  async function follow(browser: Browser, hop: Hop): Promise<Hop> {
    let current = hop;
    for (let i = 0; i < 10 && current.location?.startsWith(idp.issuer); i++) current = await browser.get(current.location);
    return current;
  }

  async function login(name: string, password: string) {
    const flow = await authorize();
    expect(flow.start.status).toBe(303);
    const page = await follow(flow.browser, flow.start);
    expect(page.status).toBe(200);
    bannerShown(page);
    const action = /action="([^"]+)"/.exec(page.body)![1];
    const afterPassword = await flow.browser.post(new URL(action, idp.issuer).toString(), { username: name, password });
    return { ...flow, page, afterPassword };
  }

  async function submitTotp(browser: Browser, afterPassword: Hop, code: string) {
    const page = await follow(browser, afterPassword);
    expect(page.body).toContain('Two-step verification');
    bannerShown(page);
    const action = /action="([^"]+)"/.exec(page.body)![1];
    return browser.post(new URL(action, idp.issuer).toString(), { code });
  }

  async function exchange(callback: string, verifier: string) {
    const code = new URL(callback).searchParams.get('code');
    const res = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: code ?? '', redirect_uri: REDIRECT_URI, code_verifier: verifier }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }

  it('publishes a discovery document matching the contract', () => {
    expect(discovery.issuer).toBe(idp.issuer);
    expect(discovery).toMatchObject({
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic'],
      acr_values_supported: ['urn:airlock:acr:mfa', 'urn:airlock:acr:pwd'],
    });
    expect(discovery.id_token_signing_alg_values_supported).toContain('ES256');
    expect(discovery.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'groups']));
    expect(discovery.claims_supported).toEqual(expect.arrayContaining(['sub', 'email', 'name', 'preferred_username', 'groups', 'amr', 'acr']));
    expect(discovery.jwks_uri).toBe(`${idp.issuer}/jwks`);
    expect(discovery.end_session_endpoint).toBe(`${idp.issuer}/session/end`);
  });

  it('logs alice in with password + TOTP and issues an ES256 ID token with her groups and MFA evidence', async () => {
    const { browser, verifier, params, afterPassword } = await login('alice', 'demo-alice-pass');
    expect(afterPassword.status).toBe(303);
    const afterTotp = await submitTotp(browser, afterPassword, await totp('alice'));
    const hop = await follow(browser, afterTotp);
    expect(hop.status).toBe(303);
    const back = new URL(hop.location!);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI);
    expect(back.searchParams.get('state')).toBe(params.state);
    expect(back.searchParams.get('iss')).toBe(idp.issuer);

    const token = await exchange(hop.location!, verifier);
    expect(token.status).toBe(200);
    expect(token.body.token_type).toBe('Bearer');
    const { header, payload } = await verifyIdToken(token.body.id_token, discovery.jwks_uri);
    expect(header.alg).toBe('ES256');
    expect(payload).toMatchObject({
      iss: idp.issuer,
      aud: CLIENT_ID,
      sub: 'alice',
      nonce: params.nonce,
      email: 'alice@acme.example',
      name: 'Alice Developer',
      preferred_username: 'alice',
      groups: ['airlock:acme:developer', 'airlock:acme:project:payments'],
      amr: ['pwd', 'otp'],
      acr: 'urn:airlock:acr:mfa',
    });
    expect(payload.exp).toBeGreaterThan(Date.now() / 1000);

    // The code is single-use.
    expect((await exchange(hop.location!, verifier)).body.error).toBe('invalid_grant');
    // Nothing secret reaches the log.
    const log = lines.join('\n');
    expect(log).toContain('login succeeded');
    expect(log).not.toContain('demo-alice-pass');
    expect(log).not.toContain(token.body.id_token);
  });

  it('logs mallory (no TOTP enrolled) in with the password only: amr ["pwd"], acr pwd', async () => {
    const { browser, verifier, afterPassword } = await login('mallory', 'demo-mallory-pass');
    const hop = await follow(browser, afterPassword);
    expect(hop.location).toMatch(/^https:\/\/localhost:8443\/auth\/callback\?code=/);
    const token = await exchange(hop.location!, verifier);
    const { payload } = await verifyIdToken(token.body.id_token, discovery.jwks_uri);
    expect(payload).toMatchObject({ sub: 'mallory', amr: ['pwd'], acr: 'urn:airlock:acr:pwd', groups: ['airlock:acme:developer'] });
  });

  it('signs out through the end-session endpoint and then asks for the password again', async () => {
    const { browser, verifier, afterPassword } = await login('mallory', 'demo-mallory-pass');
    const hop = await follow(browser, afterPassword);
    const idToken = (await exchange(hop.location!, verifier)).body.id_token as string;

    const ask = await browser.get(
      `${discovery.end_session_endpoint}?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: 'https://localhost:8443/', state: 'bye' })}`,
    );
    expect(ask.status).toBe(200);
    bannerShown(ask);
    const action = /<form[^>]*action="([^"]+)"/.exec(ask.body)![1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(ask.body)![1];
    const done = await browser.post(new URL(action, idp.issuer).toString(), { xsrf, logout: 'yes' });
    expect(done.status).toBe(303);
    expect(done.location).toBe('https://localhost:8443/?state=bye');

    // The IdP session is gone: a new authorization request (same browser) lands on the password form.
    const again = await follow(browser, (await browser.get(`${discovery.authorization_endpoint}?${new URLSearchParams({
      client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, response_type: 'code', scope: 'openid', code_challenge: pkcePair().challenge, code_challenge_method: 'S256',
    })}`)));
    expect(again.status).toBe(200);
    expect(again.body).toContain('name="password"');
  });

  it('refuses a wrong password with the form again, then accepts the right one', async () => {
    const { browser, page, afterPassword } = await login('bob', 'not-his-password');
    expect(afterPassword.status).toBe(401);
    expect(afterPassword.body).toContain('Wrong username or password.');
    expect(afterPassword.body).toContain('value="bob"');
    bannerShown(afterPassword);
    const action = /action="([^"]+)"/.exec(page.body)![1];
    const again = await browser.post(new URL(action, idp.issuer).toString(), { username: 'bob', password: 'demo-bob-pass' });
    expect(again.status).toBe(303);
    expect(lines.join('\n')).not.toContain('not-his-password');
  });

  it('refuses an unknown user like a wrong password', async () => {
    const { afterPassword } = await login('nobody', 'demo-alice-pass');
    expect(afterPassword.status).toBe(401);
    expect(afterPassword.body).toContain('Wrong username or password.');
  });

  it('refuses a wrong TOTP code with the form again, then accepts a valid one', async () => {
    const { browser, verifier, afterPassword } = await login('erin', 'demo-erin-pass');
    const right = await totp('erin');
    const wrong = right === '000000' ? '111111' : '000000';
    const refused = await submitTotp(browser, afterPassword, wrong);
    expect(refused.status).toBe(401);
    expect(refused.body).toContain('Wrong or already used code');
    bannerShown(refused);
    const accepted = await submitTotp(browser, afterPassword, right);
    const hop = await follow(browser, accepted);
    const { payload } = await verifyIdToken((await exchange(hop.location!, verifier)).body.id_token, discovery.jwks_uri);
    expect(payload).toMatchObject({ sub: 'erin', amr: ['pwd', 'otp'], groups: ['airlock:acme:auditor'] });
  });

  it('refuses a TOTP code that was already used (replay within its window)', async () => {
    const code = await totp('carol');
    const first = await login('carol', 'demo-carol-pass');
    const ok = await submitTotp(first.browser, first.afterPassword, code);
    expect((await follow(first.browser, ok)).location).toMatch(/code=/);

    const second = await login('carol', 'demo-carol-pass');
    const replayed = await submitTotp(second.browser, second.afterPassword, code);
    expect(replayed.status).toBe(401);
    expect(replayed.body).toContain('Wrong or already used code');
  });

  it('refuses an authorization request without PKCE, or with the plain method', async () => {
    const missing = await authorize({}, ['code_challenge', 'code_challenge_method']);
    const location = new URL(missing.start.location!);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('code')).toBeNull();

    const plain = await authorize({ code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' });
    expect(new URL(plain.start.location!).searchParams.get('error')).toBe('invalid_request');
  });

  it('refuses the code with a wrong PKCE verifier or wrong client secret', async () => {
    const { browser, afterPassword, verifier } = await login('dave', 'demo-dave-pass');
    const hop = await follow(browser, await submitTotp(browser, afterPassword, await totp('dave')));
    const wrongVerifier = await exchange(hop.location!, `${verifier.slice(0, -2)}xx`);
    expect(wrongVerifier.body.error).toBe('invalid_grant');

    const wrongSecret = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${CLIENT_ID}:nope`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT_URI, code_verifier: verifier }),
    });
    expect(wrongSecret.status).toBe(401);
  });

  it('refuses an unregistered redirect_uri without redirecting there', async () => {
    const flow = await authorize({ redirect_uri: 'https://evil.example/cb' });
    expect(flow.start.status).toBe(400);
    expect(flow.start.location).toBeUndefined();
    bannerShown(flow.start);
  });

  it('answers an unknown interaction with a clear page, not a crash', async () => {
    const hop = await new Browser().get(`${idp.issuer}/interaction/unknown-uid`);
    expect(hop.status).toBe(400);
    bannerShown(hop);
  });
});
