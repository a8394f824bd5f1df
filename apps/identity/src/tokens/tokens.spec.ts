import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SignJWT, decodeJwt, importPKCS8 } from 'jose';
import { airlock } from '@airlock/contracts';
import { createLogger } from '@airlock/telemetry';
import type { ApiTokens } from '../api-tokens/api-tokens.usecases';
import type { AuthAudit, AuthEvent } from '../audit/auth-audit';
import { credentialDigest } from '../credentials';
import { loadSigningKey, type SigningKey, type SigningKeys } from '../keys/signing-key';
import type { IdentityRedis } from '../redis/identity-redis';
import { InvalidPrincipalError, TokenIssueDisabledError, TokenTtlTooLongError } from './errors';
import { IssueToken } from './issue-token.usecase';
import { RevokeToken } from './revoke-token.usecase';
import type { TokenStore } from './token-store';
import { VerifyToken } from './verify-token.usecase';

const { PrincipalKind } = airlock.identity.v1;
const logger = createLogger('identity-test', 'silent');

/** In-memory stand-in for the Redis store: the use cases' logic is what these tests are about. */
class MemoryStore {
  readonly live = new Map<string, number>();
  async remember(jti: string, ttl: number) {
    this.live.set(jti, ttl);
  }
  async isLive(jti: string) {
    return this.live.has(jti);
  }
  async forget(jti: string) {
    return this.live.delete(jti);
  }
}

const baseConfig = {
  IDENTITY_ALLOW_ISSUE: true,
  IDENTITY_ISSUER: 'airlock-identity',
  IDENTITY_TOKEN_TTL_SECONDS: 3600,
};

const principal = (over: Partial<airlock.identity.v1.Principal> = {}): airlock.identity.v1.Principal => ({
  subject: '',
  userId: 'u-alice',
  tenantId: 't-bank',
  projectId: 'p-payments',
  workspaceId: '',
  roles: ['developer', 'developer'],
  kind: PrincipalKind.PRINCIPAL_KIND_USER,
  ...over,
});

describe('IssueToken / VerifyToken / RevokeToken', () => {
  let dir: string;
  let key: SigningKey;
  let store: MemoryStore;
  const make = (config: Partial<typeof baseConfig> = {}) => {
    const cfg = { ...baseConfig, ...config };
    const s = store as unknown as TokenStore;
    const keys = { current: key } as SigningKeys;
    const apiTokens = { verify: async () => ({ valid: false, principal: undefined, errorCode: 'token_unknown', expiresAtUnix: 0 }) } as unknown as ApiTokens;
    const audit = { record: async (e: AuthEvent) => void audited.push(e) } as unknown as AuthAudit;
    const redis = { announceRevocation: async (d: string) => void announced.push(d) } as unknown as IdentityRedis;
    return { issue: new IssueToken(cfg, keys, s), verify: new VerifyToken(cfg, logger, keys, s, apiTokens, audit), revoke: new RevokeToken(keys, s, redis) };
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-identity-tokens-'));
    key = await loadSigningKey(path.join(dir, 'k.pem'), true, logger);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let audited: AuthEvent[];
  let announced: string[];
  beforeEach(() => {
    store = new MemoryStore();
    audited = [];
    announced = [];
  });

  it('issues an ES256 JWT with the Airlock claims and verifies it back to the principal', async () => {
    const { issue, verify } = make();
    const res = await issue.execute({ principal: principal(), ttlSeconds: 0 });
    expect(res).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600 });
    const claims = decodeJwt(res.accessToken);
    expect(claims).toMatchObject({ iss: 'airlock-identity', aud: 'airlock', sub: 'u-alice', tid: 't-bank', pid: 'p-payments', roles: ['developer'], kind: 'user' });
    expect(claims).not.toHaveProperty('wid');
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(store.live.get(claims.jti!)).toBe(3600);

    const verified = await verify.execute(res.accessToken);
    expect(verified).toEqual({
      valid: true,
      errorCode: '',
      expiresAtUnix: claims.exp,
      principal: { subject: 'u-alice', userId: 'u-alice', tenantId: 't-bank', projectId: 'p-payments', workspaceId: '', roles: ['developer'], kind: PrincipalKind.PRINCIPAL_KIND_USER },
    });
  });

  it('keeps a service account kind and a user id distinct from the subject', async () => {
    const { issue, verify } = make();
    const res = await issue.execute({
      principal: principal({ subject: 'sa-indexer', userId: 'u-owner', kind: PrincipalKind.PRINCIPAL_KIND_SERVICE_ACCOUNT, roles: ['rag-indexer'] }),
      ttlSeconds: 60,
    });
    const { principal: p } = await verify.execute(res.accessToken);
    expect(p).toMatchObject({ subject: 'sa-indexer', userId: 'u-owner', kind: PrincipalKind.PRINCIPAL_KIND_SERVICE_ACCOUNT, roles: ['rag-indexer'] });
  });

  it('refuses to issue when disabled, without a tenant or user, or beyond the maximum lifetime', async () => {
    await expect(make({ IDENTITY_ALLOW_ISSUE: false }).issue.execute({ principal: principal(), ttlSeconds: 0 })).rejects.toBeInstanceOf(TokenIssueDisabledError);
    const missing = await make().issue.execute({ principal: principal({ userId: '', tenantId: '' }), ttlSeconds: 0 }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(InvalidPrincipalError);
    expect((missing as InvalidPrincipalError).message).toMatch(/principal\.user_id.*principal\.tenant_id/);
    await expect(make().issue.execute({ principal: undefined, ttlSeconds: 0 })).rejects.toBeInstanceOf(InvalidPrincipalError);
    // Ids become HTTP headers at the edge.
    const unsafe = await make().issue.execute({ principal: principal({ projectId: 'p\r\nx-user-id: root', roles: ['dev ops'] }), ttlSeconds: 0 }).catch((e: unknown) => e);
    expect((unsafe as Error).message).toMatch(/principal\.project_id.*principal\.roles/);
    await expect(make().issue.execute({ principal: principal(), ttlSeconds: 86_401 })).rejects.toBeInstanceOf(TokenTtlTooLongError);
  });

  it('answers token_revoked once the token id is forgotten, announces the revocation and audits the use', async () => {
    const { issue, verify, revoke } = make();
    const { accessToken } = await issue.execute({ principal: principal(), ttlSeconds: 60 });
    expect(await revoke.execute(accessToken)).toBe(true);
    expect(announced).toEqual([credentialDigest(accessToken)]);
    expect(await verify.execute(accessToken, '203.0.113.9')).toEqual({ valid: false, principal: undefined, errorCode: 'token_revoked', expiresAtUnix: 0 });
    expect(audited).toEqual([expect.objectContaining({ type: 'auth.token.used_after_revoke', outcome: 'denied', userId: 'u-alice', tenantId: 't-bank', clientIp: '203.0.113.9' })]);
    expect(await revoke.execute(accessToken)).toBe(false);
  });

  it('answers token_expired for an expired token', async () => {
    const { verify } = make();
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ tid: 't', roles: [], kind: 'user' })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .setIssuer('airlock-identity').setAudience('airlock').setSubject('u').setJti('j1')
      .setIssuedAt(now - 120).setExpirationTime(now - 60)
      .sign(key.privateKey);
    store.live.set('j1', 1);
    expect((await verify.execute(token)).errorCode).toBe('token_expired');
  });

  it('rejects tampered, foreign, unsigned and HMAC tokens as token_invalid_signature', async () => {
    const { issue, verify } = make();
    const { accessToken } = await issue.execute({ principal: principal(), ttlSeconds: 60 });
    const [header, payload, signature] = accessToken.split('.');

    const forgedPayload = Buffer.from(JSON.stringify({ ...decodeJwt(accessToken), roles: ['security-admin'] })).toString('base64url');
    expect((await verify.execute(`${header}.${forgedPayload}.${signature}`)).errorCode).toBe('token_invalid_signature');

    const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');
    expect((await verify.execute(`${header}.${payload}.${flipped}`)).errorCode).toBe('token_invalid_signature');

    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expect((await verify.execute(`${none}.${payload}.`)).errorCode).toBe('token_invalid_signature');

    // The classic confusion attack: HS256 keyed with the public key's bytes.
    const hsHeader = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: key.kid })).toString('base64url');
    const mac = createHmac('sha256', JSON.stringify(key.publicJwk)).update(`${hsHeader}.${payload}`).digest('base64url');
    expect((await verify.execute(`${hsHeader}.${payload}.${mac}`)).errorCode).toBe('token_invalid_signature');

    const { privateKey: otherPem } = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const foreign = await new SignJWT(decodeJwt(accessToken)).setProtectedHeader({ alg: 'ES256' }).sign(await importPKCS8(otherPem, 'ES256'));
    expect((await verify.execute(foreign)).errorCode).toBe('token_invalid_signature');
  });

  it('answers token_malformed for garbage, wrong issuer and missing claims', async () => {
    const { verify } = make();
    for (const garbage of ['', 'abc', 'a.b.c', 'x'.repeat(10_000)]) {
      expect(await verify.execute(garbage)).toEqual({ valid: false, principal: undefined, errorCode: 'token_malformed', expiresAtUnix: 0 });
    }
    const sign = (claims: Record<string, unknown>, iss = 'airlock-identity') =>
      new SignJWT(claims).setProtectedHeader({ alg: 'ES256' }).setIssuer(iss).setAudience('airlock').setSubject('u').setJti('j2').setExpirationTime('1m').sign(key.privateKey);
    store.live.set('j2', 60);
    expect((await verify.execute(await sign({ tid: 't', roles: [], kind: 'user' }, 'someone-else'))).errorCode).toBe('token_malformed');
    expect((await verify.execute(await sign({ roles: [], kind: 'user' }))).errorCode).toBe('token_malformed');
    expect((await verify.execute(await sign({ tid: 't', roles: [], kind: 'robot' }))).errorCode).toBe('token_malformed');
    expect((await verify.execute(await sign({ tid: 't', roles: [], kind: 'user' }))).valid).toBe(true);
  });
});
