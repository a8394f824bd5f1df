import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { APP_CONFIG, InvalidArgumentError, type ServiceConfig } from '@airlock/runtime';
import { BUILTIN_RULES, compileRules, toAction } from './rules';
import type { dlpConfig } from '../service';

const { Action } = airlock.dlp.v1;
type ScanRequest = airlock.dlp.v1.ScanRequest;
type ScanResponse = airlock.dlp.v1.ScanResponse;
type Finding = airlock.dlp.v1.Finding;

export const RULE_SET_VERSION = 'builtin-0.1';

export class TextTooLargeError extends InvalidArgumentError {
  constructor(limit: number) {
    super('dlp_text_too_large', `text exceeds ${limit} characters`);
  }
}

/** Finds sensitive values in a text and returns it with every finding masked (or the verdict to block). */
@Injectable()
export class ScanText {
  private readonly rules = compileRules(BUILTIN_RULES);

  constructor(@Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof dlpConfig>) {}

  execute(request: ScanRequest): ScanResponse {
    const text = request.text;
    if (text.length > this.config.DLP_MAX_TEXT_CHARS) throw new TextTooLargeError(this.config.DLP_MAX_TEXT_CHARS);

    const findings: Finding[] = [];
    for (const rule of this.rules) {
      for (const match of text.matchAll(rule.regex)) {
        const start = match.index ?? 0;
        findings.push({
          ruleId: rule.id,
          category: rule.category,
          start,
          end: start + match[0].length,
          action: toAction(rule.action, Action),
          // Only a digest leaves the scanner: enough to correlate repeats, never the value.
          valueSha256: createHash('sha256').update(match[0]).digest('hex'),
        });
      }
    }
    findings.sort((a, b) => a.start - b.start || b.end - a.end);

    const action = findings.reduce(
      (strongest, f) => (f.action === Action.ACTION_BLOCK || strongest === Action.ACTION_BLOCK ? Action.ACTION_BLOCK : Action.ACTION_MASK),
      findings.length ? Action.ACTION_MASK : Action.ACTION_ALLOW,
    );
    return {
      action,
      text: action === Action.ACTION_BLOCK ? '' : applyMasks(text, findings),
      findings,
      ruleSetVersion: RULE_SET_VERSION,
    };
  }
}

/** Replaces each finding (overlaps merged, earliest first) with a placeholder naming its rule. */
export function applyMasks(text: string, findings: Finding[]): string {
  let out = '';
  let cursor = 0;
  for (const f of findings) {
    if (f.start < cursor) continue;
    out += text.slice(cursor, f.start) + `[MASKED:${f.ruleId}]`;
    cursor = f.end;
  }
  return out + text.slice(cursor);
}
