import { Injectable } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { ActiveBundle } from '../bundles/active-bundle';
import { InvalidTenantError, REQUEST_TENANT_ID } from '../sessions/get-session-limits.usecase';
import type { TerminalRecordingMode, TerminalRules, TerminalsSection } from './terminals-schema';

const Recording = airlock.policy.v1.TerminalRecording;
const RECORDING: Record<TerminalRecordingMode, airlock.policy.v1.TerminalRecording> = {
  off: Recording.TERMINAL_RECORDING_OFF,
  output: Recording.TERMINAL_RECORDING_OUTPUT,
  output_and_input: Recording.TERMINAL_RECORDING_OUTPUT_AND_INPUT,
};

/** The entry that applies to a tenant and its rule id: its own entry (replacing the default), the default, or none. */
export function terminalRulesFor(section: TerminalsSection | undefined, tenantId: string): { ruleId: string; rules: TerminalRules } | undefined {
  if (!section) return undefined;
  if (Object.hasOwn(section.tenants, tenantId)) return { ruleId: `terminals.tenants.${tenantId}`, rules: section.tenants[tenantId] };
  return section.default ? { ruleId: 'terminals.default', rules: section.default } : undefined;
}

/** PolicyService.GetTerminalPolicy: the active version's terminal rules for one tenant (terminal applies them). */
@Injectable()
export class GetTerminalPolicy {
  constructor(private readonly active: ActiveBundle) {}

  execute(request: airlock.policy.v1.GetTerminalPolicyRequest): airlock.policy.v1.GetTerminalPolicyResponse {
    if (!REQUEST_TENANT_ID.test(request.tenantId)) throw new InvalidTenantError();
    const bundle = this.active.bundle;
    const found = terminalRulesFor(bundle.terminals, request.tenantId);
    return {
      policyVersion: bundle.version,
      ruleId: found?.ruleId ?? '',
      recording: found ? RECORDING[found.rules.recording ?? 'off'] : Recording.TERMINAL_RECORDING_UNSPECIFIED,
      retentionDays: found?.rules.retentionDays ?? 0,
      maxSessionsPerUser: found?.rules.maxSessionsPerUser ?? 0,
      detachedTtlSeconds: found?.rules.detachedTtlSeconds,
      idleLockSeconds: found?.rules.idleLockSeconds,
      allowReadWriteSharing: found?.rules.allowReadWriteSharing,
    };
  }
}
