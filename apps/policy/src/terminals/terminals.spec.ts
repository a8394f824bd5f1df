import { airlock } from '@airlock/contracts';
import { InvalidArgumentError } from '@airlock/runtime';
import { ActiveBundle } from '../bundles/active-bundle';
import { DEFAULT_BUNDLE_FILE, bundleProblems, loadBundleFile, type PolicyBundle } from '../bundles/bundle';
import { GetTerminalPolicy } from './get-terminal-policy.usecase';

const Recording = airlock.policy.v1.TerminalRecording;

const withTerminals = (terminals: unknown): unknown => ({ ...JSON.parse(JSON.stringify(loadBundleFile(DEFAULT_BUNDLE_FILE))), terminals });
const problemsOf = (terminals: unknown) => bundleProblems(withTerminals(terminals)).problems;

describe('bundle section `terminals`', () => {
  it('accepts recording with a retention, per tenant, and fills in no tenants', () => {
    expect(problemsOf({ default: { recording: 'output', retentionDays: 90, maxSessionsPerUser: 5 }, tenants: { bank: { recording: 'output_and_input', retentionDays: 3650 }, lab: {} } })).toEqual([]);
    expect(bundleProblems(withTerminals({ default: { maxSessionsPerUser: 3 } })).bundle?.terminals).toEqual({ default: { maxSessionsPerUser: 3 }, tenants: {} });
  });

  it('accepts session lifetimes and read-write sharing, an idle lock of 0 meaning never', () => {
    expect(problemsOf({ default: { detachedTtlSeconds: 3600, idleLockSeconds: 0, allowReadWriteSharing: true }, tenants: { bank: { detachedTtlSeconds: 30 * 24 * 3600, idleLockSeconds: 300 } } })).toEqual([]);
  });

  it.each([
    [{ default: { recording: 'output' } }, 'terminals.default.retentionDays: a recording needs retentionDays'],
    [{ default: { recording: 'off', retentionDays: 30 } }, 'terminals.default.retentionDays: retentionDays applies to a recording'],
    [{ default: { retentionDays: 30 } }, 'terminals.default.retentionDays: retentionDays applies to a recording'],
    [{ default: { recording: 'keystrokes', retentionDays: 30 } }, 'terminals.default.recording'],
    [{ default: { recording: 'output', retentionDays: 0 } }, 'terminals.default.retentionDays'],
    [{ default: { recording: 'output', retentionDays: 3651 } }, 'terminals.default.retentionDays'],
    [{ default: { maxSessionsPerUser: 0 } }, 'terminals.default.maxSessionsPerUser'],
    [{ default: { detachedTtlSeconds: 0 } }, 'terminals.default.detachedTtlSeconds'],
    [{ default: { detachedTtlSeconds: 30 * 24 * 3600 + 1 } }, 'terminals.default.detachedTtlSeconds'],
    [{ default: { idleLockSeconds: -1 } }, 'terminals.default.idleLockSeconds'],
    [{ default: { idleLockSeconds: 1.5 } }, 'terminals.default.idleLockSeconds'],
    [{ default: { allowReadWriteSharing: 'yes' } }, 'terminals.default.allowReadWriteSharing'],
    [{ default: { record: true } }, 'terminals.default: Unrecognized key'],
    [{ tenants: { 'acme corp': {} } }, 'terminals.tenants.acme corp'],
  ])('refuses %j (%s)', (terminals, problem) => {
    expect(problemsOf(terminals).join('\n')).toContain(problem);
  });
});

describe('GetTerminalPolicy', () => {
  const active = (terminals: unknown) => {
    const { bundle, problems } = bundleProblems(withTerminals(terminals));
    if (!bundle) throw new Error(problems.join('; '));
    return new ActiveBundle({ POLICY_BUNDLE_FILE: { path: 'terminals.json', bundle } });
  };
  const ask = (bundle: ActiveBundle, tenantId: string) => new GetTerminalPolicy(bundle).execute({ tenantId });
  const section = {
    default: { maxSessionsPerUser: 4 },
    tenants: { bank: { recording: 'output_and_input', retentionDays: 365, maxSessionsPerUser: 2 }, shop: { recording: 'output', retentionDays: 30 }, lab: { detachedTtlSeconds: 600, idleLockSeconds: 0, allowReadWriteSharing: false } },
  };

  it("answers a tenant's own entry, which replaces the default as a whole", () => {
    const bundle = active(section);
    expect(ask(bundle, 'bank')).toEqual({ policyVersion: bundle.bundle.version, ruleId: 'terminals.tenants.bank', recording: Recording.TERMINAL_RECORDING_OUTPUT_AND_INPUT, retentionDays: 365, maxSessionsPerUser: 2 });
    expect(ask(bundle, 'shop')).toMatchObject({ ruleId: 'terminals.tenants.shop', recording: Recording.TERMINAL_RECORDING_OUTPUT, retentionDays: 30, maxSessionsPerUser: 0 });
  });

  it('answers lifetimes and sharing only where the entry sets them (0 and false are answers, not defaults)', () => {
    const bundle = active(section);
    expect(ask(bundle, 'lab')).toMatchObject({ ruleId: 'terminals.tenants.lab', detachedTtlSeconds: 600, idleLockSeconds: 0, allowReadWriteSharing: false });
    const bank = ask(bundle, 'bank');
    expect([bank.detachedTtlSeconds, bank.idleLockSeconds, bank.allowReadWriteSharing]).toEqual([undefined, undefined, undefined]);
    // On the wire an unset field stays unset, so the terminal service falls back to its own default.
    const decoded = airlock.policy.v1.GetTerminalPolicyResponse.decode(airlock.policy.v1.GetTerminalPolicyResponse.encode(ask(bundle, 'lab')).finish());
    expect([decoded.detachedTtlSeconds, decoded.idleLockSeconds, decoded.allowReadWriteSharing]).toEqual([600, 0, false]);
    const unset = airlock.policy.v1.GetTerminalPolicyResponse.decode(airlock.policy.v1.GetTerminalPolicyResponse.encode(bank).finish());
    expect(unset.idleLockSeconds).toBeUndefined();
  });

  it('answers the default (recording off) for a tenant without an entry, and nothing without the section', () => {
    expect(ask(active(section), 'globex')).toMatchObject({ ruleId: 'terminals.default', recording: Recording.TERMINAL_RECORDING_OFF, retentionDays: 0, maxSessionsPerUser: 4 });
    expect(ask(active(section), 'constructor')).toMatchObject({ ruleId: 'terminals.default' });
    expect(ask(active(undefined), 'bank')).toMatchObject({ ruleId: '', recording: Recording.TERMINAL_RECORDING_UNSPECIFIED, retentionDays: 0, maxSessionsPerUser: 0 });
  });

  it('follows the active version', () => {
    const bundle = active(section);
    bundle.replace({ ...(bundle.bundle as PolicyBundle), version: 'next-1', terminals: { tenants: {} } }, 'store:2');
    expect(ask(bundle, 'bank')).toMatchObject({ policyVersion: 'next-1', ruleId: '', recording: Recording.TERMINAL_RECORDING_UNSPECIFIED });
  });

  it.each(['', 'acme corp', 'a'.repeat(257)])('refuses tenant id %j with invalid_tenant', (tenantId) => {
    expect(() => ask(active(section), tenantId)).toThrow(InvalidArgumentError);
  });
});
