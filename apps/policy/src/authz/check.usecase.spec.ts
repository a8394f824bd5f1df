import { airlock, envoy } from '@airlock/contracts';
import { GrpcStatus } from '@airlock/grpc';
import { createLogger } from '@airlock/telemetry';
import { ActiveBundle } from '../bundle/active-bundle';
import { DEFAULT_BUNDLE_FILE, loadBundleFile } from '../bundle/bundle';
import type { DecisionLabel, DecisionMetrics } from '../decision/decision-metrics';
import { CheckRequestUseCase } from './check.usecase';
import type { TokenVerifier } from './identity-client';

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

class FakeVerifier {
  calls: string[] = [];
  constructor(private readonly answer: (token: string) => Promise<airlock.identity.v1.VerifyTokenResponse>) {}
  verify(token: string) {
    this.calls.push(token);
    return this.answer(token);
  }
}

const valid = async () => ({ valid: true, principal: alice, errorCode: '' });
const bundle = loadBundleFile(DEFAULT_BUNDLE_FILE);

function setup(answer: (token: string) => Promise<airlock.identity.v1.VerifyTokenResponse> = valid) {
  const counted: [DecisionLabel, string][] = [];
  const metrics = { count: (d: DecisionLabel, e: string) => void counted.push([d, e]) } as unknown as DecisionMetrics;
  const verifier = new FakeVerifier(answer);
  const active = new ActiveBundle({ POLICY_BUNDLE_FILE: { path: DEFAULT_BUNDLE_FILE, bundle } } as never);
  const check = new CheckRequestUseCase(active, verifier as unknown as TokenVerifier, metrics, createLogger('policy-test', 'silent' as never));
  return { check, verifier, counted };
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
    const { check, verifier, counted } = setup();
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
      'x-airlock-route-backend': 'chat',
      'x-airlock-route-model': 'reference-chat',
      'x-airlock-policy-version': '2026.11.21-1',
      'x-airlock-rule-ids': 'ep.chat.allow',
    });
    expect(ok.headers.every((h) => h.appendAction === AppendAction.OVERWRITE_IF_EXISTS_OR_ADD)).toBe(true);
    // Empty workspace: removed, so the client's forged value cannot reach the upstream.
    expect(ok.headersToRemove).toEqual(['authorization', 'x-workspace-id']);
    expect(headerMap(ok.responseHeadersToAdd)).toEqual({ 'x-correlation-id': 'corr-12345678' });
    expect(counted).toEqual([['allow', '/v1/chat']]);
    // The response survives a protobuf round trip (what grpc-js does with it).
    expect(envoy.service.auth.v3.CheckResponse.decode(envoy.service.auth.v3.CheckResponse.encode(res).finish()).okResponse?.headers).toHaveLength(8);
  });

  it('removes route headers when the allowing rule has no route', async () => {
    const { check } = setup(async () => ({ valid: true, errorCode: '', principal: { ...alice, roles: ['auditor'] } }));
    const ok = (await check.execute(envoyRequest('/api/policy/v1/bundles/active', { authorization: 'Bearer t' }, 'GET'))).okResponse!;
    expect(ok.headersToRemove).toEqual(['authorization', 'x-workspace-id', 'x-airlock-route-backend', 'x-airlock-route-model']);
    expect(headerMap(ok.headers)['x-airlock-rule-ids']).toBe('api.policy.read.allow');
  });

  it('answers 401 with the envelope when the token is missing, without asking identity', async () => {
    const { check, verifier, counted } = setup();
    for (const authorization of [undefined, '', 'Basic dXNlcjpwYXNz', 'Bearer', 'Bearer two words']) {
      const res = await check.execute(envoyRequest('/v1/chat', authorization === undefined ? {} : { authorization }));
      expect(res.status!.code).toBe(GrpcStatus.UNAUTHENTICATED);
      expect(res.okResponse).toBeUndefined();
      expect(res.deniedResponse!.status).toEqual({ code: StatusCode.Unauthorized });
      expect(headerMap(res.deniedResponse!.headers)).toMatchObject({ 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
      expect(body(res).error).toMatchObject({ code: 'unauthenticated', retryable: false });
    }
    expect(verifier.calls).toEqual([]);
    expect(counted[0]).toEqual(['unauthenticated', '/v1/chat']);
  });

  it('answers 401 with identity\'s error code for a bad token', async () => {
    const { check } = setup(async () => ({ valid: false, principal: undefined, errorCode: 'token_revoked' }));
    const res = await check.execute(envoyRequest('/v1/chat', { authorization: 'bearer x.y.z', 'x-correlation-id': 'corr-abcdefgh' }));
    expect(res.status!.code).toBe(16);
    expect(body(res)).toEqual({ error: { code: 'token_revoked', message: expect.any(String), correlation_id: 'corr-abcdefgh', retryable: false } });
    expect(headerMap(res.deniedResponse!.headers)['x-correlation-id']).toBe('corr-abcdefgh');
  });

  it('answers 403 forbidden when policy denies', async () => {
    const { check, counted } = setup(async () => ({ valid: true, errorCode: '', principal: { ...alice, roles: ['analyst'] } }));
    const res = await check.execute(envoyRequest('/v1/agent', { authorization: 'Bearer t' }));
    expect(res.status!.code).toBe(GrpcStatus.PERMISSION_DENIED);
    expect(res.deniedResponse!.status).toEqual({ code: StatusCode.Forbidden });
    expect(body(res).error).toMatchObject({ code: 'forbidden', retryable: false });
    expect(body(res).error.message).toContain('role_not_allowed');
    expect(headerMap(res.deniedResponse!.headers)).not.toHaveProperty('www-authenticate');
    expect(counted).toEqual([['deny', '/v1/agent']]);
  });

  it('fails closed with 503 identity_unavailable (retryable) when identity cannot be asked', async () => {
    const { check, counted } = setup(async () => {
      throw Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 });
    });
    const res = await check.execute(envoyRequest('/v1/chat', { authorization: 'Bearer t' }));
    expect(res.status!.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(res.deniedResponse!.status).toEqual({ code: StatusCode.ServiceUnavailable });
    expect(body(res).error).toMatchObject({ code: 'identity_unavailable', retryable: true });
    expect(counted).toEqual([['unavailable', '/v1/chat']]);
  });

  it('keeps a well-formed correlation id and replaces a missing or forged one', async () => {
    const { check } = setup();
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
    const { check } = setup(async () => ({ valid: true, errorCode: '', principal: { ...alice, projectId: 'p\r\nx-evil: 1' } }));
    const ok = (await check.execute(envoyRequest('/v1/chat', { authorization: 'Bearer t' }))).okResponse!;
    expect(headerMap(ok.headers)).not.toHaveProperty('x-project-id');
    expect(ok.headersToRemove).toContain('x-project-id');
  });
});
