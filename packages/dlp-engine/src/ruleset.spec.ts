import { inspect } from 'node:util';
import {
  BUILTIN_ONLY,
  BUILTIN_RULES,
  BUILTIN_VERSION,
  DlpEngine,
  PseudonymVault,
  RuleCompileError,
  SAMPLE_CUSTOM_RULE,
  checkRuleSet,
  compileRuleSet,
  isPlaceholder,
  scanReport,
} from './index';

const projectCode = SAMPLE_CUSTOM_RULE;

describe('rule sets of a policy version', () => {
  it('the built-in-only set scans exactly as the built-in pack', () => {
    const text = 'key AKIAQ3EGXTZ7V5LN2MWB mail kim.cs@acme.co.kr CONFIDENTIAL';
    const fromSpec = compileRuleSet(BUILTIN_ONLY, '2026.1');
    const builtin = DlpEngine.compile(BUILTIN_RULES, { version: BUILTIN_VERSION });
    expect(fromSpec.version).toBe(`2026.1/${BUILTIN_VERSION}`);
    expect(scanReport(fromSpec.scan(text))).toEqual(scanReport(builtin.scan(text)));
  });

  it('applies overrides (disable, action change) and adds custom rules', () => {
    const engine = compileRuleSet(
      {
        builtinPack: true,
        overrides: [
          { ruleId: 'classification.confidential', disabled: true },
          { ruleId: 'pii.email', action: 'mask' },
        ],
        customRules: [projectCode],
      },
      'p-2',
    );
    expect(engine.rules.some((r) => r.id === 'classification.confidential')).toBe(false);
    expect(scanReport(engine.scan('CONFIDENTIAL: write to kim.cs@acme.co.kr'))).toMatchObject({
      action: 'mask',
      text: 'CONFIDENTIAL: write to [MASKED:pii.email]',
    });
    expect(engine.scan('about PROJECT-ZEUS').action).toBe('block');
  });

  it('without the pack only the custom rules run, and the version is the policy version alone', () => {
    const engine = compileRuleSet({ builtinPack: false, customRules: [projectCode] }, 'p-3');
    expect(engine.version).toBe('p-3');
    expect(engine.scan('AKIAQ3EGXTZ7V5LN2MWB').action).toBe('allow');
  });

  it('reports every problem of a bad spec: overrides, schema, RE2, examples, collisions', () => {
    expect(checkRuleSet(null)).toEqual({ ok: false, problems: ['rule set: not an object'] });
    const overrides = checkRuleSet({
      builtinPack: true,
      overrides: [{ ruleId: 'no.such.rule' }, { ruleId: 'pii.email', action: 'shout', extra: 1 }, { ruleId: 'pii.email' }],
    });
    expect(overrides.ok).toBe(false);
    expect(!overrides.ok && overrides.problems).toEqual([
      'overrides[0] (no.such.rule): ruleId must name a rule of the built-in pack',
      'overrides[1] (pii.email): unknown field(s) extra',
      'overrides[1] (pii.email): action must be one of allow, mask, block, pseudonymize',
      'overrides[2] (pii.email): a second override of the same rule',
    ]);
    const rules = checkRuleSet({
      builtinPack: true,
      customRules: [
        { ...projectCode, id: 'custom.lookbehind', pattern: '(?<=x)y' },
        { ...projectCode, id: 'custom.silent', examples: { positive: ['nothing'], negative: ['PROJECT-ABCD'] } },
        { ...projectCode, id: 'pii.email' },
      ],
    });
    expect(rules.ok).toBe(false);
    const problems = rules.ok ? [] : rules.problems;
    expect(problems.some((p) => p.includes('custom.lookbehind') && p.includes('RE2'))).toBe(true);
    expect(problems.filter((p) => p.includes('(custom.silent)'))).toEqual([
      expect.stringContaining('positive example #1 is not detected'),
      expect.stringContaining('negative example #1 is detected'),
    ]);
    expect(problems.some((p) => p.includes('duplicate id'))).toBe(true);
    expect(() => compileRuleSet({ builtinPack: false, overrides: [{ ruleId: 'pii.email' }] }, 'x')).toThrow(RuleCompileError);
  });

  it('accepts a good spec and returns its rules', () => {
    const result = checkRuleSet({ builtinPack: false, customRules: [projectCode] });
    expect(result).toMatchObject({ ok: true, rules: [projectCode] });
  });
});

describe('PseudonymVault pairs', () => {
  it('hands out its pairs and a vault built from them restores, keeps placeholders stable and numbers on', () => {
    const engine = DlpEngine.compile(BUILTIN_RULES, { version: BUILTIN_VERSION });
    const prompt = new PseudonymVault();
    const scanned = engine.scan('mail kim.cs@acme.co.kr and lee.dh@acme.co.kr', { vault: prompt });
    const pairs = prompt.entries();
    expect(pairs).toEqual([
      { placeholder: '⟦PII_1⟧', original: 'kim.cs@acme.co.kr' },
      { placeholder: '⟦PII_2⟧', original: 'lee.dh@acme.co.kr' },
    ]);
    expect(scanned.text).toBe('mail ⟦PII_1⟧ and ⟦PII_2⟧');
    const answer = PseudonymVault.from(pairs);
    expect(engine.scan('again lee.dh@acme.co.kr, new park.j@acme.co.kr', { vault: answer }).text).toBe('again ⟦PII_2⟧, new ⟦PII_3⟧');
    expect(PseudonymVault.from(pairs).restore('to ⟦PII_1⟧ / ⟦PII_3⟧')).toBe('to kim.cs@acme.co.kr / ⟦PII_3⟧');
    expect(inspect(answer)).not.toContain('acme');
    expect(JSON.stringify({ answer })).not.toContain('acme');
  });

  it('refuses what is not a placeholder', () => {
    expect(isPlaceholder('⟦PII_1⟧')).toBe(true);
    expect(isPlaceholder('⟦PII_0⟧')).toBe(false);
    expect(isPlaceholder('PII_1')).toBe(false);
    expect(() => PseudonymVault.from([{ placeholder: '[x]', original: 'y' }])).toThrow('not a vault placeholder');
  });
});
