import { Injectable } from '@nestjs/common';
import { z } from '@airlock/config';
import { PseudonymVault, checkRuleSet, checkRules, compileRuleSet, scanReport, type DlpEngine, type RuleDefinition, type ScanReport } from '@airlock/dlp-engine';
import { InvalidArgumentError } from '@airlock/runtime';
import type { PolicyErrorCode } from '../error-codes';
import { DlpRuleSets } from './dlp-rules.usecase';

/** Largest text the rule test scans (the dlp service's default Scan limit). */
export const MAX_TEST_TEXT_CHARS = 1_000_000;

const body = z.strictObject({
  text: z.string().max(MAX_TEST_TEXT_CHARS),
  rules: z.array(z.unknown()).max(200).optional(),
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

export type DlpTestResult = ScanReport & { policy_version: string };

/**
 * The Policy API's rule test: scans a text with the active version's DLP rules plus the caller's draft custom
 * rules, with the engine the dlp service and `tools/airlock dlp scan` use, and answers in the CLI's JSON shape.
 * The rules apply alike in both directions; `direction` is accepted for the day they differ.
 */
@Injectable()
export class DlpRuleTest {
  private activeEngine?: { version: string; engine: DlpEngine };

  constructor(private readonly ruleSets: DlpRuleSets) {}

  execute(raw: unknown): DlpTestResult {
    const parsed = body.safeParse(raw);
    if (!parsed.success) throw new InvalidDlpTestError(parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`));
    const { text, rules } = parsed.data;
    const { policyVersion, spec } = this.ruleSets.current();
    const engine = rules?.length ? this.withDrafts(spec, rules, policyVersion) : this.compiledActive(spec, policyVersion);
    return { ...scanReport(engine.scan(text, { vault: new PseudonymVault() })), policy_version: policyVersion };
  }

  /** Compiled once per active version. */
  private compiledActive(spec: Parameters<typeof compileRuleSet>[0], policyVersion: string): DlpEngine {
    if (this.activeEngine?.version !== policyVersion) this.activeEngine = { version: policyVersion, engine: compileRuleSet(spec, policyVersion) };
    return this.activeEngine.engine;
  }

  private withDrafts(spec: Parameters<typeof compileRuleSet>[0], drafts: unknown[], policyVersion: string): DlpEngine {
    // Each draft on its own first (schema, RE2, its examples), then together with the active rules (ids).
    const own = checkRules(drafts);
    if (!own.ok) throw new InvalidDlpRulesError(own.problems);
    const combined = { ...spec, customRules: [...(spec.customRules ?? []), ...(drafts as RuleDefinition[])] };
    const all = checkRuleSet(combined);
    if (!all.ok) throw new InvalidDlpRulesError(all.problems);
    return compileRuleSet(combined, policyVersion);
  }
}
