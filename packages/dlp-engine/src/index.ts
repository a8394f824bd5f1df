import { DlpEngine, schemaProblems } from './engine';
import { RuleCompileError } from './errors';
import type { RuleDefinition } from './types';

export { DlpEngine, DEFAULT_MAX_INPUT_CHARS, MAX_CONTEXT_WINDOW } from './engine';
export type { CompileOptions, ScanOptions } from './engine';
export { InputTooLargeError, RuleCompileError } from './errors';
export { PseudonymVault, isPlaceholder, type PseudonymEntry } from './vault';
export { BUILTIN_ONLY, SAMPLE_CUSTOM_RULE, checkRuleSet, compileRuleSet, ruleSetVersion, scanReport } from './ruleset';
export type { RuleOverride, RuleSetSpec, ScanReport } from './ruleset';
export { STREAM_HOLD_CAP, STREAM_WINDOW_BASE } from './stream';
export type { StreamScanner } from './stream';
export { BUILTIN_RULES, BUILTIN_VERSION } from './rules';
export { ACTION_RANK } from './types';
export type { Category, Confidence, Finding, RuleAction, RuleContext, RuleDefinition, ScanResult, Severity } from './types';
export type { ValidatorName } from './validators';

/**
 * Validates untrusted rule data (the Policy API's input): structure, RE2 compilation, and each rule against
 * its own examples. Never throws for bad input.
 */
export function checkRules(rules: unknown): { ok: true; rules: RuleDefinition[] } | { ok: false; problems: string[] } {
  if (!Array.isArray(rules)) return { ok: false, problems: ['rules must be a list'] };
  const schema = rules.flatMap((r, i) => schemaProblems(r, `rule[${i}]`));
  if (schema.length > 0) return { ok: false, problems: schema };
  try {
    DlpEngine.compile(rules as RuleDefinition[], { version: 'check' });
    return { ok: true, rules: rules as RuleDefinition[] };
  } catch (err) {
    if (err instanceof RuleCompileError) return { ok: false, problems: err.problems };
    return { ok: false, problems: [(err as Error).message] };
  }
}
