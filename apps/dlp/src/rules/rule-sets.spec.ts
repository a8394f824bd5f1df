import { loadConfig } from '@airlock/config';
import { BUILTIN_ONLY, SAMPLE_CUSTOM_RULE, type RuleSetSpec } from '@airlock/dlp-engine';
import { createLogger } from '@airlock/telemetry';
import { PolicyVersionUnknownError, RulesUnavailableError } from '../scan/errors';
import { PolicyRulesSource, type PolicyRules } from './policy-rules.source';
import { dlpConfig } from '../config';
import { RuleSets } from './rule-sets';

const projectRule: RuleSetSpec = {
  builtinPack: false,
  customRules: [SAMPLE_CUSTOM_RULE],
};

/** A policy whose versions and reachability the test controls. */
class FakePolicy extends PolicyRulesSource {
  versions = new Map<string, RuleSetSpec>([
    ['v1', BUILTIN_ONLY],
    ['v2', projectRule],
  ]);
  active = 'v1';
  down = false;
  calls: string[] = [];

  async fetch(version: string): Promise<PolicyRules> {
    this.calls.push(version);
    if (this.down) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 14 });
    const v = version || this.active;
    const spec = this.versions.get(v);
    if (!spec) throw new PolicyVersionUnknownError(v);
    return { policyVersion: v, spec };
  }

  close(): void {}
}

const config = (over: Record<string, string> = {}) =>
  loadConfig(dlpConfig, { DLP_MAX_TEXT_CHARS: '10000', DLP_MAX_CHUNK_CHARS: '1000', DLP_RULES_CACHE_SIZE: '8', DLP_ACTIVE_RULES_TTL_MS: '60000', ...over });
const logger = createLogger('dlp-test', 'silent');

describe('RuleSets', () => {
  it('fetches and compiles each version once and reports it', async () => {
    const policy = new FakePolicy();
    const sets = new RuleSets(config(), logger, policy);
    const [a, b] = await Promise.all([sets.get('v2'), sets.get('v2')]);
    expect(a).toBe(b);
    expect(a.policyVersion).toBe('v2');
    expect(a.engine.version).toBe('v2');
    expect(a.engine.scan('PROJECT-ZEUS').action).toBe('block');
    const active = await sets.get('');
    expect(active.policyVersion).toBe('v1');
    expect(active.engine.version).toMatch(/^v1\/builtin-/);
    expect(await sets.get('v1')).toBe(active);
    expect(await sets.get('')).toBe(active);
    expect(policy.calls).toEqual(['v2', '']);
  });

  it('keeps serving the last good set while policy is unreachable, and fails closed with none', async () => {
    const policy = new FakePolicy();
    const sets = new RuleSets(config(), logger, policy);
    policy.down = true;
    await expect(sets.get('')).rejects.toBeInstanceOf(RulesUnavailableError);
    policy.down = false;
    const fresh = new RuleSets(config(), logger, policy);
    const good = await fresh.get('v2');
    policy.down = true;
    expect(await fresh.get('v1')).toBe(good);
    expect(await fresh.get('')).toBe(good);
  });

  it('says a version does not exist instead of substituting another', async () => {
    const sets = new RuleSets(config(), logger, new FakePolicy());
    await sets.get('v1');
    await expect(sets.get('v9')).rejects.toBeInstanceOf(PolicyVersionUnknownError);
  });

  it('re-checks the active version in the background once its time is up', async () => {
    const policy = new FakePolicy();
    const sets = new RuleSets(config({ DLP_ACTIVE_RULES_TTL_MS: '0' }), logger, policy);
    expect((await sets.get('')).policyVersion).toBe('v1');
    policy.active = 'v2';
    // Served from the stale entry while the refresh runs; the refreshed set shows up on a later request.
    expect((await sets.get('')).policyVersion).toBe('v1');
    await new Promise((resolve) => setImmediate(resolve));
    expect((await sets.get('')).policyVersion).toBe('v2');
  });

  it('keeps at most DLP_RULES_CACHE_SIZE compiled sets', async () => {
    const policy = new FakePolicy();
    const sets = new RuleSets(config({ DLP_RULES_CACHE_SIZE: '1' }), logger, policy);
    await sets.get('v1');
    await sets.get('v2');
    await sets.get('v1');
    expect(policy.calls).toEqual(['v1', 'v2', 'v1']);
  });

  it('treats rules that do not compile like an outage: last good set, never a partial one', async () => {
    const policy = new FakePolicy();
    policy.versions.set('bad', { builtinPack: true, overrides: [{ ruleId: 'no.such.rule', disabled: true }] });
    const sets = new RuleSets(config(), logger, policy);
    const good = await sets.get('v1');
    expect(await sets.get('bad')).toBe(good);
  });
});
