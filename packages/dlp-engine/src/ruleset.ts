import { allowListProblems } from './allow-list';
import { DlpEngine } from './engine';
import { RuleCompileError } from './errors';
import { RULE_ACTIONS, ruleSchemaProblems } from './rule-schema';
import { BUILTIN_RULES, BUILTIN_VERSION } from './rules';
import type { Category, RuleAction, RuleDefinition, ScanResult } from './types';
import { PseudonymVault } from './vault';

/** A change a policy makes to one rule of the built-in pack. */
export interface RuleOverride {
  ruleId: string;
  disabled?: boolean;
  action?: RuleAction;
}

/**
 * The DLP part of a policy version, as data: whether the built-in pack applies, changes to its rules, and the
 * policy's own rules (each with its positive/negative examples).
 */
export interface RuleSetSpec {
  builtinPack: boolean;
  overrides?: RuleOverride[];
  customRules?: RuleDefinition[];
  /** Values never reported (vendors' documented examples); omitted: DEFAULT_ALLOW_LIST, []: none. */
  allowList?: string[];
}

export const BUILTIN_ONLY: RuleSetSpec = { builtinPack: true, overrides: [], customRules: [] };

/** A complete custom rule, as a policy bundle's `dlp.customRules` holds it (README example, tests). */
export const SAMPLE_CUSTOM_RULE: RuleDefinition = {
  id: 'custom.project_code',
  category: 'classification',
  description: 'project code names',
  pattern: 'PROJECT-[A-Z]{4}',
  action: 'block',
  severity: 'high',
  examples: { positive: ['see PROJECT-ATLS'], negative: ['project atlas'] },
};

/** Problems of the spec's structure and of its overrides; rule contents are checked by compiling. */
function specProblems(raw: unknown): string[] {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return ['rule set: not an object'];
  const spec = raw as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof spec.builtinPack !== 'boolean') problems.push('builtinPack must be a boolean');
  if (spec.customRules !== undefined && !Array.isArray(spec.customRules)) problems.push('customRules must be a list');
  if (spec.allowList !== undefined) problems.push(...allowListProblems(spec.allowList));
  if (spec.overrides === undefined) return problems;
  if (!Array.isArray(spec.overrides)) return [...problems, 'overrides must be a list'];
  const builtinIds = new Set(BUILTIN_RULES.map((r) => r.id));
  const seen = new Set<string>();
  spec.overrides.forEach((o: unknown, i) => {
    const at = `overrides[${i}]`;
    if (o === null || typeof o !== 'object' || Array.isArray(o)) return problems.push(`${at}: not an object`);
    const { ruleId, disabled, action, ...rest } = o as Record<string, unknown>;
    const name = typeof ruleId === 'string' ? `${at} (${ruleId})` : at;
    if (Object.keys(rest).length > 0) problems.push(`${name}: unknown field(s) ${Object.keys(rest).join(', ')}`);
    if (typeof ruleId !== 'string' || !builtinIds.has(ruleId)) problems.push(`${name}: ruleId must name a rule of the built-in pack`);
    else if (seen.has(ruleId)) problems.push(`${name}: a second override of the same rule`);
    if (typeof ruleId === 'string') seen.add(ruleId);
    if (disabled !== undefined && typeof disabled !== 'boolean') problems.push(`${name}: disabled must be a boolean`);
    if (action !== undefined && !RULE_ACTIONS.includes(action as string)) problems.push(`${name}: action must be one of ${RULE_ACTIONS.join(', ')}`);
    if (spec.builtinPack === false) problems.push(`${name}: overrides apply to the built-in pack, which is off`);
    return undefined;
  });
  return problems;
}

/** The rules a spec stands for: the built-in pack with its overrides applied, then the custom rules. */
function expand(spec: RuleSetSpec): RuleDefinition[] {
  const overrides = new Map((spec.overrides ?? []).map((o) => [o.ruleId, o]));
  const builtin = spec.builtinPack
    ? BUILTIN_RULES.flatMap((rule) => {
        const o = overrides.get(rule.id);
        if (o?.disabled) return [];
        return [o?.action ? { ...rule, action: o.action } : rule];
      })
    : [];
  return [...builtin, ...(spec.customRules ?? [])];
}

/** The version a rule set reports: the policy version, and the pack version when the pack is part of it. */
export function ruleSetVersion(policyVersion: string, spec: RuleSetSpec): string {
  return spec.builtinPack ? `${policyVersion}/${BUILTIN_VERSION}` : policyVersion;
}

/** What compiling well-formed rules finds wrong: RE2 compilation, duplicate ids, examples that misbehave. */
function compileProblems(rules: RuleDefinition[]): string[] {
  try {
    DlpEngine.compile(rules, { version: 'check' });
    return [];
  } catch (err) {
    return err instanceof RuleCompileError ? err.problems : [(err as Error).message];
  }
}

/**
 * Validates untrusted rule data (the Policy API's input): structure, RE2 compilation, and each rule against
 * its own examples. Never throws for bad input.
 */
export function checkRules(rules: unknown): { ok: true; rules: RuleDefinition[] } | { ok: false; problems: string[] } {
  if (!Array.isArray(rules)) return { ok: false, problems: ['rules must be a list'] };
  const problems = rules.flatMap((r, i) => ruleSchemaProblems(r, `rule[${i}]`));
  if (problems.length === 0) problems.push(...compileProblems(rules as RuleDefinition[]));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, rules: rules as RuleDefinition[] };
}

/**
 * Validates an untrusted rule-set spec (a policy bundle's `dlp` section) completely — structure, overrides,
 * each custom rule's schema, RE2 compilation and its examples — and returns every problem, never throwing.
 */
export function checkRuleSet(raw: unknown): { ok: true; spec: RuleSetSpec; rules: RuleDefinition[] } | { ok: false; problems: string[] } {
  const problems = specProblems(raw);
  if (problems.length > 0) return { ok: false, problems };
  const spec = raw as RuleSetSpec;
  const schema = (spec.customRules ?? []).flatMap((r, i) => ruleSchemaProblems(r, `customRules[${i}]`));
  if (schema.length > 0) return { ok: false, problems: schema };
  const rules = expand(spec);
  const compiled = compileProblems(rules);
  return compiled.length > 0 ? { ok: false, problems: compiled } : { ok: true, spec, rules };
}

/**
 * Compiles the rule set of a policy version; throws RuleCompileError listing every problem. The engine's
 * version is `ruleSetVersion(policyVersion, spec)`.
 */
export function compileRuleSet(
  spec: RuleSetSpec,
  policyVersion: string,
  opts: { hashKey?: Buffer; maxInputChars?: number } = {},
): DlpEngine {
  const problems = specProblems(spec);
  if (problems.length > 0) throw new RuleCompileError(problems);
  return DlpEngine.compile(expand(spec), { ...opts, allowList: spec.allowList, version: ruleSetVersion(policyVersion, spec) });
}

/** The public shape of a scan result, shared by `tools/airlock dlp scan --json` and the Policy API. */
export interface ScanReport {
  action: RuleAction;
  findings: { ruleId: string; category: Category; start: number; end: number }[];
  text: string;
}

/**
 * The built-in pack as it is, over one text, with a vault of its own: what `tools/airlock dlp scan` reports,
 * and what the Policy API's rule test must answer for the active version's built-in rules.
 */
export function scanWithBuiltinPack(text: string): ScanResult {
  // The pack's examples are checked by its unit tests; a one-shot scan does not check them again.
  return DlpEngine.compile(BUILTIN_RULES, { version: BUILTIN_VERSION, checkExamples: false }).scan(text, { vault: new PseudonymVault() });
}

export function scanReport(result: ScanResult): ScanReport {
  return {
    action: result.action,
    findings: result.findings.map((f) => ({ ruleId: f.ruleId, category: f.category, start: f.start, end: f.end })),
    text: result.text,
  };
}
