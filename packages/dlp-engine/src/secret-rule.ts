// The factory behind the built-in pack's vendor-token and credential rules: both are secrets written as
// (id, description, pattern, keywords, examples) and differ only in their defaults.
import type { RuleDefinition } from './types';

type SecretRule = (
  id: string,
  description: string,
  pattern: string,
  keywords: string[],
  positive: string[],
  negative: string[],
  extra?: Partial<RuleDefinition>,
) => RuleDefinition;

/** Secret rules with `defaults` (a rule's `extra` overrides them). */
export function secretRules(defaults: Pick<RuleDefinition, 'action' | 'severity'> & Partial<RuleDefinition>): SecretRule {
  return (id, description, pattern, keywords, positive, negative, extra = {}) => ({
    id,
    category: 'secret',
    description,
    pattern,
    keywords,
    ...defaults,
    examples: { positive, negative },
    ...extra,
  });
}
