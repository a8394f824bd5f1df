import { airlock } from '@airlock/contracts';
import type { Finding, PseudonymEntry, RuleAction } from '@airlock/dlp-engine';
import { metrics } from '@airlock/telemetry';

const { Action } = airlock.dlp.v1;

export const ACTIONS: Record<RuleAction, airlock.dlp.v1.Action> = {
  allow: Action.ACTION_ALLOW,
  mask: Action.ACTION_MASK,
  block: Action.ACTION_BLOCK,
  pseudonymize: Action.ACTION_PSEUDONYMIZE,
};

/** The wire form of a finding: offsets and a keyed hash, never the value. */
export function toProtoFinding(f: Finding): airlock.dlp.v1.Finding {
  return {
    ruleId: f.ruleId,
    category: f.category,
    start: f.start,
    end: f.end,
    action: ACTIONS[f.action],
    valueSha256: f.valueHash,
    confidence: f.confidence,
  };
}

export function toProtoPseudonyms(entries: PseudonymEntry[]): airlock.dlp.v1.Pseudonyms {
  return { entries: entries.map(({ placeholder, original }) => ({ placeholder, original })) };
}

let findingsTotal: ReturnType<ReturnType<typeof metrics.getMeter>['createCounter']> | undefined;

/** `airlock_dlp_findings_total{category,action,scope}`: what DLP finds in prompts and in streamed answers. */
export function countFindings(findings: readonly Finding[], scope: 'prompt' | 'output'): void {
  if (findings.length === 0) return;
  // Taken on first use, after the SDK started: a meter taken at import would be a no-op.
  findingsTotal ??= metrics.getMeter('airlock-dlp').createCounter('airlock_dlp_findings_total', { description: 'DLP findings, by rule category, action and scope' });
  for (const f of findings) findingsTotal.add(1, { category: f.category, action: f.action, scope });
}
