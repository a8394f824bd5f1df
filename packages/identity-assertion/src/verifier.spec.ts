import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { ASSERTION_HEADER, ASSERTION_TYP, AssertionError, AssertionSigner, AssertionVerifier, type AssertionErrorCode, type Identity } from './index';

const alice: Identity = {
  subject: '',
  userId: 'u-alice',
  tenantId: 't-bank',
  projectId: 'p-pay',
  workspaceId: '',
  roles: ['developer', 'auditor'],
  kind: 'user',
};

const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const signer = AssertionSigner.fromPem(pem);
const verifier = () => AssertionVerifier.fromPublicPem(signer.publicKeyPem);
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const parts = (token: string) => token.split('.');
const claimsOf = (token: string) => JSON.parse(Buffer.from(parts(token)[1], 'base64url').toString()) as Record<string, unknown>;

/** A JWS over arbitrary header and claims, signed ES256 with the trusted key: only the checks after the signature can refuse it. */
function signedWithTrustedKey(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: pem, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

async function refusal(token: string | undefined, v = verifier()): Promise<AssertionErrorCode> {
  const error = await v.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AssertionError)) throw new Error(`expected an AssertionError, got ${String(error)}`);
  // A refusal never echoes the assertion.
  if (token) expect(error.message).not.toContain(token.slice(0, 20));
  return error.code;
}

describe('identity assertion', () => {
  it('round-trips an identity: ES256 compact JWS with explicit typ and kid, 60 s lifetime', async () => {
    const signed = signer.sign(alice, 1_700_000_000_500);
    const [header] = parts(signed.token);
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'ES256', typ: ASSERTION_TYP, kid: signer.kid });
    expect(claimsOf(signed.token)).toEqual({
      iss: 'airlock-policy',
      aud: 'airlock-services',
      sub: 'u-alice',
      iat: 1_700_000_000,
      exp: 1_700_000_060,
      jti: signed.id,
      user_id: 'u-alice',
      tenant_id: 't-bank',
      project_id: 'p-pay',
      workspace_id: '',
      roles: ['developer', 'auditor'],
      kind: 'user',
    });
    const v = AssertionVerifier.fromPublicPem(signer.publicKeyPem, { now: () => 1_700_000_030_000 });
    await expect(v.verify(signed.token)).resolves.toEqual({
      ...alice,
      subject: 'u-alice',
      assertionId: signed.id,
      issuedAt: 1_700_000_000,
      expiresAt: 1_700_000_060,
    });
    expect(ASSERTION_HEADER).toBe('x-airlock-identity');
  });

  it('carries the credential the edge verified, and its expiry, when the signer names them', async () => {
    const signed = signer.sign({ ...alice, auth: 'session', authExpiresAt: 1_700_001_800 }, 1_700_000_000_500);
    expect(claimsOf(signed.token)).toMatchObject({ auth: 'session', auth_exp: 1_700_001_800 });
    const v = AssertionVerifier.fromPublicPem(signer.publicKeyPem, { now: () => 1_700_000_030_000 });
    await expect(v.verify(signed.token)).resolves.toMatchObject({ userId: 'u-alice', auth: 'session', authExpiresAt: 1_700_001_800 });
    const token = signer.sign({ ...alice, auth: 'token' }, 1_700_000_000_500).token;
    expect(claimsOf(token)).not.toHaveProperty('auth_exp');
    const verified = await v.verify(token);
    expect(verified.auth).toBe('token');
    expect(verified).not.toHaveProperty('authExpiresAt');
    // Without them (an older signer) neither claim is there.
    expect(Object.keys(claimsOf(signer.sign(alice).token))).not.toContain('auth');
    expect(await v.verify(signer.sign(alice, 1_700_000_000_500).token)).not.toHaveProperty('auth');
  });

  it('verifies against a JWKS document too, and every assertion has its own id', async () => {
    const v = AssertionVerifier.fromJwks(signer.jwks);
    const [a, b] = [signer.sign(alice), signer.sign({ ...alice, subject: 'sa-ci', kind: 'service_account' })];
    expect(a.id).not.toBe(b.id);
    await expect(v.verify(a.token)).resolves.toMatchObject({ userId: 'u-alice', subject: 'u-alice' });
    await expect(v.verify(b.token)).resolves.toMatchObject({ subject: 'sa-ci', kind: 'service_account' });
  });

  it('remembers a verified assertion but still enforces its expiry, and hands out copies', async () => {
    let now = Date.now();
    const v = AssertionVerifier.fromPublicPem(signer.publicKeyPem, { now: () => now });
    const { token } = signer.sign(alice, now);
    const first = await v.verify(token);
    first.roles.push('security-admin');
    expect((await v.verify(token)).roles).toEqual(['developer', 'auditor']);
    now += 66_000; // past exp + the 5 s tolerance
    expect(await refusal(token, v)).toBe('expired');
  });

  it('refuses a missing assertion: the request bypassed the edge', async () => {
    expect(await refusal(undefined)).toBe('missing');
    expect(await refusal('')).toBe('missing');
  });

  it('refuses an expired assertion and one issued in the future', async () => {
    expect(await refusal(signer.sign(alice, Date.now() - 70_000).token)).toBe('expired');
    expect(await refusal(signer.sign(alice, Date.now() + 30_000).token)).toBe('not_yet_valid');
    // Within the clock tolerance both ways.
    await expect(verifier().verify(signer.sign(alice, Date.now() - 62_000).token)).resolves.toBeDefined();
    await expect(verifier().verify(signer.sign(alice, Date.now() + 3_000).token)).resolves.toBeDefined();
  });

  it('refuses a tampered assertion', async () => {
    const [header, , signature] = parts(signer.sign(alice).token);
    const claims = claimsOf(signer.sign(alice).token);
    expect(await refusal(`${header}.${b64({ ...claims, roles: ['security-admin'] })}.${signature}`)).toBe('bad_signature');
    expect(await refusal(`${header}.${b64({ ...claims, user_id: 'u-mallory' })}.${signature}`)).toBe('bad_signature');
    const flipped = Buffer.from(signature, 'base64url');
    flipped[10] ^= 1;
    expect(await refusal(`${header}.${parts(signer.sign(alice).token)[1]}.${flipped.toString('base64url')}`)).toBe('bad_signature');
  });

  it('refuses an assertion signed with another key, whatever kid it claims', async () => {
    const other = AssertionSigner.generate();
    expect(await refusal(other.sign(alice).token)).toBe('unknown_key');
    const [, payload, signature] = parts(other.sign(alice).token);
    const forgedKid = b64({ alg: 'ES256', typ: ASSERTION_TYP, kid: signer.kid });
    expect(await refusal(`${forgedKid}.${payload}.${signature}`)).toBe('bad_signature');
    const noKid = b64({ alg: 'ES256', typ: ASSERTION_TYP });
    expect(await refusal(`${noKid}.${payload}.${signature}`)).toBe('bad_signature');
  });

  it('refuses alg none, HS256 keyed with the public key, and every other alg', async () => {
    const payload = parts(signer.sign(alice).token)[1];
    expect(await refusal(`${b64({ alg: 'none', typ: ASSERTION_TYP })}.${payload}.`)).toBe('alg_not_allowed');
    expect(await refusal(`${b64({ alg: 'none', typ: ASSERTION_TYP, kid: signer.kid })}.${payload}.${b64('x')}`)).toBe('alg_not_allowed');
    // The classic key-confusion forgery: HMAC with the (public) verification key as the secret.
    for (const secret of [signer.publicKeyPem, JSON.stringify(signer.jwks.keys[0])]) {
      const input = `${b64({ alg: 'HS256', typ: ASSERTION_TYP, kid: signer.kid })}.${payload}`;
      expect(await refusal(`${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`)).toBe('alg_not_allowed');
    }
    for (const alg of ['ES384', 'RS256', 'PS256', 'EdDSA', 'es256', undefined]) {
      const token = signedWithTrustedKey({ alg, typ: ASSERTION_TYP, kid: signer.kid }, claimsOf(signer.sign(alice).token));
      expect(await refusal(token)).toBe('alg_not_allowed');
    }
  });

  it('refuses the wrong audience, the wrong issuer and another JWT type', async () => {
    expect(await refusal(AssertionSigner.fromPem(pem, { audience: 'airlock-gateway-only' }).sign(alice).token)).toBe('wrong_audience');
    expect(await refusal(AssertionSigner.fromPem(pem, { issuer: 'airlock-identity' }).sign(alice).token)).toBe('wrong_issuer');
    const claims = claimsOf(signer.sign(alice).token);
    // An access token signed by a trusted key is still not an identity assertion.
    expect(await refusal(signedWithTrustedKey({ alg: 'ES256', typ: 'JWT', kid: signer.kid }, claims))).toBe('wrong_type');
    expect(await refusal(signedWithTrustedKey({ alg: 'ES256', kid: signer.kid }, claims))).toBe('wrong_type');
    // A verifier can be told its own audience.
    const gatewayOnly = AssertionVerifier.fromPublicPem(signer.publicKeyPem, { audience: 'airlock-gateway-only' });
    expect(await refusal(signer.sign(alice).token, gatewayOnly)).toBe('wrong_audience');
  });

  it('refuses authentic assertions whose claims are not a valid identity or not short-lived', async () => {
    const claims = claimsOf(signer.sign(alice).token);
    const header = { alg: 'ES256', typ: ASSERTION_TYP, kid: signer.kid };
    for (const change of [
      { tenant_id: '' },
      { tenant_id: undefined },
      { user_id: 42 },
      { roles: 'developer' },
      { roles: ['developer', 7] },
      { kind: 'admin' },
      { jti: '' },
      { exp: (claims.iat as number) - 1 },
      { iat: undefined },
      { exp: 1.5e9 + 0.5 },
      { auth: 'password' },
      { auth: 1 },
      { auth: 'session', auth_exp: -1 },
      { auth: 'session', auth_exp: '1700000000' },
    ]) {
      expect(await refusal(signedWithTrustedKey(header, { ...claims, ...change }))).toBe('invalid_claims');
    }
    expect(await refusal(AssertionSigner.fromPem(pem, { ttlSeconds: 3_600 }).sign(alice).token)).toBe('invalid_claims');
    // RFC 7519 §4.1.3: an audience list that names us is ours.
    await expect(verifier().verify(signedWithTrustedKey(header, { ...claims, aud: ['other', 'airlock-services'] }))).resolves.toBeDefined();
    expect(await refusal(signedWithTrustedKey(header, { ...claims, aud: ['other'] }))).toBe('wrong_audience');
  });

  it('refuses what is not a compact JWS', async () => {
    const good = signer.sign(alice).token;
    const [header, payload, signature] = parts(good);
    const der = sign('sha256', Buffer.from(`${header}.${payload}`), pem).toString('base64url');
    const cases: [string, AssertionErrorCode][] = [
      ['abc', 'malformed'],
      [`${header}.${payload}`, 'malformed'],
      [`${good}.x`, 'malformed'],
      [`${header}.${payload}.${signature}=`, 'malformed'],
      [`${header} .${payload}.${signature}`, 'malformed'],
      [`${b64('not json')}.${payload}.${signature}`, 'malformed'],
      [`${b64([1, 2])}.${payload}.${signature}`, 'malformed'],
      [`${header}.${b64('[]')}.${signature}`, 'bad_signature'],
      [`${header}.${payload}.`, 'bad_signature'],
      [`${header}.${payload}.${der}`, 'bad_signature'],
      [`${header}.${payload}.${signature}${'A'.repeat(4096)}`, 'malformed'],
      [`${b64({ alg: 'ES256', typ: ASSERTION_TYP, kid: signer.kid, crit: ['exp'] })}.${payload}.${signature}`, 'malformed'],
      [`${b64({ alg: 'ES256', typ: ASSERTION_TYP, kid: 7 })}.${payload}.${signature}`, 'malformed'],
    ];
    for (const [token, code] of cases) expect([token.slice(0, 40), await refusal(token)]).toEqual([token.slice(0, 40), code]);
  });

  it('never signs an identity no verifier would accept', () => {
    for (const identity of [{ ...alice, userId: '' }, { ...alice, tenantId: '' }, { ...alice, kind: 'robot' as never }, { ...alice, auth: 'cookie' as never }, { ...alice, authExpiresAt: 1.5 }]) {
      expect(() => signer.sign(identity)).toThrow(expect.objectContaining({ code: 'invalid_claims' }));
    }
  });

  it('accepts only EC P-256 keys', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(() => AssertionSigner.fromPem(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())).toThrow('not an EC P-256 key');
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(() => AssertionVerifier.fromPublicPem(p384.publicKey.export({ type: 'spki', format: 'pem' }).toString())).toThrow('not an EC P-256 key');
    expect(() => AssertionVerifier.fromJwks({ keys: [{ ...signer.jwks.keys[0], alg: 'ES384' }] })).toThrow('no ES256 P-256 key');
  });
});
