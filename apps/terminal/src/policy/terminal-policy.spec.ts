import { airlock } from '@airlock/contracts';
import { rulesFromProto, type TerminalDefaults } from './terminal-policy';

const Recording = airlock.policy.v1.TerminalRecording;
const DEFAULTS: TerminalDefaults = { maxSessionsPerUser: 10, limits: { detachedTtlSeconds: 86_400, idleLockSeconds: 900, allowReadWriteSharing: false } };

const answer = (fields: Partial<airlock.policy.v1.GetTerminalPolicyResponse> = {}): airlock.policy.v1.GetTerminalPolicyResponse =>
  airlock.policy.v1.GetTerminalPolicyResponse.fromPartial({ policyVersion: 'v7', ruleId: 'terminals.tenants.bank', ...fields });

describe('rulesFromProto', () => {
  it("takes the entry's lifetimes and sharing, an idle lock of 0 (never) and false included", () => {
    const rules = rulesFromProto(answer({ detachedTtlSeconds: 600, idleLockSeconds: 0, allowReadWriteSharing: true, maxSessionsPerUser: 2 }), DEFAULTS);
    expect(rules).toEqual({ policyVersion: 'v7', ruleId: 'terminals.tenants.bank', recording: 'off', retentionDays: 0, maxSessionsPerUser: 2, limits: { detachedTtlSeconds: 600, idleLockSeconds: 0, allowReadWriteSharing: true } });
  });

  it('falls back to the service defaults for what the entry leaves unset', () => {
    expect(rulesFromProto(answer(), DEFAULTS)).toMatchObject({ maxSessionsPerUser: 10, limits: DEFAULTS.limits });
  });

  it('records everything for a recording value this build does not know, and keeps a recording a year without a retention', () => {
    expect(rulesFromProto(answer({ recording: 99 as airlock.policy.v1.TerminalRecording }), DEFAULTS)).toMatchObject({ recording: 'output_and_input', retentionDays: 365 });
    expect(rulesFromProto(answer({ recording: Recording.TERMINAL_RECORDING_OUTPUT, retentionDays: 30 }), DEFAULTS)).toMatchObject({ recording: 'output', retentionDays: 30 });
  });
});
