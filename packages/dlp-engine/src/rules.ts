import { CLASSIFICATION_RULES } from './builtin-classification-rules';
import { CREDENTIAL_RULES } from './builtin-credential-rules';
import { PII_KR_RULES } from './builtin-pii-kr-rules';
import { PII_RULES } from './builtin-pii-rules';
import { SECRET_RULES } from './builtin-secret-rules';
import { TOKEN_RULES } from './builtin-token-rules';
import type { RuleDefinition } from './types';

/** Bumped whenever a built-in rule changes; reported as ruleSetVersion when the pack is used as is. */
export const BUILTIN_VERSION = 'builtin-2.0.0';

/** The built-in pack, in the order overlapping findings are ranked by when all else is equal. */
export const BUILTIN_RULES: RuleDefinition[] = [
  ...SECRET_RULES,
  ...TOKEN_RULES,
  ...CREDENTIAL_RULES,
  ...PII_RULES,
  ...PII_KR_RULES,
  ...CLASSIFICATION_RULES,
];
