import { ConfigError } from '@airlock/config';
import { DEFAULT_USERS_FILE, loadDevIdpConfig } from '../src/config';
import { loadUsers } from '../src/users';

describe('dev IdP configuration', () => {
  const valid = { DEV_IDP_CLIENT_SECRET: 'a-long-enough-secret', DEV_IDP_REDIRECT_URIS: 'https://localhost:8443/auth/callback' };

  it('defaults to port 7280, issuer http://localhost:7280 and client airlock-dev', () => {
    expect(loadDevIdpConfig(valid)).toMatchObject({
      port: 7280,
      issuer: 'http://localhost:7280',
      clientId: 'airlock-dev',
      redirectUris: ['https://localhost:8443/auth/callback'],
      postLogoutRedirectUris: [],
      bindHost: '127.0.0.1',
    });
  });

  it('takes the issuer, comma-separated redirect URIs and the port from the environment', () => {
    const c = loadDevIdpConfig({ ...valid, DEV_IDP_PORT: '7999', DEV_IDP_ISSUER: 'http://idp.internal:7999/', DEV_IDP_REDIRECT_URIS: 'https://a/cb, https://b/cb' });
    expect(c).toMatchObject({ port: 7999, issuer: 'http://idp.internal:7999', redirectUris: ['https://a/cb', 'https://b/cb'] });
  });

  it('refuses to boot without a client secret or with a malformed redirect URI, naming each variable', () => {
    let error: unknown;
    try {
      loadDevIdpConfig({ DEV_IDP_REDIRECT_URIS: 'not a url' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual(['DEV_IDP_CLIENT_SECRET', 'DEV_IDP_REDIRECT_URIS']);
  });
});

describe('seeded demo users (contract with the identity service)', () => {
  const users = loadUsers(DEFAULT_USERS_FILE);
  const byName = Object.fromEntries(users.map((u) => [u.username, u]));

  it('has the nine demo users with their contract groups', () => {
    expect(Object.fromEntries(users.map((u) => [u.username, u.groups]))).toEqual({
      alice: ['airlock:acme:developer', 'airlock:acme:project:payments'],
      bob: ['airlock:acme:developer', 'airlock:acme:project:lending'],
      // In two projects: her session is scoped to neither, and she picks one per workspace.
      hana: ['airlock:acme:developer', 'airlock:acme:project:payments', 'airlock:acme:project:lending'],
      carol: ['airlock:acme:security-admin'],
      dave: ['airlock:acme:security-admin'],
      erin: ['airlock:acme:auditor'],
      fiona: ['airlock:acme:finops'],
      sam: ['airlock:acme:sre'],
      mallory: ['airlock:acme:developer'],
    });
  });

  it('enrols everybody but mallory in TOTP', () => {
    expect(users.filter((u) => !u.totpSecret).map((u) => u.username)).toEqual(['mallory']);
    expect(byName.alice.totpSecret).toMatch(/^[A-Z2-7]{32}$/);
  });
});
