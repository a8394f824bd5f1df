import RE2 from 're2';
import type { airlock } from '@airlock/contracts';

type Action = airlock.dlp.v1.Action;

export interface Rule {
  id: string;
  category: 'secret' | 'pii' | 'classification';
  /** RE2 syntax: linear time, no backtracking, so no input can stall a scan. */
  pattern: string;
  action: 'mask' | 'block';
}

export interface CompiledRule extends Rule {
  regex: RE2;
}

/**
 * The built-in rule pack's first rules. Rules are data; the policy bundle will carry the full, tunable set.
 */
export const BUILTIN_RULES: Rule[] = [
  { id: 'secret.aws_access_key_id', category: 'secret', pattern: '\\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\\b', action: 'mask' },
  {
    id: 'secret.aws_secret_access_key',
    category: 'secret',
    pattern: '(?i)aws_?secret_?access_?key\\s*[:=]\\s*["\']?[A-Za-z0-9/+=]{40}\\b',
    action: 'mask',
  },
  { id: 'secret.github_token', category: 'secret', pattern: '\\bgh[pousr]_[A-Za-z0-9]{36,255}\\b', action: 'mask' },
  {
    id: 'secret.private_key',
    category: 'secret',
    pattern: '-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----[\\s\\S]*?-----END (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----',
    action: 'block',
  },
];

export function compileRules(rules: Rule[]): CompiledRule[] {
  return rules.map((rule) => ({ ...rule, regex: new RE2(rule.pattern, 'gu') }));
}

export function toAction(action: Rule['action'], actions: typeof airlock.dlp.v1.Action): Action {
  return action === 'block' ? actions.ACTION_BLOCK : actions.ACTION_MASK;
}
