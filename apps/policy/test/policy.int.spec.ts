import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { airlock, envoy } from '@airlock/contracts';
import { GrpcStatus, checkHealth, createClient, unary } from '@airlock/grpc';
import { AssertionVerifier } from '@airlock/identity-assertion';
import { bootService, type RunningService } from '@airlock/runtime';
import {
  Browser,
  createTestDatabase,
  eventually,
  formAction,
  freePort,
  grpcServing,
  seedUsers,
  startBuiltService,
  startDevIdp,
  startInfra,
  totp,
  uniquePrefix,
  withRedisUser,
  type BuiltService,
  type RunningDevIdp,
  type TestDatabase,
} from '@airlock/testing';
import { policyService } from '../src/service';

/** Airlock's public origin (Envoy); the browser's requests to it are served by identity's HTTP port. */
const PUBLIC = 'https://localhost:8443';

/** One Prometheus text exposition from `port`, without keep-alive (an idle socket would outlive the test). */
const scrape = (port: number) =>
  new Promise<string>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve(body));
      })
      .on('error', reject);
  });

const { PrincipalKind } = airlock.identity.v1;
const { StatusCode } = envoy.type.v3;
type CheckResponse = envoy.service.auth.v3.CheckResponse;

type ErrorBody = { error: { code: string; message: string; correlation_id: string; retryable: boolean } };
type SimulateBody = { decision: Record<string, unknown>; explanations: string[] };
const json = <T = ErrorBody>(res: Response) => res.json() as Promise<T>;
const headerMap = (options: envoy.config.core.v3.HeaderValueOption[] = []) => Object.fromEntries(options.map((o) => [o.header!.key, o.header!.value]));

describe('policy ext_authz + PolicyService against the real identity service (from its build) and the dev IdP', () => {
  let dir: string;
  let db: TestDatabase;
  let idp: RunningDevIdp;
  let identity: BuiltService;
  let identityMetricsPort: number;
  let policy: RunningService;
  let metricsPort: number;
  let identityClient: airlock.identity.v1.IdentityServiceClient;
  let authz: envoy.service.auth.v3.AuthorizationClient;
  let policyClient: airlock.policy.v1.PolicyServiceClient;

  const issue = async (roles: string[], kind = PrincipalKind.PRINCIPAL_KIND_USER) =>
    (
      await unary(identityClient.issueToken.bind(identityClient), {
        principal: { subject: '', userId: 'u-alice', tenantId: 't-bank', projectId: 'p-pay', workspaceId: '', roles, kind },
        ttlSeconds: 300,
      })
    ).accessToken;

  /** What Envoy 1.36 sends for `POST https://airlock.example/<path>` (headers lower-cased, peer address). */
  const check = (path: string, headers: Record<string, string>, method = 'POST'): Promise<CheckResponse> =>
    unary(
      authz.check.bind(authz),
      envoy.service.auth.v3.CheckRequest.fromPartial({
        attributes: {
          source: { address: { socketAddress: { address: '198.51.100.23', portValue: 50123 } } },
          destination: { address: { socketAddress: { address: '127.0.0.1', portValue: 8443 } } },
          request: {
            time: new Date(),
            http: {
              id: '9d1f0a7e-request-id',
              method,
              path,
              host: 'airlock.example',
              scheme: 'https',
              protocol: 'HTTP/2',
              size: -1,
              headers: {
                ':authority': 'airlock.example',
                ':method': method,
                ':path': path,
                ':scheme': 'https',
                'content-type': 'application/json',
                'user-agent': 'curl/8.5.0',
                'x-forwarded-proto': 'https',
                'x-request-id': '9d1f0a7e-request-id',
                ...headers,
              },
            },
          },
        },
      }),
    );

  beforeAll(async () => {
    const infra = await startInfra({ components: ['redis', 'postgres'] });
    db = await createTestDatabase(infra, 'policy_int');
    const prefix = `${uniquePrefix('policy_int')}:`;
    dir = mkdtempSync(path.join(os.tmpdir(), 'airlock-policy-int-'));
    const identityGrpcPort = await freePort();
    metricsPort = await freePort();
    identityMetricsPort = await freePort();
    // Browser sessions come from a real sign-in: alice (acme/payments, TOTP enrolled) at the dev IdP.
    idp = await startDevIdp({ dir, redirectUri: `${PUBLIC}/auth/callback`, postLogoutRedirectUri: `${PUBLIC}/auth/login` });
    // Policy first: the process's one telemetry SDK (and so /metrics) takes the first service's METRICS_PORT.
    policy = await bootService(policyService, {
      MTLS_OFF_FOR_DEVELOPMENT: 'true',
      GRPC_PORT: String(await freePort()),
      HTTP_PORT: String(await freePort()),
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'warn',
      IDENTITY_ADDR: `127.0.0.1:${identityGrpcPort}`,
      // A long TTL: revocations must reach the cache through identity's channel, not by expiry.
      POLICY_AUTH_CACHE_TTL_MS: '600000',
      ...(await withRedisUser(infra.redis, 'policy', { IDENTITY_REVOCATION_CHANNEL: `${prefix}revocations` })),
      POLICY_ASSERTION_KEY_FILE: path.join(dir, 'assertion-key.pem'),
      POLICY_ASSERTION_GENERATE_KEY: 'true',
    });
    identity = await startBuiltService({
      app: 'identity',
      env: {
        MTLS_OFF_FOR_DEVELOPMENT: 'true',
        GRPC_PORT: String(identityGrpcPort),
        METRICS_PORT: String(identityMetricsPort),
        LOG_LEVEL: 'warn',
        ...(await withRedisUser(infra.redis, 'identity', { REDIS_PREFIX: prefix })),
        ...db.env,
        IDENTITY_SIGNING_KEY_FILE: path.join(dir, 'signing.pem'),
        IDENTITY_GENERATE_KEY: 'true',
        IDENTITY_ALLOW_ISSUE: 'true',
        // Identity's own API trusts the edge's assertion, signed by this policy service.
        IDENTITY_ASSERTION_JWKS_URL: `http://${policy.httpAddress}/api/policy/v1/assertion/jwks.json`,
        OIDC_ISSUER: idp.issuer,
        OIDC_CLIENT_ID: idp.clientId,
        OIDC_CLIENT_SECRET: idp.clientSecret,
        OIDC_REDIRECT_URI: `${PUBLIC}/auth/callback`,
        OIDC_POST_LOGOUT_REDIRECT_URI: `${PUBLIC}/auth/login`,
      },
      ready: grpcServing('airlock.identity.v1.IdentityService'),
    });
    identityClient = createClient(airlock.identity.v1.IdentityServiceClient, identity.grpcAddress);
    authz = createClient(envoy.service.auth.v3.AuthorizationClient, policy.grpcAddress);
    policyClient = createClient(airlock.policy.v1.PolicyServiceClient, policy.grpcAddress);
  }, 120_000);

  afterAll(async () => {
    identityClient?.close();
    authz?.close();
    policyClient?.close();
    await policy?.close();
    await identity?.stop();
    await idp?.stop();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports SERVING for both services and for each of policy\'s gRPC services', async () => {
    expect(await checkHealth(identity.grpcAddress, 'airlock.identity.v1.IdentityService')).toBe('SERVING');
    expect(await checkHealth(policy.grpcAddress)).toBe('SERVING');
    expect(await checkHealth(policy.grpcAddress, 'airlock.policy.v1.PolicyService')).toBe('SERVING');
    expect(await checkHealth(policy.grpcAddress, 'envoy.service.auth.v3.Authorization')).toBe('SERVING');
  });

  it('allows a valid token and tells Envoy the identity, route and headers to strip', async () => {
    const token = await issue(['developer']);
    const res = await check('/v1/chat/completions?stream=true', { authorization: `Bearer ${token}`, 'x-correlation-id': 'corr-int-0001', 'x-user-id': 'forged' });
    expect(res.status?.code).toBe(GrpcStatus.OK);
    expect(res.deniedResponse).toBeUndefined();
    expect(headerMap(res.okResponse?.headers)).toEqual({
      'x-correlation-id': 'corr-int-0001',
      'x-user-id': 'u-alice',
      'x-tenant-id': 't-bank',
      'x-project-id': 'p-pay',
      'x-airlock-roles': 'developer',
      'x-airlock-principal-kind': 'user',
      'x-airlock-route-backend': 'chat',
      'x-airlock-route-model': 'reference-chat',
      'x-airlock-identity': expect.any(String),
      'x-airlock-policy-version': '2026.11.21-1',
      'x-airlock-rule-ids': 'ep.chat.allow',
      'x-airlock-model-aliases': 'airlock-chat=chat/reference-chat,airlock-agent=agent/reference-chat',
    });
    expect(res.okResponse?.headers.every((h) => h.appendAction === 2)).toBe(true);
    expect(res.okResponse?.headersToRemove).toEqual(['authorization', 'x-api-key', 'x-workspace-id', 'x-airlock-audit-mode', 'x-airlock-mcp-server']);
    // The default bundle limits chat per user and per project: the client learns its quota (draft-11 fields).
    expect(headerMap(res.okResponse?.responseHeadersToAdd)).toEqual({
      'x-correlation-id': 'corr-int-0001',
      'ratelimit-policy': '"rl.ai.user";q=60;w=12, "rl.ai.project";q=600;w=6',
      ratelimit: expect.stringMatching(/^"rl\.ai\.user";r=\d+;t=\d+, "rl\.ai\.project";r=\d+;t=\d+$/),
    });
  });

  it('signs x-airlock-identity with the key file; services verify it with the JWKS on policy\'s HTTP port', async () => {
    const res = await check('/v1/chat', { authorization: `Bearer ${await issue(['developer'])}` });
    const jwksUrl = `http://${policy.httpAddress}/api/policy/v1/assertion/jwks.json`;
    const served = await fetch(jwksUrl);
    expect(served.headers.get('cache-control')).toBe('public, max-age=300');
    expect(await served.json()).toEqual({ keys: [expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' })] });
    expect(readFileSync(path.join(dir, 'assertion-key.pem'), 'utf8')).toContain('PRIVATE KEY');
    const identity = await AssertionVerifier.fromJwks(jwksUrl).verify(headerMap(res.okResponse?.headers)['x-airlock-identity']);
    expect(identity).toMatchObject({ userId: 'u-alice', tenantId: 't-bank', projectId: 'p-pay', workspaceId: '', roles: ['developer'], kind: 'user' });
    expect(identity.expiresAt - identity.issuedAt).toBe(60);
  });

  it('answers 401 with the error envelope for a bad token, 403 for a policy deny', async () => {
    const bad = await check('/v1/chat', { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' });
    expect(bad.status?.code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(bad.deniedResponse?.status?.code).toBe(StatusCode.Unauthorized);
    expect(headerMap(bad.deniedResponse?.headers)).toMatchObject({ 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
    const error = JSON.parse(bad.deniedResponse!.body).error;
    expect(error).toMatchObject({ code: 'token_invalid_signature', retryable: false });
    expect(error.correlation_id).toBe(headerMap(bad.deniedResponse?.headers)['x-correlation-id']);

    const none = await check('/v1/chat', {});
    expect(JSON.parse(none.deniedResponse!.body).error.code).toBe('unauthenticated');

    const analyst = await issue(['analyst']);
    const denied = await check('/v1/agent', { authorization: `Bearer ${analyst}` });
    expect(denied.status?.code).toBe(GrpcStatus.PERMISSION_DENIED);
    expect(denied.deniedResponse?.status?.code).toBe(StatusCode.Forbidden);
    expect(JSON.parse(denied.deniedResponse!.body).error).toMatchObject({ code: 'forbidden', retryable: false });
  });

  const deniedCode = (res: CheckResponse) => (res.deniedResponse ? (JSON.parse(res.deniedResponse.body) as ErrorBody).error.code : 'allowed');
  /** Revocation reaches policy's cache asynchronously (Redis pub/sub): wait for Check to answer `code`. */
  const answersSoon = (code: string, path: string, headers: Record<string, string>) =>
    eventually(`Check ${path} → ${code}`, async () => (deniedCode(await check(path, headers)) === code ? true : undefined), 10_000);

  /** How many VerifyToken calls identity has answered: its `airlock_grpc_server_duration_seconds` count. */
  const identityVerifyTokenCalls = async () =>
    (await scrape(identityMetricsPort))
      .split('\n')
      .filter((line) => line.startsWith('airlock_grpc_server_duration_seconds_count{') && line.includes('method="/airlock.identity.v1.IdentityService/VerifyToken"'))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);

  it('answers 401 token_revoked once the token is revoked, although its principal was cached', async () => {
    const token = await issue(['developer']);
    const before = await identityVerifyTokenCalls();
    expect((await check('/v1/chat', { authorization: `Bearer ${token}` })).status?.code).toBe(GrpcStatus.OK);
    expect(await identityVerifyTokenCalls()).toBe(before + 1);
    // Asked again, policy answers from its cached principal without asking identity: the cache is in use.
    expect((await check('/v1/chat', { authorization: `Bearer ${token}` })).status?.code).toBe(GrpcStatus.OK);
    expect(await identityVerifyTokenCalls()).toBe(before + 1);
    // The operator's revocation: identity forgets the token and announces it.
    expect(await unary(identityClient.revokeToken.bind(identityClient), { token })).toEqual({ wasLive: true });
    // The announcement travels through Redis pub/sub; the cache TTL (10 min here) plays no part.
    await answersSoon('token_revoked', '/v1/chat', { authorization: `Bearer ${token}` });
    const res = await check('/v1/chat', { authorization: `Bearer ${token}` });
    expect(res.deniedResponse?.status?.code).toBe(StatusCode.Unauthorized);
  });

  it('authenticates the airlock_session cookie of a real sign-in and stops at once after logout', async () => {
    const browser = new Browser({ [PUBLIC]: { target: `http://${identity.httpAddress}`, forwardedFor: '203.0.113.5' } });
    const alice = seedUsers().find((u) => u.username === 'alice')!;
    let page = await browser.followWithin(idp.issuer, await browser.get(`${PUBLIC}/auth/login?return_to=%2F`));
    page = await browser.followWithin(idp.issuer, await browser.submit(formAction(page), { username: alice.username, password: alice.password }));
    page = await browser.followWithin(idp.issuer, await browser.submit(formAction(page), { code: totp(alice.totpSecret!) }));
    expect(page.location).toMatch(new RegExp(`^${PUBLIC}/auth/callback\\?`));
    expect((await browser.get(page.location!)).status).toBe(302);
    const id = browser.cookie(PUBLIC, 'airlock_session')?.value;
    if (!id) throw new Error(`no session cookie after the callback:\n${identity.output().slice(-2_000)}`);
    const ok = await check('/v1/chat', { cookie: `theme=dark; airlock_session=${id}` });
    expect(headerMap(ok.okResponse?.headers)).toMatchObject({ 'x-user-id': 'alice', 'x-tenant-id': 'acme', 'x-project-id': 'payments', cookie: 'theme=dark' });
    expect((await browser.post(`${PUBLIC}/auth/logout`)).status).toBe(303);
    await answersSoon('session_unknown', '/v1/chat', { cookie: `airlock_session=${id}` });
    expect(deniedCode(await check('/v1/chat', { cookie: 'airlock_session=not-a-session' }))).toBe('session_malformed');
  });

  it('authenticates an opaque API token made through identity\'s token API, and refuses it once revoked', async () => {
    const api = `http://${identity.httpAddress}/api/identity/v1/tokens`;
    // The headers Envoy sets from a verified security-admin's principal.
    // What Envoy forwards for a verified security-admin: the headers of Check's answer, the signed assertion among them.
    const { accessToken } = await unary(identityClient.issueToken.bind(identityClient), {
      principal: { subject: '', userId: 'carol', tenantId: 'acme', projectId: '', workspaceId: '', roles: ['security-admin'], kind: PrincipalKind.PRINCIPAL_KIND_USER },
      ttlSeconds: 300,
    });
    const allowed = await check('/api/identity/v1/tokens', { authorization: `Bearer ${accessToken}` });
    const edge = { ...headerMap(allowed.okResponse?.headers), 'content-type': 'application/json' };
    const created = await fetch(api, { method: 'POST', headers: edge, body: JSON.stringify({ name: 'indexer', type: 'service_account', service_account: 'rag-indexer' }) });
    expect(created.status).toBe(201);
    const { token, id } = (await created.json()) as { token: string; id: string };
    const ok = await check('/v1/rag/index', { authorization: `Bearer ${token}` });
    expect(ok.status?.code).toBe(GrpcStatus.OK);
    expect(headerMap(ok.okResponse?.headers)).toMatchObject({ 'x-user-id': 'svc-rag-indexer', 'x-tenant-id': 'acme', 'x-airlock-roles': 'rag-indexer', 'x-airlock-principal-kind': 'service_account' });
    expect((await fetch(`${api}/${id}`, { method: 'DELETE', headers: edge })).status).toBe(204);
    await answersSoon('token_revoked', '/v1/rag/index', { authorization: `Bearer ${token}` });
    expect(deniedCode(await check('/v1/rag/index', { authorization: `Bearer alk_${'x'.repeat(43)}` }))).toBe('token_unknown');
  });

  it('serves PolicyService Decide and Simulate', async () => {
    const context = {
      principal: { subject: 'sa-rag', userId: 'sa-rag', tenantId: 't', projectId: '', workspaceId: '', roles: ['rag-indexer'], kind: PrincipalKind.PRINCIPAL_KIND_SERVICE_ACCOUNT },
      endpoint: '/v1/rag/index',
      method: 'POST',
      clientIp: '',
      correlationId: '',
      branch: '',
      requestedModel: '',
    };
    const { decision } = await unary(policyClient.decide.bind(policyClient), { context });
    expect(decision).toMatchObject({ allow: true, reasonCode: 'allowed', policyVersion: '2026.11.21-1', ruleIds: ['ep.rag.index.allow'] });
    const sim = await unary(policyClient.simulate.bind(policyClient), { context: { ...context, endpoint: '/v1/chat' } });
    expect(sim.decision).toMatchObject({ allow: false, reasonCode: 'kind_not_allowed', ruleIds: ['ep.chat.allow', 'ep.chat.analyst.allow'] });
    expect(sim.explanations.join('\n')).toContain('service_account');
    const developer = { ...context.principal, kind: PrincipalKind.PRINCIPAL_KIND_USER, roles: ['developer'] };
    const models = await unary(policyClient.listModels.bind(policyClient), { context: { ...context, principal: developer } });
    expect(models).toEqual({
      policyVersion: '2026.11.21-1',
      models: [
        { alias: 'airlock-chat', backend: 'chat', model: 'reference-chat' },
        { alias: 'airlock-code', backend: 'autocomplete', model: 'reference-code' },
        { alias: 'airlock-agent', backend: 'agent', model: 'reference-chat' },
        { alias: 'airlock-embed', backend: 'embeddings', model: 'reference-embed' },
      ],
    });
  });

  it('serves the Policy API over HTTP to callers the edge identified: the headers its own ext_authz answer set', async () => {
    const base = `http://${policy.httpAddress}/api/policy/v1`;
    const anonymous = await fetch(`${base}/bundles/active`);
    expect(anonymous.status).toBe(401);
    expect((await json(anonymous)).error).toMatchObject({ code: 'unauthenticated', retryable: false });

    // What Envoy forwards after Check allowed an auditor: plain identity headers and the signed assertion.
    const auditor = await issue(['auditor']);
    const forwarded = async (route: string, method: string) => {
      const res = await check(`/api/policy/v1${route}`, { authorization: `Bearer ${auditor}` }, method);
      expect(res.status?.code).toBe(GrpcStatus.OK);
      return headerMap(res.okResponse?.headers);
    };
    const readHeaders = await forwarded('/bundles/active', 'GET');
    const active = await fetch(`${base}/bundles/active`, { headers: readHeaders });
    expect(active.status).toBe(200);
    expect(await json<unknown>(active)).toMatchObject({ version: '2026.11.21-1', defaultRule: { id: 'default.deny' } });
    // The same plain headers without the assertion are anybody's.
    const plain = Object.fromEntries(Object.entries(readHeaders).filter(([name]) => name !== 'x-airlock-identity'));
    expect(plain).toMatchObject({ 'x-user-id': 'u-alice', 'x-airlock-roles': 'auditor' });
    expect((await fetch(`${base}/bundles/active`, { headers: plain })).status).toBe(401);

    const simulateHeaders = { ...(await forwarded('/simulate', 'POST')), 'content-type': 'application/json' };
    const simulate = (body: string) => fetch(`${base}/simulate`, { method: 'POST', headers: simulateHeaders, body });
    const sim = await simulate(JSON.stringify({ principal: { user_id: 'u-1', tenant_id: 't', roles: ['developer'], kind: 'user' }, endpoint: '/v1/autocomplete?x=1', method: 'POST' }));
    expect(sim.status).toBe(200);
    const simBody = await json<SimulateBody>(sim);
    expect(simBody.decision).toEqual({
      allow: true,
      reasonCode: 'allowed',
      policyVersion: '2026.11.21-1',
      ruleIds: ['ep.autocomplete.allow'],
      route: { backend: 'autocomplete', model: 'reference-code' },
      highRisk: false,
      modelAliases: [{ alias: 'airlock-code', backend: 'autocomplete', model: 'reference-code' }],
    });
    expect(simBody.explanations.length).toBeGreaterThan(1);

    const wrongShape = await simulate(JSON.stringify({ principal: { roles: 'developer' } }));
    expect(wrongShape.status).toBe(400);
    const wrongBody = await json(wrongShape);
    expect(wrongBody.error).toMatchObject({ code: 'invalid_request', retryable: false });
    expect(wrongBody.error.message).toMatch(/endpoint/);
    expect(wrongShape.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);

    const notJson = await simulate('{ nope');
    expect(notJson.status).toBe(400);
    expect((await json(notJson)).error).toMatchObject({ code: 'bad_request' });
  });

  it('counts decisions in airlock_policy_decisions_total', async () => {
    const text = await scrape(metricsPort);
    expect(text).toMatch(/airlock_policy_decisions_total\{[^}]*decision="allow"[^}]*endpoint="\/v1\/chat"[^}]*\} \d+/);
    expect(text).toMatch(/airlock_policy_decisions_total\{[^}]*decision="unauthenticated"/);
  });

  it('fails closed with 503 identity_unavailable once identity is down, within Envoy\'s 1 s budget', async () => {
    const token = await issue(['developer']);
    await identity.stop();
    const started = Date.now();
    const res = await check('/v1/chat', { authorization: `Bearer ${token}` });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(res.status?.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(res.deniedResponse?.status?.code).toBe(StatusCode.ServiceUnavailable);
    expect(JSON.parse(res.deniedResponse!.body).error).toMatchObject({ code: 'identity_unavailable', retryable: true });
  });
});
