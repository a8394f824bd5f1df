// The Policy API names every problem of a draft as "<where>: <what>" (validation.problems, and the 400 of a
// proposal). The editor shows each one at its field: this turns the "where" into the dotted path of the
// field that holds it (`rules.3.allow.roles`, `dlp.customRules.0.pattern`).

/** The field a problem belongs to, and its text. `path` is '' when no field can be named. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** What a custom DLP rule's problem starts with, and the rule field it is about. */
const DLP_RULE_FIELDS: [RegExp, string][] = [
  [/^(positive|negative) example/, 'examples.$1'],
  [/^(examples|at least one positive)/, 'examples'],
  [/^(duplicate id|id )/, 'id'],
  [/^pattern/, 'pattern'],
  [/^(category|description|keywords|validator|entropy|context|action|severity)\b/, '$1'],
];

/**
 * A DLP section problem (the engine's wording): `customRules[2] (custom.x): pattern is required` or, for
 * problems found when the whole rule set compiles, `rule[41] (custom.x): positive example #1 is not detected`,
 * where 41 counts the built-in rules too: the rule is found by its id.
 */
function dlpPath(message: string, customRuleIds: readonly string[]): FieldProblem {
  const rule = /^(customRules|rule)\[(\d+)\](?: \(([^)]*)\))?: (.*)$/.exec(message);
  if (rule) {
    const [, list, index, id, rest] = rule;
    const at = list === 'customRules' ? Number(index) : customRuleIds.indexOf(id ?? '');
    if (at < 0) return { path: 'dlp', message };
    const field = DLP_RULE_FIELDS.find(([pattern]) => pattern.test(rest));
    const name = field ? rest.replace(new RegExp(`${field[0].source}.*$`), field[1]) : '';
    return { path: `dlp.customRules.${at}${name ? `.${name}` : ''}`, message: rest };
  }
  const other = /^(overrides|allowList)\[(\d+)\]/.exec(message);
  if (other) return { path: `dlp.${other[1]}.${other[2]}`, message };
  return { path: 'dlp', message };
}

/** Every problem with the path of its field; `content` is the draft the problems were found in. */
export function fieldProblems(problems: readonly string[], content: { dlp?: { customRules?: { id?: unknown }[] } }): FieldProblem[] {
  const customRuleIds = (content.dlp?.customRules ?? []).map((r) => (typeof r.id === 'string' ? r.id : ''));
  return problems.map((problem) => {
    const split = problem.indexOf(': ');
    if (split < 0) return { path: '', message: problem };
    const where = problem.slice(0, split);
    const message = problem.slice(split + 2);
    if (where === 'dlp') return dlpPath(message, customRuleIds);
    return { path: where === '(root)' ? '' : where, message };
  });
}

/** The problems of the field at `path` and of anything inside it (an item of its list, a part of its value). */
export function problemsAt(problems: readonly FieldProblem[], path: string): string[] {
  return problems.filter((p) => p.path === path || p.path.startsWith(`${path}.`)).map((p) => p.message);
}
