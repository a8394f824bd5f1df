import { airlock } from '@airlock/contracts';
import type { RuleDefinition, RuleSetSpec } from '@airlock/dlp-engine';
import { GrpcStatus, createClient, isGrpcError, unary, type ChannelCredentials } from '@airlock/grpc';
import { PolicyVersionUnknownError } from '../scan/errors';

export interface PolicyRules {
  policyVersion: string;
  spec: RuleSetSpec;
}

/** Where the rules of a policy version come from; tests substitute it. */
export abstract class PolicyRulesSource {
  /** `version` '' asks for the active version. Rejects with PolicyVersionUnknownError for an unknown version. */
  abstract fetch(version: string): Promise<PolicyRules>;
  abstract close(): void;
}

/** Proto DlpRuleSet (proto3 defaults for absent fields) → the engine's spec; the engine validates the content. */
export function specFromProto(set: airlock.policy.v1.DlpRuleSet | undefined): RuleSetSpec {
  return {
    builtinPack: set?.builtinPack ?? false,
    overrides: (set?.overrides ?? []).map((o) => ({
      ruleId: o.ruleId,
      ...(o.disabled ? { disabled: true } : {}),
      ...(o.action ? { action: o.action as RuleDefinition['action'] } : {}),
    })),
    customRules: (set?.customRules ?? []).map(
      (r): RuleDefinition => ({
        id: r.id,
        category: r.category as RuleDefinition['category'],
        description: r.description,
        pattern: r.pattern,
        ...(r.keywords.length > 0 ? { keywords: r.keywords } : {}),
        ...(r.validator ? { validator: r.validator as RuleDefinition['validator'] } : {}),
        ...(r.entropy !== undefined ? { entropy: r.entropy } : {}),
        ...(r.context
          ? {
              context: {
                words: r.context.words,
                window: r.context.window,
                required: r.context.required,
                ...(r.context.forbidden.length > 0 ? { forbidden: r.context.forbidden } : {}),
              },
            }
          : {}),
        action: r.action as RuleDefinition['action'],
        severity: r.severity as RuleDefinition['severity'],
        examples: { positive: r.examples?.positive ?? [], negative: r.examples?.negative ?? [] },
      }),
    ),
    ...(set?.allowList ? { allowList: set.allowList.values } : {}),
  };
}

export class GrpcPolicyRules extends PolicyRulesSource {
  private readonly client: airlock.policy.v1.PolicyServiceClient;

  constructor(address: string, deadlineMs: number, credentials: ChannelCredentials) {
    super();
    this.client = createClient(airlock.policy.v1.PolicyServiceClient, address, {
      deadlineMs,
      credentials,
      idempotent: ['airlock.policy.v1.PolicyService/GetDlpRules'],
      // dlp may come up before policy: the first rule fetch waits for the channel rather than failing closed.
      waitForReady: true,
    });
  }

  async fetch(version: string): Promise<PolicyRules> {
    try {
      const res = await unary(this.client.getDlpRules.bind(this.client), { policyVersion: version });
      return { policyVersion: res.policyVersion, spec: specFromProto(res.ruleSet) };
    } catch (error) {
      if (isGrpcError(error) && error.code === GrpcStatus.NOT_FOUND) throw new PolicyVersionUnknownError(version);
      throw error;
    }
  }

  close(): void {
    this.client.close();
  }
}
