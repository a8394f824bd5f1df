import { createHmac, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { derivedEventId } from '@airlock/events';
import { eventually, stateDir, uniquePrefix } from '@airlock/testing';
import { type MeshInfo } from '../../src/mesh';
import { sharedMesh } from './shared-mesh';
import { accessLogEntry, auditSinkEvent, edgeCaller, issueToken, type Reply } from './support';

// The edge's bad-input suite, through the real Envoy: every forged, stale or malformed request is answered
// at the edge with a JSON error envelope and never reaches a service; bodies the edge passes on (chunked, deep,
// a prompt too long for DLP) are refused by the service with the envelope, its correlation id and an audit event.

/** `depth` objects inside each other: {"a":{"a":…1…}}. */
const nestedJson = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

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
    mesh = await sharedMesh();
    call = edgeCaller(mesh);
    token = await issueToken(mesh, { userId: 'alice', tenantId: `${name}-tenant`, projectId: 'payments', workspaceId: 'ws-alice' });
    key = createPrivateKey(readFileSync(path.join(stateDir(), 'identity', 'signing-key.pem')));
  }, 240_000);

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

  // The body parser of every HTTP face (@airlock/runtime), reached through Envoy: a chunked body has no
  // Content-Length for the edge's route to refuse, so the service's own limit must hold.
  it.each([
    ['gateway', '/v1/chat'],
    ['identity', '/api/identity/v1/tokens'],
    ['workspace', '/api/workspace/v1/workspaces'],
  ])('chunked body over 8 MiB (%s): 413 payload_too_large with the correlation id, audited', async (_service, urlPath) => {
    const correlationId = `${name}-chunked-${++n}`;
    const reply = await call(urlPath, {
      token,
      rawBody: Buffer.alloc(9 * 1024 * 1024, 'a'),
      headers: { 'transfer-encoding': 'chunked', 'x-correlation-id': correlationId },
    });
    expect(reply.status).toBe(413);
    expect(reply.body.error).toEqual({ code: 'payload_too_large', message: expect.any(String), correlation_id: correlationId, retryable: false });
    // Answered by the service behind Envoy, not by Envoy's route.
    const log = await accessLogEntry(mesh, correlationId);
    expect(['-', '', null]).not.toContain(log.upstream_host);
    const event = await auditSinkEvent(mesh, `edge.access for ${correlationId}`, (e) => e.event_type === 'edge.access' && e.correlation_id === correlationId);
    expect(event).toMatchObject({ status_code: 413, outcome: 'error', endpoint: urlPath, action: 'POST' });
  });

  it('10 000 nested JSON objects: 400 json_too_deep, not a stack overflow', async () => {
    const correlationId = `${name}-deep-${++n}`;
    const reply = await call('/v1/chat', { token, rawBody: nestedJson(10_000), headers: { 'x-correlation-id': correlationId } });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: 'json_too_deep', correlation_id: correlationId });
    // The service is fine afterwards.
    expect((await call('/v1/chat', { token, body: chat })).status).toBe(200);
  });

  it('malformed JSON: 400 bad_request with the correlation id', async () => {
    const correlationId = `${name}-malformed-${++n}`;
    const reply = await call('/api/identity/v1/tokens', { token, rawBody: '{"name":', headers: { 'x-correlation-id': correlationId } });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: 'bad_request', correlation_id: correlationId });
  });

  it('a 7 MB prompt while DLP is up: 413 prompt_too_large (not 503 dlp_unavailable)', async () => {
    const correlationId = `${name}-prompt-${++n}`;
    const reply = await call('/v1/chat', { token, body: { messages: [{ role: 'user', content: 'a'.repeat(7_000_000) }] }, headers: { 'x-correlation-id': correlationId } });
    expect(reply.status).toBe(413);
    expect(reply.body.error).toMatchObject({ code: 'prompt_too_large', correlation_id: correlationId, retryable: false });
    expect((await call('/v1/chat', { token, body: chat })).status).toBe(200);
  });

  it("one request is exactly one edge.access event, its id derived from Envoy's request id", async () => {
    const correlationId = `${name}-once-${++n}`;
    expect((await call('/v1/chat', { token, body: chat, headers: { 'x-correlation-id': correlationId } })).status).toBe(200);
    const log = await accessLogEntry(mesh, correlationId);
    const event = await auditSinkEvent(mesh, `edge.access for ${correlationId}`, (e) => e.event_type === 'edge.access' && e.correlation_id === correlationId);
    expect(event.event_id).toBe(derivedEventId('edge.access', String(log.request_id), Date.parse(String(event.timestamp))));
    // Duplicates used to arrive about 10 s later, when the access-log stream was ended and replayed.
    await new Promise((r) => setTimeout(r, 12_000));
    const events = readFileSync(mesh.auditSinkPath, 'utf8')
      .split('\n')
      .filter((line) => line.includes(correlationId))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((e) => e.event_type === 'edge.access' && e.correlation_id === correlationId);
    expect(events).toHaveLength(1);
  }, 60_000);

  it('a token in the query string (?access_token=) never reaches the access log or the audit sink', async () => {
    const correlationId = `${name}-query-${++n}`;
    const secret = `${name}-query-secret`;
    await call(`/v1/models?access_token=${secret}`, { token, headers: { 'x-correlation-id': correlationId } });
    const log = await accessLogEntry(mesh, correlationId);
    expect(log.path).toBe('/v1/models');
    await auditSinkEvent(mesh, `edge.access for ${correlationId}`, (e) => e.event_type === 'edge.access' && e.correlation_id === correlationId);
    expect(readFileSync(mesh.envoy.accessLog, 'utf8')).not.toContain(secret);
    expect(readFileSync(mesh.auditSinkPath, 'utf8')).not.toContain(secret);
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
