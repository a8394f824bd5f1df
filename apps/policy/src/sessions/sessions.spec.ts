import { airlock } from '@airlock/contracts';
import { InvalidArgumentError } from '@airlock/runtime';
import { ActiveBundle } from '../bundles/active-bundle';
import { DEFAULT_BUNDLE_FILE, bundleProblems, loadBundleFile, type PolicyBundle } from '../bundles/bundle';
import { GetSessionLimits } from './get-session-limits.usecase';

const Action = airlock.policy.v1.SessionLimitAction;

const withSessions = (sessions: unknown): unknown => ({ ...JSON.parse(JSON.stringify(loadBundleFile(DEFAULT_BUNDLE_FILE))), sessions });
const problemsOf = (sessions: unknown) => bundleProblems(withSessions(sessions)).problems;

describe('bundle section `sessions`', () => {
  it('accepts the documented example and fills in no tenants', () => {
    expect(problemsOf({ default: { maxPerUser: 5, onExceed: 'evict_oldest' }, tenants: { acme: { maxPerUser: 2, maxPerTenant: 500, onExceed: 'deny' } } })).toEqual([]);
    expect(bundleProblems(withSessions({ default: { maxPerUser: 3 } })).bundle?.sessions).toEqual({ default: { maxPerUser: 3 }, tenants: {} });
    expect(problemsOf({})).toEqual([]);
  });

  it('is optional: a bundle without it has no session limits', () => {
    const bundle = withSessions(undefined) as Record<string, unknown>;
    delete bundle.sessions;
    expect(bundleProblems(bundle).bundle?.sessions).toBeUndefined();
  });

  it.each([
    [{ default: { maxPerUser: 0 } }, 'sessions.default.maxPerUser'],
    [{ default: { maxPerUser: 1.5 } }, 'sessions.default.maxPerUser'],
    [{ default: { maxPerUser: 1_001 } }, 'sessions.default.maxPerUser'],
    [{ default: { maxPerTenant: 100_001 } }, 'sessions.default.maxPerTenant'],
    [{ default: { maxPerUser: '2' } }, 'sessions.default.maxPerUser'],
    [{ default: { maxPerUser: 2, onExceed: 'evict_newest' } }, 'sessions.default.onExceed'],
    [{ default: { maxPerTenant: 10, onExceed: 'deny' } }, 'sessions.default.onExceed: onExceed applies to maxPerUser'],
    [{ default: { maxPerUser: 2, maxSessions: 3 } }, 'sessions.default: Unrecognized key'],
    [{ tenants: { 'acme corp': { maxPerUser: 1 } } }, 'sessions.tenants.acme corp'],
    [{ tenants: { 'acme:dev': { maxPerUser: 1 } } }, 'sessions.tenants.acme:dev'],
    [{ tenants: { acme: { maxPerUser: -1 } } }, 'sessions.tenants.acme.maxPerUser'],
    [{ perTenant: {} }, 'sessions: Unrecognized key'],
  ])('refuses %j (%s)', (sessions, problem) => {
    expect(problemsOf(sessions).join('\n')).toContain(problem);
  });
});

describe('GetSessionLimits', () => {
  const active = (sessions: unknown) => {
    const { bundle, problems } = bundleProblems(withSessions(sessions));
    if (!bundle) throw new Error(problems.join('; '));
    return new ActiveBundle({ POLICY_BUNDLE_FILE: { path: 'sessions.json', bundle } });
  };
  const ask = (bundle: ActiveBundle, tenantId: string) => new GetSessionLimits(bundle).execute({ tenantId });
  const sections = {
    default: { maxPerUser: 5, onExceed: 'evict_oldest' },
    tenants: { acme: { maxPerUser: 2, maxPerTenant: 500, onExceed: 'deny' }, 'lab.internal': {}, capped: { maxPerTenant: 3 }, terse: { maxPerUser: 1 } },
  };

  it("answers a tenant's own entry, which replaces the default as a whole", () => {
    const bundle = active(sections);
    const version = bundle.bundle.version;
    expect(ask(bundle, 'acme')).toEqual({ policyVersion: version, ruleId: 'sessions.tenants.acme', maxPerUser: 2, maxPerTenant: 500, onExceed: Action.SESSION_LIMIT_ACTION_DENY });
    expect(ask(bundle, 'lab.internal')).toEqual({ policyVersion: version, ruleId: 'sessions.tenants.lab.internal', maxPerUser: 0, maxPerTenant: 0, onExceed: Action.SESSION_LIMIT_ACTION_UNSPECIFIED });
    expect(ask(bundle, 'capped')).toMatchObject({ ruleId: 'sessions.tenants.capped', maxPerUser: 0, maxPerTenant: 3, onExceed: Action.SESSION_LIMIT_ACTION_UNSPECIFIED });
  });

  it('defaults onExceed to deny', () => {
    expect(ask(active(sections), 'terse')).toMatchObject({ maxPerUser: 1, onExceed: Action.SESSION_LIMIT_ACTION_DENY });
  });

  it('answers the default for a tenant without an entry', () => {
    expect(ask(active(sections), 'globex')).toMatchObject({ ruleId: 'sessions.default', maxPerUser: 5, maxPerTenant: 0, onExceed: Action.SESSION_LIMIT_ACTION_EVICT_OLDEST });
    // Not a prototype property either.
    expect(ask(active(sections), 'constructor')).toMatchObject({ ruleId: 'sessions.default' });
  });

  it('answers no limits without a default, or without the section', () => {
    const none = { ruleId: '', maxPerUser: 0, maxPerTenant: 0, onExceed: Action.SESSION_LIMIT_ACTION_UNSPECIFIED };
    expect(ask(active({ tenants: { acme: { maxPerUser: 1 } } }), 'globex')).toMatchObject(none);
    const plain = active(undefined);
    expect(ask(plain, 'acme')).toEqual({ policyVersion: plain.bundle.version, ...none });
  });

  it('follows the active version', () => {
    const bundle = active(sections);
    const next = { ...(bundle.bundle as PolicyBundle), version: 'next-1', sessions: { tenants: { acme: { maxPerUser: 9 } } } };
    bundle.replace(next, 'store:2');
    expect(ask(bundle, 'acme')).toMatchObject({ policyVersion: 'next-1', maxPerUser: 9, onExceed: Action.SESSION_LIMIT_ACTION_DENY });
  });

  it('answers the default for a tenant id no bundle entry can name', () => {
    expect(ask(active(sections), `acme:${'a'.repeat(200)}`)).toMatchObject({ ruleId: 'sessions.default' });
  });

  it.each(['', 'acme corp', 'a'.repeat(257)])('refuses tenant id %j with invalid_tenant', (tenantId) => {
    expect(() => ask(active(sections), tenantId)).toThrow(InvalidArgumentError);
    expect(() => ask(active(sections), tenantId)).toThrow(expect.objectContaining({ code: 'invalid_tenant' }));
  });
});
