import type { ValidatorName } from './validators';

export type Category = 'secret' | 'pii' | 'classification';
export type RuleAction = 'allow' | 'mask' | 'block' | 'pseudonymize';
export type Severity = 'low' | 'medium' | 'high' | 'critical';
export type Confidence = 'low' | 'medium' | 'high';

export interface RuleContext {
  /** Words looked for (case-insensitive) within `window` characters either side of the match. */
  words: string[];
  window: number;
  /** true: no finding without a context word; false: a context word only raises confidence. */
  required: boolean;
  /** Words (case-insensitive) that drop the match when they occur within the window: look-alike contexts. */
  forbidden?: string[];
}

export interface RuleDefinition {
  id: string;
  category: Category;
  description: string;
  /** RE2 syntax. If the pattern has a capture group 1, the finding (mask, hash, checks) covers that group only. */
  pattern: string;
  /**
   * Pre-filter: the rule only runs when one of these occurs (case-insensitive). A keyword must occur inside
   * the match, or within the context window for rules with `context`, so the filter never changes results.
   */
  keywords?: string[];
  validator?: ValidatorName;
  /** Minimum Shannon entropy, bits per character, of the match (or of capture group 1). */
  entropy?: number;
  context?: RuleContext;
  action: RuleAction;
  severity: Severity;
  examples: { positive: string[]; negative: string[] };
}

export interface Finding {
  ruleId: string;
  category: Category;
  /** UTF-16 offsets into the ORIGINAL text. */
  start: number;
  end: number;
  action: RuleAction;
  confidence: Confidence;
  /** HMAC-SHA256(key, normalised value), hex: correlates repeats without revealing the value. */
  valueHash: string;
}

export interface ScanResult {
  action: RuleAction;
  findings: Finding[];
  /** Masked/pseudonymised text; '' when the action is block. */
  text: string;
  ruleSetVersion: string;
}

export const ACTION_RANK: Record<RuleAction, number> = { allow: 0, mask: 1, pseudonymize: 2, block: 3 };
export const SEVERITY_RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 };
