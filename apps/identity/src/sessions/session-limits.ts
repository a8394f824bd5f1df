import { Inject, Injectable, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { createClient, unary, type ChannelCredentials } from '@airlock/grpc';
import { APP_CONFIG, APP_LOGGER, type ServiceConfig } from '@airlock/runtime';
import type { Logger } from '@airlock/telemetry';
import type { identityConfig } from '../config';

/** A tenant's concurrent-session limits as policy states them (its bundle section `sessions`). */
export interface SessionLimits {
  policyVersion: string;
  /** The bundle entry that applies, e.g. `sessions.tenants.acme`; '' when none does. */
  ruleId: string;
  /** 0 = unlimited. */
  maxPerUser: number;
  /** 0 = unlimited; exceeding it always refuses the login. */
  maxPerTenant: number;
  /** A login beyond `maxPerUser`: refused, or the user's oldest session ends. */
  onExceed: 'deny' | 'evict_oldest';
}

export const NO_SESSION_LIMITS: SessionLimits = { policyVersion: '', ruleId: '', maxPerUser: 0, maxPerTenant: 0, onExceed: 'deny' };

const Action = airlock.policy.v1.SessionLimitAction;

/** Policy's answer → limits. An action this build does not know is read as `deny`: never end sessions on a guess. */
export function limitsFromProto(res: airlock.policy.v1.GetSessionLimitsResponse): SessionLimits {
  return {
    policyVersion: res.policyVersion,
    ruleId: res.ruleId,
    maxPerUser: res.maxPerUser,
    maxPerTenant: res.maxPerTenant,
    onExceed: res.onExceed === Action.SESSION_LIMIT_ACTION_EVICT_OLDEST ? 'evict_oldest' : 'deny',
  };
}

/** Where the limits come from; tests substitute it. */
export abstract class SessionLimitsSource {
  abstract fetch(tenantId: string): Promise<SessionLimits>;
  abstract close(): void;
}

/** PolicyService.GetSessionLimits at POLICY_ADDR. */
export class GrpcSessionLimits extends SessionLimitsSource {
  private readonly client: airlock.policy.v1.PolicyServiceClient;

  constructor(address: string, deadlineMs: number, credentials: ChannelCredentials) {
    super();
    this.client = createClient(airlock.policy.v1.PolicyServiceClient, address, {
      deadlineMs,
      credentials,
      idempotent: ['airlock.policy.v1.PolicyService/GetSessionLimits'],
      // identity starts before policy in a mesh: an early login waits (within the deadline) for the channel.
      waitForReady: true,
    });
  }

  async fetch(tenantId: string): Promise<SessionLimits> {
    return limitsFromProto(await unary(this.client.getSessionLimits.bind(this.client), { tenantId }));
  }

  close(): void {
    this.client.close();
  }
}

/**
 * The limits that apply to a login, asked of policy every time (logins are rare, and a published change then
 * applies to the next login). While policy cannot answer, its last answer for the tenant is used if it is at
 * most IDENTITY_SESSION_LIMITS_MAX_STALE_SECONDS old; otherwise there is no answer (the login fails closed).
 * Without POLICY_ADDR there are no limits.
 */
@Injectable()
export class TenantSessionLimits implements OnModuleInit, OnApplicationShutdown {
  private readonly lastAnswers = new Map<string, { limits: SessionLimits; at: number }>();
  private readonly maxStaleMs: number;

  constructor(
    @Inject(APP_CONFIG) config: Pick<ServiceConfig<typeof identityConfig>, 'IDENTITY_SESSION_LIMITS_MAX_STALE_SECONDS'>,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    // Null without POLICY_ADDR (app.module.ts); a union type needs the token named.
    @Optional() @Inject(SessionLimitsSource) private readonly source: SessionLimitsSource | null,
  ) {
    this.maxStaleMs = config.IDENTITY_SESSION_LIMITS_MAX_STALE_SECONDS * 1000;
  }

  onModuleInit(): void {
    if (!this.source) this.logger.warn('POLICY_ADDR not set: concurrent session limits (policy bundle section `sessions`) are not enforced');
  }

  onApplicationShutdown(): void {
    this.source?.close();
  }

  /** undefined: policy is unreachable and its last answer for the tenant (if any) is too old. */
  async forTenant(tenantId: string): Promise<SessionLimits | undefined> {
    if (!this.source) return NO_SESSION_LIMITS;
    try {
      const limits = await this.source.fetch(tenantId);
      this.remember(tenantId, limits);
      return limits;
    } catch (error) {
      const last = this.lastAnswers.get(tenantId);
      const ageMs = last ? Date.now() - last.at : undefined;
      if (last && ageMs! <= this.maxStaleMs) {
        this.logger.warn({ err: (error as Error).message, tenant_id: tenantId, policy_version: last.limits.policyVersion, age_ms: ageMs }, 'policy unreachable: using its last session limits for the tenant');
        return last.limits;
      }
      this.logger.error({ err: (error as Error).message, tenant_id: tenantId, age_ms: ageMs }, 'policy unreachable and no recent session limits for the tenant: login refused');
      return undefined;
    }
  }

  private remember(tenantId: string, limits: SessionLimits): void {
    this.lastAnswers.delete(tenantId);
    // Bounded: one entry per tenant that logged in, the least recently asked dropped first.
    if (this.lastAnswers.size >= MAX_REMEMBERED_TENANTS) this.lastAnswers.delete(this.lastAnswers.keys().next().value!);
    this.lastAnswers.set(tenantId, { limits, at: Date.now() });
  }
}

const MAX_REMEMBERED_TENANTS = 10_000;
