import { createHmac, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { eventually, stateDir, uniquePrefix } from '@airlock/testing';
import { startMesh, stopMesh, type MeshInfo } from '../../src/mesh';
import { accessLogEntry, auditSinkEvent, edgeCaller, issueToken, type Reply } from './support';

// The edge's bad-input suite, through the real Envoy: every forged, stale or malformed request is answered
// at the edge with a JSON error envelope and never reaches a service.

const b64url = (v: Buffer | string) => Buffer.from(v).toString('base64url');
const json64 = (o: unknown) => b64url(JSON.stringify(o));

interface Jwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

function decode(token: string): Jwt {
  const [h, p] = token.split('.');
  return { header: JSON.parse(Buffer.from(h, 'base64url').toString()), payload: JSON.parse(Buffer.from(p, 'base64url').toString()) };
}

/** Re-signs with identity's own ES256 key, so only the altered claim can make the token fail. */
function signEs256(jwt: Jwt, key: KeyObject): string {
  const input = `${json64(jwt.header)}.${json64(jwt.payload)}`;
  return `${input}.${b64url(sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }))}`;
}

describe('edge bad-input suite (through Envoy over TLS)', () => {
  const name = uniquePrefix('e2e-bad');
  let mesh: MeshInfo;
  let call: ReturnType<typeof edgeCaller>;
  let token: string;
  let key: KeyObject;
  const chat = { messages: [{ role: 'user', content: 'hello' }] };
  let n = 0;

  /** Calls with a fresh correlation id and checks the envelope; returns the reply and Envoy's log line. */
  async function rejected(status: number, urlPath: string, opts: Parameters<ReturnType<typeof edgeCaller>>[1] = {}): Promise<{ reply: Reply; log: Record<string, unknown> }> {
    const correlationId = `${name}-${++n}`;
    const reply = await call(urlPath, { ...opts, headers: { 'x-correlation-id': correlationId, ...opts.headers } });
    expect([urlPath, reply.status]).toEqual([urlPath, status]);
    expect(reply.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String), correlation_id: expect.any(String) } });
    const log = await accessLogEntry(mesh, correlationId);
    // Answered by Envoy itself or by ext_authz: no upstream host was picked.
    expect([null, '-', '']).toContain(log.upstream_host);
    return { reply, log };
  }

  beforeAll(async () => {
    mesh = await startMesh({ name, ports: 'free', log: (l) => process.stderr.write(`[e2e] ${l}\n`) });
    call = edgeCaller(mesh);
    token = await issueToken(mesh, { userId: 'alice', tenantId: `${name}-tenant`, projectId: 'payments', workspaceId: 'ws-alice' });
    key = createPrivateKey(readFileSync(path.join(stateDir(), 'identity', 'signing-key.pem')));
  }, 240_000);

  afterAll(async () => {
    await stopMesh(name);
  }, 60_000);

  it('control: the genuine token, re-signed unchanged by this suite, is accepted', async () => {
    const resigned = signEs256(decode(token), key);
    const reply = await call('/v1/chat', { token: resigned, body: chat });
    expect(reply.status).toBe(200);
  });

  const now = () => Math.floor(Date.now() / 1000);
  const altered: Array<[string, (jwt: Jwt) => void]> = [
    ['expired', (j) => Object.assign(j.payload, { iat: now() - 3600, exp: now() - 60 })],
    ['not yet valid (nbf in the future)', (j) => Object.assign(j.payload, { nbf: now() + 3600 })],
    ['wrong audience', (j) => Object.assign(j.payload, { aud: 'someone-else' })],
    ['wrong issuer', (j) => Object.assign(j.payload, { iss: 'https://evil.example' })],
  ];
  it.each(altered)('%s token: 401 at the edge', async (_label, alter) => {
    const jwt = decode(token);
    alter(jwt);
    const { reply, log } = await rejected(401, '/v1/chat', { token: signEs256(jwt, key), body: chat });
    expect(reply.body.error.code).toMatch(/^token_/);
    expect(String(log.response_flags)).toContain('UAEX');
  });

  it('alg none: 401', async () => {
    const jwt = decode(token);
    const forged = `${json64({ ...jwt.header, alg: 'none' })}.${json64({ ...jwt.payload, roles: ['security-admin'] })}.`;
    await rejected(401, '/v1/chat', { token: forged, body: chat });
  });

  it('HS256 signed with the public key (algorithm confusion): 401', async () => {
    const jwt = decode(token);
    const publicPem = createPublicKey(key).export({ format: 'pem', type: 'spki' }).toString();
    const input = `${json64({ ...jwt.header, alg: 'HS256' })}.${json64(jwt.payload)}`;
    const forged = `${input}.${b64url(createHmac('sha256', publicPem).update(input).digest())}`;
    await rejected(401, '/v1/chat', { token: forged, body: chat });
  });

  it('tampered payload (original signature kept): 401', async () => {
    const [h, , s] = token.split('.');
    const payload = { ...decode(token).payload, tid: 'other-tenant' };
    await rejected(401, '/v1/chat', { token: `${h}.${json64(payload)}.${s}`, body: chat });
  });

  it('revoked personal API token: refused (401 token_revoked) at the edge within 1 s of the DELETE, never forwarded', async () => {
    const created = await call('/api/identity/v1/tokens', { token, body: { name: `${name}-revoked`, type: 'personal', ttl_seconds: 600 } });
    expect(created.status).toBe(201);
    const apiToken: string = created.body.token;
    expect(apiToken).toMatch(/^alk_/);
    // Used: policy has cached the verified principal (POLICY_AUTH_CACHE_TTL_MS, 5 s in the mesh).
    expect((await call('/v1/chat', { token: apiToken, body: chat })).status).toBe(200);

    expect((await call(`/api/identity/v1/tokens/${created.body.id}`, { method: 'DELETE', token })).status).toBe(204);
    // Well inside the cache's TTL: only the revocation channel can have evicted it this soon.
    const refused = await eventually(
      'the revoked token refused',
      async () => {
        const reply = await call('/v1/chat', { token: apiToken, body: chat });
        return reply.status === 200 ? undefined : reply;
      },
      1_000,
    );
    expect(refused.status).toBe(401);
    const { reply, log } = await rejected(401, '/v1/chat', { token: apiToken, body: chat });
    expect(reply.body.error.code).toBe('token_revoked');
    expect(String(log.response_flags)).toContain('UAEX');
    // Its use after the revocation is an audit event.
    await auditSinkEvent(mesh, 'auth.token.used_after_revoke', (e) => e.event_type === 'auth.token.used_after_revoke' && e.action === `personal:${created.body.id}`);
    const listed = await call('/api/identity/v1/tokens', { token });
    expect(listed.body.tokens.find((t: { id: string }) => t.id === created.body.id)).toMatchObject({ revoked_at: expect.any(String) });
  });

  it('injected identity headers without a credential: 401, nothing forwarded', async () => {
    await rejected(401, '/v1/chat', {
      body: chat,
      headers: { 'x-user-id': 'admin', 'x-tenant-id': 'acme', 'x-project-id': 'payments', 'x-workspace-id': 'ws-1', 'x-airlock-identity': 'forged' },
    });
  });

  it('oversized request headers: 431 from Envoy before any filter runs', async () => {
    const reply = await call('/v1/chat', { token, body: chat, headers: { 'x-padding': 'a'.repeat(70 * 1024) } });
    expect(reply.status).toBe(431);
    // The headers were never parsed, so the correlation id is one Envoy makes up for the reply.
    expect(reply.body).toMatchObject({ error: { code: 'headers_too_large', message: expect.any(String), correlation_id: expect.stringMatching(/^[0-9a-f-]{36}$/) } });
  });

  it('oversized body (over 8 MiB): 413 from Envoy, after ext_authz', async () => {
    const big = Buffer.alloc(9 * 1024 * 1024, 'a');
    const { reply } = await rejected(413, '/v1/chat', { token, rawBody: big });
    expect(reply.body.error.code).toBe('payload_too_large');
    // Without a credential the size is not even looked at.
    await rejected(401, '/v1/chat', { rawBody: big });
  });

  it('path tricks: dot segments, encoded slashes and double slashes cannot skip ext_authz or reach a service', async () => {
    // /v1/../admin normalizes to /admin: authenticated, then refused by policy (no rule allows it).
    expect((await rejected(401, '/v1/../admin')).reply.body.error.code).toMatch(/^token_|unauthenticated/);
    expect((await rejected(403, '/v1/../admin', { token })).reply.body.error.code).toBe('forbidden');
    // The ext_authz-exempt /auth/ prefix cannot be used as a stepping stone.
    await rejected(401, '/auth/../v1/chat', { body: chat });
    await rejected(401, '//v1//chat', { body: chat });
    const encoded = await rejected(400, '/auth/..%2Fv1/chat', { body: chat });
    expect(encoded.reply.body.error.code).toBe('bad_request');
    await rejected(400, '/auth/..%5Cv1/chat', { body: chat });
  });
});
