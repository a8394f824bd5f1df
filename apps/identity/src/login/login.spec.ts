import { createHmac, generateKeyPairSync } from 'node:crypto';
import { SignJWT, createLocalJWKSet, exportJWK, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { groupMappingSchema, DEFAULT_GROUP_MAPPING, GroupMapper, hasMfa, tenantPolicy, tenantPoliciesSchema } from './login-policy';
import { safeReturnTo } from './login.usecase';
import { LoginRefusedError } from './errors';
import { isAcceptableEndpoint, verifyIdToken } from './oidc-client';

const ISSUER = 'http://localhost:9999';
const CLIENT = 'airlock-dev';

describe('verifyIdToken (the issue\'s bad inputs)', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let jwks: ReturnType<typeof createLocalJWKSet>;
  let ecPublic: JWK;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    ecPublic = { ...(await exportJWK(ec.publicKey)), kid: 'ec1', alg: 'ES256', use: 'sig' };
    jwks = createLocalJWKSet({ keys: [ecPublic, { ...(await exportJWK(rsa.publicKey)), kid: 'rs1', alg: 'RS256', use: 'sig' }] });
  });

  const sign = (claims: JWTPayload, opts: { alg?: string; kid?: string; key?: CryptoKey | object } = {}) =>
    new SignJWT({ sub: 'alice', nonce: 'n-1', ...claims })
      .setProtectedHeader({ alg: opts.alg ?? 'ES256', kid: opts.kid ?? 'ec1' })
      .setIssuer((claims.iss as string) ?? ISSUER)
      .setAudience((claims.aud as string) ?? CLIENT)
      .setIssuedAt((claims.iat as number) ?? now())
      .setExpirationTime((claims.exp as number) ?? now() + 300)
      .sign((opts.key ?? ec.privateKey) as CryptoKey);
  const verify = (token: string, nonce = 'n-1') => verifyIdToken(token, jwks, { issuer: ISSUER, clientId: CLIENT, algorithms: ['ES256', 'RS256'], nonce });
  const code = (token: string, nonce?: string) =>
    verify(token, nonce).then(
      () => 'accepted',
      (e: unknown) => (e instanceof LoginRefusedError ? e.code : `unexpected ${String(e)}`),
    );

  it('accepts an ES256 and an RS256 token from the issuer\'s JWKS', async () => {
    expect((await verify(await sign({}))).sub).toBe('alice');
    expect((await verify(await sign({}, { alg: 'RS256', kid: 'rs1', key: rsa.privateKey }))).sub).toBe('alice');
  });

  it('refuses expired, not-yet-valid, wrong audience, wrong issuer and wrong nonce', async () => {
    expect(await code(await sign({ iat: now() - 600, exp: now() - 120 }))).toBe('id_token_expired');
    expect(await code(await sign({ nbf: now() + 600 }))).toBe('id_token_not_yet_valid');
    expect(await code(await sign({ aud: 'someone-else' }))).toBe('id_token_wrong_audience');
    expect(await code(await sign({ aud: [CLIENT, 'other'] as unknown as string }))).toBe('id_token_wrong_audience');
    expect(await code(await sign({ iss: 'http://localhost:9998' }))).toBe('id_token_wrong_issuer');
    expect(await code(await sign({}), 'n-2')).toBe('id_token_nonce_mismatch');
    expect(await code(await sign({ nonce: undefined }))).toBe('id_token_nonce_mismatch');
  });

  it('refuses alg none, HS256 keyed with the public key, a tampered payload and a foreign key', async () => {
    const valid = await sign({});
    const [, payload, signature] = valid.split('.');
    const none = Buffer.from(JSON.stringify({ alg: 'none', kid: 'ec1' })).toString('base64url');
    expect(await code(`${none}.${payload}.`)).toBe('id_token_invalid_signature');

    const hs = Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'ec1' })).toString('base64url');
    for (const secret of [JSON.stringify(ecPublic), ec.publicKey.export({ type: 'spki', format: 'pem' }) as string]) {
      const mac = createHmac('sha256', secret).update(`${hs}.${payload}`).digest('base64url');
      expect(await code(`${hs}.${payload}.${mac}`)).toBe('id_token_invalid_signature');
    }

    const header = valid.split('.')[0];
    const forged = Buffer.from(JSON.stringify({ sub: 'mallory', nonce: 'n-1', iss: ISSUER, aud: CLIENT, iat: now(), exp: now() + 300 })).toString('base64url');
    expect(await code(`${header}.${forged}.${signature}`)).toBe('id_token_invalid_signature');

    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(await code(await sign({}, { key: other.privateKey }))).toBe('id_token_invalid_signature');
    expect(await code(await sign({}, { kid: 'unknown', key: other.privateKey }))).toBe('id_token_invalid_signature');
    // An RSA key in the JWKS is not usable with an EC algorithm, nor the other way round.
    expect(await code(await sign({}, { alg: 'RS256', kid: 'ec1', key: rsa.privateKey }))).toBe('id_token_invalid_signature');
  });

  it('refuses garbage and oversized tokens as malformed', async () => {
    for (const garbage of ['', 'a.b.c', 'x'.repeat(20_000)]) expect(await code(garbage)).toBe('id_token_malformed');
  });
});

describe('safeReturnTo', () => {
  const origin = 'https://localhost:8443';
  it.each([
    ['/ide/?folder=/home', '/ide/?folder=/home'],
    ['https://localhost:8443/x#y', '/x#y'],
    [undefined, '/'],
    ['//evil.example/x', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example/', '/'],
    ['https://localhost:8443.evil.example/', '/'],
    ['javascript:alert(1)', '/'],
    ['relative/path', '/'],
    ['/x\r\nset-cookie: a=b', '/'],
    [['/a', '/b'], '/'],
    // Only `//host` once the dot segments are resolved: the check must see the resolved path.
    ['/..//evil.example/x', '/'],
    ['/.//evil.example', '/'],
    ['/%2e%2e//evil.example/x', '/'],
    ['/a/../..//evil.example', '/'],
    ['https://localhost:8443/..//evil.example/x', '/'],
    // Dot segments that stay on the origin are resolved, not refused.
    ['/a/../tokens?x=1', '/tokens?x=1'],
  ])('%p → %p', (input, expected) => expect(safeReturnTo(input, origin)).toBe(expected));
});

describe('group mapping, MFA evidence and tenant policy', () => {
  const mapper = new GroupMapper(groupMappingSchema.parse(DEFAULT_GROUP_MAPPING));

  it('maps the contract\'s groups to tenant, project and roles', () => {
    expect(mapper.map(['airlock:acme:developer', 'airlock:acme:project:payments', 'unrelated'])).toEqual({ tenantId: 'acme', projectId: 'payments', projects: ['payments'], roles: ['developer'] });
    expect(mapper.map(['airlock:acme:security-admin'])).toEqual({ tenantId: 'acme', projectId: '', projects: [], roles: ['security-admin'] });
    expect(mapper.map(['airlock:acme:developer', 'airlock:acme:project:a', 'airlock:acme:project:b:admin'])).toMatchObject({ projectId: '', projects: ['a', 'b'], roles: ['developer'] });
    expect(mapper.map(['airlock:acme:project:a:admin'])).toMatchObject({ projectId: 'a', roles: ['project-admin'] });
    expect(mapper.map(['airlock:acme:project:a'])).toBe('no_airlock_groups');
    expect(mapper.map(['airlock:acme:developer', 'airlock:other:auditor'])).toBe('tenant_ambiguous');
    expect(mapper.map('airlock:acme:developer')).toBe('no_airlock_groups');
    expect(mapper.map(undefined)).toBe('no_airlock_groups');
  });

  it('validates the mapping config', () => {
    expect(groupMappingSchema.safeParse({ rules: [{ group: 'cn=devs', roles: ['developer'] }] }).success).toBe(false);
    expect(groupMappingSchema.safeParse({ rules: [{ group: 'cn=devs', tenant: 'acme', roles: ['developer'] }] }).success).toBe(true);
    expect(groupMappingSchema.safeParse({ rules: [{ group: 'x:{tenant}:{user}', roles: [] }] }).success).toBe(false);
    expect(groupMappingSchema.safeParse({ rules: [{ group: 'x:{tenant}', roles: ['bad role'] }] }).success).toBe(false);
    const fixed = new GroupMapper(groupMappingSchema.parse({ rules: [{ group: 'CN=Airlock Devs,OU=IT', tenant: 'bank', roles: ['developer'] }] }));
    expect(fixed.map(['CN=Airlock Devs,OU=IT'])).toMatchObject({ tenantId: 'bank', roles: ['developer'] });
  });

  it('takes amr otp/mfa or a configured acr as MFA evidence', () => {
    const acr = ['urn:airlock:acr:mfa'];
    expect(hasMfa({ amr: ['pwd', 'otp'] }, acr)).toBe(true);
    expect(hasMfa({ amr: ['mfa'] }, acr)).toBe(true);
    expect(hasMfa({ amr: ['pwd'], acr: 'urn:airlock:acr:mfa' }, acr)).toBe(true);
    expect(hasMfa({ amr: ['pwd'], acr: 'urn:airlock:acr:pwd' }, acr)).toBe(false);
    expect(hasMfa({ amr: 'otp' }, acr)).toBe(false);
  });

  it('applies per-tenant MFA and session settings over the defaults', () => {
    const defaults = { IDENTITY_REQUIRE_MFA: true, IDENTITY_SESSION_IDLE_SECONDS: 1800, IDENTITY_SESSION_MAX_SECONDS: 43200 };
    const tenants = tenantPoliciesSchema.parse({ lab: { requireMfa: false, sessionIdleSeconds: 7200, sessionMaxSeconds: 3600 } });
    expect(tenantPolicy('acme', tenants, defaults)).toEqual({ requireMfa: true, sessionIdleSeconds: 1800, sessionMaxSeconds: 43200 });
    expect(tenantPolicy('lab', tenants, defaults)).toEqual({ requireMfa: false, sessionIdleSeconds: 3600, sessionMaxSeconds: 3600 });
    expect(tenantPoliciesSchema.safeParse({ lab: { sessionIdleSeconds: 1 } }).success).toBe(false);
  });

  it('accepts plain http only for a loopback IdP', () => {
    expect(isAcceptableEndpoint('http://localhost:9000/x')).toBe(true);
    expect(isAcceptableEndpoint('http://127.0.0.1:9000')).toBe(true);
    expect(isAcceptableEndpoint('https://idp.bank.internal')).toBe(true);
    expect(isAcceptableEndpoint('http://idp.bank.internal')).toBe(false);
    expect(isAcceptableEndpoint('not a url')).toBe(false);
  });
});
