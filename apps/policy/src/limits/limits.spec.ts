import { airlock } from '@airlock/contracts';
import { DEFAULT_BUNDLE_FILE, loadBundleFile } from '../bundles/bundle';
import { CompiledLimits } from './compiled-limits';
import { LocalGcra } from './gcra';
import { rateLimitHeaders } from './limits-guard';
import { limitsSection, type LimitsSection } from './limits-schema';

const { PrincipalKind } = airlock.identity.v1;
// An unscoped workspace on purpose: rules keyed by it must skip this principal.
const alice = { subject: 'u-alice', userId: 'u-alice', tenantId: 't-bank', projectId: 'p-pay', workspaceId: '', roles: ['developer'], kind: PrincipalKind.PRINCIPAL_KIND_USER };

const section = (input: unknown): LimitsSection => limitsSection.parse(input);
const problems = (input: unknown) => {
  const parsed = limitsSection.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('limits section schema', () => {
  it('accepts rate limits and token budgets and fills the lists', () => {
    const parsed = section({
      rateLimits: [{ id: 'rl.chat.user', match: { pathPrefix: '/v1/chat', methods: ['POST'] }, key: ['user'], rate: { requests: 60, perSeconds: 60 }, burst: 10 }],
    });
    expect(parsed.tokenBudgets).toEqual([]);
    expect(parsed.rateLimits[0].onStoreError).toBeUndefined();
  });

  it('rejects every problem at once, with its path', () => {
    expect(
      problems({
        onStoreError: 'maybe',
        rateLimits: [
          { id: 'Bad Id', key: [], rate: { requests: 0, perSeconds: 1 }, burst: 0 },
          { id: 'rl.a', key: ['user', 'user'], rate: { requests: 2_000_000, perSeconds: 1 }, burst: 1, match: { pathPrefix: '/v1/../x' } },
          { id: 'rl.a', key: ['ip'], rate: { requests: 1, perSeconds: 1 }, burst: 1, extra: true },
        ],
        tokenBudgets: [{ id: 'tb', scope: 'team', period: 'week', limitTokens: -1 }],
      }),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^onStoreError: /),
        expect.stringMatching(/^rateLimits\.0\.id: /),
        expect.stringMatching(/^rateLimits\.0\.key: /),
        expect.stringMatching(/^rateLimits\.0\.rate\.requests: /),
        expect.stringMatching(/^rateLimits\.0\.burst: /),
        'rateLimits.1.key: dimensions must not repeat',
        expect.stringMatching(/^rateLimits\.1\.rate\.requests: /),
        expect.stringMatching(/^rateLimits\.1\.match\.pathPrefix: must be a canonical path/),
        expect.stringMatching(/^rateLimits\.2\.key\.0: /),
        expect.stringMatching(/^rateLimits\.2: .*extra/),
        expect.stringMatching(/^tokenBudgets\.0\.scope: /),
        expect.stringMatching(/^tokenBudgets\.0\.period: /),
        expect.stringMatching(/^tokenBudgets\.0\.limitTokens: /),
      ]),
    );
    expect(problems({ rateLimits: [{ id: 'rl.a', key: ['user'], rate: { requests: 1, perSeconds: 86_400 }, burst: 32 }] })).toEqual([
      'rateLimits.0.burst: a full burst must refill within 31 days',
    ]);
    // The duplicate check runs on an otherwise valid section.
    const one = { id: 'rl.a', key: ['user'], rate: { requests: 1, perSeconds: 1 }, burst: 1 };
    expect(problems({ rateLimits: [one], tokenBudgets: [{ id: 'rl.a', scope: 'project', period: 'day', limitTokens: 5 }] })).toEqual([
      'tokenBudgets.0.id: duplicate limit id "rl.a"',
    ]);
  });
});

describe('CompiledLimits', () => {
  const limits = new CompiledLimits(
    section({
      onStoreError: 'fail_closed',
      rateLimits: [
        { id: 'rl.all.user', key: ['user'], rate: { requests: 100, perSeconds: 60 }, burst: 20 },
        { id: 'rl.chat.project', match: { pathPrefix: '/v1/chat', methods: ['POST'] }, key: ['project'], rate: { requests: 3, perSeconds: 1 }, burst: 3, onStoreError: 'fail_open_local' },
        { id: 'rl.agent.workspace', match: { pathPrefix: '/v1/agent' }, key: ['workspace', 'user'], rate: { requests: 1, perSeconds: 10 }, burst: 1 },
      ],
      tokenBudgets: [
        { id: 'tb.project.month', match: { pathPrefix: '/v1/chat' }, scope: 'project', period: 'month', limitTokens: 1000 },
        { id: 'tb.tenant.day', scope: 'tenant', period: 'day', limitTokens: 10, onUsageError: 'fail_closed' },
      ],
    }),
  );

  it('counts a request in every matching bucket, keyed by tenant (hash tag) and the rule dimensions', () => {
    const refs = limits.buckets(alice, '/v1/chat/completions?stream=true', 'post');
    expect(refs.map((r) => [r.rule.id, r.key, r.rule.onStoreError])).toEqual([
      ['rl.all.user', '{t-bank}:rl.all.user:u-alice', 'fail_closed'],
      ['rl.chat.project', '{t-bank}:rl.chat.project:p-pay', 'fail_open_local'],
    ]);
    expect(refs[1].rule.intervalUs).toBe(333_333);
    expect(refs[0].rule.policyItem).toBe('"rl.all.user";q=20;w=12');
    expect(limits.buckets(alice, '/v1/chat', 'GET').map((r) => r.rule.id)).toEqual(['rl.all.user']);
    expect(limits.buckets(alice, '/v1/chatty', 'POST').map((r) => r.rule.id)).toEqual(['rl.all.user']);
    expect(limits.buckets(alice, '/v1/../v1/chat', 'POST')).toEqual([]);
  });

  it('skips a rule whose dimension the principal lacks, and encodes values so none can forge a key', () => {
    expect(limits.buckets(alice, '/v1/agent', 'POST').map((r) => r.rule.id)).toEqual(['rl.all.user']);
    const odd = { ...alice, tenantId: 't}{x', userId: 'a:b', workspaceId: 'w 1' };
    expect(limits.buckets(odd, '/v1/agent', 'POST').map((r) => r.key)).toEqual(['{t%7D%7Bx}:rl.all.user:a%3Ab', '{t%7D%7Bx}:rl.agent.workspace:w%201:a%3Ab']);
  });

  it('finds the budgets of a request by scope', () => {
    expect(limits.budgets(alice, '/v1/chat', 'POST').map((b) => [b.rule.id, b.scopeId, b.rule.onUsageError])).toEqual([
      ['tb.project.month', 'p-pay', 'fail_open'],
      ['tb.tenant.day', 't-bank', 'fail_closed'],
    ]);
    expect(limits.budgets({ ...alice, projectId: '' }, '/v1/chat', 'POST').map((b) => b.rule.id)).toEqual(['tb.tenant.day']);
    expect(new CompiledLimits(undefined).empty).toBe(true);
  });
});

describe('the default bundle\'s limits', () => {
  const limits = new CompiledLimits(loadBundleFile(DEFAULT_BUNDLE_FILE).limits);

  it('counts AI calls per user and per project, inline completion per user, and policy changes per user', () => {
    const ids = (path: string, method: string) => limits.buckets(alice, path, method).map((r) => r.rule.id);
    expect(ids('/v1/chat/completions', 'POST')).toEqual(['rl.ai.user', 'rl.ai.project']);
    expect(ids('/v1/agent', 'POST')).toEqual(['rl.ai.user', 'rl.ai.project']);
    expect(ids('/tabby/v1/completions', 'POST')).toEqual(['rl.tabby.user']);
    expect(ids('/api/policy/v1/drafts', 'PUT')).toEqual(['rl.policy.write']);
    // Reading is never limited: the model list, the Policy API's reads, a workspace in the browser.
    expect([...ids('/v1/models', 'GET'), ...ids('/api/policy/v1/bundles', 'GET'), ...ids('/w/ws-1/', 'GET')]).toEqual([]);
    expect(limits.buckets(alice, '/v1/chat', 'POST').every((r) => r.rule.onStoreError === 'fail_open_local')).toBe(true);
  });

  it('keeps a project\'s daily token budget, failing open while usage is unreachable', () => {
    expect(limits.budgets(alice, '/v1/chat', 'POST').map((b) => [b.rule.id, b.scopeId, b.rule.period, b.rule.onUsageError])).toEqual([
      ['tb.project.day', 'p-pay', 'day', 'fail_open'],
    ]);
  });
});

describe('LocalGcra', () => {
  const bucket = { key: 'k', intervalUs: 1_000_000, burst: 3 };

  it('admits the burst at once, then one per interval, and says when the next fits', () => {
    let now = 5_000_000_000;
    const gcra = new LocalGcra(1, 100, () => now);
    const states = [1, 2, 3].map(() => gcra.check([bucket]));
    expect(states.map((s) => [s.admitted, s.buckets[0].remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
    ]);
    expect(states[0].buckets[0].restoreUs).toBe(1_000_000);
    const denied = gcra.check([bucket]);
    expect(denied).toEqual({ admitted: false, buckets: [{ remaining: 0, waitUs: 1_000_000, restoreUs: 1_000_000 }] });
    now += 400_000;
    expect(gcra.check([bucket]).buckets[0].waitUs).toBe(600_000);
    now += 600_000;
    expect(gcra.check([bucket]).admitted).toBe(true);
    expect(gcra.check([bucket]).admitted).toBe(false);
  });

  it('updates no bucket when one of them refuses', () => {
    const now = 1_000_000;
    const gcra = new LocalGcra(1, 100, () => now);
    const tight = { key: 'tight', intervalUs: 1_000_000, burst: 1 };
    expect(gcra.check([bucket, tight]).admitted).toBe(true);
    const refused = gcra.check([bucket, tight]);
    expect(refused.admitted).toBe(false);
    expect(refused.buckets.map((b) => b.remaining)).toEqual([2, 0]);
    expect(gcra.check([bucket]).buckets[0].remaining).toBe(1);
  });

  it('enforces 1/N of the limit per replica and forgets the oldest bucket past its bound', () => {
    const now = 0;
    const gcra = new LocalGcra(2, 2, () => now);
    const big = { key: 'a', intervalUs: 1_000, burst: 10 };
    const admitted = Array.from({ length: 10 }, () => gcra.check([big]).admitted).filter(Boolean).length;
    expect(admitted).toBe(5);
    gcra.check([{ ...big, key: 'b' }]);
    gcra.check([{ ...big, key: 'c' }]);
    expect(gcra.size).toBe(2);
    expect(gcra.check([big]).admitted).toBe(true);
  });
});

describe('rateLimitHeaders', () => {
  it('lists every bucket as a policy and its current service limit', () => {
    const limits = new CompiledLimits(
      section({
        rateLimits: [
          { id: 'rl.a', key: ['user'], rate: { requests: 60, perSeconds: 60 }, burst: 10 },
          { id: 'rl.b', key: ['project'], rate: { requests: 1000, perSeconds: 86400 }, burst: 50 },
        ],
      }),
    );
    const refs = limits.buckets(alice, '/v1/chat', 'POST');
    expect(rateLimitHeaders(refs, [{ remaining: 9, waitUs: 0, restoreUs: 1_000_000 }, { remaining: 0, waitUs: 86_400_001, restoreUs: 86_400_001 }])).toEqual([
      ['ratelimit-policy', '"rl.a";q=10;w=10, "rl.b";q=50;w=4320'],
      ['ratelimit', '"rl.a";r=9;t=1, "rl.b";r=0;t=87'],
    ]);
    expect(rateLimitHeaders([], [])).toEqual([]);
  });
});
