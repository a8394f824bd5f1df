import path from 'node:path';
import { airlock } from '@airlock/contracts';
import { DEFAULT_BUNDLE_FILE, loadBundleFile, type PolicyBundle } from '../bundles/bundle';
import { PolicyEngine, branchPattern, endpointPath } from './policy-engine';

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
    ['/v1/chat/completions', ['analyst'], 'ep.chat.analyst.allow', 'chat', 'reference-chat'],
    ['/v1/autocomplete', ['developer'], 'ep.autocomplete.allow', 'autocomplete', 'reference-code'],
    ['/v1/agent/runs', ['developer'], 'ep.agent.allow', 'agent', 'reference-chat'],
  ])('allows %s for %j and routes it', (endpoint, roles, ruleId, backend, model) => {
    expect(decide(roles, endpoint)).toEqual({
      allow: true,
      reasonCode: 'allowed',
      policyVersion: bundle.version,
      ruleIds: [ruleId],
      route: { backend, model },
      highRisk: ruleId === 'ep.agent.allow',
      modelAliases: expect.arrayContaining([expect.objectContaining({ backend, model })]),
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
    expect(decide(['rag-indexer'], '/v1/rag/index', 'POST', SA)).toMatchObject({ allow: true, ruleIds: ['ep.rag.index.allow'], route: { backend: 'rag', model: 'code-rag' } });
    expect(decide(['rag-indexer'], '/api/rag/v1/repositories/payments/core/index', 'POST', SA)).toMatchObject({ allow: true, ruleIds: ['api.rag.repositories.allow'] });
    expect(decide(['rag-indexer'], '/api/rag/v1/repositories/payments/core', 'PUT')).toMatchObject({ allow: false });
    expect(decide(['rag-indexer'], '/api/rag/v1/hooks/push', 'POST', SA)).toMatchObject({ allow: false });
    expect(decide(['rag-indexer'], '/v1/rag/index', 'POST', USER)).toMatchObject({ allow: false, reasonCode: 'kind_not_allowed' });
    expect(decide(['developer'], '/v1/rag/index', 'POST', SA)).toMatchObject({ allow: false, reasonCode: 'role_not_allowed' });
    expect(decide(['developer'], '/v1/chat', 'POST', SA)).toMatchObject({ allow: false, reasonCode: 'kind_not_allowed' });
  });

  it('opens the portal to every signed-in user: exactly /, its assets and pages, GET and HEAD only', () => {
    for (const roles of [['developer'], ['analyst'], ['project-admin'], ['security-admin'], ['auditor']]) {
      expect(decide(roles, '/', 'GET')).toMatchObject({ allow: true, ruleIds: ['portal.home.allow'] });
      expect(decide(roles, '/?next=/tokens', 'GET').allow).toBe(true);
      expect(decide(roles, '/assets/index-3f2a1b.js', 'GET')).toMatchObject({ allow: true, ruleIds: ['portal.assets.allow'] });
      for (const page of ['/tokens', '/usage', '/help']) expect(decide(roles, page, 'HEAD').allow).toBe(true);
    }
    // The audit page is for the people its API is for (anyone else gets the edge's 403 page); it is exactly /audit.
    for (const roles of [['auditor'], ['security-admin']]) expect(decide(roles, '/audit', 'GET')).toMatchObject({ allow: true, ruleIds: ['portal.audit.allow'] });
    expect(decide(['developer'], '/audit', 'GET')).toMatchObject({ allow: false, reasonCode: 'role_not_allowed', ruleIds: ['portal.audit.allow'] });
    expect(decide(['developer'], '/api/audit/v1/events', 'GET')).toMatchObject({ allow: false, ruleIds: ['api.audit.read.allow'] });
    expect(decide(['auditor'], '/api/audit/v1/events', 'GET')).toMatchObject({ allow: true, ruleIds: ['api.audit.read.allow'] });
    expect(decide(['developer'], '/audit/anything', 'GET')).toMatchObject({ allow: false, ruleIds: ['default.deny'] });
    // The policy console is for security administrators alone: auditors read the Policy API but change nothing.
    expect(decide(['security-admin'], '/policy', 'GET')).toMatchObject({ allow: true, ruleIds: ['portal.policy.allow'] });
    for (const roles of [['developer'], ['auditor']]) expect(decide(roles, '/policy', 'GET')).toMatchObject({ allow: false, reasonCode: 'role_not_allowed', ruleIds: ['portal.policy.allow'] });
    // The terminals page is for the people the terminal API is for (a pure auditor has no workspace to open one in).
    for (const roles of [['developer'], ['analyst'], ['project-admin'], ['security-admin']]) expect(decide(roles, '/terminals', 'GET')).toMatchObject({ allow: true, ruleIds: ['portal.terminals.allow'] });
    expect(decide(['auditor'], '/terminals', 'GET')).toMatchObject({ allow: false, reasonCode: 'role_not_allowed', ruleIds: ['portal.terminals.allow'] });
    // The FinOps console is for the people the usage reports API is for: FinOps, project leads, security admins, auditors.
    for (const roles of [['finops'], ['project-admin'], ['security-admin'], ['auditor']]) {
      expect(decide(roles, '/finops', 'GET')).toMatchObject({ allow: true, ruleIds: ['portal.finops.allow'] });
      expect(decide(roles, '/api/usage/v1/reports/series', 'GET')).toMatchObject({ allow: true, ruleIds: ['api.usage.reports.allow'] });
    }
    expect(decide(['developer'], '/finops', 'GET')).toMatchObject({ allow: false, reasonCode: 'role_not_allowed', ruleIds: ['portal.finops.allow'] });
    expect(decide(['developer'], '/api/usage/v1/reports/series', 'GET')).toMatchObject({ allow: false, ruleIds: ['api.usage.reports.allow'] });
    // FinOps signs in to the portal like anyone: its start page, assets, who am I, its own usage and tokens.
    for (const path of ['/', '/assets/index-3f2a1b.js', '/api/identity/v1/me', '/api/usage/v1/me', '/usage', '/help', '/tokens']) expect(decide(['finops'], path, 'GET').allow).toBe(true);
    expect(decide(['developer'], '/', 'POST')).toMatchObject({ allow: false, reasonCode: 'method_not_allowed' });
    expect(decide(['rag-indexer'], '/', 'GET', SA)).toMatchObject({ allow: false, reasonCode: 'kind_not_allowed' });
    // `/` is exact: it opens no other path, so anything unlisted is still denied by the default rule.
    for (const other of ['/index.html', '/anything', '/api/unknown/v1', '/w']) {
      expect(decide(['developer'], other, 'GET')).toMatchObject({ allow: false, reasonCode: 'endpoint_not_allowed', ruleIds: ['default.deny'] });
    }
    expect(engine.endpointLabel('/')).toBe('/');
    expect(engine.endpointLabel('/anything')).toBe('unmatched');
  });

  it('opens the portal\'s APIs: identity and usage of oneself to everyone, workspaces to those who work in them', () => {
    expect(decide(['auditor'], '/api/identity/v1/me', 'GET')).toMatchObject({ allow: true, ruleIds: ['api.identity.me.allow'] });
    expect(decide(['developer'], '/api/usage/v1/me?days=30', 'GET')).toMatchObject({ allow: true, ruleIds: ['api.usage.me.allow'] });
    // The usage reports stay with the roles that had them.
    expect(decide(['developer'], '/api/usage/v1/reports', 'GET')).toMatchObject({ allow: false, ruleIds: ['api.usage.reports.allow'] });
    for (const method of ['GET', 'POST', 'DELETE']) expect(decide(['developer'], '/api/workspace/v1/workspaces/ws_abcdefghij0123456789', method).allow).toBe(true);
    expect(decide(['security-admin'], '/api/workspace/v1/options', 'GET')).toMatchObject({ allow: true, ruleIds: ['api.workspace.owner.allow'] });
    expect(decide(['auditor'], '/api/workspace/v1/workspaces', 'GET')).toMatchObject({ allow: false, reasonCode: 'role_not_allowed' });
    // Terminals: the same people; the WebSocket only by its upgrade (GET).
    expect(decide(['developer'], '/api/terminal/v1/sessions', 'POST')).toMatchObject({ allow: true, ruleIds: ['api.terminal.allow'] });
    expect(decide(['developer'], '/ws/terminal/v1/sessions/t_abc', 'GET')).toMatchObject({ allow: true, ruleIds: ['ws.terminal.allow'] });
    expect(decide(['auditor'], '/api/terminal/v1/sessions', 'GET')).toMatchObject({ allow: false, reasonCode: 'role_not_allowed' });
  });

  it('opens the Policy API to security admins and auditors, GET only (simulate: POST)', () => {
    expect(decide(['auditor'], '/api/policy/v1/bundles/active', 'GET')).toMatchObject({ allow: true, ruleIds: ['api.policy.read.allow'] });
    expect(decide(['security-admin'], '/api/policy/v1/bundles/active', 'get').allow).toBe(true);
    expect(decide(['developer'], '/api/policy/v1/bundles/active', 'GET')).toMatchObject({ allow: false, reasonCode: 'role_not_allowed' });
    expect(decide(['auditor'], '/api/policy/v1/bundles/active', 'PATCH')).toMatchObject({
      allow: false,
      reasonCode: 'method_not_allowed',
      ruleIds: ['default.deny'],
    });
    // Changes: security-admin only, while simulation and the rule test stay open to auditors.
    expect(decide(['auditor'], '/api/policy/v1/drafts', 'POST')).toMatchObject({ allow: false, reasonCode: 'role_not_allowed', ruleIds: ['api.policy.write.allow'] });
    expect(decide(['security-admin'], '/api/policy/v1/drafts/x/approve', 'POST')).toMatchObject({ allow: true, ruleIds: ['api.policy.write.allow'] });
    expect(decide(['auditor'], '/api/policy/v1/dlp/test', 'POST')).toMatchObject({ allow: true, ruleIds: ['api.policy.dlp-test.allow'] });
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
    backends: ['wide', 'dev', 'ops'],
    modelAliases: [],
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

describe('PolicyEngine conditions as data, with the realistic bench bundle', () => {
  const realistic = new PolicyEngine(loadBundleFile(path.join(__dirname, '..', '..', 'bench', 'realistic-bundle.json')));
  const dev = (over: Partial<airlock.identity.v1.Principal> = {}) => ({ ...who(['developer']), projectId: 'p-pay', workspaceId: 'ws-1', ...over });
  const office = '10.10.3.4';
  const run = (principal: airlock.identity.v1.Principal, endpoint: string, extra: { clientIp?: string; branch?: string; requestedModel?: string } = {}) =>
    realistic.evaluate({ principal, endpoint, method: 'POST', clientIp: office, ...extra }).decision;

  it('autocomplete needs a workspace', () => {
    expect(run(dev(), '/v1/autocomplete')).toMatchObject({ allow: true, ruleIds: ['ep.autocomplete.allow'] });
    expect(run(dev({ workspaceId: '' }), '/v1/autocomplete')).toMatchObject({ allow: false, reasonCode: 'workspace_not_allowed' });
  });

  it('the agent works only in listed projects and branches, is high-risk, and needs the branch', () => {
    expect(run(dev(), '/v1/agent', { branch: 'release/2026.11' })).toMatchObject({ allow: true, highRisk: true });
    expect(run(dev(), '/v1/agent', { branch: 'feature/a/b' }).allow).toBe(true);
    expect(run(dev(), '/v1/agent', { branch: 'release/a/b' })).toMatchObject({ allow: false, reasonCode: 'branch_not_allowed' });
    expect(run(dev(), '/v1/agent')).toMatchObject({ allow: false, reasonCode: 'branch_not_allowed', highRisk: false });
    expect(run(dev({ projectId: 'p-hr' }), '/v1/agent', { branch: 'main' })).toMatchObject({ allow: false, reasonCode: 'project_not_allowed' });
  });

  it('chat picks the rule by project context: scoped callers get the project rule and its larger model', () => {
    expect(run(dev(), '/v1/chat/completions', { requestedModel: 'airlock-chat-large' })).toMatchObject({
      allow: true,
      ruleIds: ['ep.chat.project'],
      route: { backend: 'chat-large', model: 'reference-chat-70b' },
    });
    const unscoped = dev({ projectId: '', roles: ['analyst'] });
    expect(run(unscoped, '/v1/chat')).toMatchObject({ allow: true, ruleIds: ['ep.chat.general'] });
    // The client's model goes through the aliases or is refused; the route's own model name is accepted.
    expect(run(unscoped, '/v1/chat', { requestedModel: 'airlock-chat-large' })).toMatchObject({ allow: false, reasonCode: 'model_not_allowed' });
    expect(run(unscoped, '/v1/chat', { requestedModel: 'reference-chat' }).allow).toBe(true);
    expect(run(unscoped, '/v1/chat', { requestedModel: 'gpt-4' })).toMatchObject({ allow: false, reasonCode: 'model_not_allowed' });
  });

  it('rag/query needs a project; rag/index only the indexer account from its subnet', () => {
    expect(run(dev({ projectId: '' }), '/v1/rag/query')).toMatchObject({ allow: false, reasonCode: 'project_not_allowed' });
    expect(run(dev(), '/v1/rag/query')).toMatchObject({ allow: true, route: { backend: 'rag' } });
    const indexer = { ...who(['rag-indexer'], SA), userId: 'svc-rag-indexer' };
    expect(run(indexer, '/v1/rag/index', { clientIp: '10.30.0.9' }).allow).toBe(true);
    expect(run({ ...indexer, userId: 'svc-other', subject: 'svc-other' }, '/v1/rag/index', { clientIp: '10.30.0.9' })).toMatchObject({ allow: false, reasonCode: 'subject_not_allowed' });
    expect(run(indexer, '/v1/rag/index', { clientIp: '10.10.0.9' })).toMatchObject({ allow: false, reasonCode: 'client_ip_not_allowed' });
  });

  it('IP allowlists: IPv4, IPv4-mapped IPv6 and IPv6 blocks; no address never matches', () => {
    expect(run(dev(), '/v1/autocomplete', { clientIp: '::ffff:10.20.1.1' }).allow).toBe(true);
    expect(run(dev(), '/v1/autocomplete', { clientIp: 'fd00:10::1' }).allow).toBe(true);
    expect(run(dev(), '/v1/autocomplete', { clientIp: '203.0.113.7' })).toMatchObject({ allow: false, reasonCode: 'client_ip_not_allowed' });
    expect(run(dev(), '/v1/autocomplete', { clientIp: '' })).toMatchObject({ allow: false, reasonCode: 'client_ip_not_allowed' });
  });

  it('lists the aliases a principal may use anywhere, and hands them out on /v1/models', () => {
    expect(realistic.modelsFor(dev(), { clientIp: office, branch: 'main' }).map((m) => m.alias).sort()).toEqual([
      'airlock-agent',
      'airlock-chat',
      'airlock-chat-large',
      'airlock-code',
      'airlock-code-fast',
    ]);
    expect(realistic.modelsFor(dev({ projectId: '', roles: ['analyst'] }), { clientIp: office }).map((m) => m.alias)).toEqual(['airlock-chat']);
    const list = realistic.evaluate({ principal: dev({ roles: ['analyst'], projectId: '' }), endpoint: '/v1/models', method: 'GET', clientIp: office }).decision;
    expect(list).toMatchObject({ allow: true, ruleIds: ['ep.models.list'] });
    expect(list.modelAliases).toEqual([{ alias: 'airlock-chat', backend: 'chat', model: 'reference-chat' }]);
  });

  it('explains a condition that failed', () => {
    const { explanations } = realistic.evaluate({ principal: dev(), endpoint: '/v1/agent', method: 'POST', clientIp: office, branch: 'hotfix/x' }, true);
    expect(explanations.join('\n')).toMatch(/ep\.agent\.allow: branch_not_allowed: branch hotfix\/x matches none of main, release\/\*, feature\/\*\*/);
  });
});

describe('branchPattern', () => {
  it('"*" is one segment, "**" any, the rest literal', () => {
    expect(branchPattern('release/*').test('release/1.2')).toBe(true);
    expect(branchPattern('release/*').test('release/1/2')).toBe(false);
    expect(branchPattern('feature/**').test('feature/a/b/c')).toBe(true);
    expect(branchPattern('v1.2').test('v1x2')).toBe(false);
  });
});
