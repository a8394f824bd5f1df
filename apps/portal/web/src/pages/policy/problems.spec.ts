import { fieldProblems, problemsAt } from './problems';

const content = { dlp: { customRules: [{ id: 'custom.first' }, { id: 'custom.project_code' }] } };

describe("the draft's problems at their fields", () => {
  it('takes the path of a schema problem as it is', () => {
    expect(fieldProblems(['rules.3.allow.roles: Too small: expected array to have >=1 items', 'limits.rateLimits.0.burst: a full burst must refill within 31 days'], content)).toEqual([
      { path: 'rules.3.allow.roles', message: 'Too small: expected array to have >=1 items' },
      { path: 'limits.rateLimits.0.burst', message: 'a full burst must refill within 31 days' },
    ]);
  });

  it("finds a DLP rule's field in the engine's words, by index or, after compiling the whole set, by id", () => {
    expect(
      fieldProblems(
        [
          'dlp: customRules[1] (custom.project_code): pattern is required',
          'dlp: customRules[0] (custom.first): category must be one of secret, pii, classification',
          'dlp: rule[57] (custom.project_code): pattern does not compile as RE2: invalid perl operator: (?<',
          'dlp: rule[56] (custom.first): positive example #1 is not detected',
          'dlp: rule[56] (custom.first): negative example #2 is detected',
          'dlp: customRules[0] (custom.first): at least one positive and one negative example are required',
          'dlp: rule[57] (custom.project_code): duplicate id',
        ],
        content,
      ).map((p) => p.path),
    ).toEqual([
      'dlp.customRules.1.pattern',
      'dlp.customRules.0.category',
      'dlp.customRules.1.pattern',
      'dlp.customRules.0.examples.positive',
      'dlp.customRules.0.examples.negative',
      'dlp.customRules.0.examples',
      'dlp.customRules.1.id',
    ]);
    expect(fieldProblems(['dlp: rule[57] (custom.project_code): pattern is required'], content)[0].message).toBe('pattern is required');
  });

  it('keeps problems it cannot place on the section, or on no field at all', () => {
    expect(fieldProblems(['dlp: overrides[0] (no.such): ruleId must name a rule of the built-in pack', 'dlp: builtinPack must be a boolean', 'dlp: rule[3] (pii.email): duplicate id', '(root): Invalid input', 'odd'], content).map((p) => p.path)).toEqual([
      'dlp.overrides.0',
      'dlp',
      'dlp',
      '',
      '',
    ]);
  });

  it('gives a field its own problems and those of what it holds', () => {
    const problems = fieldProblems(['rules.3.allow.roles.0: Too small', 'rules.3.allow.kinds: Invalid option', 'rules.30.id: duplicate'], content);
    expect(problemsAt(problems, 'rules.3.allow.roles')).toEqual(['Too small']);
    expect(problemsAt(problems, 'rules.3')).toEqual(['Too small', 'Invalid option']);
  });
});
