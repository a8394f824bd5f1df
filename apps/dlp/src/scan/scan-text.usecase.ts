import { Inject, Injectable } from '@nestjs/common';
import type { airlock } from '@airlock/contracts';
import { PseudonymVault } from '@airlock/dlp-engine';
import { APP_CONFIG, type ServiceConfig } from '@airlock/runtime';
import { RuleSets } from '../rules/rule-sets';
import type { dlpConfig } from '../service';
import { InvalidContextError, TextTooLargeError } from './errors';
import { ACTIONS, toProtoFinding, toProtoPseudonyms } from './findings';
import { checkPseudonymPairs } from './pseudonym-pairs';

export { ACTIONS } from './findings';
export { InvalidContextError, TextTooLargeError } from './errors';

type ScanRequest = airlock.dlp.v1.ScanRequest;
type ScanResponse = airlock.dlp.v1.ScanResponse;

/**
 * Scans a whole text (a prompt) with the rules of the requested policy version and returns it with every
 * finding masked or pseudonymised (or the verdict to block), plus the request's pseudonyms so far: the caller's
 * `context` (the previous Scan's pairs) and the ones this text added, for its next Scan and the answer's restore.
 */
@Injectable()
export class ScanText {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig<typeof dlpConfig>,
    private readonly ruleSets: RuleSets,
  ) {}

  async execute(request: ScanRequest): Promise<ScanResponse> {
    // Checked before anything else: an oversized text is refused, never scanned in part.
    if (request.text.length > this.config.DLP_MAX_TEXT_CHARS) throw new TextTooLargeError(this.config.DLP_MAX_TEXT_CHARS);
    const context = request.context?.entries ?? [];
    checkPseudonymPairs(context, 'context', this.config.DLP_MAX_TEXT_CHARS, (message) => new InvalidContextError(message));
    const { engine, policyVersion } = await this.ruleSets.get(request.policyVersion ?? '');
    // One vault per request, rebuilt from the pairs of its earlier Scans: placeholders stay stable and unique
    // across all its texts, and are gone with the request (only the caller keeps the pairs).
    const vault = PseudonymVault.from(context);
    const result = engine.scan(request.text, { vault });
    return {
      action: ACTIONS[result.action],
      text: result.text,
      findings: result.findings.map(toProtoFinding),
      ruleSetVersion: result.ruleSetVersion,
      policyVersion,
      pseudonyms: toProtoPseudonyms(result.action === 'block' ? [] : vault.entries()),
    };
  }
}
