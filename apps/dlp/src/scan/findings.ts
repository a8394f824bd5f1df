import { airlock } from '@airlock/contracts';
import type { Finding, PseudonymEntry, RuleAction } from '@airlock/dlp-engine';

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
