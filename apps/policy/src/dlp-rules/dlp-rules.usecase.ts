import { Inject, Injectable, Optional } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { BUILTIN_ONLY, type RuleSetSpec } from '@airlock/dlp-engine';
import { AppError, GrpcStatus } from '@airlock/runtime';
import { ActiveBundle } from '../bundles/active-bundle';
import { bundleProblems } from '../bundles/bundle';
import { BundleStore } from '../bundles/bundle-store';
import { StoreUnavailableError, VersionNotFoundError } from '../bundles/bundles.errors';
import type { PolicyErrorCode } from '../error-codes';

export class PolicyVersionUnknownError extends AppError<PolicyErrorCode> {
  constructor(version: string) {
    super('policy_version_unknown', `no policy version ${JSON.stringify(version)} (active: the one GetDlpRules returns without a version)`, {
      httpStatus: 404,
      grpcStatus: GrpcStatus.NOT_FOUND,
    });
  }
}

/** Rule sets of older versions kept parsed; versions are immutable, so entries never go stale. */
const KEPT_VERSIONS = 32;

/**
 * The DLP rule set of any policy version: the active one from memory, any other stored version from the
 * bundle store (the dlp service asks for the version a request was decided under, which may have been
 * replaced since). Without a store only the active version exists.
 */
@Injectable()
export class DlpRuleSets {
  private readonly kept = new Map<string, RuleSetSpec>();

  constructor(
    private readonly active: ActiveBundle,
    // Null without DATABASE_URL (store.module.ts); a union type needs the token named.
    @Optional() @Inject(BundleStore) private readonly store: BundleStore | null,
  ) {}

  /** The active version's rule set (synchronous: the rule test and decisions use it). */
  current(): { policyVersion: string; spec: RuleSetSpec } {
    const bundle = this.active.bundle;
    return { policyVersion: bundle.version, spec: bundle.dlp ?? BUILTIN_ONLY };
  }

  /** The rule set of `version` ('' = active). */
  async get(version: string): Promise<{ policyVersion: string; spec: RuleSetSpec }> {
    const current = this.current();
    if (!version || version === current.policyVersion) return current;
    const kept = this.kept.get(version);
    if (kept) return { policyVersion: version, spec: kept };
    if (!this.store) throw new PolicyVersionUnknownError(version);
    let content: unknown;
    try {
      content = (await this.store.get(version)).content;
    } catch (error) {
      if (error instanceof VersionNotFoundError) throw new PolicyVersionUnknownError(version);
      throw new StoreUnavailableError(error);
    }
    const { bundle } = bundleProblems(content);
    if (!bundle) throw new PolicyVersionUnknownError(version);
    const spec = bundle.dlp ?? BUILTIN_ONLY;
    if (this.kept.size >= KEPT_VERSIONS) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(version, spec);
    return { policyVersion: version, spec };
  }
}

/** PolicyService.GetDlpRules: the wire form of a version's rule set, complete (every field present). */
@Injectable()
export class GetDlpRules {
  constructor(private readonly ruleSets: DlpRuleSets) {}

  async execute(request: airlock.policy.v1.GetDlpRulesRequest): Promise<airlock.policy.v1.GetDlpRulesResponse> {
    const { policyVersion, spec } = await this.ruleSets.get(request.policyVersion);
    return {
      policyVersion,
      ruleSet: {
        builtinPack: spec.builtinPack,
        overrides: (spec.overrides ?? []).map((o) => ({ ruleId: o.ruleId, disabled: o.disabled ?? false, action: o.action ?? '' })),
        customRules: (spec.customRules ?? []).map((r) => ({
          id: r.id,
          category: r.category,
          description: r.description,
          pattern: r.pattern,
          keywords: r.keywords ?? [],
          validator: r.validator ?? '',
          entropy: r.entropy,
          context: r.context
            ? { words: r.context.words, window: r.context.window, required: r.context.required, forbidden: r.context.forbidden ?? [] }
            : undefined,
          action: r.action,
          severity: r.severity,
          examples: { positive: r.examples.positive, negative: r.examples.negative },
        })),
        allowList: spec.allowList ? { values: spec.allowList } : undefined,
      },
    };
  }
}
