import { Inject, Injectable } from '@nestjs/common';
import { airlock } from '@airlock/contracts';
import { BUILTIN_RULES, BUILTIN_VERSION, DlpEngine, InputTooLargeError, PseudonymVault, type RuleAction } from '@airlock/dlp-engine';
import { APP_CONFIG, InvalidArgumentError, type ServiceConfig } from '@airlock/runtime';
import type { dlpConfig } from '../service';

const { Action } = airlock.dlp.v1;
type ScanRequest = airlock.dlp.v1.ScanRequest;
type ScanResponse = airlock.dlp.v1.ScanResponse;

export const ACTIONS: Record<RuleAction, airlock.dlp.v1.Action> = {
  allow: Action.ACTION_ALLOW,
  mask: Action.ACTION_MASK,
  block: Action.ACTION_BLOCK,
  pseudonymize: Action.ACTION_PSEUDONYMIZE,
};

export class TextTooLargeError extends InvalidArgumentError {
  constructor(limit: number) {
    super('dlp_text_too_large', `text exceeds ${limit} characters`);
  }
}

/**
 * Scans a text with the linear-time engine and returns it with every finding masked or pseudonymised (or
 * the verdict to block). The rule set is the built-in pack until policy bundles carry their own.
 */
@Injectable()
export class ScanText {
  private readonly engine: DlpEngine;

  constructor(@Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof dlpConfig>) {
    this.engine = DlpEngine.compile(BUILTIN_RULES, { version: BUILTIN_VERSION, maxInputChars: config.DLP_MAX_TEXT_CHARS });
  }

  execute(request: ScanRequest): ScanResponse {
    let result;
    try {
      // One vault per request: placeholders are stable within it and gone with it.
      result = this.engine.scan(request.text, { vault: new PseudonymVault() });
    } catch (error) {
      if (error instanceof InputTooLargeError) throw new TextTooLargeError(this.config.DLP_MAX_TEXT_CHARS);
      throw error;
    }
    return {
      action: ACTIONS[result.action],
      text: result.text,
      findings: result.findings.map((f) => ({
        ruleId: f.ruleId,
        category: f.category,
        start: f.start,
        end: f.end,
        action: ACTIONS[f.action],
        valueSha256: f.valueHash,
        confidence: f.confidence,
      })),
      ruleSetVersion: result.ruleSetVersion,
    };
  }
}
