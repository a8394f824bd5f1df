// The draft's content as the editor reads and writes it. The Policy API validates the whole bundle (strict:
// unknown fields are errors) and names every problem; the editor only needs the sections it shows, and keeps
// everything else as it came (the JSON view shows all of it).
import type { PolicyDraft } from '../../api/types';

export type Content = PolicyDraft['content'];
type Json = Record<string, unknown>;

export interface RuleShape {
  id: string;
  description?: string;
  match: { pathPrefix: string; exact?: boolean; methods?: string[] };
  allow: { kinds: string[]; roles: string[] };
  models?: string[];
  highRisk?: boolean;
}

export interface ModelAliasShape {
  alias: string;
  backend: string;
  model: string;
  description?: string;
}

export interface DlpRuleShape {
  id: string;
  category: string;
  description: string;
  pattern: string;
  action: string;
  severity: string;
  examples: { positive: string[]; negative: string[] };
}

export interface DlpShape {
  builtinPack: boolean;
  overrides?: unknown[];
  customRules?: DlpRuleShape[];
}

export interface RateLimitShape {
  id: string;
  match?: { pathPrefix: string };
  key: string[];
  rate: { requests: number; perSeconds: number };
  burst: number;
}

export interface TokenBudgetShape {
  id: string;
  match?: { pathPrefix: string };
  scope: string;
  period: string;
  limitTokens: number;
}

export interface SessionLimitShape {
  maxPerUser?: number;
  maxPerTenant?: number;
  onExceed?: string;
}

export const RULE_KINDS = ['user', 'service_account'];
export const DLP_CATEGORIES = ['secret', 'pii', 'classification'];
export const DLP_ACTIONS = ['allow', 'mask', 'block', 'pseudonymize'];
export const DLP_SEVERITIES = ['low', 'medium', 'high', 'critical'];
export const LIMIT_KEYS = ['tenant', 'user', 'project', 'workspace'];
export const BUDGET_SCOPES = ['tenant', 'project', 'workspace', 'user'];
export const BUDGET_PERIODS = ['day', 'month'];
export const SESSION_EXCEED = ['deny', 'evict_oldest'];

/** The value at a dotted path (`dlp.customRules.0.pattern`), or undefined. */
export function getAt(root: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Json)[key] : undefined), root);
}

/**
 * A copy of `root` with the value at `path` replaced (objects and lists on the way copied, missing ones made);
 * `undefined` removes the field, so an emptied optional field leaves the bundle instead of becoming "".
 */
export function setAt<T>(root: T, path: string, value: unknown): T {
  const [key, ...rest] = path.split('.');
  const node: unknown = root ?? (/^\d+$/.test(key) ? [] : {});
  const copy = (Array.isArray(node) ? [...node] : { ...(node as Json) }) as Json;
  const next = rest.length === 0 ? value : setAt(copy[key], rest.join('.'), value);
  if (next === undefined && !Array.isArray(copy)) delete copy[key];
  else copy[key] = next;
  return copy as T;
}

/** Lines of a text area as a list (blank lines dropped), and back. */
export const linesOf = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);
export const textOf = (lines: unknown) => (Array.isArray(lines) ? lines.join('\n') : '');

/** A number field's value: undefined when emptied (the field leaves the bundle). */
export const numberOrUndefined = (value: number | string | null) => (value === null || value === '' ? undefined : Number(value));

/** A new custom rule to fill in: the API names what is still missing. */
export function newDlpRule(existing: readonly { id?: string }[]): DlpRuleShape {
  let n = existing.length + 1;
  while (existing.some((r) => r.id === `custom.rule_${n}`)) n += 1;
  return { id: `custom.rule_${n}`, category: 'classification', description: '', pattern: '', action: 'mask', severity: 'medium', examples: { positive: [], negative: [] } };
}
