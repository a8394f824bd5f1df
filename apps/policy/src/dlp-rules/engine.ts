// The DLP engine: the same code the dlp service and `tools/airlock dlp scan` run, so a rule test here finds
// exactly what they find.
export {
  BUILTIN_ONLY,
  PseudonymVault,
  SAMPLE_CUSTOM_RULE,
  checkRuleSet,
  checkRules,
  compileRuleSet,
  scanReport,
  type DlpEngine,
  type RuleDefinition,
  type RuleSetSpec,
  type ScanReport,
} from '@airlock/dlp-engine';
