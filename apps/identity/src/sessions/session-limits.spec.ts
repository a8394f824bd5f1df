import { airlock } from '@airlock/contracts';
import { createLogger } from '@airlock/telemetry';
import { NO_SESSION_LIMITS, SessionLimitsSource, TenantSessionLimits, limitsFromProto, type SessionLimits } from './session-limits';

const Action = airlock.policy.v1.SessionLimitAction;
const acme: SessionLimits = { policyVersion: 'v1', ruleId: 'sessions.tenants.acme', maxPerUser: 2, maxPerTenant: 50, onExceed: 'evict_oldest' };

class FakeSource extends SessionLimitsSource {
  answer: SessionLimits | Error = acme;
  calls = 0;
  async fetch(): Promise<SessionLimits> {
    this.calls++;
    if (this.answer instanceof Error) throw this.answer;
    return this.answer;
  }
  close(): void {}
}

describe('TenantSessionLimits', () => {
  let clock = 1_000_000;
  beforeEach(() => jest.spyOn(Date, 'now').mockImplementation(() => clock));
  afterEach(() => jest.restoreAllMocks());
  const limitsWith = (source: SessionLimitsSource | null, maxStaleSeconds = 300) =>
    new TenantSessionLimits({ IDENTITY_SESSION_LIMITS_MAX_STALE_SECONDS: maxStaleSeconds }, createLogger('test', 'silent'), source);

  it('has no limits without POLICY_ADDR (no source)', async () => {
    expect(await limitsWith(null).forTenant('acme')).toEqual(NO_SESSION_LIMITS);
  });

  it("asks policy at every login, so a published change applies to the next one", async () => {
    const source = new FakeSource();
    const limits = limitsWith(source);
    expect(await limits.forTenant('acme')).toEqual(acme);
    source.answer = { ...acme, policyVersion: 'v2', maxPerUser: 1 };
    expect(await limits.forTenant('acme')).toMatchObject({ policyVersion: 'v2', maxPerUser: 1 });
    expect(source.calls).toBe(2);
  });

  it("uses policy's last answer for the tenant while it is at most the allowed age, then fails closed", async () => {
    const source = new FakeSource();
    const limits = limitsWith(source, 300);
    await limits.forTenant('acme');
    source.answer = new Error('14 UNAVAILABLE: No connection established');
    clock += 300_000;
    expect(await limits.forTenant('acme')).toEqual(acme);
    clock += 1;
    expect(await limits.forTenant('acme')).toBeUndefined();
    // Another tenant was never answered: closed at once.
    expect(await limits.forTenant('globex')).toBeUndefined();
  });

  it('fails closed at once with a maximum age of 0', async () => {
    const source = new FakeSource();
    const limits = limitsWith(source, 0);
    await limits.forTenant('acme');
    source.answer = new Error('DEADLINE_EXCEEDED');
    clock += 1;
    expect(await limits.forTenant('acme')).toBeUndefined();
  });
});

describe('limitsFromProto', () => {
  const res = { policyVersion: 'v1', ruleId: 'sessions.default', maxPerUser: 3, maxPerTenant: 0 };
  it('maps the actions, reading anything it does not know as deny', () => {
    expect(limitsFromProto({ ...res, onExceed: Action.SESSION_LIMIT_ACTION_EVICT_OLDEST }).onExceed).toBe('evict_oldest');
    expect(limitsFromProto({ ...res, onExceed: Action.SESSION_LIMIT_ACTION_DENY }).onExceed).toBe('deny');
    expect(limitsFromProto({ ...res, onExceed: 7 as airlock.policy.v1.SessionLimitAction }).onExceed).toBe('deny');
    expect(limitsFromProto({ ...res, onExceed: Action.SESSION_LIMIT_ACTION_UNSPECIFIED })).toEqual({ ...res, onExceed: 'deny' });
  });
});
