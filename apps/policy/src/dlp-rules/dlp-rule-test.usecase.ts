import { Injectable } from '@nestjs/common';
import { z } from '@airlock/config';
import { BUILTIN_ONLY, PseudonymVault, checkRuleSet, checkRules, compileRuleSet, scanReport, type DlpEngine, type RuleDefinition, type RuleSetSpec, type ScanReport } from '@airlock/dlp-engine';
import { InvalidArgumentError } from '@airlock/runtime';
import { BundleWorkflow } from '../bundles/bundle-workflow';
import type { PolicyErrorCode } from '../error-codes';
import { DlpRuleSets } from './dlp-rules.usecase';

/** Largest text the rule test scans (the dlp service's default Scan limit). */
export const MAX_TEST_TEXT_CHARS = 1_000_000;

const body = z.strictObject({
  text: z.string().max(MAX_TEST_TEXT_CHARS),
  rules: z.array(z.unknown()).max(200).optional(),
  /** Test a draft's DLP section (as last saved) instead of the active version's. */
  draft_id: z.string().optional(),
  direction: z.enum(['inbound', 'outbound']).default('inbound'),
});

export class InvalidDlpTestError extends InvalidArgumentError<PolicyErrorCode> {
  constructor(problems: string[]) {
    super('invalid_request', `invalid DLP rule test: ${problems.join('; ')}`);
  }
}

export class InvalidDlpRulesError extends InvalidArgumentError<PolicyErrorCode> {
  constructor(readonly problems: string[]) {
    super('invalid_dlp_rules', `${problems.length} rule problem(s): ${problems.join('; ')}`);
  }
}

/** `policy_version` is the active version; `draft_id`, when given, says the rules were that draft's instead. */
export type DlpTestResult = ScanReport & { policy_version: string; draft_id?: string };

/**
 * The Policy API's rule test: scans a text with the active version's DLP rules — or, given `draft_id`, the
 * draft's own DLP section, so a security admin tries the rules they are about to propose — plus the caller's
 * extra custom rules, with the engine the dlp service and `tools/airlock dlp scan` use, and answers in the CLI's
 * JSON shape. The rules apply alike in both directions; `direction` is accepted for the day they differ.
 */
@Injectable()
export class DlpRuleTest {
  private activeEngine?: { version: string; engine: DlpEngine };

  constructor(
    private readonly ruleSets: DlpRuleSets,
    private readonly workflow: BundleWorkflow,
  ) {}

  async execute(raw: unknown): Promise<DlpTestResult> {
    const parsed = body.safeParse(raw);
    if (!parsed.success) throw new InvalidDlpTestError(parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`));
    const { text, rules, draft_id: draftId } = parsed.data;
    const { policyVersion, spec } = this.ruleSets.current();
    let engine: DlpEngine;
    if (draftId !== undefined) engine = this.withDrafts(await this.draftSpec(draftId), rules ?? [], `draft-${draftId}`);
    else engine = rules?.length ? this.withDrafts(spec, rules, policyVersion) : this.compiledActive(spec, policyVersion);
    const report = scanReport(engine.scan(text, { vault: new PseudonymVault() }));
    return draftId === undefined ? { ...report, policy_version: policyVersion } : { ...report, policy_version: policyVersion, draft_id: draftId };
  }

  /** The draft's DLP section as saved (absent: the built-in pack as it is), checked like any rule data. */
  private async draftSpec(id: string): Promise<RuleSetSpec> {
    const dlp = (await this.workflow.draft(id)).content.dlp;
    if (dlp === undefined) return BUILTIN_ONLY;
    const checked = checkRuleSet(dlp);
    if (!checked.ok) throw new InvalidDlpRulesError(checked.problems);
    return checked.spec;
  }

  /** Compiled once per active version. */
  private compiledActive(spec: Parameters<typeof compileRuleSet>[0], policyVersion: string): DlpEngine {
    if (this.activeEngine?.version !== policyVersion) this.activeEngine = { version: policyVersion, engine: compileRuleSet(spec, policyVersion) };
    return this.activeEngine.engine;
  }

  private withDrafts(spec: RuleSetSpec, drafts: unknown[], policyVersion: string): DlpEngine {
    if (drafts.length === 0) return compileRuleSet(spec, policyVersion);
    // Each draft on its own first (schema, RE2, its examples), then together with the active rules (ids).
    const own = checkRules(drafts);
    if (!own.ok) throw new InvalidDlpRulesError(own.problems);
    const combined = { ...spec, customRules: [...(spec.customRules ?? []), ...(drafts as RuleDefinition[])] };
    const all = checkRuleSet(combined);
    if (!all.ok) throw new InvalidDlpRulesError(all.problems);
    return compileRuleSet(combined, policyVersion);
  }
}
