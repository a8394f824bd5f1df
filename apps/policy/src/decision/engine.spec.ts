import { airlock } from '@airlock/contracts';
import { DEFAULT_BUNDLE_FILE, loadBundleFile, type PolicyBundle } from '../bundle/bundle';
import { PolicyEngine, endpointPath } from './engine';

const { PrincipalKind } = airlock.identity.v1;
const USER = PrincipalKind.PRINCIPAL_KIND_USER;
const SA = PrincipalKind.PRINCIPAL_KIND_SERVICE_ACCOUNT;

const bundle = loadBundleFile(DEFAULT_BUNDLE_FILE);
const engine = new PolicyEngine(bundle);

const who = (roles: string[], kind: number = USER): airlock.identity.v1.Principal => ({
  subject: 'u-1',
  userId: 'u-1',
  tenantId: 't-1',
  projectId: '',
  workspaceId: '',
  roles,
  kind,
});
const decide = (roles: string[], endpoint: string, method = 'POST', kind: number = USER) =>
  engine.evaluate({ principal: who(roles, kind), endpoint, method }).decision;

describe('PolicyEngine with the default bundle', () => {
  it('carries the bundle version on every decision', () => {
    expect(bundle.version).toBe('2026.11.21-1');
    expect(decide(['developer'], '/v1/chat').policyVersion).toBe('2026.11.21-1');
    expect(decide([], '/nowhere').policyVersion).toBe('2026.11.21-1');
  });

  it.each([
    ['/v1/chat', ['developer'], 'ep.chat.allow', 'chat', 'reference-chat'],
    ['/v1/chat/completions', ['analyst'], 'ep.chat.allow', 'chat', 'reference-chat'],
    ['/v1/autocomplete', ['developer'], 'ep.autocomplete.allow', 'autocomplete', 'reference-code'],
    ['/v1/agent/runs', ['developer'], 'ep.agent.allow', 'agent', 'reference-chat'],
  ])('allows %s for %j and routes it', (endpoint, roles, ruleId, backend, model) => {
    expect(decide(roles, endpoint)).toEqual({
      allow: true,
      reasonCode: 'allowed',
      policyVersion: bundle.version,
      ruleIds: [ruleId],
      route: { backend, model },
    });
  });

  it('ignores the query string and fragment when matching', () => {
    expect(decide(['developer'], '/v1/chat/completions?model=gpt-evil&x=/v1/agent#frag').ruleIds).toEqual(['ep.chat.allow']);
    expect(decide(['developer'], '/v1/unknown?path=/v1/chat').ruleIds).toEqual(['default.deny']);
  });

  it('matches prefixes by path segment, not by characters', () => {
    const d = decide(['developer'], '/v1/chatty');
    expect(d).toMatchObject({ allow: false, reasonCode: 'endpoint_not_allowed', ruleIds: ['default.deny'] });
  });

  it('denies the agent to anyone but developers', () => {
    expect(decide(['analyst'], '/v1/agent')).toMatchObject({ allow: false, reasonCode: 'role_not_allowed', ruleIds: ['ep.agent.allow'], route: undefined });
    expect(decide(['analyst'], '/v1/chat').allow).toBe(true);
  });

  it('lets only the rag-indexer service account index', () => {
    expect(decide(['rag-indexer'], '/v1/rag/index', 'POST', SA)).toMatchObject({ allow: true, ruleIds: ['ep.rag.index.allow'], route: undefined });
    expect(decide(['rag-indexer'], '/v1/rag/index', 'POST', USER)).toMatchObject({ allow: false, reasonCode: 'kind_not_allowed' });
    expect(decide(['developer'], '/v1/rag/index', 'POST', SA)).toMatchObject({ allow: false, reasonCode: 'role_not_allowed' });
    expect(decide(['developer'], '/v1/chat', 'POST', SA)).toMatchObject({ allow: false, reasonCode: 'kind_not_allowed' });
  });

  it('opens the Policy API to security admins and auditors, GET only (simulate: POST)', () => {
    expect(decide(['auditor'], '/api/policy/v1/bundles/active', 'GET')).toMatchObject({ allow: true, ruleIds: ['api.policy.read.allow'] });
    expect(decide(['security-admin'], '/api/policy/v1/bundles/active', 'get').allow).toBe(true);
    expect(decide(['developer'], '/api/policy/v1/bundles/active', 'GET')).toMatchObject({ allow: false, reasonCode: 'role_not_allowed' });
    expect(decide(['auditor'], '/api/policy/v1/bundles/active', 'DELETE')).toMatchObject({
      allow: false,
      reasonCode: 'method_not_allowed',
      ruleIds: ['default.deny'],
    });
    expect(decide(['auditor'], '/api/policy/v1/simulate', 'POST')).toMatchObject({ allow: true, ruleIds: ['api.policy.simulate.allow'] });
  });

  it('denies by default: unknown endpoints, no principal, unknown kind, non-canonical paths', () => {
    expect(decide(['developer', 'security-admin'], '/v2/anything')).toMatchObject({ allow: false, reasonCode: 'endpoint_not_allowed', ruleIds: ['default.deny'] });
    expect(decide(['developer'], '/')).toMatchObject({ allow: false, ruleIds: ['default.deny'] });
    expect(engine.evaluate({ principal: undefined, endpoint: '/v1/chat', method: 'POST' }).decision).toMatchObject({ allow: false, reasonCode: 'principal_missing' });
    expect(decide(['developer'], '/v1/chat', 'POST', PrincipalKind.PRINCIPAL_KIND_UNSPECIFIED)).toMatchObject({ allow: false, reasonCode: 'kind_not_allowed' });
    for (const sneaky of ['/v1/chat/../agent', '/v1/chat/%2e%2e/agent', '/v1//agent', 'v1/chat', '/v1/chat\\..\\agent', '']) {
      expect(decide(['developer'], sneaky)).toMatchObject({ allow: false, ruleIds: ['default.deny'] });
    }
  });

  it('explains itself only when asked', () => {
    const quiet = engine.evaluate({ principal: who(['analyst']), endpoint: '/v1/agent', method: 'POST' });
    expect(quiet.explanations).toEqual([]);
    const loud = engine.evaluate({ principal: who(['analyst']), endpoint: '/v1/agent', method: 'POST' }, true);
    expect(loud.explanations.join('\n')).toMatch(/governed by ep\.agent\.allow[\s\S]*analyst/);
    expect(engine.evaluate({ principal: who([]), endpoint: '/x', method: 'GET' }, true).explanations.join('\n')).toContain('default rule default.deny denies');
  });

  it('labels metrics with the rule prefix, never the raw path', () => {
    expect(engine.evaluate({ principal: who(['developer']), endpoint: '/v1/chat/completions?x=1', method: 'POST' }).endpoint).toBe('/v1/chat');
    expect(engine.endpointLabel('/v1/agent/123456')).toBe('/v1/agent');
    expect(engine.endpointLabel('/random/42')).toBe('unmatched');
  });
});

describe('PolicyEngine rule selection', () => {
  const custom: PolicyBundle = {
    version: 't-1',
    defaultRule: { id: 'default.deny', reasonCode: 'endpoint_not_allowed' },
    rules: [
      { id: 'wide', match: { pathPrefix: '/v1/' }, allow: { kinds: ['user'], roles: ['any'] }, route: { backend: 'wide', model: 'm' } },
      { id: 'narrow.dev', match: { pathPrefix: '/v1/x' }, allow: { kinds: ['user'], roles: ['dev'] }, route: { backend: 'dev', model: 'm' } },
      { id: 'narrow.ops', match: { pathPrefix: '/v1/x' }, allow: { kinds: ['user'], roles: ['ops'] }, route: { backend: 'ops', model: 'm' } },
    ],
  };
  const e = new PolicyEngine(custom);
  const d = (roles: string[], endpoint: string) => e.evaluate({ principal: who(roles), endpoint, method: 'GET' }).decision;

  it('lets the most specific prefix govern, trying its rules in bundle order', () => {
    expect(d(['ops'], '/v1/x/y')).toMatchObject({ allow: true, ruleIds: ['narrow.ops'], route: { backend: 'ops' } });
    expect(d(['dev', 'ops'], '/v1/x')).toMatchObject({ allow: true, ruleIds: ['narrow.dev'] });
    // A broader rule does not rescue a request the specific rules deny.
    expect(d(['any'], '/v1/x')).toMatchObject({ allow: false, reasonCode: 'role_not_allowed', ruleIds: ['narrow.dev', 'narrow.ops'] });
    expect(d(['any'], '/v1/other')).toMatchObject({ allow: true, ruleIds: ['wide'] });
  });
});

describe('endpointPath', () => {
  it('strips query and fragment and refuses non-canonical paths', () => {
    expect(endpointPath('/v1/chat?a=b')).toBe('/v1/chat');
    expect(endpointPath('/v1/chat#x')).toBe('/v1/chat');
    expect(endpointPath('/v1/./chat')).toBeUndefined();
    expect(endpointPath('/v1/%2F')).toBeUndefined();
  });
});
