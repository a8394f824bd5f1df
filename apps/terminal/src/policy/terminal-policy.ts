// What the policy bundle (section `terminals`) says about a tenant's terminals, asked when a session is created.
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { createClient, unary } from '@airlock/grpc';
import { APP_CONFIG, grpcClientCredentials, type ServiceConfig } from '@airlock/runtime';
import type { terminalConfig } from '../config';
import { PolicyUnavailableError } from '../errors';
import { configuredLimits, type RecordingMode, type SessionLimits } from '../sessions/session';

export interface TerminalRules {
  policyVersion: string;
  ruleId: string;
  recording: RecordingMode;
  /** Days a recording is kept (0 when nothing is recorded). */
  retentionDays: number;
  maxSessionsPerUser: number;
  /** The session's lifetime and sharing, held for its life. */
  limits: SessionLimits;
}

/** What the service applies where the bundle is silent. */
export interface TerminalDefaults {
  maxSessionsPerUser: number;
  limits: SessionLimits;
}

const Recording = airlock.policy.v1.TerminalRecording;

/**
 * Policy's answer → rules. A recording value this build does not know records everything: never less than asked.
 * Lifetimes and sharing the entry leaves unset are the service's defaults (an idle lock of 0 is "never", not unset).
 */
export function rulesFromProto(res: airlock.policy.v1.GetTerminalPolicyResponse, defaults: TerminalDefaults): TerminalRules {
  const recording: RecordingMode =
    res.recording === Recording.TERMINAL_RECORDING_OFF || res.recording === Recording.TERMINAL_RECORDING_UNSPECIFIED ? 'off' : res.recording === Recording.TERMINAL_RECORDING_OUTPUT ? 'output' : 'output_and_input';
  return {
    policyVersion: res.policyVersion,
    ruleId: res.ruleId,
    recording,
    // A recording always has a retention; policy validates it, and a missing one keeps it a year rather than none.
    retentionDays: recording === 'off' ? 0 : res.retentionDays || 365,
    maxSessionsPerUser: res.maxSessionsPerUser || defaults.maxSessionsPerUser,
    limits: {
      detachedTtlSeconds: res.detachedTtlSeconds || defaults.limits.detachedTtlSeconds,
      idleLockSeconds: res.idleLockSeconds ?? defaults.limits.idleLockSeconds,
      allowReadWriteSharing: res.allowReadWriteSharing ?? defaults.limits.allowReadWriteSharing,
    },
  };
}

@Injectable()
export class TerminalPolicy implements OnApplicationShutdown {
  private readonly client?: airlock.policy.v1.PolicyServiceClient;
  private readonly defaults: TerminalDefaults;

  constructor(@Inject(APP_CONFIG) config: ServiceConfig<typeof terminalConfig>) {
    this.defaults = { maxSessionsPerUser: config.TERMINAL_MAX_SESSIONS_PER_USER, limits: configuredLimits(config) };
    if (config.POLICY_ADDR) {
      this.client = createClient(airlock.policy.v1.PolicyServiceClient, config.POLICY_ADDR, {
        deadlineMs: config.TERMINAL_POLICY_DEADLINE_MS,
        credentials: grpcClientCredentials(config),
        idempotent: ['airlock.policy.v1.PolicyService/GetTerminalPolicy'],
      });
    }
  }

  onApplicationShutdown(): void {
    this.client?.close();
  }

  /** Asked at every create (creates are rare; a published bundle applies to the next session). */
  async rulesFor(tenantId: string): Promise<TerminalRules> {
    if (!this.client) return { policyVersion: '', ruleId: '', recording: 'off', retentionDays: 0, ...this.defaults };
    try {
      return rulesFromProto(await unary(this.client.getTerminalPolicy.bind(this.client), { tenantId }), this.defaults);
    } catch (error) {
      throw new PolicyUnavailableError(error);
    }
  }
}
