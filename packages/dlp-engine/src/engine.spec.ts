import { inspect } from 'node:util';
import { BUILTIN_RULES, BUILTIN_VERSION, checkRules, DlpEngine, InputTooLargeError, PseudonymVault, RuleCompileError, type RuleDefinition } from './index';

const rule = (over: Partial<RuleDefinition>): RuleDefinition => ({
  id: 'custom.project_code',
  category: 'classification',
  description: 'project code names',
  pattern: 'PROJECT-[A-Z]{4}',
  action: 'mask',
  severity: 'medium',
  examples: { positive: ['see PROJECT-ATLS'], negative: ['project atlas'] },
  ...over,
});

describe('DlpEngine.compile', () => {
  it('compiles user rules and scans with them', () => {
    const engine = DlpEngine.compile([rule({})], { version: 'policy-7' });
    expect(engine.scan('code PROJECT-ZEUS here')).toMatchObject({
      action: 'mask',
      text: 'code [MASKED:custom.project_code] here',
      ruleSetVersion: 'policy-7',
    });
  });

  it('lists every bad rule, not just the first', () => {
    const bad = [
      rule({ id: 'bad.regex', pattern: '(unclosed' }),
      rule({ id: 'bad.lookbehind', pattern: '(?<=x)y' }),
      rule({ id: 'bad.validator', validator: 'crc32' as never }),
      rule({ id: 'bad.positive', examples: { positive: ['nothing here'], negative: ['x'] } }),
      rule({ id: 'bad.negative', examples: { positive: ['PROJECT-ABCD'], negative: ['PROJECT-WXYZ'] } }),
      rule({ id: 'good.one' }),
      rule({ id: 'good.one' }),
      rule({ id: 'Bad Id!' }),
    ];
    let error: unknown;
    try {
      DlpEngine.compile(bad, { version: 'x' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RuleCompileError);
    const problems = (error as RuleCompileError).problems.join('\n');
    for (const id of ['bad.regex', 'bad.lookbehind', 'bad.validator', 'bad.positive', 'bad.negative']) expect(problems).toContain(id);
    expect(problems).toContain('duplicate id');
    expect(problems).toContain('rule[7] (Bad Id!): id must match');
    expect(problems).not.toMatch(/good\.one\): (?!duplicate)/);
  });

  it('a pathological pattern completes in linear time (RE2, no backtracking)', () => {
    const engine = DlpEngine.compile(
      [rule({ id: 'evil.nested', pattern: '(a+)+$', examples: { positive: ['aaa'], negative: ['bbb'] } })],
      { version: 'x', maxInputChars: 200_000 },
    );
    const r = engine.scan('a'.repeat(100_000) + 'b');
    expect(r.findings).toEqual([]);
    expect(engine.scan('a'.repeat(100_000)).findings).toHaveLength(1);
  });

  it('refuses inputs beyond maxInputChars instead of scanning part of them', () => {
    const engine = DlpEngine.compile([rule({})], { version: 'x', maxInputChars: 10 });
    expect(() => engine.scan('PROJECT-ABCD!')).toThrow(InputTooLargeError);
    expect(engine.scan('PROJECT-AB').action).toBe('allow');
    const stream = engine.streamScanner();
    stream.push('12345');
    expect(() => stream.push('678901')).toThrow(InputTooLargeError);
  });

  it('keywords pre-filter: a keyword must occur in the match (or its context window)', () => {
    const engine = DlpEngine.compile(
      [rule({ pattern: '[A-Z]{3}-[0-9]{4}', keywords: ['tkt'], examples: { positive: ['TKT-1234'], negative: ['ABC-1234'] } })],
      { version: 'x' },
    );
    expect(engine.scan('TKT-1234 ABC-1234').findings.map((f) => [f.start, f.end])).toEqual([[0, 8]]);
    expect(engine.scan('tkt mentioned far away ... ABC-1234').findings).toEqual([]);
  });

  it('capture group 1 narrows the finding to the value', () => {
    const engine = DlpEngine.compile(
      [rule({ pattern: 'code=([A-Z]{4})', examples: { positive: ['code=ABCD'], negative: ['code=ab'] } })],
      { version: 'x' },
    );
    expect(engine.scan('x code=ABCD y')).toMatchObject({ text: 'x code=[MASKED:custom.project_code] y', findings: [{ start: 7, end: 11 }] });
  });

  it('context.required drops matches with no context word in the window', () => {
    const engine = DlpEngine.compile(
      [rule({ pattern: '[0-9]{6}', context: { words: ['pin'], window: 10, required: true }, examples: { positive: ['pin 123456'], negative: ['id 123456'] } })],
      { version: 'x' },
    );
    expect(engine.scan('pin: 123456').findings).toHaveLength(1);
    expect(engine.scan('the word pin is far ................ from 123456').findings).toHaveLength(0);
  });
});

describe('DlpEngine.scan of a large text', () => {
  const engine = DlpEngine.compile(BUILTIN_RULES, { version: BUILTIN_VERSION, checkExamples: false });
  const found = (text: string) => engine.scan(text).findings.map((f) => [f.ruleId, text.slice(f.start, f.end)]);

  it('finds what each line alone holds, whether its rule runs in keyword windows or over the whole text', () => {
    // Above 16 KiB keyword rules run in windows around their keywords; "token" here is so common that its
    // rules run over the whole text instead, while the rare "ghp_" keeps its windows.
    const filler = Array.from({ length: 600 }, (_, i) => `  const tokenCount${i} = tokens.length; // token refresh`);
    const github = 'GITHUB_TOKEN=ghp_R7x2Kq9LmZ4vT8nB3wY6cP1sD5fH0jG2kA7e';
    const generic = 'api_token = "Zx8Qw2Lm9Tb4Nc7Vd1Rf5Hj3"';
    const lines = [...filler.slice(0, 200), generic, ...filler.slice(200, 550), github, ...filler.slice(550)];
    const text = lines.join('\n');
    expect(text.length).toBeGreaterThan(32 * 1024);
    expect(found(text)).toEqual([...found(generic), ...found(github)]);
    expect(found(text).map(([id]) => id)).toEqual(['secret.generic_high_entropy', 'secret.github_token']);
  });
});

describe('checkRules', () => {
  it('accepts a valid rule set', () => {
    const result = checkRules([rule({})]);
    expect(result.ok).toBe(true);
  });

  it('reports schema problems without throwing', () => {
    const result = checkRules([{ id: 'x' }, 'nope', rule({ id: 'ok.rule' }), rule({ id: 'bad.re', pattern: '[' })]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.join('\n')).toMatch(/rule\[0\] \(x\): category/);
    expect(result.problems.join('\n')).toMatch(/rule\[1\]: not an object/);
    expect(checkRules('x')).toEqual({ ok: false, problems: ['rules must be a list'] });
    const compileOnly = checkRules([rule({ id: 'bad.re', pattern: '[' }), rule({ id: 'bad.ctx', context: { words: [], window: 5, required: true } })]);
    expect(compileOnly.ok).toBe(false);
  });
});

describe('PseudonymVault', () => {
  const engine = DlpEngine.compile(
    [
      rule({
        id: 'pii.code',
        category: 'pii',
        pattern: 'EMP[0-9]{4}',
        action: 'pseudonymize',
        examples: { positive: ['EMP1234'], negative: ['EMP12'] },
      }),
    ],
    { version: 'x' },
  );

  it('gives each value a stable placeholder and restores the originals', () => {
    const vault = new PseudonymVault();
    const r = engine.scan('EMP1234 met EMP5678, then EMP1234 again', { vault });
    expect(r.action).toBe('pseudonymize');
    expect(r.text).toBe('⟦PII_1⟧ met ⟦PII_2⟧, then ⟦PII_1⟧ again');
    const answer = 'Sure: ⟦PII_2⟧ reports to ⟦PII_1⟧ (not ⟦PII_9⟧).';
    expect(vault.restore(answer)).toBe('Sure: EMP5678 reports to EMP1234 (not ⟦PII_9⟧).');
    // The same vault keeps numbering across calls of one request.
    expect(engine.scan('and EMP5678', { vault }).text).toBe('and ⟦PII_2⟧');
  });

  it('restores the original spelling of an evasive value', () => {
    const vault = new PseudonymVault();
    const wide = 'EMP１２３４';
    expect(engine.scan(wide, { vault }).text).toBe('⟦PII_1⟧');
    expect(vault.restore('⟦PII_1⟧')).toBe(wide);
  });

  it('never prints or serialises its values', () => {
    const vault = new PseudonymVault();
    engine.scan('EMP1234', { vault });
    expect(JSON.stringify({ vault })).not.toContain('EMP1234');
    expect(inspect(vault, { showHidden: true, depth: 10 })).not.toContain('EMP1234');
    expect(String(vault)).not.toContain('EMP1234');
    expect(JSON.stringify(structuredClone({ ...vault }))).not.toContain('EMP1234');
    expect(Object.keys(vault)).toEqual([]);
    vault.clear();
    expect(vault.restore('⟦PII_1⟧')).toBe('⟦PII_1⟧');
  });
});
