import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { airlock, envoy } from '@airlock/contracts';
import { ConfigError } from '@airlock/config';
import { GrpcStatus } from '@airlock/grpc';
import { AssertionVerifier, EDGE_OWNED_HEADERS, decodeMcpGrant } from '@airlock/identity-assertion';
import { createLogger } from '@airlock/telemetry';
import { ActiveBundle } from '../bundles/active-bundle';
import { DEFAULT_BUNDLE_FILE, loadBundleFile } from '../bundles/bundle';
import type { DecisionLabel, DecisionMetrics } from '../decision/decision-metrics';
import { AssertionIssuer, type AssertionIssuerConfig } from './assertion-issuer';
import { Authenticator } from './authenticator';
import { CheckRequestUseCase } from './check.usecase';
import type { TokenVerifier, Verdict } from './identity-client';
import { PrincipalCache, credentialDigest } from './principal-cache';
import type { PolicyAudit, PolicyEvent } from '../bundles/policy-audit';

const { PrincipalKind } = airlock.identity.v1;
const { StatusCode } = envoy.type.v3;
const { HeaderValueOption_HeaderAppendAction: AppendAction } = envoy.config.core.v3;
type CheckResponse = envoy.service.auth.v3.CheckResponse;

const alice: airlock.identity.v1.Principal = {
  subject: 'u-alice',
  userId: 'u-alice',
  tenantId: 't-bank',
  projectId: 'p-pay',
  workspaceId: '',
  roles: ['developer'],
  kind: PrincipalKind.PRINCIPAL_KIND_USER,
};

type Answer = (token: string) => Promise<Omit<Verdict, 'expiresAtUnix'> & { expiresAtUnix?: number }>;

class FakeVerifier {
  calls: string[] = [];
  sessionCalls: string[] = [];
  constructor(private readonly answer: Answer) {}
  async verify(token: string): Promise<Verdict> {
    this.calls.push(token);
    return { expiresAtUnix: 0, ...(await this.answer(token)) };
  }
  async verifySession(id: string): Promise<Verdict> {
    this.sessionCalls.push(id);
    return { expiresAtUnix: 0, ...(await this.answer(id)) };
  }
}

const valid = async () => ({ valid: true, principal: alice, errorCode: '' });
const bundle = loadBundleFile(DEFAULT_BUNDLE_FILE);

const logger = createLogger('policy-test', 'silent');
const assertionConfig: AssertionIssuerConfig = { POLICY_ASSERTION_TTL_SECONDS: 60, POLICY_ASSERTION_REUSE_MS: 10_000, POLICY_AUTH_CACHE_MAX: 2, POLICY_ASSERTION_GENERATE_KEY: false };

async function issuerWith(config: Partial<AssertionIssuerConfig> = {}) {
  const issuer = new AssertionIssuer({ ...assertionConfig, ...config }, logger);
  await issuer.onModuleInit();
  return issuer;
}

interface SetupOptions {
  /** What identity answers for a credential. */
  answer?: Answer;
  /** POLICY_AUTH_CACHE_TTL_MS (0: every Check asks identity). */
  cacheTtlMs?: number;
  /** POLICY_ASSERTION_REUSE_MS. */
  assertionReuseMs?: number;
  /** Decide with this bundle instead of the built-in one. */
  activeBundle?: ActiveBundle;
  /** Where edge refusals worth an audit event (a cross-site write) go. */
  audit?: PolicyAudit;
}

async function setup({ answer = valid, cacheTtlMs = 0, assertionReuseMs = 10_000, activeBundle, audit }: SetupOptions = {}) {
  const counted: [DecisionLabel, string][] = [];
  const metrics = { count: (d: DecisionLabel, e: string) => void counted.push([d, e]) } as unknown as DecisionMetrics;
  const verifier = new FakeVerifier(answer);
  const active = activeBundle ?? new ActiveBundle({ POLICY_BUNDLE_FILE: { path: DEFAULT_BUNDLE_FILE, bundle } });
  const cache = new PrincipalCache({ POLICY_AUTH_CACHE_TTL_MS: cacheTtlMs, POLICY_AUTH_CACHE_MAX: 2, IDENTITY_REVOCATION_CHANNEL: 'unused:revocations' }, logger);
  const issuer = await issuerWith({ POLICY_ASSERTION_REUSE_MS: assertionReuseMs });
  const check = new CheckRequestUseCase(active, new Authenticator(verifier as unknown as TokenVerifier, cache, logger), metrics, logger, issuer, undefined, audit);
  // What a service behind the edge does with x-airlock-identity.
  const services = AssertionVerifier.fromJwks(issuer.jwks);
  return { check, verifier, counted, cache, issuer, services };
}

/** A CheckRequest shaped as Envoy sends it (headers lower-cased, path with query, peer address). */
function envoyRequest(path: string, headers: Record<string, string>, method = 'POST'): envoy.service.auth.v3.CheckRequest {
  return envoy.service.auth.v3.CheckRequest.fromPartial({
    attributes: {
      source: { address: { socketAddress: { address: '203.0.113.7', portValue: 51234 } } },
      destination: { address: { socketAddress: { address: '10.0.0.1', portValue: 8443 } } },
      request: {
        http: {
          id: '1234',
          method,
          path,
          host: 'airlock.example',
          scheme: 'https',
          protocol: 'HTTP/2',
          headers: { ':authority': 'airlock.example', ':method': method, ':path': path, 'user-agent': 'test', ...headers },
        },
      },
    },
  });
}

const headerMap = (options: envoy.config.core.v3.HeaderValueOption[]) =>
  Object.fromEntries(options.map((o) => [o.header!.key, o.header!.value]));
const body = (res: CheckResponse) => JSON.parse(res.deniedResponse!.body);

describe('ext_authz Check', () => {
  it('allows a developer to chat: identity and route headers set, client copies and the token removed', async () => {
    const { check, verifier, counted } = await setup();
    const res = await check.execute(
      envoyRequest('/v1/chat/completions?stream=true', { authorization: 'Bearer abc.def.ghi', 'x-correlation-id': 'corr-12345678', 'x-workspace-id': 'forged' }),
    );
    expect(verifier.calls).toEqual(['abc.def.ghi']);
    expect(res.status).toEqual({ code: GrpcStatus.OK, message: '', details: [] });
    expect(res.deniedResponse).toBeUndefined();
    const ok = res.okResponse!;
    expect(headerMap(ok.headers)).toEqual({
      'x-correlation-id': 'corr-12345678',
      'x-user-id': 'u-alice',
      'x-tenant-id': 't-bank',
      'x-project-id': 'p-pay',
      'x-airlock-roles': 'developer',
      'x-airlock-principal-kind': 'user',
      'x-airlock-route-backend': 'chat',
      'x-airlock-route-model': 'reference-chat',
      'x-airlock-identity': expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      'x-airlock-policy-version': '2026.11.21-1',
      'x-airlock-rule-ids': 'ep.chat.allow',
      'x-airlock-model-aliases': 'airlock-chat=chat/reference-chat,airlock-agent=agent/reference-chat',
    });
    expect(ok.headers.every((h) => h.appendAction === AppendAction.OVERWRITE_IF_EXISTS_OR_ADD)).toBe(true);
    // Empty workspace: removed, so the client's forged value cannot reach the upstream; chat is not high-risk.
    expect(ok.headersToRemove).toEqual(['authorization', 'x-api-key', 'x-workspace-id', 'x-airlock-audit-mode', 'x-airlock-mcp-server']);
    expect(headerMap(ok.responseHeadersToAdd)).toEqual({ 'x-correlation-id': 'corr-12345678' });
    expect(counted).toEqual([['allow', '/v1/chat']]);
    // The response survives a protobuf round trip (what grpc-js does with it).
    expect(envoy.service.auth.v3.CheckResponse.decode(envoy.service.auth.v3.CheckResponse.encode(res).finish()).okResponse?.headers).toHaveLength(12);
  });

  it('reads an x-api-key (the Anthropic clients\' spelling) as the bearer token when no Authorization is sent', async () => {
    const { check, verifier } = await setup();
    const res = await check.execute(envoyRequest('/v1/chat/completions', { 'x-api-key': 'abc.def.ghi' }));
    expect(verifier.calls).toEqual(['abc.def.ghi']);
    expect(res.okResponse!.headersToRemove).toContain('x-api-key');
    // An Authorization header wins, even a malformed one: the key is not a fallback for a refused bearer.
    expect(body(await check.execute(envoyRequest('/v1/chat/completions', { authorization: 'Basic x', 'x-api-key': 'abc.def.ghi' }))).error.code).toBe('unauthenticated');
  });

  it('removes route headers when the allowing rule has no route', async () => {
    const { check } = await setup({ answer: async () => ({ valid: true, errorCode: '', principal: { ...alice, roles: ['auditor'] } }) });
    const ok = (await check.execute(envoyRequest('/api/policy/v1/bundles/active', { authorization: 'Bearer t' }, 'GET'))).okResponse!;
    expect(ok.headersToRemove).toEqual([
      'authorization',
      'x-api-key',
      'x-workspace-id',
      'x-airlock-route-backend',
      'x-airlock-route-model',
      'x-airlock-model-aliases',
      'x-airlock-audit-mode',
      'x-airlock-mcp-server',
    ]);
    expect(headerMap(ok.headers)['x-airlock-rule-ids']).toBe('api.policy.read.allow');
  });

  it('sets or removes every edge-owned header, with or without a route', async () => {
    const { check } = await setup({ answer: async () => ({ valid: true, errorCode: '', principal: { ...alice, roles: ['developer', 'auditor'] } }) });
    for (const [endpoint, method] of [['/v1/chat/completions', 'POST'], ['/api/policy/v1/bundles/active', 'GET']]) {
      const ok = (await check.execute(envoyRequest(endpoint, { authorization: 'Bearer t' }, method))).okResponse!;
      const set = headerMap(ok.headers);
      expect([endpoint, EDGE_OWNED_HEADERS.filter((h) => !(h in set) && !ok.headersToRemove.includes(h))]).toEqual([endpoint, []]);
    }
  });

  it('marks high-risk endpoints fail-closed for the gateway\'s audit, and decides with the client\'s branch and address', async () => {
    const { check } = await setup();
    const ok = (await check.execute(envoyRequest('/v1/agent', { authorization: 'Bearer t', 'x-airlock-audit-mode': 'best-effort', 'x-airlock-branch': 'main' }))).okResponse!;
    expect(headerMap(ok.headers)).toMatchObject({ 'x-airlock-audit-mode': 'fail-closed', 'x-airlock-model-aliases': 'airlock-agent=agent/reference-chat' });
    expect(ok.headersToRemove).not.toContain('x-airlock-audit-mode');
    const fenced = structuredClone(bundle);
    fenced.rules.find((r) => r.id === 'ep.agent.allow')!.when = { branches: ['release/*'], clientIps: ['203.0.113.0/24'] };
    const active = new ActiveBundle({ POLICY_BUNDLE_FILE: { path: 'fenced.json', bundle: fenced } });
    const { check: fencedCheck } = await setup({ activeBundle: active });
    expect((await fencedCheck.execute(envoyRequest('/v1/agent', { authorization: 'Bearer t', 'x-airlock-branch': 'release/7' }))).status!.code).toBe(GrpcStatus.OK);
    const wrongBranch = await fencedCheck.execute(envoyRequest('/v1/agent', { authorization: 'Bearer t', 'x-airlock-branch': 'main' }));
    expect(body(wrongBranch).error.message).toContain('branch_not_allowed');
  });

  it('answers 401 with the envelope when the token is missing, without asking identity', async () => {
    const { check, verifier, counted } = await setup();
    for (const authorization of [undefined, '', 'Basic dXNlcjpwYXNz', 'Bearer', 'Bearer two words']) {
      // A malformed Authorization header is the credential: no fallback to a cookie riding along.
      const res = await check.execute(envoyRequest('/v1/chat', authorization ? { authorization, cookie: 'airlock_session=s1' } : {}));
      expect(res.status!.code).toBe(GrpcStatus.UNAUTHENTICATED);
      expect(res.okResponse).toBeUndefined();
      expect(res.deniedResponse!.status).toEqual({ code: StatusCode.Unauthorized });
      expect(headerMap(res.deniedResponse!.headers)).toMatchObject({ 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
      expect(body(res).error).toMatchObject({ code: 'unauthenticated', retryable: false });
    }
    expect(verifier.calls).toEqual([]);
    expect(verifier.sessionCalls).toEqual([]);
    expect(counted[0]).toEqual(['unauthenticated', '/v1/chat']);
  });

  it('answers 401 with identity\'s error code for a bad token', async () => {
    const { check } = await setup({ answer: async () => ({ valid: false, principal: undefined, errorCode: 'token_revoked' }) });
    const res = await check.execute(envoyRequest('/v1/chat', { authorization: 'bearer x.y.z', 'x-correlation-id': 'corr-abcdefgh' }));
    expect(res.status!.code).toBe(16);
    expect(body(res)).toEqual({ error: { code: 'token_revoked', message: expect.any(String), correlation_id: 'corr-abcdefgh', retryable: false } });
    expect(headerMap(res.deniedResponse!.headers)['x-correlation-id']).toBe('corr-abcdefgh');
  });

  it('answers 403 forbidden when policy denies', async () => {
    const { check, counted } = await setup({ answer: async () => ({ valid: true, errorCode: '', principal: { ...alice, roles: ['analyst'] } }) });
    const res = await check.execute(envoyRequest('/v1/agent', { authorization: 'Bearer t' }));
    expect(res.status!.code).toBe(GrpcStatus.PERMISSION_DENIED);
    expect(res.deniedResponse!.status).toEqual({ code: StatusCode.Forbidden });
    expect(body(res).error).toMatchObject({ code: 'forbidden', retryable: false });
    expect(body(res).error.message).toContain('role_not_allowed');
    expect(headerMap(res.deniedResponse!.headers)).not.toHaveProperty('www-authenticate');
    expect(counted).toEqual([['deny', '/v1/agent']]);
  });

  it('fails closed with 503 identity_unavailable (retryable) when identity cannot be asked', async () => {
    const { check, counted } = await setup({
      answer: async () => {
        throw Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 });
      },
    });
    const res = await check.execute(envoyRequest('/v1/chat', { authorization: 'Bearer t' }));
    expect(res.status!.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(res.deniedResponse!.status).toEqual({ code: StatusCode.ServiceUnavailable });
    expect(body(res).error).toMatchObject({ code: 'identity_unavailable', retryable: true });
    expect(counted).toEqual([['unavailable', '/v1/chat']]);
  });

  it('keeps a well-formed correlation id and replaces a missing or forged one', async () => {
    const { check } = await setup();
    const kept = await check.execute(envoyRequest('/v1/chat', { authorization: 'Bearer t', 'x-correlation-id': 'req-0001-abcd' }));
    expect(headerMap(kept.okResponse!.headers)['x-correlation-id']).toBe('req-0001-abcd');
    for (const forged of [undefined, 'bad id\r\nx-user-id: root', 'short']) {
      const res = await check.execute(envoyRequest('/v1/chat', forged === undefined ? { authorization: 'Bearer t' } : { authorization: 'Bearer t', 'x-correlation-id': forged }));
      const id = headerMap(res.okResponse!.headers)['x-correlation-id'];
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(headerMap(res.okResponse!.responseHeadersToAdd)['x-correlation-id']).toBe(id);
    }
    const denied = await check.execute(envoyRequest('/v1/chat', { 'x-correlation-id': 'nope nope' }));
    expect(body(denied).error.correlation_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never forwards header-unsafe identity values', async () => {
    const { check, services } = await setup({ answer: async () => ({ valid: true, errorCode: '', principal: { ...alice, projectId: 'p\r\nx-evil: 1' } }) });
    const ok = (await check.execute(envoyRequest('/v1/chat', { authorization: 'Bearer t' }))).okResponse!;
    expect(headerMap(ok.headers)).not.toHaveProperty('x-project-id');
    expect(ok.headersToRemove).toContain('x-project-id');
    // Nor asserts them: the signed identity says what the plain headers say.
    expect(await services.verify(headerMap(ok.headers)['x-airlock-identity'])).toMatchObject({ userId: 'u-alice', projectId: '' });
  });

  it('authenticates the airlock_session cookie with VerifySession and keeps it from the upstream', async () => {
    const { check, verifier } = await setup();
    const res = await check.execute(envoyRequest('/v1/chat', { cookie: 'theme=dark; airlock_session=sess-1; lang=ko' }));
    expect(verifier.sessionCalls).toEqual(['sess-1']);
    expect(verifier.calls).toEqual([]);
    expect(headerMap(res.okResponse!.headers)).toMatchObject({ 'x-user-id': 'u-alice', cookie: 'theme=dark; lang=ko' });
    const only = await check.execute(envoyRequest('/v1/chat', { cookie: 'airlock_session=sess-1' }));
    expect(only.okResponse!.headersToRemove).toContain('cookie');
    const other = await check.execute(envoyRequest('/v1/chat', { authorization: 'Bearer t', cookie: 'theme=dark' }));
    expect(headerMap(other.okResponse!.headers)).not.toHaveProperty('cookie');
    expect(other.okResponse!.headersToRemove).not.toContain('cookie');
  });

  it('answers 401 with the session error for an unknown session', async () => {
    const { check } = await setup({ answer: async () => ({ valid: false, principal: undefined, errorCode: 'session_unknown' }) });
    const res = await check.execute(envoyRequest('/v1/chat', { cookie: 'airlock_session=gone' }));
    expect(res.deniedResponse!.status).toEqual({ code: StatusCode.Unauthorized });
    expect(body(res).error).toMatchObject({ code: 'session_unknown', message: expect.stringContaining('log in again') });
  });

  it('reuses a verified principal from the cache, never a failed one, and bounds the cache', async () => {
    let answer: Awaited<ReturnType<Answer>> = { valid: false, principal: undefined, errorCode: 'token_revoked' };
    const { check, verifier, cache } = await setup({ answer: async () => answer, cacheTtlMs: 60_000 });
    await check.execute(envoyRequest('/v1/chat', { authorization: 'Bearer t1' }));
    await check.execute(envoyRequest('/v1/chat', { authorization: 'Bearer t1' }));
    expect(verifier.calls).toEqual(['t1', 't1']);
    answer = { valid: true, principal: alice, errorCode: '' };
    for (let i = 0; i < 3; i++) expect((await check.execute(envoyRequest('/v1/chat', { authorization: 'Bearer t1' }))).okResponse).toBeDefined();
    expect(verifier.calls).toEqual(['t1', 't1', 't1']);
    expect(cache.get(credentialDigest('t1'))).toEqual({ principal: alice, expiresAtUnix: 0 });
    await check.execute(envoyRequest('/v1/chat', { authorization: 'Bearer t2' }));
    await check.execute(envoyRequest('/v1/chat', { authorization: 'Bearer t3' }));
    // POLICY_AUTH_CACHE_MAX is 2 here: the oldest entry made room.
    expect(cache.get(credentialDigest('t1'))).toBeUndefined();
  });

  it('never caches beyond the credential\'s own expiry', async () => {
    const { check, verifier } = await setup({ answer: async () => ({ valid: true, principal: alice, errorCode: '', expiresAtUnix: Math.floor(Date.now() / 1000) - 1 }), cacheTtlMs: 60_000 });
    await check.execute(envoyRequest('/v1/chat', { authorization: 'Bearer t' }));
    await check.execute(envoyRequest('/v1/chat', { authorization: 'Bearer t' }));
    expect(verifier.calls).toEqual(['t', 't']);
  });
});

describe('browsers at the edge', () => {
  const navigation = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', 'sec-fetch-mode': 'navigate' };
  const pageOf = (res: CheckResponse) => ({ status: res.deniedResponse!.status!.code, headers: headerMap(res.deniedResponse!.headers), body: res.deniedResponse!.body });

  it('sends a navigation without a session, or with one that ended, to sign in and back; API calls keep 401', async () => {
    const { check } = await setup({ answer: async () => ({ valid: false, principal: undefined, errorCode: 'session_unknown' }) });
    for (const headers of [navigation, { ...navigation, cookie: 'airlock_session=gone' }]) {
      const res = await check.execute(envoyRequest('/usage?days=7', { ...headers, 'x-correlation-id': 'corr-nav-0001' }, 'GET'));
      expect(res.status!.code).toBe(GrpcStatus.UNAUTHENTICATED);
      expect(pageOf(res)).toEqual({
        status: StatusCode.Found,
        headers: { location: '/auth/login?return_to=%2Fusage%3Fdays%3D7', 'cache-control': 'no-store', 'x-correlation-id': 'corr-nav-0001' },
        body: '',
      });
    }
    const api = await check.execute(envoyRequest('/api/identity/v1/me', { accept: 'application/json', 'sec-fetch-mode': 'cors' }, 'GET'));
    expect([api.deniedResponse!.status!.code, body(api).error.code]).toEqual([StatusCode.Unauthorized, 'unauthenticated']);
  });

  it("answers a denied navigation with a page in the browser's language, an API call with the envelope", async () => {
    const { check } = await setup({ answer: async () => ({ valid: true, errorCode: '', principal: { ...alice, roles: ['developer'] } }) });
    const ko = pageOf(await check.execute(envoyRequest('/api/policy/v1/bundles', { ...navigation, cookie: 'airlock_session=s', 'accept-language': 'ko-KR,ko;q=0.9,en;q=0.8' }, 'GET')));
    expect(ko.status).toBe(StatusCode.Forbidden);
    expect(ko.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'content-language': 'ko', 'cache-control': 'no-store' });
    expect(ko.body).toContain('접근이 거부되었습니다');
    expect(ko.body).toContain('<code>forbidden</code>');
    const en = pageOf(await check.execute(envoyRequest('/api/policy/v1/bundles', { ...navigation, cookie: 'airlock_session=s', 'accept-language': 'en-US' }, 'GET')));
    expect(en.body).toContain('Access denied');
    const api = await check.execute(envoyRequest('/api/policy/v1/bundles', { cookie: 'airlock_session=s', accept: 'application/json' }, 'GET'));
    expect(body(api).error).toMatchObject({ code: 'forbidden' });
  });

  it('gives the gateway the grant of a declared MCP server the caller may use, and refuses any other with 403, audited', async () => {
    const recorded: PolicyEvent[] = [];
    const audit = { record: async (e: PolicyEvent) => void recorded.push(e) } as unknown as PolicyAudit;
    const { check } = await setup({ audit });
    const ok = (await check.execute(envoyRequest('/mcp/reference', { authorization: 'Bearer t', 'x-airlock-mcp-server': 'forged' }))).okResponse!;
    expect(decodeMcpGrant(headerMap(ok.headers)['x-airlock-mcp-server'])).toMatchObject({ name: 'reference', deny: ['delete_file'], writeTools: ['write_file'] });
    expect(ok.headersToRemove).not.toContain('x-airlock-mcp-server');

    const refused = await check.execute(envoyRequest('/mcp/payroll', { authorization: 'Bearer t', 'x-correlation-id': 'corr-mcp-0001' }));
    expect(refused.deniedResponse!.status).toEqual({ code: StatusCode.Forbidden });
    expect(body(refused)).toEqual({ error: { code: 'mcp_server_not_allowed', message: 'MCP server "payroll" is not declared', correlation_id: 'corr-mcp-0001', retryable: false } });
    expect(recorded).toEqual([
      expect.objectContaining({ type: 'mcp.server_refused', outcome: 'denied', actor: 'u-alice', endpoint: '/mcp/payroll', statusCode: 403, action: 'POST MCP server "payroll" is not declared' }),
    ]);
  });

  it('refuses a cookie-authenticated write from another site with 403 csrf_rejected, audited; bearer tokens and our own pages pass', async () => {
    const recorded: PolicyEvent[] = [];
    const audit = { record: async (e: PolicyEvent) => void recorded.push(e) } as unknown as PolicyAudit;
    const { check, counted } = await setup({ audit });
    const write = (headers: Record<string, string>) => check.execute(envoyRequest('/api/workspace/v1/workspaces?x=1', { 'content-type': 'application/json', ...headers }, 'POST'));

    const refused = await write({ cookie: 'airlock_session=s', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'x-correlation-id': 'corr-csrf-001' });
    expect(refused.status!.code).toBe(GrpcStatus.PERMISSION_DENIED);
    expect(refused.deniedResponse!.status).toEqual({ code: StatusCode.Forbidden });
    expect(body(refused)).toEqual({ error: { code: 'csrf_rejected', message: expect.any(String), correlation_id: 'corr-csrf-001', retryable: false } });
    expect(recorded).toEqual([
      { type: 'edge.csrf_rejected', outcome: 'denied', actor: 'u-alice', tenantId: 't-bank', clientIp: '203.0.113.7', action: 'POST sec-fetch-site: cross-site', endpoint: '/api/workspace/v1/workspaces', statusCode: 403 },
    ]);
    expect(counted).toEqual([['deny', '/api/workspace/v1/']]);
    expect(body(await write({ cookie: 'airlock_session=s', origin: 'https://evil.example' })).error.code).toBe('csrf_rejected');

    for (const headers of [
      { cookie: 'airlock_session=s', origin: 'https://airlock.example', 'sec-fetch-site': 'same-origin' } as Record<string, string>,
      { cookie: 'airlock_session=s' },
      { authorization: 'Bearer t', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    ]) {
      expect((await write(headers)).status!.code).toBe(GrpcStatus.OK);
    }
    expect(recorded).toHaveLength(2);
  });
});

describe('identity assertion (x-airlock-identity)', () => {
  const assertionOf = (res: CheckResponse) => headerMap(res.okResponse!.headers)['x-airlock-identity'];

  it('signs the verified principal over whatever the client sent, so services can tell the edge set it', async () => {
    const { check, services } = await setup();
    const res = await check.execute(envoyRequest('/v1/chat', { authorization: 'Bearer t', 'x-airlock-identity': 'forged.by.client' }));
    expect(assertionOf(res)).not.toBe('forged.by.client');
    // The principal identity verified, with its kind as a name.
    expect(await services.verify(assertionOf(res))).toMatchObject({ ...alice, kind: 'user' });
    const denied = await check.execute(envoyRequest('/api/policy/v1/bundles/active', { authorization: 'Bearer t' }, 'GET'));
    expect(denied.okResponse).toBeUndefined();
    expect(headerMap(denied.deniedResponse!.headers)).not.toHaveProperty('x-airlock-identity');
  });

  it('names the credential the caller used, and its expiry, for services that show it (identity\'s /me)', async () => {
    const expiresAtUnix = Math.floor(Date.now() / 1000) + 1_800;
    const { check, services } = await setup({ answer: async () => ({ valid: true, principal: alice, errorCode: '', expiresAtUnix }) });
    const bySession = await check.execute(envoyRequest('/v1/chat', { cookie: 'airlock_session=sess-1' }));
    expect(await services.verify(assertionOf(bySession))).toMatchObject({ userId: 'u-alice', auth: 'session', authExpiresAt: expiresAtUnix });
    const byToken = await check.execute(envoyRequest('/v1/chat', { authorization: 'Bearer t' }));
    expect(await services.verify(assertionOf(byToken))).toMatchObject({ userId: 'u-alice', auth: 'token', authExpiresAt: expiresAtUnix });
    // The same principal through two credentials: two assertions, each naming its own.
    expect(assertionOf(byToken)).not.toBe(assertionOf(bySession));
  });

  it('asserts a service account as one', async () => {
    const indexer = { ...alice, subject: 'sa-rag', userId: 'svc-rag-indexer', roles: ['rag-indexer'], kind: PrincipalKind.PRINCIPAL_KIND_SERVICE_ACCOUNT };
    const { check, services } = await setup({ answer: async () => ({ valid: true, errorCode: '', principal: indexer }) });
    const res = await check.execute(envoyRequest('/v1/rag/index', { authorization: 'Bearer t' }));
    expect(await services.verify(assertionOf(res))).toMatchObject({ subject: 'sa-rag', userId: 'svc-rag-indexer', kind: 'service_account', roles: ['rag-indexer'] });
  });

  it('reuses one assertion per principal within POLICY_ASSERTION_REUSE_MS, never across principals', async () => {
    const { issuer, services } = await setup();
    const t0 = Date.now() - 10_000;
    const first = issuer.assertionFor(alice, t0)!;
    expect(issuer.assertionFor({ ...alice }, t0 + 9_999)).toBe(first);
    expect(issuer.assertionFor({ ...alice, userId: 'u-bob', subject: 'u-bob' }, t0)).not.toBe(first);
    expect(issuer.assertionFor({ ...alice, roles: ['developer', 'auditor'] }, t0)).not.toBe(first);
    const renewed = issuer.assertionFor(alice, t0 + 10_000)!;
    expect(renewed).not.toBe(first);
    expect((await services.verify(renewed)).issuedAt).toBe(Math.floor((t0 + 10_000) / 1000));
  });

  it('signs every request when POLICY_ASSERTION_REUSE_MS is 0', async () => {
    const { check, services } = await setup({ assertionReuseMs: 0 });
    const [a, b] = [await check.execute(envoyRequest('/v1/chat', { authorization: 'Bearer t' })), await check.execute(envoyRequest('/v1/chat', { authorization: 'Bearer t' }))];
    const [ida, idb] = [await services.verify(assertionOf(a)), await services.verify(assertionOf(b))];
    expect(ida.assertionId).not.toBe(idb.assertionId);
  });

  it('sends no assertion, and strips the client\'s, for a principal that cannot be asserted', async () => {
    const { check, issuer } = await setup({ answer: async () => ({ valid: true, errorCode: '', principal: { ...alice, tenantId: 't\r\nx-evil: 1' } }) });
    expect(issuer.assertionFor({ ...alice, userId: '' })).toBeUndefined();
    const ok = (await check.execute(envoyRequest('/v1/chat', { authorization: 'Bearer t', 'x-airlock-identity': 'forged.by.client' }))).okResponse!;
    expect(headerMap(ok.headers)).not.toHaveProperty('x-airlock-identity');
    expect(ok.headersToRemove).toEqual(expect.arrayContaining(['x-tenant-id', 'x-airlock-identity']));
  });

  it('refuses to start with an unusable key file; in dev creates one (0600) and keeps using it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'policy-assertion-'));
    try {
      const file = path.join(dir, 'assertion-key.pem');
      const error = await issuerWith({ POLICY_ASSERTION_KEY_FILE: file }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        { variable: 'POLICY_ASSERTION_KEY_FILE', message: expect.stringContaining('POLICY_ASSERTION_GENERATE_KEY=true') },
      ]);
      const created = await issuerWith({ POLICY_ASSERTION_KEY_FILE: file, POLICY_ASSERTION_GENERATE_KEY: true });
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const reloaded = await issuerWith({ POLICY_ASSERTION_KEY_FILE: file });
      expect(reloaded.jwks).toEqual(created.jwks);
      await expect(AssertionVerifier.fromJwks(reloaded.jwks).verify(created.assertionFor(alice))).resolves.toMatchObject({ userId: 'u-alice' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
