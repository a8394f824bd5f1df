// The shape of one rule definition, checked field by field before anything is compiled: untrusted rule data
// (a policy bundle's custom rules, the Policy API's rule test) gets every problem named, not a crash.
import { VALIDATORS } from './validators';

/** Largest context window a rule may declare; the stream scanner's window is sized from it. */
export const MAX_CONTEXT_WINDOW = 256;

export const RULE_ACTIONS: readonly string[] = ['allow', 'mask', 'block', 'pseudonymize'];
const IDS = /^[a-z0-9][a-z0-9_.-]{0,99}$/;
const CATEGORIES: readonly string[] = ['secret', 'pii', 'classification'];
const SEVERITIES: readonly string[] = ['low', 'medium', 'high', 'critical'];
const VALIDATOR_NAMES: readonly string[] = VALIDATORS;

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** Structural checks of one rule; returns the problems found (empty = well-formed). */
export function ruleSchemaProblems(raw: unknown, at: string): string[] {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return [`${at}: not an object`];
  const r = raw as Record<string, unknown>;
  const id = typeof r.id === 'string' ? r.id : undefined;
  const name = id ? `${at} (${id})` : at;
  const p: string[] = [];
  if (!id || !IDS.test(id)) p.push(`${name}: id must match ${IDS.source}`);
  if (!CATEGORIES.includes(r.category as string)) p.push(`${name}: category must be one of ${CATEGORIES.join(', ')}`);
  if (typeof r.description !== 'string' || !r.description) p.push(`${name}: description is required`);
  if (typeof r.pattern !== 'string' || !r.pattern) p.push(`${name}: pattern is required`);
  if (r.keywords !== undefined && (!isStringArray(r.keywords) || r.keywords.some((k) => !k)))
    p.push(`${name}: keywords must be non-empty strings`);
  if (r.validator !== undefined && !VALIDATOR_NAMES.includes(r.validator as string))
    p.push(`${name}: unknown validator ${JSON.stringify(r.validator)} (known: ${VALIDATORS.join(', ')})`);
  if (r.entropy !== undefined && (typeof r.entropy !== 'number' || !(r.entropy >= 0 && r.entropy <= 8)))
    p.push(`${name}: entropy must be a number of bits per character in [0, 8]`);
  if (r.context !== undefined) {
    const c = r.context as Record<string, unknown> | null;
    if (!c || typeof c !== 'object' || !isStringArray(c.words) || c.words.length === 0 || c.words.some((w) => !w))
      p.push(`${name}: context.words must be a non-empty list of words`);
    else if (typeof c.window !== 'number' || !Number.isInteger(c.window) || c.window < 0 || c.window > MAX_CONTEXT_WINDOW)
      p.push(`${name}: context.window must be an integer in [0, ${MAX_CONTEXT_WINDOW}]`);
    else if (typeof c.required !== 'boolean') p.push(`${name}: context.required must be a boolean`);
    else if (c.forbidden !== undefined && (!isStringArray(c.forbidden) || c.forbidden.some((w) => !w)))
      p.push(`${name}: context.forbidden must be a list of words`);
  }
  if (!RULE_ACTIONS.includes(r.action as string)) p.push(`${name}: action must be one of ${RULE_ACTIONS.join(', ')}`);
  if (!SEVERITIES.includes(r.severity as string)) p.push(`${name}: severity must be one of ${SEVERITIES.join(', ')}`);
  const ex = r.examples as Record<string, unknown> | undefined;
  if (!ex || typeof ex !== 'object' || !isStringArray(ex.positive) || !isStringArray(ex.negative))
    p.push(`${name}: examples.positive and examples.negative must be lists of strings`);
  else if (ex.positive.length < 1 || ex.negative.length < 1) p.push(`${name}: at least one positive and one negative example are required`);
  return p;
}
